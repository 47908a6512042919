"""The pass/fail decisions of the gates, as tables."""

from __future__ import annotations

import pytest

from mvp_process.check.registry import GATE_NAMES
from mvp_process.errors import ConfigError
from mvp_process.check.policy import (
    decide_coverage,
    decide_diff_coverage,
    format_ranges,
    line_ranges,
    overall_passed,
    select_gates,
    split_names,
    decide_tests,
)


@pytest.mark.parametrize(
    ("outcomes", "expected"),
    [([], False), ([True], True), ([True, True], True), ([True, False], False)],
)
def test_overall_passed(outcomes: list[bool], expected: bool) -> None:
    assert overall_passed(outcomes) is expected


@pytest.mark.parametrize(
    ("args", "passed", "summary"),
    [
        ((0, 3, 0, 0, 0), True, "3 passed"),
        ((0, 4, 0, 0, 0, 1), True, "3 passed, 1 skipped"),
        ((1, 3, 1, 0, 0), False, "1 failed of 3 tests"),
        ((1, 3, 2, 1, 0), False, "2 failed, 1 error of 3 tests"),
        ((1, 1, 0, 1, 0), False, "1 error of 1 test"),
        ((2, 1, 0, 1, 1), False, "1 collection error: tests did not run"),
        ((2, 2, 0, 2, 2), False, "2 collection errors: tests did not run"),
        ((5, 0, 0, 0, 0), False, "no tests collected: pytest found no tests to run"),
        ((0, 0, 0, 0, 0), False, "no tests collected: pytest found no tests to run"),
        (
            (4, 0, 0, 0, 0),
            False,
            "pytest could not complete (exit code 4: usage error)",
        ),
        (
            (3, 2, 0, 0, 0),
            False,
            "pytest could not complete (exit code 3: internal error)",
        ),
        (
            (1, 2, 0, 0, 0),
            False,
            "pytest could not complete (exit code 1: tests failed)",
        ),
        (
            (-9, 2, 0, 0, 0),
            False,
            "pytest could not complete (exit code -9: unexpected exit)",
        ),
        # No results file: the counts are unknown, whatever the exit code says.
        (
            (0, 0, 0, 0, 0, 0, False),
            False,
            "pytest exited with code 0 but left no test results (see its output)",
        ),
        (
            (1, 0, 0, 0, 0, 0, False),
            False,
            "pytest exited with code 1 but left no test results (see its output)",
        ),
        (
            (-11, 0, 0, 0, 0, 0, False),
            False,
            "pytest could not complete (exit code -11: unexpected exit)",
        ),
        (
            (5, 0, 0, 0, 0, 0, False),
            False,
            "no tests collected: pytest found no tests to run",
        ),
    ],
)
def test_tests_decision(args: tuple[int, ...], passed: bool, summary: str) -> None:
    decision = decide_tests(*args)
    assert (decision.passed, decision.summary) == (passed, summary)


@pytest.mark.parametrize(
    ("current", "baseline", "max_drop", "passed", "summary"),
    [
        (None, 80.0, 1.0, False, "no coverage data from the test run"),
        (80.0, None, 1.0, True, "80.00%; no baseline to compare with"),
        (80.0, 80.0, 1.0, True, "80.00% → 80.00% (+0.00 points, max drop 1)"),
        (81.5, 80.0, 1.0, True, "80.00% → 81.50% (+1.50 points, max drop 1)"),
        (79.0, 80.0, 1.0, True, "80.00% → 79.00% (-1.00 points, max drop 1)"),
        (
            78.99,
            80.0,
            1.0,
            False,
            "80.00% → 78.99% (-1.01 points, more than the 1 allowed)",
        ),
        (
            79.9,
            80.0,
            0.0,
            False,
            "80.00% → 79.90% (-0.10 points, more than the 0 allowed)",
        ),
        (50.0, 80.0, 30.0, True, "80.00% → 50.00% (-30.00 points, max drop 30)"),
    ],
)
def test_coverage_decision(current, baseline, max_drop, passed, summary) -> None:
    decision = decide_coverage(current, baseline, max_drop)
    assert (decision.passed, decision.summary) == (passed, summary)


