"""How the code reaches an app: build, release, and one-off dynos.

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
from pathlib import Path

from mvp_process.deploy import policy_steps
from mvp_process.deploy import runtime as io
from mvp_process.deploy.heroku import HerokuPlatform
from mvp_process.deploy.context import AppRun, Kit, Shipped
from mvp_process.deploy.heroku_models import (
    OneOffDyno,
    PromotionTarget,
)
from mvp_process.deploy.rendezvous import StillRunning
from mvp_process.deploy.runtime import Cancelled, StepFailed
from mvp_process.errors import MvpError


def stream(kit: Kit, url: str) -> deque[str]:
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


def promote(kit: Kit, app: AppRun, pipeline: str, shipped: Shipped) -> str:
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
        learn_release(kit, app, promotion)
        raise
    result = learn_release(kit, app, promotion)
    if result is None or result.status != "succeeded" or result.release_id is None:
        status = result.status if result else "failed"
        error = result.error if result else None
        raise StepFailed(
            f"the pipeline promotion {status}: {error or 'no release was made'}"
        )
    return result.release_id


def learn_release(kit: Kit, app: AppRun, promotion: str) -> PromotionTarget | None:
    """The promotion's target: its release (if any) is this deploy's own."""
    try:
        result = kit.heroku.promotion_target(promotion, app.info.id)
    except MvpError:
        return None
    app.ours += [result.release_id] if result.release_id else []
    return result


def no_conflict(kit: Kit, app: AppRun) -> None:
    """Never release over another deploy: the newest release is still preflight's."""
    conflict = policy_steps.release_conflict(
        app.before, kit.heroku.releases(app.info.name)
    )
    if conflict:
        raise StepFailed(conflict)


def build(kit: Kit, app: AppRun) -> str:
    platform, name = kit.heroku, app.info.name
    with tempfile.TemporaryDirectory(prefix="mvp-deploy-") as tmp:
        path = Path(tmp) / "source.tar.gz"
        kit.git.archive(kit.sha, path)
        data = path.read_bytes()
    url = platform.upload_source(data)
    no_conflict(kit, app)
    build = platform.create_build(
        name, url, policy_steps.source_checksum(data), kit.sha
    )
    try:
        tail = stream(kit, build.output_stream_url)
        build = io.wait_for(
            kit.rt,
            lambda: platform.build(name, build.id),
            lambda b: b.status == "failed" or b.release_id is not None,
            "the build",
        )
    except (StepFailed, Cancelled):
        app.ours += stop_build(platform, name, build.id)
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


def stop_build(platform: HerokuPlatform, app: str, build_id: str) -> list[str]:
    """Cancel a build nobody will watch, so it releases nothing unchecked; if it
    already released, that release is this deploy's own."""
    for cancel in (True, False):
        try:
            found = platform.build(app, build_id, cancel=cancel)
        except MvpError:
            continue
        return [found.release_id] if found.release_id else []
    return []


def release(kit: Kit, app: AppRun) -> str:
    """Release the shipped slug: the id of the release it makes goes into
    `app.ours` as soon as it is known."""
    platform, name, shipped = kit.heroku, app.info.name, app.shipped
    assert shipped is not None, "preflight found the slug, or staging shipped it"
    no_conflict(kit, app)
    app.released = True
    source_pipeline = platform.pipeline_of(shipped.app.name)
    if source_pipeline and source_pipeline == platform.pipeline_of(name):
        release_id = promote(kit, app, source_pipeline, shipped)
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


def oneoff(kit: Kit, app: AppRun, command: str, migration: bool = False) -> str:
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
            stop_dyno(kit, app, dyno)
        raise
    except StillRunning:
        stopped = stop_dyno(kit, app, dyno)
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


def stop_dyno(kit: Kit, app: AppRun, dyno: OneOffDyno) -> str:
    try:
        kit.heroku.stop_dyno(app.info.name, dyno.id)
    except MvpError as exc:
        return f"dyno {dyno.name} could not be stopped ({exc.message})"
    app.migrating = None
    return f"dyno {dyno.name} was stopped"
