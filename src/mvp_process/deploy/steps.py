"""One app's deploy: preflight → backup → build/release → migrate → static → health.

Each step is a method returning a one-line detail, raising `StepFailed` (or an
`MvpError` from an adapter) when it fails, or `Skipped`. `AppDeploy.run` times
them, reports them live, stops at the first failure and, when something may
have been released, rolls back once to the release recorded in preflight;
then it notes which release is live. Production's "release" step (the slug
that passed on staging, no new build) is in `deploy_slug`.
"""

from __future__ import annotations

import tempfile
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from mvp_process.git import Git
from mvp_process.deploy.heroku import HerokuPlatform
from mvp_process.deploy.heroku_data import PgBackups
from mvp_process.deploy.heroku_models import AppInfo, ReleaseInfo
from mvp_process.config import DeployConfig
from mvp_process.deploy import runtime as io
from mvp_process.deploy import slug
from mvp_process.deploy.backup import back_up
from mvp_process.deploy.runtime import TAIL, Observer, Runtime, Skipped, StepFailed
from mvp_process.deploy.slug import FromStaging, Shipped
from mvp_process.deploy.results import AppOutcome, StepRecord, StepStatus
from mvp_process.errors import MvpError
from mvp_process.deploy import policy

T = TypeVar("T")
BUILD_TIMEOUT = 3600.0
RELEASE_TIMEOUT = 3600.0  # the release phase


@dataclass(frozen=True)
class Services:
    platform: HerokuPlatform
    backups: PgBackups


