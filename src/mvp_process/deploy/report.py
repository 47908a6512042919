"""What a deploy did, step by step, and its views: live terminal lines, the
closing report, the job summary, the step outputs.

The core fills the records in as it goes and the command writes the last
three views on every exit path, so they always say what is true now, however
far the deploy got. Everything leaves through `redact`, so no key or signed
URL reaches a log; what builds, dynos and Heroku said is echoed with the
runner's commands off, and escaped by `markdown` in the summary.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass, field
from typing import Literal, TextIO

from mvp_process import actions
from mvp_process import markdown as md
from mvp_process import style
from mvp_process.redact import redact

StepStatus = Literal["ok", "failed", "skipped", "planned", "cancelled"]


@dataclass(frozen=True)
class StepRecord:
    """One named, timed step of one app's deploy."""

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


# A step's status in the words every command uses (style.Style.word, style.markdown).
OUTCOMES: dict[str, style.Status] = {
    "ok": "pass",
    "failed": "fail",
    "skipped": "skip",
    "planned": "plan",
    "cancelled": "stop",
}


class TerminalDeploy:
    """The live view: a line per step start and end, streamed output indented."""

    def __init__(self, stream: TextIO, paint: style.Style) -> None:
        self.stream = stream
        self.paint = paint

    def _write(self, text: str) -> None:
        self.stream.write(redact(text))
        self.stream.flush()

    def step_started(self, role: str, app: str, step: str) -> None:
        self._write(f"==> {role} ({app}): {step}\n")

    def step_finished(self, record: StepRecord) -> None:
        first, *rest = record.detail.splitlines() or [""]
        mark = self.paint.word(OUTCOMES[record.status])
        with actions.commands_off(self.stream):  # may quote a build's output
            self._write(f"    {mark} {record.name} ({record.seconds:.1f}s): {first}\n")
            for line in rest:
                self._write(f"         {line}\n")

    def output(self, line: str) -> None:
        with actions.commands_off(self.stream):  # what a build or a dyno printed
            self._write(f"    | {line}\n")

    def note(self, text: str) -> None:
        self._write(f"    note: {text}\n")


def _head(result: DeployResult) -> str:
    where = f"branch {result.branch}" if result.branch else "explicit target"
    return f"{where} at {result.sha[:12]}"


def verdict(result: DeployResult) -> str:
    if result.crash:
        return "failed: internal error"
    if result.signal:
        return f"cancelled ({result.signal})"
    if not result.passed:
        return "failed"
    return "succeeded" if result.deployed else "skipped"


def render(result: DeployResult) -> str:
    """The closing report on the terminal."""
    lines = [""]
    if result.nothing_to_deploy:
        lines.append(f"mvp-process deploy: {result.reason}")
    elif result.dry_run:
        lines.append(f"mvp-process deploy (dry run): {_head(result)}: {result.reason}")
        for app in result.apps:
            lines.append(f"  {app.role} app {app.app} ({app.web_url})")
            for number, step in enumerate(app.steps, 1):
                lines.append(f"    {number}. {step.name:<9} {step.detail}")
            lines += [f"    note: {n}" for n in app.notes]
        lines.append("Nothing was changed (dry run).")
    else:
        word = "DEPLOYED" if verdict(result) == "succeeded" else verdict(result).upper()
        lines.append(f"mvp-process deploy: {word} ({_head(result)})")
        for app in result.apps:
            lines.append(f"  {_app_line(app)}")
            lines += [f"    {app.state}"] if app.state else []
            lines += [f"    - {note}" for note in app.notes]
            if app.restore:
                lines.append(f"    - to restore the database: {app.restore}")
        for role, app_name, why in result.not_attempted:
            lines.append(f"  {role} ({app_name}): not deployed: {why}")
    return redact("\n".join(lines) + "\n")


def _app_line(app: AppOutcome) -> str:
    parts = []
    if app.failed_release is not None:
        parts.append(f"failed release v{app.failed_release}")
    elif app.release is not None:
        parts.append(f"release v{app.release}")
    if app.rolled_back_to is not None:
        parts.append(f"rolled back to v{app.rolled_back_to}")
    if app.live_release is not None and app.live_release != app.release:
        parts.append(f"live: v{app.live_release}")
    if app.backup:
        parts.append(f"backup {app.backup}")
    facts = f" [{', '.join(parts)}]" if parts else ""
    state = (
        "skipped"
        if app.superseded
        else "cancelled" if app.cancelled else "healthy" if app.healthy else ""
    )
    return f"{app.role} ({app.app}): {state or f'failed at {app.failure}'}{facts}"


def summary(result: DeployResult) -> str:
    """The job summary: verdict, a timeline table of every step, where each app
    stands, and the commands that restore what may have changed."""
    if result.nothing_to_deploy and not result.crash:
        return f"## mvp-process deploy\n\n{md.text(result.reason)}\n"
    title = "planned (dry run)" if result.dry_run else verdict(result)
    lines = [
        f"## mvp-process deploy {title}",
        "",
        f"{md.text(_head(result))}: {md.text(result.reason)}",
        "",
        "| App | Step | Result | Time | Detail |",
        "| --- | --- | --- | --- | --- |",
    ]
    for app in result.apps:
        for step in app.steps:
            first = step.detail.splitlines()[0] if step.detail else ""
            lines.append(
                f"| {app.role} {md.code(app.app, cell=True)} | {step.name} | "
                f"{style.markdown(OUTCOMES[step.status])} | {step.seconds:.1f}s | "
                f"{md.text(first)} |"
            )
    for role, name, why in result.not_attempted:
        who = f"{role} {md.code(name, cell=True)}"
        lines.append(f"| {who} | — | {style.markdown('skip')} | | {md.text(why)} |")
    if result.crash:
        lines += [
            "",
            f"**mvp-process stopped on an internal error: {md.text(result.crash)}**",
        ]
    for app in result.apps:
        lines += _app_summary(app)
    return "\n".join(lines) + "\n"


def _app_summary(app: AppOutcome) -> list[str]:
    head = f"**{app.role} {md.code(app.app)}: {md.text(app.state)}**"
    lines = ["", head] if app.state else []
    if app.failure:
        lines += ["", f"{app.role} failed at {md.text(app.failure)}"]
        for step in app.steps:
            if step.status == "failed" and "\n" in step.detail:
                lines += ["", md.block(step.detail.splitlines()).rstrip("\n")]
    lines += [f"- {md.text(note)}" for note in app.notes]
    if app.restore:
        lines += ["", "To restore the database from before this deploy:", ""]
        lines.append(md.block([app.restore], "sh").rstrip("\n"))
    return lines


def _version(number: int | None) -> str:
    return f"v{number}" if number is not None else ""


def outputs(result: DeployResult) -> dict[str, str]:
    """Step outputs of the last app deployed (production on a production branch).

    `release` is the release live when the command ends, whatever happened:
    after a rollback the rollback's release, never the one that failed;
    `failed-release` is the release this deploy made that failed.
    """
    app = result.last()
    if result.dry_run or app is None:
        return dict.fromkeys(("release", "failed-release", "app-url", "backup"), "") | {
            "deployed": "false"
        }
    return {
        "release": _version(app.live_release),
        "failed-release": _version(app.failed_release),
        "app-url": app.web_url or "",
        "backup": app.backup or "",
        "deployed": "true" if result.deployed else "false",
    }
