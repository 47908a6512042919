"""What a deploy step works with: the collaborators (`Kit`), what read-only
calls tell about an app (`Facts`, the same for a dry run and for preflight),
and one app's deploy as it goes (`AppRun`, `Shipped`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from mvp_process.config import DeployConfig
from mvp_process.deploy import policy
from mvp_process.deploy.heroku import HerokuPlatform
from mvp_process.deploy.heroku_models import (
    AppInfo,
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
from mvp_process.deploy.report import AppOutcome, TerminalDeploy
from mvp_process.deploy.runtime import Runtime
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
