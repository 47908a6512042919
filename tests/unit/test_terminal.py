"""The local report: progress while gates run, then one line per gate and details."""

from __future__ import annotations

import io
import time

from mvp_process import redact
from mvp_process.check.terminal import MAX_DETAIL_LINES, TerminalProgress, render
from mvp_process.results import CheckReport, GateResult


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plain_progress_when_not_a_terminal() -> None:
    stream = io.StringIO()
    progress = TerminalProgress(stream)
    assert progress.live is False
    progress.started("flake8")
    progress.note("shallow clone deepened")
    progress.finished(GateResult("flake8", True, "no findings", duration=0.25))
    progress.close()
    assert stream.getvalue() == (
        "  ...  flake8\n"
        "  note: shallow clone deepened\n"
        "  PASS " + "flake8".ljust(13) + " no findings (0.2s)\n"
    )


def test_live_progress_redraws_a_status_line() -> None:
    stream = FakeTTY()
    progress = TerminalProgress(stream)
    assert progress.live is True
    progress.started("tests")
    progress.started("black")
    time.sleep(0.25)
    progress.finished(GateResult("black", False, "1 file", duration=1.0))
    progress.close()
    text = stream.getvalue()
    assert "running: tests" in text
    assert "\r\033[K" in text
    assert "  FAIL " + "black".ljust(13) + " 1 file (1.0s)\n" in text


def test_render_lists_gates_then_failure_details() -> None:
    redact.register("very-secret-token")
    details = tuple(f"a.py:{i}:1 E1 bad very-secret-token" for i in range(60))
    report = CheckReport(
        passed=False,
        gates=(
            GateResult("flake8", False, "60 findings", details=details),
            GateResult("black", True, "no changes needed"),
            GateResult("coverage", True, "90% → 90%", details=("baseline: 90%",)),
        ),
        head_sha="1" * 40,
        base_ref="origin/main",
        merge_base=None,
        skipped=("tests",),
    )
    text = render(report)
    assert (
        "mvp-process check: FAILED  HEAD 111111111111 against origin/main "
        "(merge-base ?)\n" in text
    )
    assert "  FAIL " + "flake8".ljust(13) + " 60 findings" in text
    assert "  PASS " + "black".ljust(13) + " no changes needed" in text
    assert "  skip tests" in text
    assert "coverage:\n  baseline: 90%" in text
    assert f"... and {60 - MAX_DETAIL_LINES} more" in text
    assert "very-secret-token" not in text
