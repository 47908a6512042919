"""What a deploy did, step by step: the data the deploy reporters read.

The core fills these in as it goes and the command writes them out on every
exit path, so they always say what is true now, however far the deploy got.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass, field
from typing import Literal

StepStatus = Literal["ok", "failed", "skipped", "planned", "cancelled"]


@dataclass(frozen=True)
class StepRecord:
    """One named, timed step of one app's deploy."""

    role: str
    app: str
    name: str
    status: StepStatus
    seconds: float
    detail: str


@dataclass
class AppOutcome:
    """One app's deploy: its steps and the facts a person needs afterwards.

    Releases are versions: `recorded_release` ran before, `release` is this
    deploy's, `rolled_back_to` the one a rollback returned to, `live_release`
    the one live at the end (after a rollback, its own: v4 running v2's code).
    `state` says where the app stands; `restore` restores the backup when the
    database may have been migrated.
    """

    role: str
    app: str
    web_url: str | None = None
    recorded_release: int | None = None
    backup: str | None = None
    release: int | None = None
    live_release: int | None = None
    slug_id: str | None = None
    rolled_back_to: int | None = None
    failure: str | None = None
    superseded: str | None = None
    cancelled: bool = False
    state: str = ""
    restore: str | None = None
    steps: list[StepRecord] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        """Every step ran or was rightly skipped, and none failed."""
        return self.failure is None and not self.cancelled and bool(self.steps)

    @property
    def failed_release(self) -> int | None:
        """The release this deploy made that failed (rolled back where possible)."""
        return None if self.healthy else self.release


@dataclass
class DeployResult:
    """The whole deploy: the apps in order, and what was not attempted and why."""

    branch: str | None
    sha: str
    reason: str
    dry_run: bool = False
    apps: list[AppOutcome] = field(default_factory=list)
    not_attempted: list[tuple[str, str, str]] = field(default_factory=list)
    signal: str | None = None  # SIGINT / SIGTERM: the runner cancelled the job
    crash: str | None = None  # an internal error (exit 3)

    @property
    def nothing_to_deploy(self) -> bool:
        return not self.apps and not self.not_attempted

    @property
    def passed(self) -> bool:
        return (
            all(a.healthy for a in self.apps)
            and not self.not_attempted
            and not self.signal
            and not self.crash
        )

    @property
    def deployed(self) -> bool:
        return self.passed and any(not a.superseded for a in self.apps)

    @property
    def exit_code(self) -> int:
        """0 deployed (or nothing to do, or a dry run), 1 a deploy failed, 128 + the
        signal's number when cancelled (130 SIGINT, 143 SIGTERM)."""
        if self.signal:
            return 128 + int(signal.Signals[self.signal])
        return 0 if self.dry_run or self.passed else 1

    def last(self) -> AppOutcome | None:
        """The app the deploy got furthest with (its figures go to the outputs)."""
        return self.apps[-1] if self.apps else None
