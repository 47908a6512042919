"""Pure decisions of `deploy`: which apps, in which order, with which code, and
its time (what the steps decide on the way is `policy_steps.py`).

Nothing here does I/O, so the rules are a parametrized unit test away from
being checked: production gets the slug that passed on staging; a production
job whose staging moved on to a newer commit leaves production to the newer
run; part of `deploy-timeout` is kept for the way back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mvp_process.config import DeployConfig
from mvp_process.deploy.heroku_models import ReleaseInfo
from mvp_process.errors import ConfigError

STAGING = "staging"
PRODUCTION = "production"
ROLES = (STAGING, PRODUCTION)


# How an app gets its code. Production takes the slug that passed on staging
# (DESIGN: "the same build"); it is built from the commit only when asked
# (`--build`) or when there is no staging app to take a slug from.
Ship = Literal["build", "promote", "staging-slug"]
BUILD: Ship = "build"  # build the commit on the app itself
PROMOTE: Ship = "promote"  # the slug staging built earlier in the same run
STAGING_SLUG: Ship = "staging-slug"  # the slug staging runs, if built from the commit
STAGING_FIRST = (
    "deploy staging first, or pass --build to build production from the commit"
)


@dataclass(frozen=True)
class Target:
    """One app to deploy, in its role, and how it gets its code.

    `source` is the staging app whose slug a production target releases;
    `note` says, for the report, why an app is built when it could have been
    given staging's slug.
    """

    role: str
    app: str
    ship: Ship = BUILD
    source: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Selection:
    """The apps a branch (or `--target`) deploys to, in order, and why."""

    targets: tuple[Target, ...]
    reason: str


def _app(deploy: DeployConfig, role: str) -> str:
    app = deploy.staging_app if role == STAGING else deploy.production_app
    if not app:
        raise ConfigError(
            f"no {role} app configured",
            hint=f"set {role}-app in [tool.mvp-process.deploy] "
            f"(or MVP_PROCESS_DEPLOY_{role.upper()}_APP)",
        )
    return app


def production_alone(deploy: DeployConfig, build: bool) -> Target:
    """`--target production`: staging's slug for this commit, unless told to build.

    Building production from the commit would ship a build nobody checked on
    staging, so it takes `--build`, or a configuration without a staging app
    (where it is the only way).
    """
    app = _app(deploy, PRODUCTION)
    if not deploy.staging_app:
        note = "no staging app is configured: production is built from the commit "
        note += "(the only way without a staging app)"
    elif build:
        note = "--build: production is built from the commit, not given the slug "
        note += "that runs on staging"
    else:
        return Target(PRODUCTION, app, STAGING_SLUG, source=deploy.staging_app)
    return Target(PRODUCTION, app, BUILD, note=note)


def select_targets(
    branch: str | None, target: str | None, deploy: DeployConfig, build: bool = False
) -> Selection:
    """Staging branch → staging; production branch → staging then production."""
    if target is not None and target not in ROLES:
        raise ConfigError(f"--target must be staging or production, not {target!r}")
    if build and target != PRODUCTION:
        raise ConfigError(
            "--build applies only to --target production",
            hint="staging is always built from the commit; a production branch "
            "builds on staging and gives production that slug",
        )
    if target == STAGING:
        return Selection((Target(STAGING, _app(deploy, STAGING)),), "--target staging")
    if target == PRODUCTION:
        reason = "--target production" + (" --build" if build else "")
        return Selection((production_alone(deploy, build),), reason)
    if not branch:
        raise ConfigError(
            "no branch to deploy (HEAD is detached)",
            hint="pass --branch NAME or --target staging|production",
        )
    if deploy.staging_branch in deploy.production_branches:
        raise ConfigError(
            f"branch '{deploy.staging_branch}' is both the staging branch and a "
            "production branch",
            hint="change staging-branch or production-branches in "
            "[tool.mvp-process.deploy]",
        )
    if branch == deploy.staging_branch:
        return Selection(
            (Target(STAGING, _app(deploy, STAGING)),),
            f"branch '{branch}' is the staging branch",
        )
    if branch in deploy.production_branches:
        staging = Target(STAGING, _app(deploy, STAGING))
        production = Target(
            PRODUCTION, _app(deploy, PRODUCTION), PROMOTE, source=staging.app
        )
        return Selection(
            (staging, production),
            f"branch '{branch}' is a production branch: staging first, then "
            "production if staging is healthy",
        )
    names = ", ".join(deploy.production_branches) or "none"
    return Selection(
        (),
        f"nothing to deploy: branch '{branch}' is neither the staging branch "
        f"('{deploy.staging_branch}') nor a production branch ({names})",
    )


@dataclass(frozen=True)
class StagingRelease:
    """What staging runs now, read before production is given its slug."""

    app: str
    release: ReleaseInfo | None = None  # None: staging has no current release
    commit: str | None = None  # the slug's commit (or its build's version)


def staging_slug_problem(sha: str, staging: StagingRelease) -> str | None:
    """Why production cannot take staging's slug as the build of `sha` (None: it can).

    Only the live, succeeded release of staging counts: a slug staging ran
    once, or one whose release phase failed, did not pass there.
    """
    release = staging.release
    where = f"{staging.app} v{release.version}" if release else staging.app
    if release is None:
        why = f"{where} has no current release"
    elif not release.current or release.status != "succeeded":
        why = f"{where} is not live (status {release.status or 'unknown'})"
    elif release.slug_id is None:
        why = f"{where} has no slug"
    elif (staging.commit or "").strip().lower() != sha.lower():
        built = staging.commit[:12] if staging.commit else "an unknown commit"
        why = f"{where} runs a slug built from {built}"
    else:
        return None
    return f"staging does not run {sha[:12]} ({why}): {STAGING_FIRST}"


def describe_staging(staging: StagingRelease) -> str:
    """`mvp-staging v3, slug 1a2b..., built from 0123456789ab` (for the report)."""
    release = staging.release
    assert release is not None, "only a release production may take is described"
    built = f", built from {staging.commit[:12]}" if staging.commit else ""
    return f"{staging.app} v{release.version}, slug {release.slug_id}{built}"


def superseded(sha: str, staging: StagingRelease) -> str:
    """The notice of a production job that has nothing left to do."""
    newer = (staging.commit or "")[:12]
    return (
        f"staging already runs {newer}, a newer commit than {sha[:12]}: production "
        "is left to the run that deployed it (nothing was changed)"
    )


def procfile_release(text: str | None) -> str | None:
    """The command of the Procfile's `release` process, if it declares one."""
    for line in (text or "").splitlines():
        name, sep, command = line.partition(":")
        if sep and name.strip() == "release" and command.strip():
            return command.strip()
    return None


# -- time ------------------------------------------------------------------------
def reserve(budget: float) -> float:
    """Seconds of `deploy-timeout` kept back from the steps for the way back
    (a rollback and the report): a tenth, at most two minutes."""
    return min(120.0, budget / 10)


def backoff(attempt: int, base: float, cap: float) -> float:
    """Exponential backoff: base, 2·base, 4·base... never more than `cap`."""
    return float(min(cap, base * (2 ** max(0, attempt))))
