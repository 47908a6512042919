"""Reading the plugin's results file: anything not exactly right is no results."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mvp_process.check import pytest_results
from mvp_process.check.pytest_results import (
    Results,
    TestFailure,
    parse_results,
    read_results,
    write_results,
)
from mvp_process.check.tests import from_results, gate_result, rerun
from mvp_process.check.pytest_plugin import mvp_process_results as plugin
from mvp_process.results import Hint

RESULTS = Results(
    exit_status=1,
    total=5,
    failed=1,
    errors=2,
    skipped=1,
    failures=(
        TestFailure(
            "tests/test_a.py::test_b", "failed", "assert 4 == 5", "tests/test_a.py", 3
        ),
        TestFailure(
            "tests/test_c.py", "collection error", "ImportError", "tests/test_c.py"
        ),
        TestFailure("internal", "error", "internal error"),
    ),
)


def good(**changes: Any) -> dict[str, Any]:
    return {**RESULTS.to_json(), **changes}


def test_the_format_is_the_plugins() -> None:
    assert (plugin.FORMAT, plugin.VERSION) == (
        pytest_results.FORMAT,
        pytest_results.VERSION,
    )
    assert (plugin.FAILED, plugin.ERROR, plugin.COLLECTION) == pytest_results.KINDS


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    write_results(path, RESULTS)
    assert read_results(path) == RESULTS
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]


def test_map_text_changes_every_text() -> None:
    masked = RESULTS.map_text(lambda t: t.replace("test", "***"))
    assert [(f.id, f.message, f.path) for f in masked.failures] == [
        ("***s/***_a.py::***_b", "assert 4 == 5", "***s/***_a.py"),
        ("***s/***_c.py", "ImportError", "***s/***_c.py"),
        ("internal", "internal error", None),
    ]
    assert masked.total == RESULTS.total


def _failure(**changes: Any) -> dict[str, Any]:
    failure = good()["failures"][0]
    return good(failures=[{**failure, **changes}, *good()["failures"][1:]])


@pytest.mark.parametrize(
    "data,says",
    [
        ([], "not an mvp-process results file"),
        (good(format="junit"), "not an mvp-process results file"),
        (good(version=2), "results version 2, not 1"),
        (good(counts=[]), "'counts' must be an object"),
        (good(failures={}), "'failures' a list"),
        (good(exitstatus="1"), "'exitstatus' must be an integer"),
        (
            good(counts={**good()["counts"], "total": -1}),
            "'total' must be an integer >= 0",
        ),
        (good(counts={**good()["counts"], "skipped": True}), "'skipped'"),
        (good(failures=["x"]), "a failure must be an object"),
        (_failure(kind="flaky"), "a known kind"),
        (_failure(id=None), "a string id and message"),
        (_failure(path=3), "path must be a string or null"),
        (_failure(line=0), "'line' must be an integer >= 1"),
        (good(counts={**good()["counts"], "failed": 0}), "do not agree"),
        (good(counts={**good()["counts"], "errors": 1}), "do not agree"),
        (good(counts={**good()["counts"], "total": 3}), "do not agree"),
    ],
)
def test_parse_refuses(data: Any, says: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_results(data)
    assert says in str(caught.value)


@pytest.mark.parametrize(
    "content",
    [
        None,  # the session died before its end
        b"",
        b"{not json",
        b"\xff\xfe",
        json.dumps(good(version=0)).encode(),
        json.dumps(good(failures=[])).encode(),
    ],
)
def test_missing_corrupt_or_foreign_is_no_results(
    tmp_path: Path, content: bytes | None
) -> None:
    path = tmp_path / "results.json"
    if content is not None:
        path.write_bytes(content)
    assert read_results(path) is None


def test_a_run_without_results_fails_with_pytests_last_words(tmp_path: Path) -> None:
    tail = ("tests/test_a.py .", "Fatal Python error: Segmentation fault")
    run = from_results(None, 0, tmp_path, tail, 1.0)
    assert (run.has_results, run.total, run.failures) == (False, 0, ())
    result = gate_result(run)
    assert not result.passed
    assert result.summary == (
        "pytest exited with code 0 but left no test results (see its output)"
    )
    assert result.details == tail


def test_a_run_with_results(tmp_path: Path) -> None:
    run = from_results(RESULTS, 1, tmp_path, ("3 failed",), 1.0)
    assert (run.has_results, run.total, run.failed, run.errors, run.skipped) == (
        True,
        5,
        1,
        2,
        1,
    )
    assert run.collection_errors == 1
    result = gate_result(run)
    assert result.summary == "1 collection error: tests did not run"
    assert result.details == (  # `path:line:` first, as editors jump
        "tests/test_a.py:3: FAILED test_b: assert 4 == 5",
        "tests/test_c.py:1: COLLECTION ERROR: ImportError",
        "ERROR internal: internal error",
    )
    assert result.hint == Hint(
        "reruns them", "python -m pytest tests/test_a.py::test_b tests/test_c.py"
    )
    # Annotations where there is a file: a collection error on its line 1.
    assert [(f.path, f.line, f.code) for f in result.findings] == [
        ("tests/test_a.py", 3, "failed"),
        ("tests/test_c.py", 1, "collection error"),
    ]


def test_past_three_failures_pytest_reruns_the_last_failed() -> None:
    failures = [
        TestFailure(f"t.py::test_{i}", "failed", "x", "t.py", i) for i in range(4)
    ]
    assert rerun(failures) == Hint("reruns the 4 that failed", "python -m pytest --lf")
    assert rerun([]) == Hint("shows what pytest says", "python -m pytest")
