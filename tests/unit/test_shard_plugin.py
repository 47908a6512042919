"""The pytest plugin a shard loads into the project's pytest (run in-process here)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mvp_process.check.tests import PLUGIN_DIR
from mvp_process.check.pytest_plugin import mvp_process_shard

pytest_plugins = ("pytester",)

# In-process runs get the module object (imported under its package name, so
# coverage sees it); the xdist run loads it by name with `-p`, as a shard does.
PLUGIN = [mvp_process_shard]

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
    # Collected (imported) like any test file, though it holds no test.
    "test_helpers.py": """
HELPER = 1
""",
}
IDS = [
    "test_a.py::test_one",
    "test_a.py::test_two[a b]",
    "test_a.py::test_two[c]",
    "test_a.py::test_marked",
    "test_b.py::TestB::test_three",
]
FILES = ["test_a.py", "test_b.py", "test_helpers.py"]


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeini("[pytest]\nmarkers =\n    slow: slow\n")
    pytester.makepyfile(**SUITE)
    return pytester


def keep_file(project: pytest.Pytester, ids: list[str], files: list[str]) -> Path:
    path = project.path / "keep.json"
    path.write_text(json.dumps({"ids": ids, "files": files}))
    return path


def test_lists_ids_and_files_whatever_the_verbosity(project: pytest.Pytester) -> None:
    listing = project.path / "ids.json"
    result = project.runpytest(
        "--collect-only", "-qqq", f"--mvp-shard-list={listing}", plugins=PLUGIN
    )
    assert result.ret == 0
    assert json.loads(listing.read_text()) == {"ids": IDS, "files": FILES}


def test_lists_after_the_projects_own_selection(project: pytest.Pytester) -> None:
    listing = project.path / "ids.json"
    project.runpytest(
        "--co", f"--mvp-shard-list={listing}", "-m", "not slow", plugins=PLUGIN
    )
    found = json.loads(listing.read_text())
    assert found == {"ids": [i for i in IDS if "marked" not in i], "files": FILES}


def test_runs_only_the_kept_tests_and_reports(project: pytest.Pytester) -> None:
    keep = keep_file(
        project,
        ["test_a.py::test_two[a b]", "test_b.py::TestB::test_three"],
        ["test_a.py", "test_b.py"],
    )
    report = project.path / "report"
    result = project.runpytest(
        f"--mvp-shard-keep={keep}", f"--mvp-shard-report={report}", plugins=PLUGIN
    )
    result.assert_outcomes(passed=1, failed=1, deselected=3)
    assert json.loads(Path(f"{report}.selection").read_text()) == {"collected": IDS}
    durations = json.loads(Path(f"{report}.durations").read_text())
    assert set(durations) == {
        "test_a.py::test_two[a b]",
        "test_b.py::TestB::test_three",
    }
    assert all(v >= 0 for v in durations.values())


def test_files_of_other_slices_are_not_even_imported(project: pytest.Pytester) -> None:
    project.makepyfile(test_other="raise RuntimeError('imported by the wrong shard')")
    project.makeconftest("import os\nos.environ['CONFTEST_LOADED'] = '1'\n")
    keep = keep_file(project, ["test_b.py::TestB::test_three"], ["test_b.py"])
    report = project.path / "report"
    result = project.runpytest(
        f"--mvp-shard-keep={keep}", f"--mvp-shard-report={report}", plugins=PLUGIN
    )
    result.assert_outcomes(failed=1)
    selection = json.loads(Path(f"{report}.selection").read_text())
    assert selection == {"collected": ["test_b.py::TestB::test_three"]}


def test_planned_tests_that_were_not_collected_are_simply_absent(
    project: pytest.Pytester,
) -> None:
    keep = keep_file(project, ["test_a.py::test_one", "test_a.py::test_gone"], FILES)
    report = project.path / "report"
    result = project.runpytest(
        f"--mvp-shard-keep={keep}", f"--mvp-shard-report={report}", plugins=PLUGIN
    )
    result.assert_outcomes(passed=1, deselected=4)
    collected = json.loads(Path(f"{report}.selection").read_text())["collected"]
    assert "test_a.py::test_gone" not in collected  # core names it missing


def test_keeping_everything_deselects_nothing(project: pytest.Pytester) -> None:
    keep = keep_file(project, IDS, FILES)
    result = project.runpytest(f"--mvp-shard-keep={keep}", plugins=PLUGIN)
    result.assert_outcomes(passed=4, failed=1)
    assert not list(project.path.glob("report*"))


def test_idle_without_its_options(project: pytest.Pytester) -> None:
    result = project.runpytest(plugins=PLUGIN)
    result.assert_outcomes(passed=4, failed=1)


def test_paths_outside_the_rootdir_are_left_to_pytest(tmp_path: Path) -> None:
    plugin = object.__new__(mvp_process_shard.ShardPlugin)
    plugin.root, plugin.files = tmp_path / "repo", {"tests/test_a.py"}
    assert plugin.pytest_ignore_collect(tmp_path / "elsewhere" / "t.py") is None
    assert plugin.pytest_ignore_collect(tmp_path / "repo" / "tests/test_a.py") is None
    assert plugin.pytest_ignore_collect(tmp_path / "repo" / "tests/test_b.py") is True
    assert plugin.pytest_ignore_collect(tmp_path / "repo" / "x" / "conftest.py") is None


def test_under_xdist_one_worker_reports_and_the_controller_times(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONPATH", str(PLUGIN_DIR))
    keep = keep_file(project, IDS[:3], ["test_a.py"])
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
    selection = json.loads(Path(f"{report}.selection").read_text())
    assert selection == {"collected": IDS[:4]}
    assert set(json.loads(Path(f"{report}.durations").read_text())) == set(IDS[:3])
