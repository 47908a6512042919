"""The local face of `check`: live progress while gates run, then a readable report."""

from __future__ import annotations

import threading
import time
from typing import TextIO

from mvp_process.check import registry
from mvp_process.redact import redact
from mvp_process.results import CheckReport, GateResult

SPINNER = "|/-\\"
MAX_DETAIL_LINES = 50


def _mark(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


class TerminalProgress:
    """Observer for `run_check`: a redrawn line on a TTY, plain lines elsewhere."""

    def __init__(self, stream: TextIO, live: bool | None = None) -> None:
        self.stream = stream
        self.live = stream.isatty() if live is None else live
        self.running: dict[str, float] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        self._frame = 0

    # -- Observer -----------------------------------------------------------
    def started(self, name: str) -> None:
        with self._lock:
            self.running[name] = time.monotonic()
            if not self.live:
                self._write(f"  ...  {name}\n")
            elif self._ticker is None:
                self._ticker = threading.Thread(target=self._tick, daemon=True)
                self._ticker.start()

    def finished(self, result: GateResult) -> None:
        with self._lock:
            self.running.pop(result.name, None)
            self._clear()
            self._write(
                f"  {_mark(result.passed)} {result.name:<13} {result.summary}"
                f" ({result.duration:.1f}s)\n"
            )
            self._draw()

    def note(self, text: str) -> None:
        with self._lock:
            self._clear()
            self._write(f"  note: {text}\n")
            self._draw()

    def close(self) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
        with self._lock:
            self._clear()

    # -- drawing ------------------------------------------------------------
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
        self._write(f"  {spin} running: {', '.join(parts)}")

    def _tick(self) -> None:
        while not self._stop.wait(0.1):
            with self._lock:
                self._frame += 1
                self._clear()
                self._draw()


def render(report: CheckReport) -> str:
    """The final report: one line per gate, then each failure's details."""
    lines = [
        "",
        f"mvp-process check: {'PASSED' if report.passed else 'FAILED'}"
        f"  {report.checked()}",
    ]
    for gate in report.gates:
        lines.append(f"  {_mark(gate.passed)} {gate.name:<13} {gate.summary}")
    for name in report.skipped:
        lines.append(f"  skip {name}")
    for gate in report.gates:
        spec = registry.BY_NAME.get(gate.name)
        shown_anyway = spec is not None and spec.details_when_passed
        if gate.details and (not gate.passed or shown_anyway):
            lines += ["", f"{gate.name}:"]
            shown = gate.details[:MAX_DETAIL_LINES]
            lines += [f"  {d}" for d in shown]
            if len(gate.details) > len(shown):
                lines.append(f"  ... and {len(gate.details) - len(shown)} more")
    return redact("\n".join(lines) + "\n")
