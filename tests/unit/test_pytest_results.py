"""Reading pytest's JUnit report: what the tests gate counts, and who failed where.

Most runs are in-process pytester runs writing a real report with the options
`check` passes; those that need a real process (xdist, a dying interpreter,
the project's coverage) run pytest in a subprocess.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from mvp_process.check.pytest_results import (
    Results,
    TestFailure,
    first_reason,
    junit_args,
    merge,
    node_id,
    read_junit,
)
from mvp_process.check.tests import (
    from_results,
    gate_result,
    pytest_command,
    rerun,
    run_pytest,
)
from mvp_process.check.toolenv import ToolEnv
from mvp_process.results import Hint

pytest_plugins = ("pytester",)

OUTCOMES = """
import pytest


def test_pass():
    pass


def test_fail():
    assert 2 + 2 == 5


@pytest.fixture
def broken():
    raise KeyError("x")


def test_setup_error(broken):
    pass


@pytest.fixture
def bad_teardown():
    yield
    raise RuntimeError("teardown boom")


def test_fail_then_teardown_error(bad_teardown):
    assert [] == [1]


def test_pass_then_teardown_error(bad_teardown):
    pass


@pytest.mark.xfail(reason="known")
def test_xfail():
    assert False


@pytest.mark.xfail(strict=True, reason="should fail")
def test_xpass_strict():
    pass


@pytest.mark.xfail(reason="maybe")
def test_xpass():
    pass


def test_skip():
    pytest.skip("later")


class TestK:
    def test_m(self):
        raise ValueError("bad\\nsecond line")
"""

FAILURES = [
    ("test_o.py::test_fail", "failed", "assert (2 + 2) == 5", 8),
    ("test_o.py::test_setup_error", "error", "KeyError: 'x'", 17),
    ("test_o.py::test_fail_then_teardown_error", "failed", "assert [] == [1]", 27),
    (
        "test_o.py::test_pass_then_teardown_error",
        "error",
        "RuntimeError: teardown boom",
        31,
    ),
    ("test_o.py::test_xpass_strict", "failed", "[XPASS(strict)] should fail", 40),
    ("test_o.py::TestK::test_m", "failed", "ValueError: bad", 55),
]
COUNTS = (10, 4, 2, 2)  # total, failed, errors, skipped


def run(project: pytest.Pytester, *options: str) -> pytest.RunResult:
    return project.runpytest(*options, *junit_args(Path("r.xml")))


def read(project: pytest.Pytester) -> Results:
    results = read_junit(project.path / "r.xml", project.path)
    assert results is not None
    return results


def counts(results: Results) -> tuple[int, int, int, int]:
    run = from_results(results, 1, Path("out"), (), 0.0)
    return run.total, run.failed, run.errors, run.skipped


def failures(results: Results) -> list[tuple[str, str, str, int | None]]:
    assert all(f.path == f.id.split("::")[0] for f in results.failures)
    return [(f.id, f.kind, f.message, f.line) for f in results.failures]


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(test_o=OUTCOMES)
    return pytester


def test_counts_and_failures_in_run_order(project: pytest.Pytester) -> None:
    result = run(project)
    result.assert_outcomes(
        passed=2, failed=4, errors=3, skipped=1, xfailed=1, xpassed=1
    )  # pytest's own tally counts a failed test's teardown error again
    results = read(project)
    assert counts(results) == COUNTS
    assert failures(results) == FAILURES


@pytest.mark.parametrize(
    "options",
    [["-v"], ["-qq", "--tb=line"], ["-rA", "-x"], ["--junitxml=theirs.xml"]],
)
def test_the_projects_own_options_change_nothing_but_what_runs(
    project: pytest.Pytester, options: list[str]
) -> None:
    project.makeini(
        "[pytest]\naddopts = -p no:cacheprovider\n"
        "junit_family = xunit2\njunit_logging = all\n"
    )
    run(project, *options)  # `check` passes its own after the project's
    results = read(project)
    if "-x" in options:  # stops at the first failure
        assert failures(results) == FAILURES[:1]
        assert counts(results) == (2, 1, 0, 0)
    else:
        assert (counts(results), failures(results)) == (COUNTS, FAILURES)


def test_a_collection_error_is_one_errored_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_ok="def test_ok():\n    pass\n", test_broken="import nope\n"
    )
    assert run(pytester).ret == 2
    results = read(pytester)
    assert counts(results) == (1, 0, 1, 0)
    assert results.failures == (
        TestFailure(
            "test_broken.py",
            "collection error",
            "ModuleNotFoundError: No module named 'nope'",
            "test_broken.py",
        ),
    )
    assert results.session == {"test_broken.py"} and results.ran == []


def test_a_skipped_module_and_a_broken_folder(pytester: pytest.Pytester) -> None:
    """A skipped module counts as a skipped test; a collection error on something
    that is not a file has no path to annotate."""
    pytester.makepyfile(
        test_skipped="import pytest\npytest.skip('no', allow_module_level=True)\n"
    )
    pytester.makeconftest("""
