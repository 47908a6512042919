"""A monorepo's sub-project: which folder is the project, the `project` name
and what it names (status contexts, the comment's marker, the report)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mvp_process.common import project_folder
from mvp_process.config import load_config
from mvp_process.errors import ConfigError
from mvp_process.github import publishing, statuses
from mvp_process.github.statuses import recorded_figure
from mvp_process.check import black, flake8
from mvp_process.check.baseline import cache_key
from mvp_process.check.measure import Environment
from mvp_process.check.toolenv import ToolEnv
from mvp_process.results import CheckReport, GateResult


@pytest.mark.parametrize(
    ("projects", "cwd", "found"),
    [
        ((), ".", ""),  # no pyproject.toml anywhere: the top
        ((), "pkg/sub", ""),
        (("",), "pkg/sub", ""),  # a single project from a subfolder: as before
        (("", "docs"), ".", ""),  # a pyproject.toml elsewhere changes nothing
        (("", "api"), "api", "api"),
        (("api",), "api/service/deep", "api"),  # the nearest above the folder
        (("api",), "web", ""),  # a folder of no sub-project: the top
        (("services/api", "services"), "services/api/x", "services/api"),
        (("services",), "services/api", "services"),
    ],
)
def test_the_project_is_the_nearest_folder_with_a_pyproject(
    tmp_path: Path, projects: tuple[str, ...], cwd: str, found: str
) -> None:
    top = tmp_path / "repo"
    (top / cwd).mkdir(parents=True)
    for folder in projects:
        (top / folder).mkdir(parents=True, exist_ok=True)
        (top / folder / "pyproject.toml").write_text("")
    assert project_folder(top, top / cwd) == found


def test_a_pyproject_folder_above_the_repository_is_not_the_project(
    tmp_path: Path,
) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "repo" / "a").mkdir(parents=True)
    assert project_folder(tmp_path / "repo", tmp_path / "repo" / "a") == ""


@pytest.mark.parametrize("name", ["api", "web-2", "services/api", "A.b_c", "a" * 64])
def test_names_that_fit_a_context(tmp_path: Path, name: str) -> None:
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.mvp-process]\nproject = "{name}"\n'
    )
    assert load_config(tmp_path, {}).project == name


@pytest.mark.parametrize(
    "value",
    ["my api", "api/", "/api", "a//b", "x-->", "<b>", "-api", ".", "a/../b", "a" * 65],
)
def test_names_that_would_break_a_context_or_the_marker(
    tmp_path: Path, value: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path, {"MVP_PROCESS_PROJECT": value})
    assert caught.value.exit_code == 2
    assert "MVP_PROCESS_* environment: 'project' must be letters" in str(caught.value)


def test_no_project_is_none(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.mvp-process]\nproject = ""\n')
    assert load_config(tmp_path, {"MVP_PROCESS_PROJECT": "  "}).project is None
    with pytest.raises(ConfigError, match="'project' must be a string"):
        load_config(tmp_path, {}, {"project": 3})


def test_contexts_and_markers_per_sub_project() -> None:
    assert statuses.context("tests") == "mvp-process/tests"
    assert statuses.context("tests", None) == "mvp-process/tests"
    assert statuses.context("tests", "api") == "mvp-process/api/tests"
    assert statuses.context("coverage", "a/b") == "mvp-process/a/b/coverage"
    assert statuses.coverage_context() == statuses.COVERAGE_CONTEXT
    assert statuses.coverage_context("api") == "mvp-process/api/coverage"
    assert publishing.marker() == publishing.MARKER == "<!-- mvp-process:check -->"
    markers = {publishing.marker(p) for p in (None, "api", "api/v2", "web")}
    assert "<!-- mvp-process:check:api -->" in markers
    assert not any(a in b for a in markers for b in markers if a != b)


def report(project: str | None, folder: str) -> CheckReport:
    return CheckReport(
        passed=True,
        gates=(GateResult("tests", True, "1 passed"),),
        head_sha="1" * 40,
        base_ref="origin/main",
        merge_base="2" * 40,
        project=project,
        folder=folder,
    )


def test_the_report_names_the_sub_project() -> None:
    plain, sub = report(None, ""), report("api", "services/api")
    assert plain.checked().startswith("HEAD 111111111111")
    assert sub.checked().startswith("services/api/ at HEAD 111111111111")
    assert (sub.to_json()["project"], sub.to_json()["folder"]) == (
        "api",
        "services/api",
    )
    assert publishing.render_comment(plain).startswith(
        "<!-- mvp-process:check -->\n## ✅ mvp-process check passed\n"
    )
    assert publishing.render_comment(sub).startswith(
        "<!-- mvp-process:check:api -->\n## ✅ mvp-process check passed: `api`\n"
        "\n`services/api/` at HEAD `111111111111`"
    )


class Status:
    def __init__(self, context: str, description: str) -> None:
        self.context, self.description, self.creator = context, description, "bot"


def test_a_sub_project_reads_its_own_recorded_figure() -> None:
    listed = [
        Status("mvp-process/web/coverage", "71.43% project coverage; ok"),
        Status("mvp-process/coverage", "90.00% project coverage; ok"),
        Status("mvp-process/api/coverage", "100.00% project coverage; ok"),
    ]
    assert recorded_figure(listed, "bot") == (90.0, [])
    api = statuses.coverage_context("api")
    assert recorded_figure(listed, "bot", api) == (100.0, [])
    assert recorded_figure(listed, "bot", "mvp-process/x/coverage") == (None, [])


def test_tool_output_is_named_from_the_top() -> None:
    (found,) = flake8.parse("./app.py:3:1: F401 'os' imported but unused\n", "api/")
    assert (found.path, found.location()) == ("api/app.py", "api/app.py:3:1")
    root = Path("/repo/api")
    output = (
        "would reformat /repo/api/a.py\n"
        "would reformat b.py\n"
        "error: cannot format /repo/api/c.py: Cannot parse: 1:4: x = (\n"
        "error: cannot parse: d.py:1:5\n"
    )
    assert black.parse(output, root, "api/") == (
        ["api/a.py", "api/b.py"],
        [
            "error: cannot format api/c.py: Cannot parse: 1:4: x = (",
            "error: cannot parse: api/d.py:1:5",
        ],
    )
    assert black.parse(output, root)[0] == ["a.py", "b.py"]


def test_each_sub_project_caches_its_own_baseline() -> None:
    tools, env = ToolEnv("/usr/bin/python3"), Environment("3.12", ("a==1",))
    plain = cache_key("a" * 40, tools, (), env)
    assert plain == cache_key("a" * 40, tools, (), env, "")  # as before
    keys = {plain, cache_key("a" * 40, tools, (), env, "api")}
    keys.add(cache_key("a" * 40, tools, (), env, "web"))
    assert len(keys) == 3
