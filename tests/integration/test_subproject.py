"""A sub-project of a monorepo, piece by piece on real repositories: its diff,
its files, black's settings found as black finds them, its baseline recomputed
in its own folder of the merge-base, its failing tests named from the top."""

from __future__ import annotations

import sys
from pathlib import Path

from mvp_process.check import black, lintfiles
from mvp_process.check.baseline import RecomputeBaseline
from mvp_process.check.coverage import Baseline, NoBaseline
from mvp_process.check.run import run_check
from mvp_process.check.toolenv import ToolEnv
from mvp_process.config import Config
from mvp_process.git import Git
from support.monorepo import API_CHANGE, FILES, WEB_CHANGE, monorepo
from support.project import feature_branch
from support.repo import Repo

TOOLS = ToolEnv(python=sys.executable, env={"PATH": str(Path(sys.executable).parent)})


def test_the_diff_and_the_files_are_the_sub_project_s_own(repo: Repo) -> None:
    base = monorepo(repo, push=False)
    repo.commit("a sibling whose name starts alike", {"apiv2/x.py": "X = 1\n"})
    feature_branch(repo, {**API_CHANGE, **WEB_CHANGE, "apiv2/x.py": "X = 2\n"})
    (repo.path / "api" / "new.py").write_text("N = 1\n")  # untracked
    api, top = Git(repo.path, "api/"), Git(repo.path)
    assert (api.project, api.prefix, api.project_dir) == (
        "api",
        "api/",
        repo.path / "api",
    )
    diff = api.diff_against(base, ["api/new.py"])
    named = [line for line in diff.splitlines() if line.startswith("+++ ")]
    assert named == [
        "+++ b/new.py",
        "+++ b/service/__init__.py",
        "+++ b/tests/test_mul.py",
    ]
    assert "+++ b/web/site_pkg/__init__.py" in top.diff_against(base)
    assert sorted(lintfiles.repository_files(api)) == [
        "new.py",
        "pyproject.toml",
        "service/__init__.py",
        "tests/test_mul.py",
        "tests/test_service.py",
    ]
    assert "scripts/release.py" in lintfiles.repository_files(top)


def test_uncommitted_work_counts_only_inside_the_sub_project(repo: Repo) -> None:
    monorepo(repo, push=False)
    (repo.path / "web" / "legacy.py").write_text("import sys\nimport os\n")
    assert Git(repo.path, "web").has_tracked_changes()
    assert Git(repo.path).has_tracked_changes()
    assert not Git(repo.path, "api").has_tracked_changes()


def test_black_finds_its_settings_from_the_sub_project_up(repo: Repo) -> None:
    """api/pyproject.toml has no [tool.black]: black takes the top's, as it
    does itself (its project root is the nearest folder with .git or with a
    pyproject.toml holding [tool.black]); web's own table wins for web."""
    top = '[tool.black]\nline-length = 100\nextend-exclude = "generated"\n'
    long_line = "X = " + repr("x" * 90).replace("'", '"') + "\n"  # 96 characters
    monorepo(repo, push=False)
    repo.commit(
        "top settings",
        {
            "pyproject.toml": top,
            "api/service/wide.py": long_line,
            "api/generated/ugly.py": "x=1\n",
            "web/site_pkg/ugly.py": "x=1\n",
        },
    )
    api = Git(repo.path, "api")
    files = lintfiles.repository_files(api)
    result = black.run(TOOLS, api.project_dir, files, prefix=api.prefix)
    assert result.passed, result.details  # 96 < 100; generated/ excluded
    web = Git(repo.path, "web")
    files = lintfiles.repository_files(web)
    result = black.run(TOOLS, web.project_dir, files, prefix=web.prefix)
    assert result.metrics["files"] == ["web/site_pkg/ugly.py"]
    assert result.details == ("web/site_pkg/ugly.py:1: would reformat",)


def test_the_baseline_runs_the_sub_project_s_tests_in_its_folder(repo: Repo) -> None:
    base = monorepo(repo, push=False)
    feature_branch(repo, WEB_CHANGE)
    api = RecomputeBaseline(Git(repo.path, "api"), TOOLS).find(base)
    web = RecomputeBaseline(Git(repo.path, "web"), TOOLS).find(base)
    assert isinstance(api, Baseline) and isinstance(web, Baseline)
    assert api.percent == 100.0 and 0 < web.percent < 100.0  # each its own figure
    again = RecomputeBaseline(Git(repo.path, "web"), TOOLS).find(base)
    assert isinstance(again, Baseline)
    assert (again.source, again.percent) == ("cache", web.percent)


def test_a_sub_project_new_in_the_pull_request_has_no_baseline(repo: Repo) -> None:
    base = monorepo(repo, push=False)
    new = {f"new/{k.split('/', 1)[1]}": v for k, v in FILES.items() if "api/" in k}
    feature_branch(repo, new)
    found = RecomputeBaseline(Git(repo.path, "new"), TOOLS).find(base)
    assert isinstance(found, NoBaseline)
    assert found.reason == f"new/ does not exist on {base[:12]}"


FAILING = {"api/tests/test_broken.py": "def test_broken():\n    assert 1 == 2\n"}


def test_failing_tests_are_annotated_at_the_repository_s_path(repo: Repo) -> None:
    monorepo(repo, push=False)
    feature_branch(repo, FAILING)
    report = run_check(Git(repo.path, "api"), TOOLS, Config(), ("tests",))
    (failure,) = report.gates[0].findings
    assert (failure.path, failure.line) == ("api/tests/test_broken.py", 1)
    assert "tests/test_broken.py::test_broken" in failure.message
    # Its detail line too, so the reports link it (the rerun stays the api's).
    gate = report.gates[0]
    assert gate.details == (
        "api/tests/test_broken.py:1: FAILED test_broken: assert 1 == 2",
    )
    assert gate.about()(gate.details[0]) == failure
    assert gate.hint is not None
    assert gate.hint.command == "python -m pytest tests/test_broken.py::test_broken"


def test_a_rootdir_above_the_sub_project_is_not_named_twice(repo: Repo) -> None:
    """A pytest.ini at the top makes it pytest's rootdir: pytest names the file
    from there already."""
    monorepo(repo, push=False)
    own = FILES["api/pyproject.toml"].split("[tool.pytest.ini_options]")[0]
    top = {"pytest.ini": "[pytest]\n", "api/pyproject.toml": own}
    feature_branch(repo, {**FAILING, **top})
    report = run_check(Git(repo.path, "api"), TOOLS, Config(), ("tests",))
    (failure,) = report.gates[0].findings
    assert failure.path == "api/tests/test_broken.py"
    assert failure.message.startswith("api/tests/test_broken.py::test_broken: ")
