"""What a deploy step works with: the collaborators (`Kit`), what read-only
calls tell about an app (`Facts`, the same for a dry run and for preflight),
and one app's deploy as it goes (`AppRun`, `Shipped`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mvp_process.config import DeployConfig
from mvp_process.deploy import policy
from mvp_process.deploy.heroku import HerokuPlatform
from mvp_process.deploy.heroku_models import AppInfo, ReleaseInfo
from mvp_process.deploy.policy import Target
from mvp_process.deploy.results import AppOutcome
from mvp_process.deploy.runtime import Observer, Runtime
from mvp_process.git import Git


@dataclass(frozen=True)
class Kit:
    """What every step works with (`platform` is None in a dry run without key)."""

    platform: HerokuPlatform | None
    git: Git
    config: DeployConfig
    observer: Observer
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
    staging: policy.StagingRelease | None = None
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
