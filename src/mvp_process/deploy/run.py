"""The deploy core: the apps in order, each step planned or run from its one
definition in `steps.STEPS`, then the way back.

The key and every app are checked before anything changes (an `MvpError`,
exit 2). Production runs only if staging came up healthy, with staging's slug.
An app stops at its first failure, when time runs out, or at the first signal
(no new step starts); then it is rolled back once where
`policy_steps.way_back` allows it, and one sentence says where it stands.
"""

from __future__ import annotations

from mvp_process.config import DeployConfig
from mvp_process.deploy import policy, policy_steps
from mvp_process.deploy import runtime as io
from mvp_process.deploy.heroku import HerokuPlatform
from mvp_process.deploy.heroku_models import AppInfo
from mvp_process.deploy.policy import PROMOTE, Selection, Target
from mvp_process.deploy.report import (
    AppOutcome,
    DeployResult,
    StepRecord,
    StepStatus,
    TerminalDeploy,
)
from mvp_process.deploy.context import AppRun, Kit, Shipped, Step, read_facts
from mvp_process.deploy.steps import ROLLBACK, steps_for
from mvp_process.errors import MvpError
from mvp_process.git import Git


def deploy(
    platform: HerokuPlatform | None,
    git: Git,
    config: DeployConfig,
    selection: Selection,
    observer: TerminalDeploy,
    runtime: io.Runtime,
    result: DeployResult,
) -> None:
    """Deploy `result.sha` to the selected apps (or plan it), filling `result` in."""
    if not selection.targets:
        return
    release_process = policy.procfile_release(git.show_file(result.sha, "Procfile"))
    kit = Kit(platform, git, config, observer, runtime, result.sha, release_process)
    if platform is not None:
        platform.check_key()
        names = [t.app for t in selection.targets]
        names += [t.source for t in selection.targets if t.source]
        kit.apps.update({name: platform.app(name) for name in dict.fromkeys(names)})
    if result.dry_run:
        for target in selection.targets:
            url = f"https://{target.app}.herokuapp.com/"
            app = _new(target, kit.apps.get(target.app) or AppInfo(target.app, "", url))
            app.facts = read_facts(kit, target, plan=True)
            result.apps.append(plan_app(kit, app))
        return
    shipped: Shipped | None = None
    for target in selection.targets:
        why = _not_now(runtime, result.last())
        if why:
            result.not_attempted.append((target.role, target.app, why))
            continue
        app = _new(target, kit.apps[target.app])
        app.shipped = shipped if target.ship == PROMOTE else None
        result.apps.append(app.out)
        run_app(kit, app)
        if app.out.healthy and app.ours and app.out.slug_id:
            shipped = Shipped(app.info, app.ours[0], app.out.slug_id)


def _new(target: Target, info: AppInfo) -> AppRun:
    out = AppOutcome(role=target.role, app=target.app, web_url=info.web_url)
    out.notes += [target.note] if target.note else []
    return AppRun(target, info, out)


def _not_now(rt: io.Runtime, previous: AppOutcome | None) -> str | None:
    if rt.signal:
        return f"the deploy was cancelled ({rt.signal}) before it started"
    if previous is not None and not previous.healthy:
        return f"{previous.role} did not come up healthy"
    return None


def plan_app(kit: Kit, app: AppRun) -> AppOutcome:
    """The plan from the steps' own definitions and skip rules, and `app.facts`."""
    live = next((r for r in app.facts.releases if r.current), None)
    app.out.recorded_release = live.version if live else None
    if kit.platform is None:
        app.out.notes.insert(0, "HEROKU_API_KEY is not set: planned from the config")
    for step in steps_for(app.target) + (ROLLBACK,):
        reason = step.skip(kit, app)
        status: StepStatus = "skipped" if reason else "planned"
        detail = f"skipped: {reason}" if reason else step.plan(kit, app)
        app.out.steps.append(StepRecord(step.name, status, 0.0, detail))
    return app.out


def run_app(kit: Kit, app: AppRun) -> None:
    """One app's steps, then the way back (after a crash too: exit 3 follows)."""
    try:
        for step in steps_for(app.target):
            if not _next(kit, app, step) or not _execute(kit, app, step):
                break
    except BaseException:
        app.out.failure = app.out.failure or "an internal error"
        raise
    finally:
        _way_back(kit, app)


