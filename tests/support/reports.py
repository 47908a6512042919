"""Reports as a user meets them: a failing check, a passing one, a PR verdict.

Built from the same data `check` produces (the gates' own result builders
where they are pure), with fixed figures and durations so that the rendered
forms are stable enough for golden files.
"""

from __future__ import annotations

from collections.abc import Sequence

from mvp_process.check import black, flake8
from mvp_process.check.coverage import Baseline, gate_result
from mvp_process.check.pytest_results import TestFailure
from mvp_process.check.tests import failure_line, rerun
from mvp_process.github.links import in_pull_request
from mvp_process.github.policy import PolicyResult, Rule
from mvp_process.results import CheckReport, Finding, GateResult, Hint, Recorded

SERVER = "https://github.com"
REPOSITORY = "octo-org/hello-world"
PR = 7
HEAD = "08c6ea3bca64643379f40efb8b925b4140c76536"
MERGE_BASE = "5e362d1df815977e0ad28fd90cbedf11444fd29d"
PR_HEAD = "9f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6"
CHANGED = ("calc/__init__.py", "calc/io.py", "tests/test_calc.py")
LINK = in_pull_request(SERVER, REPOSITORY, PR, CHANGED, PR_HEAD)

CALC = '''"""A tiny calculator."""
import os


def add(a, b):
    return a + b


def div(a, b):
    if b == 0:
        raise ZeroDivisionError("b is zero")
    return a / b
def neg(a):
    return -a
'''
SOURCES = {"calc/__init__.py": CALC.splitlines()}


def source(path: str) -> Sequence[str] | None:
    return SOURCES.get(path)


def _flake8() -> GateResult:
    output = "".join(
        [
            "./calc/__init__.py:2:1: F401 'os' imported but unused\n",
            "./calc/__init__.py:13:1: E302 expected 2 blank lines, found 0\n",
            *(
                f"./calc/io.py:{n}:80: E501 line too long ({80 + n} > 79 characters)\n"
                for n in range(1, 10)
            ),
            "./setup.py:3:1: F401 'sys' imported but unused\n",
        ]
    )
    found = flake8.parse(output)
    files = len({f.path for f in found})
    return GateResult(
        "flake8",
        False,
        f"{len(found)} findings in {files} files",
        details=tuple(f"{f.location()}: {f.code} {f.message}" for f in found),
        findings=tuple(found),
        duration=1.2,
        hint=flake8.recheck(found),
    )


def _black() -> GateResult:
    path = "calc/__init__.py"
    return GateResult(
        "black",
        False,
        "1 file would be reformatted",
        details=(f"{path}:1: would reformat",),
        findings=(Finding(path, 1, "black would reformat this file", "black"),),
        duration=0.9,
        hint=black.reformat([path], None),
    )


def _tests() -> GateResult:
    failure = TestFailure(
        "tests/test_calc.py::test_div",
        "failed",
        "assert 2.0 == 3",
        "tests/test_calc.py",
        9,
    )
    return GateResult(
        "tests",
        False,
        "1 failed of 2 tests",
        details=(failure_line(failure),),
        findings=(Finding("tests/test_calc.py", 9, f"{failure.id}: assert 2.0 == 3"),),
        duration=2.2,
        hint=rerun([failure]),
    )


def _diff_coverage() -> GateResult:
    ranges = [(11, 11), (13, 14)]
    return GateResult(
        "diff-coverage",
        False,
        "62.50% of 8 executable changed lines covered (10 changed lines in all),"
        " below the 80% required",
        details=(
            "calc/__init__.py:11: changed line not covered by tests",
            "calc/__init__.py:13: changed lines 13-14 not covered by tests",
            "left out as tests (diff-coverage-exclude): tests/test_calc.py",
        ),
        findings=tuple(
            Finding(
                "calc/__init__.py",
                a,
                (
                    "changed line not covered by tests"
                    if a == b
                    else f"changed lines {a}-{b} not covered by tests"
                ),
                "diff-coverage",
                end_line=b,
                level="warning",
            )
            for a, b in ranges
        ),
        metrics={"percent": 62.5, "changed_lines": 10, "executable_lines": 8},
        duration=0.1,
        hint=Hint("write tests that run these lines"),
    )


def failing_check() -> CheckReport:
    coverage = gate_result(72.7273, Baseline(100.0, MERGE_BASE, "status"), 1.0)
    history = (
        Recorded("1" * 40, 97.5),
        Recorded("2" * 40, 98.25),
        Recorded("3" * 40, 99.1),
        Recorded(MERGE_BASE, 100.0),
    )
    return CheckReport(
        passed=False,
        gates=(_flake8(), _black(), _tests(), coverage, _diff_coverage()),
        head_sha=HEAD,
        base_ref="origin/main",
        merge_base=MERGE_BASE,
        notes=(
            "this pull request changes diff-coverage-min 80 → 70 in"
            " [tool.mvp-process]; it applies after merge",
        ),
        history=history,
    )


def passing_check() -> CheckReport:
    coverage = gate_result(98.5, Baseline(98.25, MERGE_BASE, "status"), 1.0)
    return CheckReport(
        passed=True,
        gates=(
            GateResult("flake8", True, "no findings", duration=1.0),
            GateResult("tests", True, "42 passed", duration=3.5),
            coverage,
            GateResult(
                "diff-coverage",
                True,
                "100.00% of 6 executable changed lines covered (9 changed lines in"
                " all) (min 80%)",
                duration=0.1,
            ),
        ),
        head_sha=HEAD,
        base_ref="origin/main",
        merge_base=MERGE_BASE,
        skipped=("black",),
        history=(Recorded("2" * 40, 97.0), Recorded(MERGE_BASE, 98.25)),
    )


def failing_pr() -> PolicyResult:
    return PolicyResult(
        (
            Rule("branch-name", "pass", "branch '254-add-div' names issue #254"),
            Rule(
                "closing-reference",
                "fail",
                "the description does not close #254: add `Closes #254` to it",
            ),
            Rule("issue", "pass", "issue #254 is open"),
            Rule("reviewer", "skip", "not checked offline: is a reviewer assigned?"),
        ),
        254,
    )