import pytest


class Broken(pytest.Collector):
    def collect(self):
        raise RuntimeError("cannot list")


def pytest_collect_directory(path, parent):
    if path.name == "sub":
        return Broken.from_parent(parent, name="sub")
""")
    pytester.mkdir("sub")
    run(pytester)
    results = read(pytester)
    assert counts(results) == (2, 0, 1, 1)
    (failure,) = results.failures
    assert (failure.id, failure.path) == (".::sub", None)
    assert failure.message == "RuntimeError: cannot list"
    assert results.session == {".::sub", "test_skipped.py"}


def test_no_tests_collected(pytester: pytest.Pytester) -> None:
    assert run(pytester).ret == 5
    results = read(pytester)
    assert (results.total, results.failures) == (0, ())


def test_an_internal_error_is_an_errored_test(pytester: pytest.Pytester) -> None:
    """The session still ends, so pytest writes its report."""
    pytester.makepyfile(test_ok="def test_ok():\n    pass\n")
    pytester.makeconftest(
        "def pytest_collection_modifyitems(items):\n"
        "    raise RuntimeError('a plugin crashed')\n"
    )
    assert run(pytester).ret == 3
    results = read(pytester)
    assert counts(results) == (1, 0, 1, 0)
    (failure,) = results.failures
    assert (failure.id, failure.kind, failure.path) == ("internal", "error", None)


def test_first_reason() -> None:
    assert first_reason("def f():\n>  x\nE   KeyError: 1\nE   more", "m") == (
        "KeyError: 1"
    )
    assert first_reason("no E line\nEnd", " msg line\nsecond ") == "msg line"
    assert first_reason("", "  ") == "(no message)"


@pytest.mark.parametrize(
    "classname,name,file,expected",
    [
        ("t.test_a", "test_b[x.y::z]", "t/test_a.py", "t/test_a.py::test_b[x.y::z]"),
        ("t.test_a.TestX.TestY", "test_b", "t/test_a.py", "t/test_a.py::TestX::TestY::test_b"),  # noqa: E501
        # Inherited from another file: the id is the class's file, found on disk.
        ("pkg.test_c.TestC", "test_base", "pkg/base.py", "pkg/test_c.py::TestC::test_base"),  # noqa: E501
        ("v1.2.test_d", "test_e", "v1.2/test_d.py", "v1.2/test_d.py::test_e"),
        ("src.mod", "mod.func", "src/mod.py", "src/mod.py::mod.func"),  # a doctest
        ("README.txt", "README.txt", "README.txt", "README.txt::README.txt"),
        ("", "tests.test_f", "tests/test_f.py", "tests/test_f.py"),  # collection
        ("pytest", "internal", None, "internal"),
        ("elsewhere.test_g", "test_h", "other.py", "elsewhere.test_g::test_h"),
    ],
)  # fmt: skip
def test_node_ids_from_test_cases(
    tmp_path: Path, classname: str, name: str, file: str | None, expected: str
) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "test_c.py").write_text("")
    assert node_id(classname, name, file, tmp_path) == expected


REPORT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest">
<testcase classname="t" name="a" file="t.py" line="0"><failure message="boom">E boom</failure></testcase>
<testcase classname="t" name="a" file="t.py" line="0"><error message="failed on teardown with &quot;x&quot;">x</error></testcase>
<testcase classname="t" name="b" file="t.py" line="4"><skipped message="later"/></testcase>
<testcase classname="t" name="b" file="t.py" line="4"><error message="failed on ??? with &quot;crashed&quot;"/></testcase>
<testcase classname="t" name="c" file="t.py" line="9"/>
<testcase classname="t" name="c" file="t.py" line="9"><skipped message="x"/></testcase>
<testcase classname="t" name="c" file="t.py" line="9"/>
</testsuite></testsuites>
"""  # noqa: E501


def test_the_first_bad_outcome_of_a_test_wins(tmp_path: Path) -> None:
    """A teardown error after a failure, a worker that died (xdist's `???`)."""
    (tmp_path / "r.xml").write_text(REPORT)
    results = read_junit(tmp_path / "r.xml", tmp_path)
    assert results is not None
    assert dict(results.outcomes) == {
        "t.py::a": "failed",
        "t.py::b": "error",
        "t.py::c": "skipped",
    }
    assert [(f.id, f.message, f.line) for f in results.failures] == [
        ("t.py::a", "boom", 1),
        ("t.py::b", 'failed on ??? with "crashed"', 5),
    ]


