"""The pytest plugin every test run loads (`-p mvp_process_results`).

Most runs are in-process (the plugin module is passed to pytester, imported
under its package name, so coverage sees it); runs that need a real process
(xdist, a dying interpreter, the project's coverage) load it by name from
the folder mvp-process puts on PYTHONPATH, as `check` does.
"""

from __future__ import annotations

import importlib
import json
import linecache
import sys
from pathlib import Path
from typing import Any

import pytest

from mvp_process.check import pytest_results
from mvp_process.check.tests import PLUGIN_DIR, RESULTS_PLUGIN, run_pytest
from mvp_process.check.toolenv import ToolEnv
from mvp_process.check.pytest_plugin import mvp_process_results

pytest_plugins = ("pytester",)
PLUGIN = [mvp_process_results]

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
COUNTS = {"total": 10, "failed": 4, "errors": 2, "skipped": 2}


def results(project: pytest.Pytester, name: str = "r.json") -> dict[str, Any]:
    data: dict[str, Any] = json.loads((project.path / name).read_text())
    return data


def failures(data: dict[str, Any]) -> list[tuple[str, str, str, int | None]]:
    assert all(f["path"] == f["id"].split("::")[0] for f in data["failures"])
    return [(f["id"], f["kind"], f["message"], f["line"]) for f in data["failures"]]


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(test_o=OUTCOMES)
    return pytester


def test_counts_and_failures_in_run_order(project: pytest.Pytester) -> None:
    result = project.runpytest("--mvp-results=r.json", plugins=PLUGIN)
    result.assert_outcomes(
        passed=2, failed=4, errors=3, skipped=1, xfailed=1, xpassed=1
    )  # pytest's own tally counts a failed test's teardown error again
    data = results(project)
    assert data["format"] == "mvp-process-results" and data["version"] == 1
    assert data["exitstatus"] == 1
    assert data["counts"] == COUNTS
    assert failures(data) == FAILURES
    # What mvp-process reads back is exactly that.
    read = pytest_results.read_results(project.path / "r.json")
    assert read is not None and read.total == 10
    assert [(f.id, f.kind, f.message, f.line) for f in read.failures] == FAILURES
    assert not list(project.path.glob("r.json.*"))  # no temporary file left


@pytest.mark.parametrize("options", [["-v"], ["-qq", "--tb=line"], ["-rA", "-x"]])
def test_the_projects_own_options_change_nothing_but_what_runs(
    project: pytest.Pytester, options: list[str]
) -> None:
    project.makeini("[pytest]\naddopts = -p no:cacheprovider -p no:junitxml\n")
    project.runpytest("--mvp-results=r.json", *options, plugins=PLUGIN)
    data = results(project)
    if "-x" in options:  # stops at the first failure
        assert failures(data) == FAILURES[:1]
        assert data["counts"] == {"total": 2, "failed": 1, "errors": 0, "skipped": 0}
    else:
        assert (data["counts"], failures(data)) == (COUNTS, FAILURES)


def test_a_collection_error_is_one_errored_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_ok="def test_ok():\n    pass\n", test_broken="import nope\n"
    )
    result = pytester.runpytest("--mvp-results=r.json", plugins=PLUGIN)
    assert result.ret == 2
    data = results(pytester)
    assert data["exitstatus"] == 2
    assert data["counts"] == {"total": 1, "failed": 0, "errors": 1, "skipped": 0}
    assert data["failures"] == [
        {
            "id": "test_broken.py",
            "kind": "collection error",
            "message": "ModuleNotFoundError: No module named 'nope'",
            "path": "test_broken.py",
            "line": None,
        }
    ]


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
    pytester.runpytest("--mvp-results=r.json", plugins=PLUGIN)
    data = results(pytester)
    assert data["counts"] == {"total": 2, "failed": 0, "errors": 1, "skipped": 1}
    (failure,) = data["failures"]
    assert (failure["id"], failure["path"]) == (".::sub", None)
    assert failure["message"] == "RuntimeError: cannot list"


def test_no_tests_collected(pytester: pytest.Pytester) -> None:
    assert pytester.runpytest("--mvp-results=r.json", plugins=PLUGIN).ret == 5
    data = results(pytester)
    assert (data["exitstatus"], data["counts"]["total"], data["failures"]) == (5, 0, [])


def test_an_internal_error_is_an_errored_test(pytester: pytest.Pytester) -> None:
    """As pytest's JUnit report has it; the session still ends, so a file."""
    pytester.makepyfile(test_ok="def test_ok():\n    pass\n")
    pytester.makeconftest(
        "def pytest_collection_modifyitems(items):\n"
        "    raise RuntimeError('a plugin crashed')\n"
    )
    assert pytester.runpytest("--mvp-results=r.json", plugins=PLUGIN).ret == 3
    data = results(pytester)
    assert data["exitstatus"] == 3
    assert data["counts"] == {"total": 1, "failed": 0, "errors": 1, "skipped": 0}
    (failure,) = data["failures"]
    assert (failure["id"], failure["kind"], failure["path"]) == (
        "internal",
        "error",
        None,
    )


