"""The deploy steps, each defined once: in words, when it does not apply, and how.

A `Step` is the plan `--dry-run` prints, the skip rule the plan and the run
both obey, the targets it belongs to (`ships`) and the work (a one-line detail,
or `StepFailed`, an `MvpError`, `Superseded`). `STEPS` is the order; `ROLLBACK`
the way back, taken only when `policy_steps.way_back` says so. A new step is
one `Step(...)` in `STEPS`. What a step works with: the collaborators (`Kit`),
what read-only calls tell about an app (`Facts`, the same for a dry run and
for preflight), and one app's deploy as it goes (`AppRun`, `Shipped`).

Production runs the slug that passed on staging (DESIGN: a push to main
deploys to staging, then the same build to production), given in one of two
ways:

- in the same run (`deploy --branch main`): staging's own deploy hands over
  the slug it built and released (`Shipped`);
- in a later run (`deploy --target production`, the workflow template's
  production job): the slug staging runs now, if its release is live and the
  slug was built from the commit being deployed (`read_staging`); a newer
  commit there leaves production to the newer run, anything else stops
  production before it is touched.

Either way the slug is released by pipeline promotion when both apps share a
pipeline, else as a release of that slug, and the new release must run it.
"""

from __future__ import annotations

import tempfile
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from mvp_process.config import DeployConfig
from mvp_process.deploy import policy, policy_steps
from mvp_process.deploy import runtime as io
from mvp_process.deploy.heroku import HerokuPlatform
from mvp_process.deploy.heroku_models import (
    AppInfo,
    OneOffDyno,
    PromotionTarget,
    ReleaseInfo,
)
from mvp_process.deploy.policy import (
    BUILD,
    PROMOTE,
    STAGING_SLUG,
    Ship,
    StagingRelease,
    Target,
)
from mvp_process.deploy.rendezvous import StillRunning
from mvp_process.deploy.report import AppOutcome, TerminalDeploy
from mvp_process.deploy.runtime import Cancelled, Runtime, StepFailed
from mvp_process.errors import MvpError
from mvp_process.git import Git

Work = Callable[["Kit", "AppRun"], str]


@dataclass(frozen=True)
class Kit:
    """What every step works with (`platform` is None in a dry run without key)."""

    platform: HerokuPlatform | None
    git: Git
    config: DeployConfig
    observer: TerminalDeploy
    rt: Runtime
    sha: str
    release_process: str | None
    apps: dict[str, AppInfo] = field(default_factory=dict)  # read up front

    @property
    def heroku(self) -> HerokuPlatform:
        assert self.platform is not None, "a real deploy has Heroku services"
        return self.platform


@dataclass
class Facts:
    """What read-only calls tell about an app (`known` False: from the config only)."""

    known: bool = False
    releases: list[ReleaseInfo] = field(default_factory=list)
    postgres: str | None = None
    shared_pipeline: bool | None = None
    staging: StagingRelease | None = None
    problem: str | None = None  # why production cannot take staging's slug
    newer: bool = False  # ...because staging runs a newer commit


@dataclass(frozen=True)
class Shipped:
    """A slug that passed on staging, and the staging release that runs it."""

    app: AppInfo
    release_id: str
    slug_id: str


@dataclass
class AppRun:
    """One app's deploy as it goes: what the steps hand each other."""

    target: Target
    info: AppInfo
    out: AppOutcome
    facts: Facts = field(default_factory=Facts)
    shipped: Shipped | None = None
    before: int = 0  # the newest release at preflight (of any status)
    recorded: ReleaseInfo | None = None  # the live release at preflight
    ours: list[str] = field(default_factory=list)  # releases this deploy made
    release: ReleaseInfo | None = None  # the one it deploys, as first read
    released: bool = False
    migrating: str | None = None  # a migration still running on Heroku


@dataclass(frozen=True)
class Step:
    name: str
    plan: Work
    run: Work
    skip: Callable[[Kit, AppRun], str | None] = lambda kit, app: None
    ships: tuple[Ship, ...] = (BUILD, PROMOTE, STAGING_SLUG)


