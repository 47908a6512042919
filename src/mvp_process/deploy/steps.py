"""The deploy steps, each defined once: in words, when it does not apply, and how.

A `Step` is the plan `--dry-run` prints, the skip rule the plan and the run
both obey, the targets it belongs to (`ships`) and the work (a one-line detail,
or `StepFailed`, an `MvpError`, `Superseded`). `STEPS` is the order; `ROLLBACK`
the way back, taken only when `policy_steps.way_back` says so. A new step is
one `Step(...)` in `STEPS`. What a step works with: the collaborators (`Kit`),
what read-only calls tell about an app (`Facts`, the same for a dry run and
for preflight), and one app's deploy as it goes (`AppRun`, `Shipped`), are in
`context.py`; building, releasing and one-off dynos in `ship.py`.
"""

from __future__ import annotations

from collections.abc import Iterable

from mvp_process.deploy import policy, policy_steps
from mvp_process.deploy import runtime as io
from mvp_process.deploy import ship
from mvp_process.deploy.context import AppRun, Kit, Shipped, Step, read_facts
from mvp_process.deploy.policy import (
    BUILD,
    PROMOTE,
    STAGING_SLUG,
    Target,
)
from mvp_process.deploy.runtime import StepFailed


# -- preflight -------------------------------------------------------------------
def _plan_preflight(kit: Kit, app: AppRun) -> str:
    live = next((r for r in app.facts.releases if r.current), None)
    now = f" (now v{live.version})" if live else ""
    action = f"check the key and the app; record the current release{now}"
    target, facts = app.target, app.facts
    if target.ship == STAGING_SLUG:
        action += f"; check that {target.source} runs a slug built from the commit"
        if facts.newer and facts.staging:
            action += ": it runs a newer one, so production would be skipped: "
            action += policy.superseded(kit.sha, facts.staging)
        elif facts.problem:
            action += f": it does not, so the deploy would stop here: {facts.problem}"
        elif facts.staging:
            action += f": it does ({policy.describe_staging(facts.staging)})"
    return action


def _preflight(kit: Kit, app: AppRun) -> str:
    app.facts = facts = read_facts(kit, app.target)
    app.before = facts.releases[0].version if facts.releases else 0
    app.recorded = next((r for r in facts.releases if r.current), None)
    if app.recorded is None:
        detail = f"{app.info.name} has no current release: nothing to roll back to"
    else:
        app.out.recorded_release = app.recorded.version
        detail = f"{app.info.name} runs v{app.recorded.version}; recorded for rollback"
    if facts.staging is not None:
        if facts.newer:
            raise io.Superseded(policy.superseded(kit.sha, facts.staging))
        if facts.problem:
            raise StepFailed(facts.problem)
        staging, release = facts.staging, facts.staging.release
        assert release is not None and release.slug_id is not None
        app.shipped = Shipped(kit.apps[staging.app], release.id, release.slug_id)
        detail += f"; staging runs {kit.sha[:12]} ({policy.describe_staging(staging)})"
    return detail


# -- backup ----------------------------------------------------------------------
def _skip_backup(kit: Kit, app: AppRun) -> str | None:
    if not kit.config.backup:
        return "backup = false"
    if app.facts.known and app.facts.postgres is None:
        return "no Heroku Postgres on the app"
    return None


def _plan_backup(kit: Kit, app: AppRun) -> str:
    found = f" ({app.facts.postgres})" if app.facts.postgres else " if the app has one"
    return f"capture a PG Backups backup of the DATABASE_URL database{found}"


def _backup(kit: Kit, app: AppRun) -> str:
    """Nothing is built before the backup has finished: if it fails, nothing is."""
    platform, name = kit.heroku, app.info.name
    addon = platform.database_attachment(name)
    if addon is None:
        raise StepFailed(
            f"Heroku Postgres {app.facts.postgres} is not attached as DATABASE_URL, "
            "so it cannot be backed up; set backup = false to deploy without a backup"
        )
    transfer = platform.capture_backup(addon)
    app.out.backup = transfer.name
    transfer = io.wait_for(
        kit.rt,
        lambda: platform.transfer(name, transfer.uuid),
        lambda t: t.finished,
        f"backup {transfer.name}",
    )
    if not transfer.succeeded:
        raise StepFailed(
            f"backup {transfer.name} failed: nothing was built or released"
            + io.tail_text(transfer.logs[-io.TAIL :])
        )
    return f"backup {transfer.name} captured"


# -- build, release: ship the code (ship.py) -----------------------------------
def _plan_build(kit: Kit, app: AppRun) -> str:
    return (
        f"git archive of the commit → POST /sources → upload → "
        f"POST /apps/{app.target.app}/builds; stream the build output"
    )


