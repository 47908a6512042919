"""flake8 and black look at what the repository holds, with their own excludes.

Real repositories, the real tools in this interpreter. Each repository holds
lint on purpose where it must not be seen (a virtualenv, `build/`, folders the
project's own config excludes) and where it must (an untracked new module).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mvp_process.check import black, flake8, lintfiles
from mvp_process.check.policy import Changes
from mvp_process.check.toolenv import ToolEnv
from mvp_process.git import Git
from support.repo import Repo

TOOLS = ToolEnv(python=sys.executable, env={"PATH": str(Path(sys.executable).parent)})
LINT = "import os\n"  # F401, and fine for black
UGLY = "x=1\n"  # black would reformat it, flake8 finds E225
CLEAN = "X = 1\n"


def lint(repo: Repo) -> tuple[set[str], set[str]]:
    """(files with flake8 findings, files black would reformat), gates as `check`
    runs them."""
    git = Git(repo.path)
    found = flake8.run(TOOLS, repo.path, lintfiles.repository_files(git))
    files = lintfiles.repository_files(git)
    formatted = black.run(TOOLS, repo.path, files)
    return {f.path for f in found.findings}, set(formatted.metrics["files"])


def test_a_virtualenv_build_output_and_ignored_files_are_not_the_project(
    repo: Repo, tmp_path: Path
) -> None:
    repo.commit(
        "project", {"pkg/__init__.py": CLEAN, ".gitignore": "build/\n*.gen.py\n"}
    )
    # A real virtualenv inside the checkout, which .gitignore does not name
    # (Python 3.11's venv writes no .gitignore of its own): pyvenv.cfg says
    # what it is. Plus lint in it, in build/ and in an ignored file.
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(repo.path / "env")],
        check=True,
    )
    repo.write(
        {
            "env/lib/site.py": UGLY,
            "build/lib/pkg/__init__.py": UGLY,
            "pkg/table.gen.py": UGLY,
            "pkg/new.py": LINT + UGLY,  # untracked, not ignored: the project's
        }
    )
    assert repo.git("status", "--porcelain", "--untracked-files=all", "env")

    assert lint(repo) == ({"pkg/new.py"}, {"pkg/new.py"})


def test_flake8_excludes_apply_to_the_folders_above_each_file(repo: Repo) -> None:
    # flake8 matches a file it is given by the file's own name and path only:
    # `exclude = migrations` would keep app/migrations/0001.py were it named
    # as it is. The gate drops it, as `flake8 .` does.
    repo.commit(
        "project",
        {
            ".flake8": "[flake8]\nexclude = migrations,./vendored\n"
            "extend-exclude = */fixtures/*\nfilename = *.py,*.pyw\n",
            "app/migrations/0001.py": LINT,
            "vendored/lib/mod.py": LINT,
            "tests/fixtures/case.py": LINT,
            "app/views.py": LINT,
            "app/gui.pyw": LINT,
        },
    )
    named = subprocess.run(
        [sys.executable, "-m", "flake8", "app/migrations/0001.py"],
        cwd=repo.path,
        capture_output=True,
        text=True,
    )
    assert "F401" in named.stdout  # flake8 itself keeps a named excluded file
    by_hand = subprocess.run(
        [sys.executable, "-m", "flake8", "."],
        cwd=repo.path,
        capture_output=True,
        text=True,
    )
    result = flake8.run(TOOLS, repo.path, lintfiles.repository_files(Git(repo.path)))
    assert sorted(f.path for f in result.findings) == ["app/gui.pyw", "app/views.py"]
    assert sorted(line[2:] for line in by_hand.stdout.splitlines()) == [
        f"{f.path}:1:1: F401 'os' imported but unused" for f in result.findings
    ]
    assert result.metrics["files"] == 2


@pytest.mark.parametrize(
    "settings",
    [
        'extend-exclude = "^/legacy/"',
        'exclude = "/(legacy|\\\\.git)/"',
        'force-exclude = "legacy"',
        "extend-exclude = '''\n(\n  ^/legacy/   # old code\n  | ^/other/\n)\n'''",
    ],
    ids=["extend-exclude", "exclude", "force-exclude", "verbose"],
)
def test_black_excludes_apply_to_named_files(repo: Repo, settings: str) -> None:
    repo.commit(
        "project",
        {
            "pyproject.toml": f"[tool.black]\n{settings}\n",
            "legacy/old.py": UGLY,
            "app/new.py": UGLY,
        },
    )
    files = lintfiles.repository_files(Git(repo.path))
    assert black.selection(repo.path, files)[0] == ["app/new.py", "legacy/old.py"]
    result = black.run(TOOLS, repo.path, files)
    assert result.metrics["files"] == ["app/new.py"]


def test_black_default_excludes_still_apply(repo: Repo) -> None:
    """`black .` skips build/, dist/, venv/ ... even when they are tracked."""
    repo.commit("project", {"build/gen.py": UGLY, "dist/x.py": UGLY, "a.py": UGLY})
    files = lintfiles.repository_files(Git(repo.path))
    assert black.run(TOOLS, repo.path, files).metrics["files"] == ["a.py"]
    # A project `exclude` replaces the defaults, as in black.
    repo.commit("config", {"pyproject.toml": '[tool.black]\nexclude = "^/dist/"\n'})
    result = black.run(TOOLS, repo.path, files)
    assert sorted(result.metrics["files"]) == ["a.py", "build/gen.py"]


def test_black_reads_the_settings_black_itself_reads(repo: Repo) -> None:
    """With every file in a sub-project holding its own [tool.black], black takes
    that folder as its root: its settings, paths relative to it."""
    repo.commit(
        "project",
        {
            "pyproject.toml": '[tool.black]\nextend-exclude = "^/api/"\n',
            "api/pyproject.toml": '[tool.black]\nextend-exclude = "^/gen/"\n',
            "api/gen/x.py": UGLY,
            "api/app.py": UGLY,
        },
    )
    files = lintfiles.repository_files(Git(repo.path))
    python = ["api/app.py", "api/gen/x.py"]
    assert black.settings_folder(repo.path, python) == repo.path / "api"
    assert black.selection(repo.path, files)[0] == python
    assert black.run(TOOLS, repo.path, files).metrics["files"] == ["api/app.py"]


def test_deleted_and_unmerged_entries_are_not_named(repo: Repo) -> None:
    repo.commit("project", {"a.py": CLEAN, "b.py": CLEAN})
    (repo.path / "b.py").unlink()  # still in the index
    assert lintfiles.repository_files(Git(repo.path)) == ["a.py"]
    assert flake8.run(TOOLS, repo.path, ["a.py"]).passed


def test_names_go_through_standard_input_not_the_command_line(repo: Repo) -> None:
    """However many files, the command line stays short (no ARG_MAX to meet)."""
    long = "d" * 120
    files = {f"{long}/m{i:04d}_{long}.py": CLEAN for i in range(1500)}
    repo.commit("many files", files)
    listed = lintfiles.repository_files(Git(repo.path))
    assert len(listed) == 1500 and sum(map(len, listed)) > 350_000
    result, status = lintfiles.run(TOOLS, "flake8", [], listed, repo.path)
    assert result.returncode == 0 and status["files"] == 1500
    assert sum(len(a) for a in result.args) < 20_000  # the launcher's own text


def test_an_unread_flake8_table_is_said(repo: Repo, tmp_path: Path) -> None:
    repo.commit(
        "project",
        {
            "pyproject.toml": "[tool.flake8]\nmax-line-length = 120\n",
            "a.py": f"X = {'1' * 90}\n",
        },
    )
    result = flake8.run(TOOLS, repo.path, ["a.py"])
    assert [f.code for f in result.findings] == ["E501"]
    assert result.details[-1] == flake8.UNREAD_TABLE
    # Where flake8-pyproject (module `flake8p`) imports, no such note.
    (tmp_path / "plugin").mkdir()
    (tmp_path / "plugin" / "flake8p.py").write_text("")
    with_plugin = ToolEnv(
        TOOLS.python, {**TOOLS.env, "PYTHONPATH": str(tmp_path / "plugin")}
    )
    assert (
        flake8.UNREAD_TABLE not in flake8.run(with_plugin, repo.path, ["a.py"]).details
    )


def test_no_files_lints_nothing(repo: Repo) -> None:
    """With no names both tools would lint the current folder: they must not."""
    repo.write({"a.py": LINT})  # there, but not handed over
    assert flake8.run(TOOLS, repo.path, []).summary == "no findings"
    assert black.run(TOOLS, repo.path, []).summary == "no changes needed"


def test_black_reports_its_own_invalid_exclude(repo: Repo) -> None:
    repo.commit("project", {"pyproject.toml": '[tool.black]\nexclude = "("\n'})
    repo.write({"a.py": CLEAN})
    result = black.run(TOOLS, repo.path, ["a.py", "pyproject.toml"])
    assert result.summary == "black could not run (exit code 2)"
    assert any("exclude" in line for line in result.details)


def test_black_scope_splits_unparsable_files_too(repo: Repo) -> None:
    repo.write({"old.py": "def f(:\n", "new.py": "def g(:\n", "ugly.py": UGLY})
    files = ["new.py", "old.py", "ugly.py"]
    scope = Changes({"new.py": None})
    result = black.run(TOOLS, repo.path, files, scope=scope)
    assert not result.passed
    assert result.summary == (
        "0 files of the changed ones would be reformatted, 1 could not be parsed; "
        "2 files outside them would not pass"
    )
    assert result.details[0].startswith("error: cannot ")
    assert "new.py" in result.details[0] and "old.py" not in "".join(result.details)
    assert result.metrics["outside"] == 2