@pytest.mark.parametrize("content", [None, b"", b"<testsuites", b"\xff\xfe"])
def test_missing_or_unreadable_is_no_results(
    tmp_path: Path, content: bytes | None
) -> None:
    path = tmp_path / "r.xml"
    if content is not None:
        path.write_bytes(content)
    assert read_junit(path, tmp_path) is None


def test_merge_keeps_the_first_word_on_each_test() -> None:
    """Shards each report the suite's collection errors; tests run once."""
    broken = TestFailure("t_x.py", "collection error", "ImportError", "t_x.py")
    failed = TestFailure("t.py::b", "failed", "boom", "t.py", 3)
    one = Results({"t_x.py": "collection error", "t.py::a": "passed"}, (broken,))
    two = Results(
        {"t_x.py": "collection error", "t.py::b": "failed"},
        (broken, failed),
        frozenset({"t_x.py"}),
    )
    merged = merge([one, two])
    assert list(merged.outcomes) == ["t_x.py", "t.py::a", "t.py::b"]
    assert merged.failures == (broken, failed)
    assert merged.session == {"t_x.py"} and merged.ran == ["t.py::a", "t.py::b"]


# -- real processes ------------------------------------------------------------------
def by_process(project: pytest.Pytester, *args: str) -> pytest.RunResult:
    return project.runpytest_subprocess(
        "-p", "no:cacheprovider", *args, *junit_args(Path("r.xml"))
    )


def test_under_xdist_the_controller_reports_what_workers_ran(
    project: pytest.Pytester,
) -> None:
    by_process(project, "-n", "2").assert_outcomes(
        passed=2, failed=4, errors=3, skipped=1, xfailed=1, xpassed=1
    )
    results = read(project)
    assert counts(results) == COUNTS
    assert sorted(failures(results)) == sorted(FAILURES)  # in the order they finished


def test_under_xdist_a_collection_error_is_counted_once(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_ok="def test_ok():\n    pass\n", test_broken="import nope\n"
    )
    # Each worker reports it; xdist then runs the rest anyway.
    assert by_process(pytester, "-n", "2").ret == 1
    results = read(pytester)
    assert counts(results) == (2, 0, 1, 0)
    assert [f.id for f in results.failures] == ["test_broken.py"]


def test_a_session_that_dies_leaves_no_results(tmp_path: Path) -> None:
    """Not even an earlier run's report: `run_pytest` removes it first."""
    (tmp_path / "test_z.py").write_text(
        "import os\n\ndef test_die():\n    os._exit(7)\n"
    )
    out = tmp_path / "out"
    out.mkdir()
    (out / "junit.xml").write_text("<testsuites><testsuite/></testsuites>")
    run = run_pytest(ToolEnv(sys.executable), tmp_path, out)
    assert (run.exit_code, run.has_results) == (7, False)
    assert gate_result(run).summary == (
        "pytest could not complete (exit code 7: unexpected exit)"
    )


def test_the_projects_coverage_is_its_own(tmp_path: Path) -> None:
    """No `source` setting: coverage.py measures any file that runs."""
    (tmp_path / "calc.py").write_text("def add(a, b):\n    return a + b\n")
    (tmp_path / "test_calc.py").write_text(
        "from calc import add\n\ndef test_add():\n    assert add(1, 2) == 3\n"
    )
    run = run_pytest(ToolEnv(sys.executable), tmp_path, tmp_path / "out")
    assert (run.exit_code, run.total, run.coverage_percent) == (0, 1, 100.0)
    assert "mvp_process" not in run.coverage_xml.read_text()


# -- what the gate makes of it -------------------------------------------------------
RESULTS = Results(
    {
        "tests/test_a.py::test_b": "failed",
        "tests/test_a.py::test_ok": "passed",
        "tests/test_a.py::test_skip": "skipped",
        "tests/test_c.py": "collection error",
        "internal": "error",
    },
    (
        TestFailure(
            "tests/test_a.py::test_b", "failed", "assert 4 == 5", "tests/test_a.py", 3
        ),
        TestFailure(
            "tests/test_c.py", "collection error", "ImportError", "tests/test_c.py"
        ),
        TestFailure("internal", "error", "internal error"),
    ),
)


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


def test_check_asks_for_its_report_after_the_projects_own_options(
    tmp_path: Path,
) -> None:
    args = pytest_command(
        tmp_path, ["--junitxml=theirs.xml", "-o", "junit_logging=all"]
    )
    assert args[-len(junit_args(tmp_path)) :] == junit_args(tmp_path / "junit.xml")


def test_past_three_failures_pytest_reruns_the_last_failed() -> None:
    failures = [
        TestFailure(f"t.py::test_{i}", "failed", "x", "t.py", i) for i in range(4)
    ]
    assert rerun(failures) == Hint("reruns the 4 that failed", "python -m pytest --lf")
    assert rerun([]) == Hint("shows what pytest says", "python -m pytest")
