"""Production runs the slug that passed on staging: find it, release it, check it.

DESIGN: a push to main deploys to staging, then the same build to production.
Production gets staging's slug in one of two ways:

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
from pathlib import Path

from mvp_process.deploy import policy_steps as rules
from mvp_process.deploy import runtime as io
from mvp_process.deploy.context import AppRun, Kit, Shipped
from mvp_process.deploy.policy import STAGING_SLUG
from mvp_process.git import Git
from mvp_process.deploy.heroku import HerokuPlatform
from mvp_process.deploy.heroku_models import AppInfo, PromotionTarget, ReleaseInfo
from mvp_process.deploy.runtime import Cancelled, Runtime, StepFailed, wait_for
from mvp_process.deploy.policy import StagingRelease
from mvp_process.errors import MvpError


def read_staging(platform: HerokuPlatform, app: str) -> StagingRelease:
    """What staging runs now: its current release and the commit of its slug."""
    release = next((r for r in platform.releases(app) if r.current), None)
    if release is None:
        return StagingRelease(app)
    commit = platform.slug_commit(app, release.slug_id) if release.slug_id else None
    return StagingRelease(
        app,
        release.version,
        release.status,
        release.current,
        release.slug_id,
        commit,
        release.id,
    )


def is_newer(git: Git, sha: str, other: str | None) -> bool:
    """`other` is a later commit than `sha` (a descendant known to this clone)."""
    return bool(other) and other != sha and git.merge_base(sha, other or "") == sha


def release_shipped(
    platform: HerokuPlatform,
    rt: Runtime,
    target: AppInfo,
    shipped: Shipped,
    ours: list[str],
) -> tuple[ReleaseInfo, str]:
    """Release the shipped slug on `target`: the new release, and how it was made.

    The id of the release it makes goes into `ours` as soon as it is known.
    """
    source_pipeline = platform.pipeline_of(shipped.app.name)
    target_pipeline = platform.pipeline_of(target.name)
    if source_pipeline and source_pipeline == target_pipeline:
        release_id = _promote(platform, rt, source_pipeline, shipped, target, ours)
        how = "promoted through the pipeline"
    else:
        made = platform.release_slug(target.name, shipped.slug_id)
        ours.append(made.id)
        how, release_id = "released as a slug (no shared pipeline)", made.id
    release = platform.release(target.name, release_id)
    if release.slug_id != shipped.slug_id:
        raise StepFailed(
            f"v{release.version} runs slug {release.slug_id}, not the staging "
            f"slug {shipped.slug_id}"
        )
    return release, how


def _promote(
    platform: HerokuPlatform,
    rt: Runtime,
    pipeline: str,
    shipped: Shipped,
    target: AppInfo,
    ours: list[str],
) -> str:
    promotion = platform.promote(
        pipeline, shipped.app.id, shipped.release_id, target.id
    )
    try:
        wait_for(
            rt,
            lambda: platform.promotion_status(promotion),
            lambda status: status != "pending",
            "the pipeline promotion",
        )
    except (StepFailed, Cancelled):
        _learn_release(platform, promotion, target, ours)
        raise
    result = _learn_release(platform, promotion, target, ours)
    if result is None or result.status != "succeeded" or result.release_id is None:
        status = result.status if result else "failed"
        error = result.error if result else None
        raise StepFailed(
            f"the pipeline promotion {status}: {error or 'no release was made'}"
        )
    return result.release_id


def _learn_release(
    platform: HerokuPlatform, promotion: str, target: AppInfo, ours: list[str]
) -> PromotionTarget | None:
    """The promotion's target: its release (if any) is this deploy's own."""
    try:
        result = platform.promotion_target(promotion, target.id)
    except MvpError:
        return None
    ours += [result.release_id] if result.release_id else []
    return result


# -- the steps that ship the code (see steps.STEPS) ----------------------------
def _no_conflict(kit: Kit, app: AppRun) -> None:
    """Never release over another deploy: the newest release is still preflight's."""
    conflict = rules.release_conflict(app.before, kit.heroku.releases(app.info.name))
    if conflict:
        raise StepFailed(conflict)


def plan_build(kit: Kit, app: AppRun) -> str:
    return (
        f"git archive of the commit → POST /sources → upload → "
        f"POST /apps/{app.target.app}/builds; stream the build output"
    )


def run_build(kit: Kit, app: AppRun) -> str:
    platform, name = kit.heroku, app.info.name
    with tempfile.TemporaryDirectory(prefix="mvp-deploy-") as tmp:
        path = Path(tmp) / "source.tar.gz"
        kit.git.archive(kit.sha, path)
        data = path.read_bytes()
    url = platform.upload_source(data)
    _no_conflict(kit, app)
    build = platform.create_build(name, url, rules.source_checksum(data), kit.sha)
    try:
        tail = io.stream_output(platform, kit.rt, kit.observer, build.output_stream_url)
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


def plan_release(kit: Kit, app: AppRun) -> str:
    if app.facts.shared_pipeline is None:
        how = "a pipeline promotion if both apps share a pipeline, else a release"
    elif app.facts.shared_pipeline:
        how = "a pipeline promotion (both apps share a pipeline)"
    else:
        how = "a release of that slug (the apps share no pipeline)"
    what = (
        f"the slug {app.target.source} runs"
        if app.target.ship == STAGING_SLUG
        else "the slug that passed on staging in this run"
    )
    return f"release {what} (no new build) by {how}"


def run_release(kit: Kit, app: AppRun) -> str:
    shipped = app.shipped
    assert shipped is not None, "preflight found the slug, or staging shipped it"
    _no_conflict(kit, app)
    app.released = True
    release, how = release_shipped(kit.heroku, kit.rt, app.info, shipped, app.ours)
    app.release = release
    app.out.release, app.out.slug_id = release.version, shipped.slug_id
    return f"staging slug {shipped.slug_id} {how}: v{release.version}"
