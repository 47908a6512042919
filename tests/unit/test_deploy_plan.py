"""The plan `deploy --dry-run` prints, made from the steps' own definitions
(`steps.STEPS`): each step in words, and the skip rules the run obeys too."""

from __future__ import annotations

from typing import Any

import pytest

from mvp_process.config import DeployConfig
from mvp_process.deploy.context import AppRun, Facts, Kit
from mvp_process.deploy.heroku_models import AppInfo, ReleaseInfo
from mvp_process.deploy.policy import (
    BUILD,
    PRODUCTION,
    PROMOTE,
    STAGING,
    STAGING_SLUG,
    StagingRelease,
    Target,
)
from mvp_process.deploy.report import AppOutcome
from mvp_process.deploy.run import plan_app

SHA = "0123456789abcdef0123456789abcdef01234567"
BOTH = DeployConfig(staging_app="x", production_app="y")
STAGING_X = Target(STAGING, "x")
IN_RUN = Target(PRODUCTION, "y", PROMOTE, source="x")
FROM_STAGING = Target(PRODUCTION, "y", STAGING_SLUG, source="x")
NAMES = ["preflight", "backup", "build", "migrate", "static", "health", "rollback"]
NOTHING: Any = None  # collaborators a plan never touches
V7 = ReleaseInfo("r7", 7, "succeeded", True)


def plan(
    target: Target,
    facts: Facts | None = None,
    config: DeployConfig = BOTH,
    release_process: str | None = None,
) -> dict[str, str]:
    kit = Kit(NOTHING, NOTHING, config, NOTHING, NOTHING, SHA, release_process)
    info = AppInfo(target.app, "id", f"https://{target.app}.herokuapp.com/")
    app = AppRun(target, info, AppOutcome(target.role, target.app), facts or Facts())
    out = plan_app(kit, app)
    assert all(s.status in ("planned", "skipped") for s in out.steps)
    return {step.name: step.detail for step in out.steps}


def test_staging_is_backed_up_built_and_checked() -> None:
    facts = Facts(True, [V7], "postgresql-x")
    steps = plan(STAGING_X, facts)
    assert list(steps) == NAMES
    assert steps["preflight"].endswith("record the current release (now v7)")
    assert "(postgresql-x)" in steps["backup"]
    assert "POST /apps/x/builds" in steps["build"]
    assert steps["migrate"] == (
        "skipped: no Procfile release process and no migrate-command"
    )
    assert steps["static"] == "skipped: no static-command"
    assert "GET https://x.herokuapp.com/ until 200 (within 120s)" in steps["health"]
    assert "if the app has one" in plan(STAGING_X)["backup"]


def test_migrate_is_the_release_phase_or_the_command() -> None:
    config = DeployConfig(migrate_command="manage migrate")
    phase = plan(STAGING_X, config=config, release_process="./migrate")["migrate"]
    assert "release phase (Procfile release: ./migrate)" in phase
    assert "migrate-command 'manage migrate' is not run" in phase
    assert "one-off dyno" in plan(STAGING_X, config=config)["migrate"]


@pytest.mark.parametrize(
    ("target", "shared", "release"),
    [
        (
            IN_RUN,
            True,
            "release the slug that passed on staging in this run (no new build) "
            "by a pipeline promotion (both apps share a pipeline)",
        ),
        (IN_RUN, False, "by a release of that slug (the apps share no pipeline)"),
        (IN_RUN, None, "a pipeline promotion if both apps share a pipeline, else a"),
        (
            FROM_STAGING,
            True,
            "release the slug x runs (no new build) by a pipeline promotion",
        ),
    ],
)
def test_production_is_given_the_staging_slug(
    target: Target, shared: bool | None, release: str
) -> None:
    steps = plan(target, Facts(shared_pipeline=shared))
    assert "build" not in steps
    assert release in steps["release"]


LIVE = StagingRelease("x", ReleaseInfo("rel-3", 3, "succeeded", True, "s1"), SHA)


@pytest.mark.parametrize(
    ("facts", "preflight"),
    [
        (Facts(), "check that x runs a slug built from the commit"),
        (
            Facts(True, [V7], staging=LIVE),
            "from the commit: it does (x v3, slug s1, built from 0123456789ab)",
        ),
        (
            Facts(True, staging=LIVE, problem="staging does not run abc: deploy"),
            "from the commit: it does not, so the deploy would stop here: staging "
            "does not run abc: deploy",
        ),
        (
            Facts(True, staging=LIVE, problem="...", newer=True),
            "it runs a newer one, so production would be skipped: staging already "
            "runs 0123456789ab, a newer commit than 0123456789ab: production is left "
            "to the run that deployed it (nothing was changed)",
        ),
    ],
    ids=["unknown", "runs-it", "does-not", "newer"],
)
def test_the_plan_says_whether_staging_runs_the_commit(
    facts: Facts, preflight: str
) -> None:
    assert plan(FROM_STAGING, facts)["preflight"].endswith(preflight)


def test_production_built_from_the_commit() -> None:
    steps = plan(Target(PRODUCTION, "y", BUILD, note="--build"))
    assert "POST /apps/y/builds" in steps["build"]
    assert "runs a slug" not in steps["preflight"]


def test_skips_and_options() -> None:
    config = DeployConfig(
        backup=False, rollback=False, static_command="collect", health_expect="ok"
    )
    steps = plan(STAGING_X, config=config)
    assert steps["backup"] == "skipped: backup = false"
    assert "no rollback (rollback = false)" in steps["rollback"]
    assert steps["static"] == "run 'collect' in a one-off dyno"
    assert "containing 'ok'" in steps["health"]
    no_pg = plan(STAGING_X, Facts(True))
    assert no_pg["backup"] == "skipped: no Heroku Postgres on the app"
    assert "never under a running migration" in plan(STAGING_X)["rollback"]
