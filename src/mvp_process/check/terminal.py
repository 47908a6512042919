"""The local face of `check`: each gate once, when it is done, in gate order.

A gate's block is its outcome line, what to fix (a line per finding, as
`path:line:` that editors and terminals jump to; the source of uncovered
changed lines beneath them, as diff-cover shows snippets) and, when it
failed, one `fix:` line. Blocks come out in registry order, each as soon as
it and the gates before it are done; on a terminal a redrawn line says what
is still running. The closing line is the verdict and what was checked.
Words and colour come from `mvp_process.style`.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from mvp_process.check import registry
from mvp_process.check.run import Observer
from mvp_process.redact import redact
from mvp_process.results import CheckReport, Finding, GateResult
from mvp_process.style import Style, status

SPINNER = "|/-\\"
MAX_DETAIL_LINES = 50
MAX_SOURCE_LINES = 6  # of one uncovered range
INDENT = " " * 7  # under the gate's name
Source = Callable[[str], Sequence[str] | None]


def no_source(path: str) -> None:
    return None


def source_in(root: Path) -> Source:
    """The lines of a file of the repository (None when it cannot be read)."""

    @functools.cache
    def lines(path: str) -> list[str] | None:
        try:
            text = (root / path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
        return text.splitlines()

    return lines


def opening(names: Sequence[str]) -> str:
    return f"mvp-process check: {', '.join(names)}\n"


def _snippet(finding: Finding, source: Source, style: Style) -> list[str]:
    lines = source(finding.path)
    if not lines:
        return []
    last = min(finding.end_line or finding.line, len(lines))
    shown = range(finding.line, min(last, finding.line + MAX_SOURCE_LINES - 1) + 1)
    width = len(str(last))
    out = [
        f"{INDENT}  {style.paint(f'{n:>{width}} |', 'dim')} "
        f"{style.paint(lines[n - 1], 'red')}".rstrip()
        for n in shown
        if 0 < n <= len(lines)
    ]
    if len(shown) and last > shown[-1]:
        out.append(f"{INDENT}  {style.paint(f'... to line {last}', 'dim')}")
    return out


def gate_block(gate: GateResult, style: Style, source: Source) -> str:
    """One gate: its line, what to fix, and how (a failed gate's hint)."""
    lines = [
        f"  {style.word(status(gate.passed))} {gate.name:<13} {gate.summary}"
        + style.paint(f" ({gate.duration:.1f}s)", "dim")
    ]
    spec = registry.BY_NAME[gate.name]
    if spec.details_shown(gate):
        shown = gate.details[:MAX_DETAIL_LINES]
        about = gate.about()
        for line in shown:
            finding = about(line)
            if finding is None:
                lines.append(INDENT + line)
                continue
            where = f"{finding.path}:{finding.line}:"
            lines.append(INDENT + style.paint(where, "bold") + line[len(where) :])
            if spec.show_source:
                lines += _snippet(finding, source, style)
        if len(gate.details) > len(shown):
            lines.append(f"{INDENT}... and {len(gate.details) - len(shown)} more")
    if gate.hint and not gate.passed:
        hint = gate.hint.text
        if gate.hint.command:
            hint = f"{style.paint(gate.hint.command, 'bold')}  ({hint})"
        lines.append(f"{INDENT}{style.paint('fix:', 'cyan')} {hint}")
    return redact("\n".join(lines) + "\n")


def skipped(name: str, style: Style) -> str:
    return f"  {style.word('skip')} {name:<13} not selected\n"


def verdict(report: CheckReport, style: Style = Style()) -> str:
    failed = sum(not g.passed for g in report.gates)
    counted = f" ({failed} of {len(report.gates)} gates failed)" if failed else ""
    return redact(
        f"\nmvp-process check: {style.verdict(report.passed)}{counted}  "
        f"{report.checked()}\n"
    )


def render(
    report: CheckReport, style: Style = Style(), source: Source = no_source
) -> str:
    """The whole report as `check` prints it, gate by gate, without a terminal."""
    parts = [opening([g.name for g in report.gates])]
    parts += [f"  note: {note}\n" for note in report.notes]
    results = {g.name: g for g in report.gates}
    for name in registry.GATE_NAMES:
        if name in results:
            parts.append(gate_block(results[name], style, source))
        elif name in report.skipped:
            parts.append(skipped(name, style))
    return redact("".join(parts)) + verdict(report, style)


class TerminalProgress(Observer):
    """Observer for `run_check`: blocks in gate order as gates finish; on a
    terminal, a redrawn line of what still runs."""

    def __init__(
        self,
        stream: TextIO,
        style: Style | None = None,
        order: Sequence[str] = registry.GATE_NAMES,
        source: Source = no_source,
    ) -> None:
        self.stream = stream
        self.live = stream.isatty()
        self.style = style or Style()
        self.source = source
        self.order = [n for n in registry.GATE_NAMES if n in order]
        self.skipped = [n for n in registry.GATE_NAMES if n not in order]
        self.done: dict[str, GateResult] = {}
        self.running: dict[str, float] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        self._frame = 0
        self._opened = False

    # -- Observer -----------------------------------------------------------
    def started(self, name: str) -> None:
        with self._lock:
            self._open()
            self.running[name] = time.monotonic()
            if self.live and self._ticker is None:
                self._ticker = threading.Thread(target=self._tick, daemon=True)
                self._ticker.start()

    def finished(self, result: GateResult) -> None:
        with self._lock:
            self._open()
            self.running.pop(result.name, None)
            self.done[result.name] = result
            self._clear()
            self._flush()
            self._draw()

    def note(self, text: str) -> None:
        with self._lock:
            self._open()
            self._clear()
            self._write(f"  note: {text}\n")
            self._draw()

    def close(self) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
        with self._lock:
            self._clear()
            self._flush(everything=True)

    # -- drawing ------------------------------------------------------------
    def _open(self) -> None:
        if not self._opened:
            self._opened = True
            self._write(opening(self.order))

    def _flush(self, everything: bool = False) -> None:
        """Print the done gates whose predecessors are printed (or all of them)."""
        for name in registry.GATE_NAMES:
            if name in self.skipped:
                self.skipped.remove(name)
                self._write(skipped(name, self.style))
            elif name in self.done:
                self._write(gate_block(self.done.pop(name), self.style, self.source))
                self.order.remove(name)
            elif name in self.order and not everything:
                return

    def _write(self, text: str) -> None:
        self.stream.write(redact(text))
        self.stream.flush()

    def _clear(self) -> None:
        if self.live:
            self._write("\r\033[K")

    def _draw(self) -> None:
        if not self.live or not self.running:
            return
        now = time.monotonic()
        parts = [f"{n} {now - t:.1f}s" for n, t in self.running.items()]
        spin = SPINNER[self._frame % len(SPINNER)]
        self._write(self.style.paint(f"  {spin} running: {', '.join(parts)}", "dim"))

    def _tick(self) -> None:
        while not self._stop.wait(0.1):
            with self._lock:
                self._frame += 1
                self._clear()
                self._draw()