def _plan_release(kit: Kit, app: AppRun) -> str:
    if app.facts.shared_pipeline is None:
        how = "a pipeline promotion if both apps share a pipeline, else a release"
    elif app.facts.shared_pipeline:
        how = "a pipeline promotion (both apps share a pipeline)"
    else:
        how = "a release of that slug (the apps share no pipeline)"
    what = "the slug that passed on staging in this run"
    if app.target.ship == STAGING_SLUG:
        what = f"the slug {app.target.source} runs"
    return f"release {what} (no new build) by {how}"


# -- migrate, static, health -----------------------------------------------------
def _skip_migrate(kit: Kit, app: AppRun) -> str | None:
    if kit.release_process or kit.config.migrate_command:
        return None
    return "no Procfile release process and no migrate-command"


def _plan_migrate(kit: Kit, app: AppRun) -> str:
    command = kit.config.migrate_command
    if kit.release_process:
        action = f"wait for the release phase (Procfile release: {kit.release_process})"
        return action + (f"; migrate-command '{command}' is not run" if command else "")
    return f"run '{command}' in a one-off dyno"


def _migrate(kit: Kit, app: AppRun) -> str:
    platform, name, release = kit.heroku, app.info.name, app.release
    assert release is not None, "built or released before"
    if not kit.release_process:
        return ship.oneoff(kit, app, kit.config.migrate_command or "", migration=True)
    tail: Iterable[str] = []
    if release.output_stream_url and release.status == "pending":
        tail = ship.stream(kit, release.output_stream_url)
    release = io.wait_for(
        kit.rt,
        lambda: platform.release(name, release.id),
        lambda r: policy_steps.release_outcome(r.status) != "pending",
        "the release phase",
    )
    if policy_steps.release_outcome(release.status) == "failed":
        raise StepFailed(
            f"release phase of v{release.version} {release.status}" + io.tail_text(tail)
        )
    return f"release phase of v{release.version} succeeded"


def _plan_health(kit: Kit, app: AppRun) -> str:
    deploy = kit.config
    url = policy_steps.health_url(app.info.web_url, deploy.health_path)
    expect = f" containing '{deploy.health_expect}'" if deploy.health_expect else ""
    return f"GET {url} until 200{expect} (within {deploy.health_timeout:g}s)"


def _health(kit: Kit, app: AppRun) -> str:
    """GET the health URL until healthy, backing off 0.5 s, 1 s, 2 s... within
    `health-timeout` (or what is left of the deploy's time, when shorter)."""
    rt, timeout, expect = kit.rt, kit.config.health_timeout, kit.config.health_expect
    url = policy_steps.health_url(app.info.web_url, kit.config.health_path)
    limit = min(timeout, max(0.0, rt.left()))
    within = f"{timeout:g}s" if limit == timeout else f"the deploy's time ({limit:g}s)"
    deadline = rt.clock() + limit
    attempt = 0
    with rt.waiting():
        while True:
            left = max(0.05, min(10.0, deadline - rt.clock()))
            answer = rt.probe(url, left)
            ok, why = policy_steps.health_verdict(
                answer.status, answer.body, expect, answer.error
            )
            if ok:
                return f"{url} {why} (attempt {attempt + 1})"
            delay = policy.backoff(attempt, base=0.5, cap=10.0)
            if rt.clock() + delay > deadline:
                raise StepFailed(
                    f"{url} not healthy within {within} "
                    f"({attempt + 1} attempts; last: {why})"
                )
            kit.observer.note(f"health: {url} {why}; next try in {delay:g}s")
            rt.sleep(delay)
            attempt += 1


STEPS: tuple[Step, ...] = (
    Step("preflight", _plan_preflight, _preflight),
    Step("backup", _plan_backup, _backup, _skip_backup),
    Step("build", _plan_build, ship.build, ships=(BUILD,)),
    Step("release", _plan_release, ship.release, ships=(PROMOTE, STAGING_SLUG)),
    Step("migrate", _plan_migrate, _migrate, _skip_migrate),
    Step(
        "static",
        lambda kit, app: f"run '{kit.config.static_command}' in a one-off dyno",
        lambda kit, app: ship.oneoff(kit, app, kit.config.static_command or ""),
        lambda kit, app: None if kit.config.static_command else "no static-command",
    ),
    Step("health", _plan_health, _health),
)


def _plan_rollback(kit: Kit, app: AppRun) -> str:
    if not kit.config.rollback:
        return "on a failure after the build: no rollback (rollback = false)"
    return (
        "on a failure after the build: roll back once to the recorded release "
        "(migrations are not undone), only while this deploy's release is live and "
        "nothing else was released, never under a running migration"
    )


def _rollback(kit: Kit, app: AppRun) -> str:
    to = app.recorded
    assert to is not None, "way_back rolls back only to a recorded release"
    now = kit.heroku.rollback(app.info.name, to.id)
    app.ours.append(now.id)
    app.out.rolled_back_to, app.out.live_release = to.version, now.version
    return f"rolled back to v{to.version} (now v{now.version})"


ROLLBACK = Step("rollback", _plan_rollback, _rollback)


def steps_for(target: Target) -> tuple[Step, ...]:
    return tuple(step for step in STEPS if target.ship in step.ships)