def read_facts(kit: Kit, target: Target, plan: bool = False) -> Facts:
    """Releases, Postgres and, for production, staging's slug (and, for a plan,
    the pipelines): the same reads for the dry run and for preflight."""
    platform = kit.platform
    if platform is None:
        return Facts()
    facts = Facts(True, platform.releases(target.app))
    facts.postgres = platform.postgres_addon(target.app)
    if plan and target.source is not None:
        pipelines = {platform.pipeline_of(a) for a in (target.source, target.app)}
        facts.shared_pipeline = len(pipelines) == 1 and None not in pipelines
    if target.ship == STAGING_SLUG and target.source is not None:
        facts.staging = staging = read_staging(platform, target.source)
        facts.problem = policy.staging_slug_problem(kit.sha, staging)
        newer = staging.commit or ""  # newer: a descendant known to this clone
        facts.newer = (
            bool(facts.problem)
            and bool(newer)
            and newer != kit.sha
            and kit.git.merge_base(kit.sha, newer) == kit.sha
        )
    return facts


def read_staging(platform: HerokuPlatform, app: str) -> StagingRelease:
    """What staging runs now: its current release and the commit of its slug."""
    release = next((r for r in platform.releases(app) if r.current), None)
    if release is None or not release.slug_id:
        return StagingRelease(app, release)
    return StagingRelease(app, release, platform.slug_commit(app, release.slug_id))


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


# -- build, release: ship the code ---------------------------------------------
def _stream(kit: Kit, url: str) -> deque[str]:
    """Show an output stream; losing it is not a failure (the status decides)."""
    tail: deque[str] = deque(maxlen=io.TAIL)
    try:
        with kit.rt.waiting():
            for line in kit.heroku.stream(url, max(1.0, kit.rt.left())):
                tail.append(line)
                kit.observer.output(line)
    except MvpError as exc:
        kit.observer.note(f"the output stream was lost ({exc}); waiting for the result")
    return tail


def _promote(kit: Kit, app: AppRun, pipeline: str, shipped: Shipped) -> str:
    platform = kit.heroku
    promotion = platform.promote(
        pipeline, shipped.app.id, shipped.release_id, app.info.id
    )
    try:
        io.wait_for(
            kit.rt,
            lambda: platform.promotion_status(promotion),
            lambda status: status != "pending",
            "the pipeline promotion",
        )
    except (StepFailed, Cancelled):
        _learn_release(kit, app, promotion)
        raise
    result = _learn_release(kit, app, promotion)
    if result is None or result.status != "succeeded" or result.release_id is None:
        status = result.status if result else "failed"
        error = result.error if result else None
        raise StepFailed(
            f"the pipeline promotion {status}: {error or 'no release was made'}"
        )
    return result.release_id


def _learn_release(kit: Kit, app: AppRun, promotion: str) -> PromotionTarget | None:
    """The promotion's target: its release (if any) is this deploy's own."""
    try:
        result = kit.heroku.promotion_target(promotion, app.info.id)
    except MvpError:
        return None
    app.ours += [result.release_id] if result.release_id else []
    return result


def _no_conflict(kit: Kit, app: AppRun) -> None:
    """Never release over another deploy: the newest release is still preflight's."""
    conflict = policy_steps.release_conflict(
        app.before, kit.heroku.releases(app.info.name)
    )
    if conflict:
        raise StepFailed(conflict)


def _plan_build(kit: Kit, app: AppRun) -> str:
    return (
        f"git archive of the commit → POST /sources → upload → "
        f"POST /apps/{app.target.app}/builds; stream the build output"
    )


def _build(kit: Kit, app: AppRun) -> str:
    platform, name = kit.heroku, app.info.name
    with tempfile.TemporaryDirectory(prefix="mvp-deploy-") as tmp:
        path = Path(tmp) / "source.tar.gz"
        kit.git.archive(kit.sha, path)
        data = path.read_bytes()
    url = platform.upload_source(data)
    _no_conflict(kit, app)
    build = platform.create_build(
        name, url, policy_steps.source_checksum(data), kit.sha
    )
    try:
        tail = _stream(kit, build.output_stream_url)
        build = io.wait_for(
            kit.rt,
            lambda: platform.build(name, build.id),
            lambda b: b.status == "failed" or b.release_id is not None,
            "the build",
        )
    except (StepFailed, Cancelled):
        app.ours += _stop_build(platform, name, build.id)
        app.released = bool(app.ours)
        raise
    if build.status != "succeeded" or build.release_id is None:
        raise StepFailed(f"build {build.id} {build.status}" + io.tail_text(tail))
    app.ours.append(build.release_id)
    app.released = True
    app.out.slug_id = build.slug_id
    app.release = platform.release(name, build.release_id)
    app.out.release = app.release.version
    return f"built slug {build.slug_id} from {kit.sha[:12]}"


