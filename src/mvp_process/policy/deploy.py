"""Pure decisions of `deploy`: which apps and steps, when to retry or roll back.

Nothing here does I/O: the deploy core asks these functions and then acts, so
every rule that protects data (backup first, roll back once and only after
something was released, never retry a request that may have run) is a
parametrized unit test away from being checked.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from mvp_process.config import DeployConfig
from mvp_process.errors import ConfigError

STAGING = "staging"
PRODUCTION = "production"
ROLES = (STAGING, PRODUCTION)

# What the Heroku CLI appends to a one-off dyno's command (`heroku run`): the
# Platform API reports no exit code, so the shell echoes `$?` after a marker.
EXIT_MARKER = "\uffff heroku-command-exit-status:"
_MARKER_LINE = re.compile(
    r"^\uffff heroku-command-exit-status: (\d+)[ \t\r]*$\n?", re.M
)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_ATTEMPTS = 5
MAX_RETRY_WAIT = 300.0
LOW_RATE_LIMIT = 10
RELEASE_FAILED = frozenset({"failed", "expired"})


@dataclass(frozen=True)
class Target:
    """One app to deploy, in its role."""

    role: str
    app: str


@dataclass(frozen=True)
class Selection:
    """The apps a branch (or `--target`) deploys to, in order, and why."""

    targets: tuple[Target, ...]
    reason: str


@dataclass(frozen=True)
class StepPlan:
    """One step of one app's deploy: its name and, in words, what it will do."""

    name: str
    action: str
    run: bool = True


def _app(deploy: DeployConfig, role: str) -> str:
    app = deploy.staging_app if role == STAGING else deploy.production_app
    if not app:
        raise ConfigError(
            f"no {role} app configured",
            hint=f"set {role}-app in [tool.mvp-process.deploy] "
            f"(or MVP_PROCESS_DEPLOY_{role.upper()}_APP)",
        )
    return app


def select_targets(
    branch: str | None, target: str | None, deploy: DeployConfig
) -> Selection:
    """Staging branch → staging; production branch → staging then production."""
    if target is not None:
        if target not in ROLES:
            raise ConfigError(f"--target must be staging or production, not {target!r}")
        return Selection((Target(target, _app(deploy, target)),), f"--target {target}")
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
        production = Target(PRODUCTION, _app(deploy, PRODUCTION))
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


def procfile_release(text: str | None) -> str | None:
    """The command of the Procfile's `release` process, if it declares one."""
    for line in (text or "").splitlines():
        name, sep, command = line.partition(":")
        if sep and name.strip() == "release" and command.strip():
            return command.strip()
    return None


def migrate_plan(release_process: str | None, migrate_command: str | None) -> StepPlan:
    """The release phase does migrations when there is one; else the command."""
    if release_process:
        action = f"wait for the release phase (Procfile release: {release_process})"
        if migrate_command:
            action += f"; migrate-command '{migrate_command}' is not run"
        return StepPlan("migrate", action)
    if migrate_command:
        return StepPlan("migrate", f"run '{migrate_command}' in a one-off dyno")
    return StepPlan(
        "migrate", "skipped: no Procfile release process, no migrate-command", False
    )


@dataclass(frozen=True)
class AppFacts:
    """What read-only calls found out about an app (None: not known)."""

    web_url: str
    current_version: int | None = None
    postgres: str | None = None
    has_postgres: bool | None = None
    shared_pipeline: bool | None = None


def _backup_plan(deploy: DeployConfig, facts: AppFacts) -> StepPlan:
    if not deploy.backup:
        return StepPlan("backup", "skipped: backup = false", False)
    if facts.has_postgres is False:
        return StepPlan("backup", "skipped: no Heroku Postgres on the app", False)
    found = f" ({facts.postgres})" if facts.postgres else " if the app has one"
    return StepPlan(
        "backup", f"capture a PG Backups backup of the DATABASE_URL database{found}"
    )


def _ship_plan(app: str, promote: bool, facts: AppFacts) -> StepPlan:
    if not promote:
        return StepPlan(
            "build",
            f"git archive of the commit → POST /sources → upload → "
            f"POST /apps/{app}/builds; stream the build output",
        )
    if facts.shared_pipeline is None:
        how = "a pipeline promotion if both apps share a pipeline, else a release"
    elif facts.shared_pipeline:
        how = "a pipeline promotion (both apps share a pipeline)"
    else:
        how = "a release of that slug (the apps share no pipeline)"
    return StepPlan("release", f"release the slug that passed on staging by {how}")