class AppDeploy:
    """The step sequence for one app."""

    def __init__(
        self,
        services: Services,
        git: Git,
        config: DeployConfig,
        observer: Observer,
        runtime: Runtime,
        sha: str,
        release_process: str | None,
    ) -> None:
        self.platform = services.platform
        self.backups = services.backups
        self.git = git
        self.config = config
        self.observer = observer
        self.rt = runtime
        self.sha = sha
        self.release_process = release_process

    # -- the sequence -------------------------------------------------------------
    def run(
        self,
        role: str,
        info: AppInfo,
        source: Shipped | FromStaging | None = None,
        note: str | None = None,
    ) -> tuple[AppOutcome, Shipped | None]:
        """Deploy one app: built from the commit, or given staging's slug (`source`).

        Returns the outcome and, when healthy, what it shipped (for production).
        """
        out = AppOutcome(role=role, app=info.name, web_url=info.web_url)
        out.notes += [note] if note else []
        state = _State(info=info, source=source)
        steps: list[tuple[str, Callable[[], str]]] = [
            ("preflight", lambda: self.preflight(out, state)),
            ("backup", lambda: self.backup(out)),
        ]
        if source is None:
            steps.append(("build", lambda: self.build(out, state)))
        else:
            steps.append(("release", lambda: self.release_slug(out, state)))
        steps += [
            ("migrate", lambda: self.migrate(out, state)),
            ("static", lambda: self.static(out.app)),
            ("health", lambda: self.health(info)),
        ]
        try:
            for name, fn in steps:
                if not self._step(out, name, fn):
                    break
        except BaseException:
            self._roll_back(out, state)
            raise
        if out.failure is not None:
            self._roll_back(out, state)
            out.live_release = self._live_release(out, state)
            return out, None
        out.live_release = out.release
        if state.release_id is None or out.slug_id is None:  # pragma: no cover
            return out, None
        return out, Shipped(info, state.release_id, out.slug_id)

    def _step(self, out: AppOutcome, name: str, fn: Callable[[], str]) -> bool:
        self.observer.step_started(out.role, out.app, name)
        start = self.rt.clock()
        status: StepStatus = "ok"
        try:
            detail = fn()
        except Skipped as exc:
            status, detail = "skipped", str(exc)
        except (StepFailed, MvpError) as exc:
            status, detail = "failed", str(exc)
            out.failure = f"{name}: {detail.splitlines()[0]}"
        record = StepRecord(
            out.role, out.app, name, status, self.rt.clock() - start, detail
        )
        out.steps.append(record)
        self.observer.step_finished(record)
        return status != "failed"

    def _roll_back(self, out: AppOutcome, state: _State) -> None:
        recorded = state.recorded.version if state.recorded else None
        go, why = policy.rollback_decision(
            state.released, self.config.rollback, state.rolled_back, recorded
        )
        if state.released:
            out.notes.append("migrations are not undone by a rollback")
            if out.backup:
                out.notes.append(
                    f"to restore the data from before this deploy: heroku "
                    f"pg:backups:restore {out.backup} DATABASE_URL --app {out.app}"
                )
        if not go:
            if state.released:
                out.notes.append(why)
            return
        state.rolled_back = True
        assert state.recorded is not None
        target = state.recorded

        def rollback() -> str:
            now = self.platform.rollback(out.app, target.id)
            out.rolled_back_to = target.version
            out.live_release = now.version
            return f"rolled back to v{target.version} (now v{now.version})"

        failure = out.failure
        if not self._step(out, "rollback", rollback):
            out.notes.append(
                f"the rollback failed: roll back by hand with "
                f"`heroku rollback v{target.version} --app {out.app}`"
            )
        out.failure = failure or out.failure

    def _live_release(self, out: AppOutcome, state: _State) -> int | None:
        """After a failure: the rollback's release, else what Heroku runs now."""
        if out.live_release is not None:
            return out.live_release
        if not state.released:
            return out.recorded_release
        try:
            current = self.platform.current_release(out.app)
        except MvpError as exc:
            out.notes.append(f"the live release could not be read: {exc}")
            return None
        return current.version if current else None

    # -- steps --------------------------------------------------------------------
    def preflight(self, out: AppOutcome, state: _State) -> str:
        state.recorded = self.platform.current_release(out.app)
        if state.recorded is None:
            detail = f"{out.app} has no current release: nothing to roll back to"
        else:
            out.recorded_release = state.recorded.version
            detail = f"{out.app} runs v{state.recorded.version}; recorded for rollback"
        if isinstance(state.source, FromStaging):
            state.source, found = slug.find_staging_slug(
                self.platform, state.source.app, self.sha
            )
            detail += f"; staging runs {self.sha[:12]} ({found})"
        return detail

    def backup(self, out: AppOutcome) -> str:
        return back_up(self.platform, self.backups, self.rt, out, self.config.backup)

    def build(self, out: AppOutcome, state: _State) -> str:
        with tempfile.TemporaryDirectory(prefix="mvp-deploy-") as tmp:
            path = Path(tmp) / "source.tar.gz"
            self.git.archive(self.sha, path)
            data = path.read_bytes()
        url = self.platform.upload_source(data)
        build = self.platform.create_build(
            out.app, url, policy.source_checksum(data), self.sha
        )
        tail = self._stream(build.output_stream_url)
        build = self._wait(
            lambda: self.platform.build(out.app, build.id),
            lambda b: b.status != "pending",
            BUILD_TIMEOUT,
            "the build",
        )
        if build.status != "succeeded":
            raise StepFailed(f"build {build.id} {build.status}" + io.tail_text(tail))
        state.released = True
        build = self._wait(
            lambda: self.platform.build(out.app, build.id),
            lambda b: b.release_id is not None,
            BUILD_TIMEOUT,
            "the build's release",
        )
        state.release_id = build.release_id
        out.slug_id = build.slug_id
        return f"built slug {build.slug_id} from {self.sha[:12]}"

    def release_slug(self, out: AppOutcome, state: _State) -> str:
        shipped = state.source
        assert isinstance(shipped, Shipped), "preflight found the slug"
        state.released = True
        release, how = slug.release_shipped(self.platform, self.rt, state.info, shipped)
        state.release_id = release.id
        out.release = release.version
        slug.check_runs_shipped(release, shipped)
        out.slug_id = shipped.slug_id
        return f"staging slug {shipped.slug_id} {how}: v{release.version}"

    def migrate(self, out: AppOutcome, state: _State) -> str:
        assert state.release_id is not None
        release = self.platform.release(out.app, state.release_id)
        out.release = release.version
        if self.release_process:
            self._release_phase(out.app, release)
            return f"release phase of v{release.version} succeeded"
        if self.config.migrate_command:
            return self._run(out.app, self.config.migrate_command)
        raise Skipped("no Procfile release process and no migrate-command")

    def _release_phase(self, app: str, release: ReleaseInfo) -> None:
        release_id = release.id
        tail: deque[str] = deque(maxlen=TAIL)
        if (
            release.output_stream_url
            and policy.release_outcome(release.status) == "pending"
        ):
            tail = self._stream(release.output_stream_url)
        release = self._wait(
            lambda: self.platform.release(app, release_id),
            lambda r: policy.release_outcome(r.status) != "pending",
            RELEASE_TIMEOUT,
            "the release phase",
        )
        if policy.release_outcome(release.status) == "failed":
            raise StepFailed(
                f"release phase of v{release.version} {release.status}"
                + io.tail_text(tail)
            )

    def static(self, app: str) -> str:
        if not self.config.static_command:
            raise Skipped("no static-command")
        return self._run(app, self.config.static_command)

    def health(self, info: AppInfo) -> str:
        url = policy.health_url(info.web_url, self.config.health_path)
        return io.check_health(
            self.rt,
            self.observer,
            url,
            self.config.health_timeout,
            self.config.health_expect,
        )

    # -- helpers -------------------------------------------------------------------
    def _run(self, app: str, command: str) -> str:
        return io.run_oneoff(self.platform, self.rt, self.observer, app, command)

    def _stream(self, url: str) -> deque[str]:
        return io.stream_output(self.platform, self.observer, url)

    def _wait(
        self,
        read: Callable[[], T],
        done: Callable[[T], bool],
        timeout: float,
        what: str,
    ) -> T:
        return io.wait_for(self.rt, read, done, timeout, what)


@dataclass
class _State:
    """What one app's steps hand each other."""

    info: AppInfo
    source: Shipped | FromStaging | None = None
    recorded: ReleaseInfo | None = None
    release_id: str | None = None
    released: bool = False
    rolled_back: bool = False
