"""What the test run measures, decided on real repositories with real coverage.py."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from mvp_process.check import measure
from mvp_process.check.toolenv import ToolEnv
from mvp_process.git import Git
from support.repo import Repo

TOOLS = ToolEnv(python=sys.executable, env={"PATH": str(Path(sys.executable).parent)})
LAYOUT = {
    "src/calc/__init__.py": "",
    "src/calc/ops.py": "X = 1\n",
    "tests/test_ops.py": "",
    "tool.py": "",
    "setup.py": "",
}


@pytest.mark.parametrize(
    ("config", "args"),
    [
        ({}, ("--cov=src/calc", "--cov=tool")),
        ({"pyproject.toml": "[tool.coverage.run]\nsource = ['calc']\n"}, ("--cov",)),
        ({"setup.cfg": "[coverage:run]\nsource = calc\n"}, ("--cov",)),
        ({"tox.ini": "[coverage:run]\nsource_pkgs = calc\n"}, ("--cov",)),
        ({".coveragerc": "[run]\nsource = src\n"}, ("--cov",)),
        (  # mentions coverage and source, sets neither: coverage.py says so
            {"pyproject.toml": "[tool.coverage.run]\nbranch = true  # no source\n"},
            ("--cov=src/calc", "--cov=tool"),
        ),
    ],
)
def test_plan_follows_coverage_wherever_it_reads(
    repo: Repo, config: dict[str, str], args: tuple[str, ...]
) -> None:
    repo.commit("layout", {**LAYOUT, **config})
    assert measure.plan(TOOLS, repo.path, ()) == args


def test_plan_respects_pytest_args_and_an_unreadable_config(repo: Repo) -> None:
    repo.commit("layout", LAYOUT)
    assert measure.plan(TOOLS, repo.path, ("--cov=src",)) == ()
    broken = measure.plan(TOOLS, repo.path, ("--cov-config=missing.cfg",))
    assert broken == ("--cov=src/calc", "--cov=tool")  # pytest says the rest
    rc = repo.path / "ci.rc"
    rc.write_text("[run]\nsource = calc\n")
    assert measure.plan(TOOLS, repo.path, ("--cov-config", "ci.rc")) == ("--cov",)
    env = ToolEnv(TOOLS.python, {**TOOLS.env, "COVERAGE_RCFILE": str(rc)})
    assert measure.plan(env, repo.path, ()) == ("--cov",)


def test_coverage_is_not_asked_when_nothing_could_configure_it(
    tmp_path: Path,
) -> None:
    assert not measure.may_set_source(TOOLS, tmp_path, ())
    (tmp_path / "setup.cfg").write_text("[metadata]\nname = coverage-tools\n")
    assert not measure.may_set_source(TOOLS, tmp_path, ())
    (tmp_path / "tox.ini").write_text("[coverage:run]\nsource = x\n")
    assert measure.may_set_source(TOOLS, tmp_path, ())


def test_a_broken_interpreter_says_nothing(tmp_path: Path) -> None:
    silent = ToolEnv(python="/bin/true", env={})
    assert measure.probe(silent, tmp_path, ()) == {}
    assert measure.environment(silent, tmp_path) == measure.Environment("", ())
    listing = ToolEnv(python=sys.executable, env={"PYTHONSTARTUP": ""})
    assert measure.environment(listing, tmp_path).dists


def test_untracked_files_skip_virtualenvs_without_reading_them(repo: Repo) -> None:
    repo.commit("first", {"a.py": ""})
    repo.write(
        {
            "new/mod.py": "",
            "new/.venv/lib/x.py": "",
            "env2/pyvenv.cfg": "home = /usr\n",
            "env2/lib/y.py": "",
            "node_modules/z.py": "",
            "notes.txt": "",
        }
    )
    assert sorted(measure.untracked_files(Git(repo.path))) == [
        "new/mod.py",
        "notes.txt",
    ]
    assert measure.untracked_python(Git(repo.path)) == ("new/mod.py",)
