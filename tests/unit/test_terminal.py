"""The local report: each gate once, when done, in gate order; colour when asked."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import pytest

from mvp_process import redact
from mvp_process.check import terminal
from mvp_process.check.terminal import MAX_DETAIL_LINES, TerminalProgress, render
from mvp_process.results import CheckReport, Finding, GateResult, Hint
from mvp_process.style import Style, wanted
from support import reports

ANSI = re.compile("\033\\[[0-9;]*m")


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plain_progress_prints_each_gate_once_in_gate_order() -> None:
    """The test run ends before black: its block waits for black's."""
    report = reports.failing_check()
    stream = io.StringIO()
    progress = TerminalProgress(stream, source=reports.source)
    assert progress.live is False
    for gate in report.gates:
        progress.started(gate.name)
    progress.note(report.notes[0])
    for name in ("tests", "flake8", "diff-coverage", "coverage", "black"):
        progress.finished(report.gate(name))  # type: ignore[arg-type]
        if name == "tests":
            assert "FAIL tests" not in stream.getvalue()  # black is not done
    progress.close()
    text = stream.getvalue()
    expected = render(report, source=reports.source)
    assert text + terminal.verdict(report) == expected  # what `check` prints
    for gate in report.gates:
        assert text.count(f"  FAIL {gate.name:<13} ") == 1


def test_close_prints_what_finished_even_when_a_gate_never_did() -> None:
    stream = io.StringIO()
    progress = TerminalProgress(stream, order=("flake8", "black", "tests"))
    progress.finished(GateResult("tests", True, "3 passed", duration=1.0))
    assert "tests" not in stream.getvalue().split("\n", 1)[1]
    progress.close()
    assert stream.getvalue() == (
        "mvp-process check: flake8, black, tests\n"
        "  PASS tests         3 passed (1.0s)\n"
        "  SKIP coverage      not selected\n"
        "  SKIP diff-coverage not selected\n"
    )


def test_skipped_gates_take_their_place() -> None:
    stream = io.StringIO()
    progress = TerminalProgress(stream, order=("flake8", "tests"))
    progress.finished(GateResult("flake8", True, "no findings", duration=0.25))
    progress.finished(GateResult("tests", True, "1 passed", duration=2.0))
    progress.close()
    assert stream.getvalue().splitlines()[1:] == [
        "  PASS flake8        no findings (0.2s)",
        "  SKIP black         not selected",
        "  PASS tests         1 passed (2.0s)",
        "  SKIP coverage      not selected",
        "  SKIP diff-coverage not selected",
    ]


def test_live_progress_redraws_a_status_line() -> None:
    stream = FakeTTY()
    progress = TerminalProgress(stream, order=("black", "tests"))
    assert progress.live is True
    progress.started("tests")
    progress.started("black")
    time.sleep(0.25)
    progress.finished(GateResult("black", False, "1 file", duration=1.0))
    progress.close()
    text = stream.getvalue()
    assert "running: tests" in text
    assert "\r\033[K" in text
    assert "  FAIL black         1 file (1.0s)\n" in text


def test_details_are_cut_and_secrets_masked() -> None:
    redact.register("very-secret-token")
    details = tuple(f"a.py:{i}:1: E1 bad very-secret-token" for i in range(60))
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
    assert text.endswith(
        "\nmvp-process check: FAILED (1 of 3 gates failed)  HEAD 111111111111 "
        "against origin/main (merge-base ?)\n"
    )
    assert "  FAIL " + "flake8".ljust(13) + " 60 findings" in text
    assert "  PASS " + "black".ljust(13) + " no changes needed" in text
    assert "  SKIP tests" in text
    assert "90% → 90% (0.0s)\n       baseline: 90%\n" in text
    assert f"       ... and {60 - MAX_DETAIL_LINES} more\n" in text
    assert "very-secret-token" not in text


def test_the_source_of_an_uncovered_range_is_shown_and_cut() -> None:
    lines = [f"line_{n} = {n}" for n in range(1, 31)]
    gate = GateResult(
        "diff-coverage",
        False,
        "x",
        details=("a.py:3: changed lines 3-20", "a.py:25: changed line", "b.py:1: x"),
        findings=(
            Finding("a.py", 3, "m", end_line=20),
            Finding("a.py", 25, "m"),
            Finding("b.py", 1, "m"),  # a file that cannot be read: no source
        ),
        hint=Hint("write tests that run these lines"),
    )
    text = terminal.gate_block(gate, Style(), {"a.py": lines}.get)
    assert text.splitlines()[1:] == [
        "       a.py:3: changed lines 3-20",
        "          3 | line_3 = 3",
        "          4 | line_4 = 4",
        "          5 | line_5 = 5",
        "          6 | line_6 = 6",
        "          7 | line_7 = 7",
        "          8 | line_8 = 8",
        "         ... to line 20",
        "       a.py:25: changed line",
        "         25 | line_25 = 25",
        "       b.py:1: x",
        "       fix: write tests that run these lines",
    ]


def test_a_passing_gate_has_no_fix_and_flake8_shows_no_source() -> None:
    gate = GateResult(
        "flake8",
        True,
        "no findings",
        details=("a.py:1:1: E1 x",),
        findings=(Finding("a.py", 1, "x", "E1", col=1),),
        hint=Hint("never shown", "flake8"),
    )
    text = terminal.gate_block(gate, Style(), {"a.py": ["import os"]}.get)
    assert text == "  PASS flake8        no findings (0.0s)\n       a.py:1:1: E1 x\n"


def test_files_are_read_from_the_repository(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\ny = 2\n")
    read = terminal.source_in(tmp_path)
    assert read("a.py") == ["x = 1", "y = 2"]
    assert read("missing.py") is None
    assert terminal.no_source("a.py") is None


@pytest.mark.parametrize(
    ("choice", "env", "tty", "colour"),
    [
        ("auto", {}, True, True),
        ("auto", {}, False, False),
        ("auto", {"NO_COLOR": "1"}, True, False),
        ("auto", {"NO_COLOR": ""}, True, True),  # empty: not set (no-color.org)
        ("auto", {"FORCE_COLOR": "1"}, False, True),
        ("auto", {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False, False),
        ("auto", {"TERM": "dumb"}, True, False),
        ("auto", {"TERM": "dumb", "FORCE_COLOR": "1"}, False, True),
        ("always", {"NO_COLOR": "1"}, False, True),  # the flag wins
        ("never", {"FORCE_COLOR": "1"}, True, False),
    ],
)
def test_colour_is_decided_as_python_and_pytest_decide_it(
    choice: str, env: dict[str, str], tty: bool, colour: bool
) -> None:
    stream = FakeTTY() if tty else io.StringIO()
    assert wanted(stream, choice, env) is colour
    assert Style.for_stream(stream, choice, env).colour is colour


def test_colour_changes_no_word() -> None:
    report = reports.failing_check()
    coloured = render(report, Style(colour=True), reports.source)
    assert ANSI.search(coloured)
    assert ANSI.sub("", coloured) == render(report, Style(), reports.source)
    assert Style().paint("x", "red") == "x" and Style(True).paint("", "red") == ""