def test_coverage_decision_names_why_there_is_no_baseline() -> None:
    decision = decide_coverage(70.0, None, 1.0, "no status on abc")
    assert decision.passed
    assert decision.summary == "70.00%; no baseline to compare with (no status on abc)"


@pytest.mark.parametrize(
    ("args", "passed", "summary"),
    [
        ((0, 0, 0, 80.0), True, "no Python lines changed"),
        (
            (5, 4, 4, 80.0),
            True,
            "100.00% of 4 executable changed lines covered (5 changed lines in all)"
            " (min 80%)",
        ),
        (
            (5, 5, 4, 80.0),
            True,
            "80.00% of 5 executable changed lines covered (min 80%)",
        ),
        (
            (5, 5, 3, 80.0),
            False,
            "60.00% of 5 executable changed lines covered, below the 80% required",
        ),
        ((1, 1, 0, 0.0), True, "0.00% of 1 executable changed line covered (min 0%)"),
        (
            (3, 0, 0, 80.0, (), ("x.py",)),
            True,
            "no executable changed lines to measure (3 changed lines; omitted by the"
            " coverage config: x.py)",
        ),
        (
            (1, 0, 0, 80.0),
            True,
            "no executable changed lines (1 changed line: comments, docstrings or"
            " blank lines)",
        ),
        (
            (4, 2, 1, 50.0, ("new.py",), (), 1),
            True,
            "50.00% of 2 executable changed lines covered (4 changed lines in all);"
            " coverage does not measure new.py (1 executable changed line there,"
            " counted as uncovered) (min 50%)",
        ),
        (
            (4, 2, 0, 50.0, ("new.py",), (), 2),
            False,
            "0.00% of 2 executable changed lines covered (4 changed lines in all);"
            " coverage does not measure new.py (2 executable changed lines there,"
            " counted as uncovered), below the 50% required",
        ),
    ],
)
def test_diff_coverage_decision(args: tuple, passed: bool, summary: str) -> None:
    """Both figures named as the JSON names them: changed, executable."""
    decision = decide_diff_coverage(*args)
    assert decision.passed is passed
    assert decision.summary == summary


def test_unmeasured_files_are_named_in_the_decision() -> None:
    files = tuple(f"f{i}.py" for i in range(5))
    decision = decide_diff_coverage(7, 5, 0, 80.0, files, (), 5)
    assert "coverage does not measure f0.py, f1.py, f2.py and 2 more" in (
        decision.summary
    )
    assert "there, counted as uncovered), below the 80% required" in decision.summary
    assert "f3.py" not in decision.summary


@pytest.mark.parametrize(
    ("lines", "ranges", "text"),
    [
        ([], [], ""),
        ([3], [(3, 3)], "3"),
        ([1, 2, 3, 7, 9, 10], [(1, 3), (7, 7), (9, 10)], "1-3, 7, 9-10"),
        ([5, 4, 4, 6], [(4, 6)], "4-6"),
    ],
)
def test_line_ranges(lines: list[int], ranges: list, text: str) -> None:
    assert line_ranges(lines) == ranges
    assert format_ranges(ranges) == text


@pytest.mark.parametrize(
    ("only", "skip", "expected"),
    [
        ([], [], GATE_NAMES),
        (["black", "flake8"], [], ("flake8", "black")),
        ([], ["tests"], ("flake8", "black", "coverage", "diff-coverage")),
        (["coverage", "tests"], ["tests"], ("coverage",)),
    ],
)
def test_select_gates(only: list[str], skip: list[str], expected: tuple) -> None:
    assert select_gates(GATE_NAMES, only, skip) == expected


@pytest.mark.parametrize(
    ("only", "skip", "message"),
    [
        (["lint"], [], "unknown gate name(s): lint"),
        ([], ["pr", "mypy"], "unknown gate name(s): mypy, pr"),
        (["black"], ["black"], "--only/--skip leave no gate to run"),
    ],
)
def test_select_gates_errors(only: list[str], skip: list[str], message: str) -> None:
    with pytest.raises(ConfigError) as info:
        select_gates(GATE_NAMES, only, skip)
    assert info.value.message == message


def test_split_names() -> None:
    assert split_names(["flake8, black", "tests", ",,"]) == ["flake8", "black", "tests"]
