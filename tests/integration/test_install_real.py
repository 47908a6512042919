"""The install step `init` writes works on real projects, as the runner runs it.

Each project is a release's sdist from the package registry (downloaded once
per session, never committed here) in a fresh git repository. `init` reads how
it declares its test dependencies; for one project of each kind the install
step it wrote then runs as GitHub's runner runs it (`bash -eo pipefail`, in a
fresh virtualenv standing for setup-python's interpreter, `$GITHUB_PATH`
honoured afterwards), and the project's own test suite must collect in the
interpreter the gates then find. `doctor` says the project is missing from
the bare interpreter and present in that one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from mvp_process.config import Config
from mvp_process.git import Git
from mvp_process.setup.doctor_project import project_verdict
from mvp_process.setup.init import WORKFLOW_PATH, init_repository
from support import sdists
from support.cli import run_cli
from support.repo import Repo

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Real:
    requirement: str
    source: str  # where init finds the test dependencies
    local: str  # the command init names
    install: bool = False  # run the step for real
    collect: tuple[str, ...] = ()  # pytest's arguments, if not the project's own
    bare: bool = False  # imports without installing (flat, no dependencies)


PROJECTS = (
    # the case: tests importing freezegun, listed in requirements-dev.txt
    Real(
        "python-dateutil==4.0.0",
        "requirements-dev.txt",
        "python -m pip install -r requirements-dev.txt -e .",
        install=True,
        collect=("tests",),
    ),
    Real(
        "exceptiongroup==1.3.2",
        "[project.optional-dependencies] test",
        "python -m pip install -e '.[test]'",
    ),
    Real(  # PEP 735, through pip >= 25.1
        "toolz==1.2.0",
        "[dependency-groups] test",
        "python -m pip install --group test -e .",
        install=True,
        bare=True,
    ),
    Real(  # uv.lock, its tests need hypothesis
        "attrs==26.1.0",
        "uv.lock, group tests",
        "uv sync --group tests",
        install=True,
        collect=("tests",),
    ),
    # groups win over requirements-dev.txt
    Real(
        "requests==2.34.2",
        "[dependency-groups] test",
        "python -m pip install --group test -e .",
    ),
    # the testing file, not development.txt (which needs ../docs/requirements.txt)
    Real(
        "more-itertools==11.2.1",
        "requirements/testing.txt",
        "python -m pip install -r requirements/testing.txt -e .",
    ),
    Real("cleo==2.1.0", "Poetry, group dev", "poetry install --with dev"),
)


@pytest.fixture(scope="session")
def sdist(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    return sdists.session_cache(tmp_path_factory)


def install_script(repo: Repo) -> str:
    workflow = yaml.safe_load((repo.path / WORKFLOW_PATH).read_text("utf-8"))
    steps: list[dict[str, Any]] = workflow["jobs"]["check"]["steps"]
    script: str = next(s["run"] for s in steps if "Install" in s.get("name", ""))
    return script


class Runner:
    """A runner's job: setup-python's interpreter (a virtualenv) on PATH, a
    step run by bash, `$GITHUB_PATH` read after it."""

    def __init__(self, base: Path) -> None:
        base.mkdir()
        self.base = base
        subprocess.run([sys.executable, "-m", "venv", base / "python"], check=True)
        self.github_path = base / "github_path"
        self.github_path.touch()

    def path(self) -> str:
        added = self.github_path.read_text("utf-8").split()[::-1]
        return os.pathsep.join(
            [*added, str(self.base / "python" / "bin"), os.environ["PATH"]]
        )

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
        return {
            **env,
            "PATH": self.path(),
            "GITHUB_PATH": str(self.github_path),
            "UV_PYTHON_DOWNLOADS": "never",  # uv's Pythons come from github.com
            "POETRY_VIRTUALENVS_PATH": str(self.base / "poetry-venvs"),
        }

    def step(self, script: str, cwd: Path) -> None:
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            cwd=cwd,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=900,
        )
        if done.returncode != 0 and sdists.unreachable(done.stdout + done.stderr):
            pytest.skip(f"the package registry is unreachable: {done.stderr[-300:]}")
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    def python(self) -> str:
        """The `python` the action finds on PATH after the step."""
        found = shutil.which("python", path=self.path())
        assert found is not None
        return found

    def collect(self, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [self.python(), "-m", "pytest", "--collect-only", "-q"]
            + ["-p", "no:cacheprovider", *args],
            cwd=cwd,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=600,
        )


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: p.requirement)
def test_init_installs_the_test_dependencies(
    project: Real,
    sdist: Callable[[str], Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    repo = sdists.project_repo(sdist(project.requirement), tmp_path)
    outcome = run_cli(repo.path, ["init"], monkeypatch, capsys)
    assert outcome.code == 0, outcome.err
    assert f"  install   {project.local} (from {project.source})\n" in outcome.out
    # the same in the workflow (uv there insists on its lock being current)
    line = project.local.replace("uv sync", "uv sync --locked")
    assert install_script(repo).splitlines()[1] == line
    if project.install:
        runs_in_a_fresh_runner(project, repo, tmp_path / "runner")


def runs_in_a_fresh_runner(project: Real, repo: Repo, base: Path) -> None:
    runner = Runner(base)
    bare = Config(python=runner.python())
    before = project_verdict(Git(repo.path), bare, runner.env())
    assert before is not None and before[0] == project.bare, before
    if not project.bare:  # doctor names the line init wrote, for this python
        assert project.local.replace("python -m", f"{runner.python()} -m") in before[2]

    runner.step(install_script(repo), repo.path)

    collected = runner.collect(repo.path, *project.collect)
    assert collected.returncode == 0, collected.stdout[-3000:] + collected.stderr
    assert " collected" in collected.stdout or "tests collected" in collected.stdout
    installed = Config(python=runner.python())
    found = project_verdict(Git(repo.path), installed, runner.env())
    assert found is not None and found[0], found
    tools = [runner.python(), "-c", "import flake8, black, pytest_cov"]
    subprocess.run(tools, check=True)


POETRY_PROJECT = {
    "pyproject.toml": """
    [tool.poetry]
    name = "stamp"
    version = "0.1.0"
    description = "Dates, stamped."
    authors = ["A Developer <dev@example.com>"]
    packages = [{ include = "stamp", from = "src" }]

    [tool.poetry.dependencies]
    python = ">=3.9"

    [tool.poetry.group.test.dependencies]
    freezegun = ">=1.2"
    pytest = ">=8"

    [build-system]
    requires = ["poetry-core>=1.0.0"]
    build-backend = "poetry.core.masonry.api"
    """,
    "src/stamp/__init__.py": '''
    """Dates, stamped."""

    import datetime


    def stamp() -> str:
        return datetime.date.today().isoformat()
    ''',
    "tests/test_stamp.py": """
    from freezegun import freeze_time

    from stamp import stamp


    @freeze_time("2026-01-02")
    def test_stamp():
        assert stamp() == "2026-01-02"
    """,
}


def test_the_poetry_install_step(tmp_path: Path) -> None:
    """A small Poetry project of our own (a real one's resolution takes minutes
    on a cold cache): Poetry's own environment ends up on PATH, with the tools."""
    repo = Repo.create(tmp_path)
    repo.commit("a Poetry project", POETRY_PROJECT)
    init_repository(repo.path)
    runner = Runner(tmp_path / "runner")

    runner.step(install_script(repo), repo.path)

    assert str(tmp_path / "runner" / "poetry-venvs") in runner.python()
    collected = runner.collect(repo.path)
    assert collected.returncode == 0, collected.stdout + collected.stderr
    assert "1 test collected" in collected.stdout
    found = project_verdict(Git(repo.path), Config(python=runner.python()), {})
    assert found == (True, f"the project imports in {runner.python()} (stamp)", "")