def _stop_build(platform: HerokuPlatform, app: str, build_id: str) -> list[str]:
    """Cancel a build nobody will watch, so it releases nothing unchecked; if it
    already released, that release is this deploy's own."""
    for cancel in (True, False):
        try:
            found = platform.build(app, build_id, cancel=cancel)
        except MvpError:
            continue
        return [found.release_id] if found.release_id else []
    return []


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


def _release(kit: Kit, app: AppRun) -> str:
    """Release the shipped slug: the id of the release it makes goes into
    `app.ours` as soon as it is known."""
    platform, name, shipped = kit.heroku, app.info.name, app.shipped
    assert shipped is not None, "preflight found the slug, or staging shipped it"
    _no_conflict(kit, app)
    app.released = True
    source_pipeline = platform.pipeline_of(shipped.app.name)
    if source_pipeline and source_pipeline == platform.pipeline_of(name):
        release_id = _promote(kit, app, source_pipeline, shipped)
        how = "promoted through the pipeline"
    else:
        made = platform.release_slug(name, shipped.slug_id)
        app.ours.append(made.id)
        how, release_id = "released as a slug (no shared pipeline)", made.id
    release = platform.release(name, release_id)
    if release.slug_id != shipped.slug_id:
        raise StepFailed(
            f"v{release.version} runs slug {release.slug_id}, not the staging "
            f"slug {shipped.slug_id}"
        )
    app.release = release
    app.out.release, app.out.slug_id = release.version, shipped.slug_id
    return f"staging slug {shipped.slug_id} {how}: v{release.version}"


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
        return _oneoff(kit, app, kit.config.migrate_command or "", migration=True)
    tail: Iterable[str] = []
    if release.output_stream_url and release.status == "pending":
        tail = _stream(kit, release.output_stream_url)
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


def _oneoff(kit: Kit, app: AppRun, command: str, migration: bool = False) -> str:
    """Run `command` in a one-off dyno; its exit status read as the CLI does.

    While a migration's dyno runs, `app.migrating` names it, so a cancel can
    say which dyno still runs. Past the step deadline the dyno is stopped; a
    migration is left to finish until the runner's second signal.
    """
    platform, rt = kit.heroku, kit.rt
    marked = policy_steps.with_exit_marker(command)
    dyno = platform.start_oneoff(app.info.name, marked, rt.left())
    if migration:
        app.migrating = f"the migration in dyno {dyno.name}"
    lines: list[str] = []
    try:
        with rt.waiting(signals=2 if migration else 1):
            for line in rt.attach(dyno.attach_url, rt.left()):
                lines.append(line)
                if not line.startswith(policy_steps.EXIT_MARKER):
                    kit.observer.output(line.rstrip("\n"))
    except MvpError:
        if not lines:  # never attached: Heroku does not start the command (R13)
            app.migrating = None
        raise
    except Cancelled:
        if not migration:  # a migration is left alone; anything else is stopped
            _stop_dyno(kit, app, dyno)
        raise
    except StillRunning:
        stopped = _stop_dyno(kit, app, dyno)
        raise StepFailed(
            f"'{command}' was still running when the deploy's time ran out "
            f"(deploy-timeout = {rt.budget:g}s): {stopped}"
        ) from None
    app.migrating = None
    output, status = policy_steps.parse_exit_status("".join(lines))
    tail = deque(output.splitlines(), maxlen=io.TAIL)
    if status is None:
        raise StepFailed(
            f"'{command}' ended without reporting an exit status (the dyno "
            "crashed or was stopped)" + io.tail_text(tail)
        )
    if status != 0:
        raise StepFailed(
            f"'{command}' exited with status {status}" + io.tail_text(tail)
        )
    return f"'{command}' exited with status 0 ({dyno.name})"


def _stop_dyno(kit: Kit, app: AppRun, dyno: OneOffDyno) -> str:
    try:
        kit.heroku.stop_dyno(app.info.name, dyno.id)
    except MvpError as exc:
        return f"dyno {dyno.name} could not be stopped ({exc.message})"
    app.migrating = None
    return f"dyno {dyno.name} was stopped"


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
    Step("build", _plan_build, _build, ships=(BUILD,)),
    Step("release", _plan_release, _release, ships=(PROMOTE, STAGING_SLUG)),
    Step("migrate", _plan_migrate, _migrate, _skip_migrate),
    Step(
        "static",
        lambda kit, app: f"run '{kit.config.static_command}' in a one-off dyno",
        lambda kit, app: _oneoff(kit, app, kit.config.static_command or ""),
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
