"""The pytest plugin a shard loads into the project's pytest (run in-process here)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mvp_process.core.shards import PLUGIN_DIR
from mvp_process.policy.shards import collection_digest
from mvp_process.pytest_plugin import mvp_process_shard

# In-process runs get the module object (imported under its package name, so
# coverage sees it); the xdist run loads it by name with `-p`, as a shard does.
PLUGIN = [mvp_process_shard]

pytest_plugins = ("pytester",)

SUITE = {
    "test_a.py": """
import pytest

def test_one():
    pass

@pytest.mark.parametrize("x", ["a b", "c"])
def test_two(x):
    pass

@pytest.mark.slow
def test_marked():
    pass
""",
    "test_b.py": """
class TestB:
    def test_three(self):
        assert False
""",
}
IDS = [
    "test_a.py::test_one",
    "test_a.py::test_two[a b]",
    "test_a.py::test_two[c]",
    "test_a.py::test_marked",
    "test_b.py::TestB::test_three",
]


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.syspathinsert(PLUGIN_DIR)
    pytester.makeini("[pytest]\nmarkers =\n    slow: slow\n")
    pytester.makepyfile(**SUITE)
    return pytester


def test_lists_the_collection_whatever_the_verbosity(project: pytest.Pytester) -> None:
    listing = project.path / "ids.json"
    result = project.runpytest(
        "--collect-only", "-qqq", f"--mvp-shard-list={listing}", plugins=PLUGIN
    )
    assert result.ret == 0
    assert json.loads(listing.read_text()) == IDS


def test_lists_after_the_projects_own_selection(project: pytest.Pytester) -> None:
    listing = project.path / "ids.json"
    project.runpytest(
        "--co", f"--mvp-shard-list={listing}", "-m", "not slow", plugins=PLUGIN
    )
    assert json.loads(listing.read_text()) == [i for i in IDS if "marked" not in i]


def test_runs_only_the_kept_tests_and_reports(project: pytest.Pytester) -> None:
    keep = project.path / "keep.json"
    keep.write_text(
        json.dumps(["test_a.py::test_two[a b]", "test_b.py::TestB::test_three"])
    )
    report = project.path / "report"
    result = project.runpytest(
        f"--mvp-shard-keep={keep}", f"--mvp-shard-report={report}", plugins=PLUGIN
    )
    result.assert_outcomes(passed=1, failed=1, deselected=3)
    selection = json.loads(Path(f"{report}.selection").read_text())
    assert selection == {
        "collected": 5,
        "sha256": collection_digest(IDS),
        "selected": 2,
        "missing": [],
    }
    durations = json.loads(Path(f"{report}.durations").read_text())
    assert set(durations) == {
        "test_a.py::test_two[a b]",
        "test_b.py::TestB::test_three",
    }
    assert all(v >= 0 for v in durations.values())


def test_names_planned_tests_that_were_not_collected(project: pytest.Pytester) -> None:
    keep = project.path / "keep.json"
    keep.write_text(json.dumps(["test_a.py::test_one", "test_a.py::test_gone"]))
    report = project.path / "report"
    result = project.runpytest(
        f"--mvp-shard-keep={keep}", f"--mvp-shard-report={report}", plugins=PLUGIN
    )
    result.assert_outcomes(passed=1, deselected=4)
    assert json.loads(Path(f"{report}.selection").read_text())["missing"] == [
        "test_a.py::test_gone"
    ]


def test_keeping_everything_deselects_nothing(project: pytest.Pytester) -> None:
    keep = project.path / "keep.json"
    keep.write_text(json.dumps(IDS))
    result = project.runpytest(f"--mvp-shard-keep={keep}", plugins=PLUGIN)
    result.assert_outcomes(passed=4, failed=1)
    assert not list(project.path.glob("report*"))


def test_idle_without_its_options(project: pytest.Pytester) -> None:
    result = project.runpytest(plugins=PLUGIN)
    result.assert_outcomes(passed=4, failed=1)


def test_under_xdist_one_worker_reports_and_the_controller_times(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONPATH", str(PLUGIN_DIR))
    keep = project.path / "keep.json"
    keep.write_text(json.dumps(IDS[:3]))
    report = project.path / "report"
    result = project.runpytest_subprocess(
        "-n",
        "2",
        "-p",
        "mvp_process_shard",
        f"--mvp-shard-keep={keep}",
        f"--mvp-shard-report={report}",
    )
    result.assert_outcomes(passed=3)
    assert json.loads(Path(f"{report}.selection").read_text())["selected"] == 3
    assert set(json.loads(Path(f"{report}.durations").read_text())) == set(IDS[:3])
