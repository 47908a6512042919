"""Production runs the slug that passed on staging: find it, release it, check it.

DESIGN: a push to main deploys to staging, then the same build to production.
Production gets staging's slug in one of two ways:

- in the same run (`deploy --branch main`): staging's own deploy hands over
  the slug it built and released (`Shipped`);
- in a later run (`deploy --target production`, the workflow template's
  production job): the slug staging runs now, if its release is live and the
  slug was built from the commit being deployed (`find_staging_slug`);
  anything else stops production before it is touched.

Either way the slug is released by pipeline promotion when both apps share a
pipeline, else as a release of that slug, and the new release must run it.
"""

from __future__ import annotations

from dataclasses import dataclass

from mvp_process.deploy.heroku import HerokuPlatform
from mvp_process.deploy.heroku_models import AppInfo, ReleaseInfo
from mvp_process.deploy.runtime import Runtime, StepFailed, wait_for
from mvp_process.deploy import policy
from mvp_process.deploy.policy import StagingRelease

PROMOTION_TIMEOUT = 3600.0


@dataclass(frozen=True)
class Shipped:
    """A slug that passed on staging, and the staging release that runs it."""

    app: AppInfo
    release_id: str
    slug_id: str


@dataclass(frozen=True)
class FromStaging:
    """Production is to take the slug `app` (staging) runs, if built from the commit."""

    app: AppInfo


def read_staging(platform: HerokuPlatform, app: str) -> StagingRelease:
    """What staging runs now: its current release and the commit of its slug."""
    release = platform.current_release(app)
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


def find_staging_slug(
    platform: HerokuPlatform, staging: AppInfo, sha: str
) -> tuple[Shipped, str]:
    """Staging's live release if its slug was built from `sha` (and how to say so)."""
    facts = read_staging(platform, staging.name)
    problem = policy.staging_slug_problem(sha, facts)
    if problem is not None:
        raise StepFailed(problem)
    assert facts.release_id is not None and facts.slug_id is not None
    shipped = Shipped(staging, facts.release_id, facts.slug_id)
    return shipped, policy.describe_staging(facts)


def release_shipped(
    platform: HerokuPlatform, rt: Runtime, target: AppInfo, shipped: Shipped
) -> tuple[ReleaseInfo, str]:
    """Release the shipped slug on `target`: the new release, and how it was made."""
    source_pipeline = platform.pipeline_of(shipped.app.name)
    target_pipeline = platform.pipeline_of(target.name)
    if source_pipeline and source_pipeline == target_pipeline:
        release_id = _promote(platform, rt, source_pipeline, shipped, target)
        how = "promoted through the pipeline"
    else:
        release_id = platform.release_slug(target.name, shipped.slug_id).id
        how = "released as a slug (no shared pipeline)"
    return platform.release(target.name, release_id), how


def check_runs_shipped(release: ReleaseInfo, shipped: Shipped) -> None:
    """The new release must run the slug that passed on staging, nothing else."""
    if release.slug_id != shipped.slug_id:
        raise StepFailed(
            f"v{release.version} runs slug {release.slug_id}, not the staging "
            f"slug {shipped.slug_id}"
        )


def _promote(
    platform: HerokuPlatform,
    rt: Runtime,
    pipeline: str,
    shipped: Shipped,
    target: AppInfo,
) -> str:
    promotion = platform.promote(
        pipeline, shipped.app.id, shipped.release_id, target.id
    )
    wait_for(
        rt,
        lambda: platform.promotion_status(promotion),
        lambda status: status != "pending",
        PROMOTION_TIMEOUT,
        "the pipeline promotion",
    )
    result = platform.promotion_target(promotion, target.id)
    if result.status != "succeeded" or result.release_id is None:
        raise StepFailed(
            f"the pipeline promotion {result.status}: "
            f"{result.error or 'no release was made'}"
        )
    return result.release_id