def test_idle_without_its_option(project: pytest.Pytester) -> None:
    assert project.runpytest(plugins=PLUGIN).ret == 1
    assert not list(project.path.glob("*.json*"))


def test_an_earlier_file_is_replaced_whole(project: pytest.Pytester) -> None:
    (project.path / "r.json").write_text("x" * 100_000)
    project.runpytest("--mvp-results=r.json", plugins=PLUGIN)
    assert results(project)["counts"] == COUNTS


def test_first_reason() -> None:
    first = mvp_process_results.first_reason
    assert first("def f():\n>  x\nE   KeyError: 1\nE   more", "m") == "KeyError: 1"
    assert first("no E line\nEnd", " msg line\nsecond ") == "msg line"
    assert first("", "  ") == "(no message)"


# -- real processes, loaded by name as `check` loads it ----------------------------
def by_name(
    project: pytest.Pytester, mp: pytest.MonkeyPatch, *args: str
) -> pytest.RunResult:
    mp.setenv("PYTHONPATH", str(PLUGIN_DIR))
    return project.runpytest_subprocess(
        "-p", RESULTS_PLUGIN, "--mvp-results=r.json", "-p", "no:cacheprovider", *args
    )


def test_under_xdist_the_controller_records_what_workers_report(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = by_name(project, monkeypatch, "-n", "2")
    result.assert_outcomes(
        passed=2, failed=4, errors=3, skipped=1, xfailed=1, xpassed=1
    )
    data = results(project)
    assert data["exitstatus"] == 1 and data["counts"] == COUNTS
    assert sorted(failures(data)) == sorted(FAILURES)  # in the order they finished
    assert [p.name for p in project.path.glob("r.json*")] == ["r.json"]


def test_under_xdist_a_collection_error_is_counted_once(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(
        test_ok="def test_ok():\n    pass\n", test_broken="import nope\n"
    )
    # Each worker reports it; xdist then runs the rest anyway.
    assert by_name(pytester, monkeypatch, "-n", "2").ret == 1
    data = results(pytester)
    assert data["counts"] == {"total": 2, "failed": 0, "errors": 1, "skipped": 0}
    assert [f["id"] for f in data["failures"]] == ["test_broken.py"]


def test_a_session_that_dies_leaves_no_file(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.makepyfile(test_z="import os\n\ndef test_die():\n    os._exit(7)\n")
    assert by_name(project, monkeypatch).ret == 7
    assert not list(project.path.glob("r.json*"))
    assert pytest_results.read_results(project.path / "r.json") is None


def test_the_plugin_is_never_in_the_projects_coverage(tmp_path: Path) -> None:
    """No `source` setting: coverage.py would measure any file that runs."""
    (tmp_path / "calc.py").write_text("def add(a, b):\n    return a + b\n")
    (tmp_path / "test_calc.py").write_text(
        "from calc import add\n\ndef test_add():\n    assert add(1, 2) == 3\n"
    )
    run = run_pytest(ToolEnv(sys.executable), tmp_path, tmp_path / "out")
    assert (run.exit_code, run.total, run.coverage_percent) == (0, 1, 100.0)
    assert "mvp_process" not in run.coverage_xml.read_text()


@pytest.mark.parametrize("name", ["mvp_process_results", "mvp_process_shard"])
def test_the_loaders_compile_the_plugins_under_an_untraced_name(name: str) -> None:
    module = importlib.import_module(f"mvp_process.check.pytest_plugin.untraced.{name}")
    code = module.pytest_addoption.__code__
    assert code.co_filename.startswith("<mvp-process plugin ")
    # The installed package's file (src/ in a checkout, site-packages from a wheel).
    source = Path(mvp_process_results.__file__).parent / f"{name}.py"
    assert code.co_filename.endswith(f"{source.resolve()}>")
    # Tracebacks still show the source.
    line = linecache.getline(code.co_filename, code.co_firstlineno)
    assert line.startswith("def pytest_addoption(")


def report(outcome: str, when: str, node: str = "t.py::a") -> pytest.TestReport:
    longrepr = "boom" if outcome == "failed" else None
    return pytest.TestReport(node, ("t.py", 0, "a"), {}, outcome, longrepr, when)


def test_outcomes_that_change_nothing(tmp_path: Path) -> None:
    """A passed setup, a skip after a failure, a rerun: the first verdict stays."""
    recorder = mvp_process_results.Recorder(str(tmp_path / "r.json"), tmp_path)
    for outcome, when in [
        ("passed", "setup"),
        ("failed", "call"),
        ("skipped", "teardown"),
        ("rerun", "call"),
        ("failed", "???"),  # what xdist reports for a test whose worker died
    ]:
        recorder.pytest_runtest_logreport(report(outcome, when))
    recorder.pytest_runtest_logreport(report("failed", "???", "t.py::b"))
    assert recorder.outcomes == {"t.py::a": "failed", "t.py::b": "error"}
    assert [f["message"] for f in recorder.failures] == [
        "boom",
        'failed on ??? with "boom"',
    ]