def app_steps(
    role: str,
    app: str,
    deploy: DeployConfig,
    release_process: str | None,
    promote: bool,
    facts: AppFacts,
) -> tuple[StepPlan, ...]:
    """The ordered steps of one app's deploy (what `--dry-run` prints)."""
    now = f" (now v{facts.current_version})" if facts.current_version else ""
    static = (
        StepPlan("static", f"run '{deploy.static_command}' in a one-off dyno")
        if deploy.static_command
        else StepPlan("static", "skipped: no static-command", False)
    )
    expect = f" containing '{deploy.health_expect}'" if deploy.health_expect else ""
    url = health_url(facts.web_url, deploy.health_path)
    rollback = (
        "roll back once to the recorded release (migrations are not undone)"
        if deploy.rollback
        else "no rollback (rollback = false)"
    )
    return (
        StepPlan(
            "preflight", f"check the key and the app; record the current release{now}"
        ),
        _backup_plan(deploy, facts),
        _ship_plan(app, promote and role == PRODUCTION, facts),
        migrate_plan(release_process, deploy.migrate_command),
        static,
        StepPlan(
            "health",
            f"GET {url} until 200{expect} (within {deploy.health_timeout:g}s)",
        ),
        StepPlan("rollback", f"on a failure after the build: {rollback}"),
    )


def health_url(web_url: str, path: str) -> str:
    return web_url.rstrip("/") + path


def health_verdict(
    status: int | None, body: str, expect: str | None, error: str | None = None
) -> tuple[bool, str]:
    """Healthy means 200 and, when configured, the expected text in the body."""
    if error is not None:
        return False, error
    if status != 200:
        return False, f"answered {status}"
    if expect and expect not in body:
        return False, f"answered 200 without '{expect}'"
    return True, "answered 200" + (f" with '{expect}'" if expect else "")


# -- one-off dynos ---------------------------------------------------------------
def with_exit_marker(command: str) -> str:
    """The command as the Heroku CLI sends it, so its exit status can be read."""
    return f'{command}; echo "{EXIT_MARKER} $?"'


def parse_exit_status(output: str) -> tuple[str, int | None]:
    """(output without the marker line, exit status or None if the marker is absent)."""
    matches = list(_MARKER_LINE.finditer(output))
    if not matches:
        return output, None
    last = matches[-1]
    return output[: last.start()] + output[last.end() :], int(last.group(1))


# -- releases, backups, rollback ---------------------------------------------------
def release_outcome(status: str | None) -> str:
    """`pending`, `succeeded` or `failed` (Heroku's `expired` is a failure)."""
    if status in RELEASE_FAILED:
        return "failed"
    return "succeeded" if status == "succeeded" else "pending"


def backup_name(num: int) -> str:
    """The name PG Backups shows for a manual backup (`b001`)."""
    return f"b{num:03d}"


def source_checksum(data: bytes) -> str:
    """The build API's checksum of the source tarball."""
    return "SHA256:" + hashlib.sha256(data).hexdigest()


def rollback_decision(
    released: bool, enabled: bool, already: bool, recorded_version: int | None
) -> tuple[bool, str]:
    """Roll back once, only when something may have been released after the build."""
    if already:
        return False, "already rolled back once"
    if not released:
        return False, "nothing was released: no rollback needed"
    if recorded_version is None:
        return False, "no earlier release was recorded: roll back by hand"
    if not enabled:
        return False, (
            f"rollback = false: not rolled back (to do it by hand: "
            f"heroku rollback v{recorded_version})"
        )
    return True, f"rolling back to v{recorded_version}"


# -- retries, backoff, polling --------------------------------------------------------
def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header (delta-seconds or HTTP date)."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    current = now or datetime.now(timezone.utc)
    return max(0.0, (when - current).total_seconds())


def backoff(attempt: int, base: float = 1.0, cap: float = 30.0) -> float:
    """Exponential backoff: base, 2·base, 4·base... never more than `cap`."""
    return float(min(cap, base * (2 ** max(0, attempt))))


def retry_delay(
    status: int,
    attempt: int,
    retry_after: str | None,
    remaining: str | None,
    server_errors: bool,
    now: datetime | None = None,
) -> float | None:
    """Seconds to wait before retrying, or None when the answer must stand.

    429 is always retried (Heroku refused the request before doing anything);
    5xx only when `server_errors` (reads, and writes that are safe to repeat: a
    retried build or one-off dyno could run twice).
    """
    if status not in RETRY_STATUSES or attempt + 1 >= MAX_ATTEMPTS:
        return None
    if status != 429 and not server_errors:
        return None
    wait = parse_retry_after(retry_after, now)
    if wait is None:
        out_of_tokens = status == 429 and (remaining or "").strip() == "0"
        wait = backoff(attempt, base=5.0 if out_of_tokens else 1.0)
    return None if wait > MAX_RETRY_WAIT else wait


def throttle_delay(remaining: str | None) -> float:
    """A pause before the next call when the rate limit is nearly used up.

    Heroku refills about 75 tokens a minute, so a short pause keeps a long
    deploy from running into 429s.
    """
    try:
        left = int((remaining or "").strip())
    except ValueError:
        return 0.0
    return 1.0 if left < LOW_RATE_LIMIT else 0.0


def poll_delay(attempt: int) -> float:
    """How long to wait between polls of a build, release, transfer or promotion."""
    return backoff(attempt, base=0.5, cap=5.0)