def _next(kit: Kit, app: AppRun, step: Step) -> bool:
    """Whether `step` may start: no signal came, and there is time left."""
    rt, out = kit.rt, app.out
    if rt.signal:
        out.cancelled = True
        out.notes.append(f"cancelled ({rt.signal}) before {step.name} started")
        return False
    if rt.left() <= 0 and not step.skip(kit, app):
        out.failure = f"{step.name}: not started, the deploy's time ran out"
        out.notes.append(f"deploy-timeout ({rt.budget:g}s) ran out")
        return False
    return True


def _execute(kit: Kit, app: AppRun, step: Step) -> bool:
    """Run (or skip) one step, time it, report it; whether the app goes on."""
    out = app.out
    status: StepStatus = "skipped"
    detail = step.skip(kit, app) or ""  # the reason it is skipped, if it is
    if not detail:
        kit.observer.step_started(out.role, out.app, step.name)
    start = kit.rt.clock()
    try:
        if not detail:
            status, detail = "ok", step.run(kit, app)
    except io.Superseded as exc:
        status, detail = "skipped", str(exc)
        out.superseded = detail
    except io.Cancelled as exc:
        status, detail = "cancelled", f"cancelled ({exc}) while running"
        out.cancelled = True
    except (io.StepFailed, MvpError) as exc:
        status, detail = "failed", str(exc)
        out.failure = out.failure or f"{step.name}: {detail.splitlines()[0]}"
    seconds = kit.rt.clock() - start
    record = StepRecord(step.name, status, seconds, detail)
    out.steps.append(record)
    kit.observer.step_finished(record)
    return status in ("ok", "skipped") and not out.superseded


def _way_back(kit: Kit, app: AppRun) -> None:
    """Where the app stands now; roll back once if that is safe and wanted."""
    out, rt = app.out, kit.rt
    if out.superseded:
        out.live_release = out.recorded_release
        out.state = f"unchanged: v{out.recorded_release} is live"
        return
    if not out.healthy and app.released:  # its migrations may have run
        out.notes.append("migrations are not undone by a rollback")
        if out.backup:
            restore = f"heroku pg:backups:restore {out.backup} DATABASE_URL"
            out.restore = f"{restore} --app {out.app}"
    if rt.hurry():
        release = app.release
        made = f"v{release.version} (this deploy) was released; " if release else ""
        running = f"{app.migrating} was still running; " if app.migrating else ""
        out.state = (
            f"{made}{running}the runner is stopping the job ({rt.signals[-1]}): "
            f"nothing was rolled back; check `heroku releases --app {out.app}`"
        )
        return
    try:
        releases = kit.heroku.releases(out.app)
    except MvpError as exc:
        out.state = f"unknown: the live release could not be read ({exc.message})"
        return
    decision = policy_steps.way_back(
        out.app,
        releases,
        app.before,
        set(app.ours),
        app.recorded,
        app.migrating,
        kit.config.rollback,
    )
    live, to = decision.live, decision.to
    out.live_release = live.version if live else None
    out.state = decision.why
    if out.healthy:
        out.state = f"v{out.live_release} (this deploy) is live and healthy"
        if live is not None and live.id not in app.ours:
            out.state = f"healthy, but {live.by()} was released meanwhile and is live"
        elif decision.foreign:
            out.notes.append(f"{decision.foreign.by()} was released during this deploy")
    elif to is not None and rt.hurry():
        out.state = (
            f"v{out.live_release} (this deploy) is live, not rolled back: the runner "
            f"is stopping the job (`heroku rollback v{to.version} --app {out.app}`)"
        )
    elif to is not None and _execute(kit, app, ROLLBACK):
        out.state = (
            f"rolled back: v{out.live_release} is live, running v{to.version}'s code"
        )
    elif to is not None:
        out.state = (
            f"the rollback failed: v{out.live_release} is still live; roll back by "
            f"hand with `heroku rollback v{to.version} --app {out.app}`"
        )
