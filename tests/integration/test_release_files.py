"""Releases: one version, the changelog, the release workflow, the README's pin.

`.ci/wheel-test` itself (build, install the wheel, run the suite) runs in `.ci/run`
and in the release workflow; here are its inputs and the rules around it.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

import mvp_process
from mvp_process.setup.init import ACTION_REPOSITORY, init_repository
from support import actions_node
from support.repo import Repo

ROOT = Path(__file__).resolve().parents[2]
RELEASE_PY = ROOT / ".ci" / "release.py"
WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"
SHA = "0123456789abcdef0123456789abcdef01234567"


def release_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("release", RELEASE_PY)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


release = release_module()


def run_release(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, RELEASE_PY, *args], capture_output=True, text=True
    )


def test_the_version_is_written_once() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    assert "version" not in project["project"]
    assert project["project"]["dynamic"] == ["version"]
    dynamic = project["tool"]["setuptools"]["dynamic"]["version"]
    assert dynamic == {"attr": "mvp_process.__version__"}
    version = mvp_process.__version__
    assert importlib.metadata.version("mvp-process") == version
    assert run_release("version").stdout.strip() == version


def test_the_changelog_keeps_a_changelog() -> None:
    text = (ROOT / "CHANGELOG.md").read_text("utf-8")
    assert text.startswith("# Changelog\n")
    sections = release.sections(text)
    assert list(sections)[0] == "Unreleased"
    date, body = sections[mvp_process.__version__]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", date)
    assert body.startswith("### Added\n")
    headings = re.findall(r"^### (.+)$", text, re.M)
    kinds = {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}
    assert headings and set(headings) <= kinds


def test_the_current_version_can_be_released() -> None:
    tag = f"v{mvp_process.__version__}"
    done = run_release("check", tag)
    assert (done.returncode, done.stdout) == (0, f"release {tag}: ready\n")
    notes = run_release("notes", tag, f"{ACTION_REPOSITORY}@{SHA}").stdout
    assert notes.startswith("### Added\n") and "## [" not in notes
    assert f"- uses: {ACTION_REPOSITORY}@{SHA} # {tag}\n" in notes
    assert f"pip install mvp-process=={mvp_process.__version__}\n" in notes


def fake_project(root: Path, version: str, changelog: str) -> Path:
    (root / "src" / "mvp_process").mkdir(parents=True)
    init = f'"""x"""\n\n__version__ = "{version}"\n'
    (root / "src" / "mvp_process" / "__init__.py").write_text(init)
    (root / "CHANGELOG.md").write_text(changelog)
    return root


CHANGELOG = """# Changelog

## [Unreleased]

### Fixed

- Something after 1.2.0.

## [1.2.0] - 2027-01-02

### Added

- The thing.

## [1.1.0]

### Added

- Not dated.
"""


@pytest.mark.parametrize(
    ("version", "tag", "message"),
    [
        ("1.2.0", "1.2.0", "is not vX.Y.Z"),
        ("1.2.0", "v1.2", "is not vX.Y.Z"),
        ("1.2.0", "v1.3.0", "package version is 1.2.0"),
        ("1.1.0", "v1.1.0", "no dated section for 1.1.0"),
        ("1.4.0", "v1.4.0", "no dated section for 1.4.0"),
    ],
)
def test_a_release_that_would_be_wrong_is_refused(
    tmp_path: Path, version: str, tag: str, message: str
) -> None:
    root = fake_project(tmp_path, version, CHANGELOG)
    with pytest.raises(release.ReleaseError, match=message):
        release.notes(tag, root)


def test_the_notes_are_the_versions_section(tmp_path: Path) -> None:
    root = fake_project(tmp_path, "1.2.0", CHANGELOG)
    assert release.notes("v1.2.0", root) == "### Added\n\n- The thing."
    assert release.sections(CHANGELOG)["Unreleased"][0] is None
    (root / "src" / "mvp_process" / "__init__.py").write_text("VERSION = 1\n")
    with pytest.raises(release.ReleaseError, match="does not set __version__"):
        release.version(root)
    assert run_release("nonsense").returncode == 2
    assert run_release("check", "v0.0.0").returncode == 1


def workflow() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(WORKFLOW.read_text("utf-8"))
    return data


def test_a_version_tag_and_nothing_else_releases() -> None:
    assert workflow()[True] == {"push": {"tags": ["v[0-9]+.[0-9]+.[0-9]+"]}}
    assert workflow()["concurrency"] == {
        "group": "release",
        "cancel-in-progress": False,
    }


def test_build_then_pypi_then_the_github_release() -> None:
    jobs = workflow()["jobs"]
    assert list(jobs) == ["build", "pypi", "github-release"]
    assert (jobs["pypi"]["needs"], jobs["github-release"]["needs"]) == ("build", "pypi")
    runs = [s.get("run", "") for s in jobs["build"]["steps"]]
    assert '.ci/wheel-test --tag "$TAG" -n auto' in runs
    assert ".ci/wheel-test" in (ROOT / ".ci" / "run").read_text("utf-8")
    assert jobs["build"]["permissions"] == {"contents": "read"}


def test_trusted_publishing_only_in_the_pypi_job() -> None:
    text = WORKFLOW.read_text("utf-8")
    assert "secrets." not in text and "password" not in text
    jobs = workflow()["jobs"]
    assert jobs["pypi"]["permissions"] == {"id-token": "write"}
    assert jobs["pypi"]["environment"]["name"] == "pypi"
    others = [j["permissions"] for name, j in jobs.items() if name != "pypi"]
    assert all("id-token" not in p for p in others)
    publish = jobs["pypi"]["steps"][-1]
    assert publish["uses"].startswith("pypa/gh-action-pypi-publish@")
    assert "with" not in publish  # no token, no repository override


def test_no_job_with_write_access_runs_the_repositorys_code() -> None:
    jobs = workflow()["jobs"]
    assert jobs["github-release"]["permissions"] == {"contents": "write"}
    for name in ("pypi", "github-release"):
        uses = [s.get("uses", "") for s in jobs[name]["steps"]]
        assert not any("checkout" in u for u in uses), name
        runs = " ".join(s.get("run", "") for s in jobs[name]["steps"])
        assert ".ci/" not in runs and "python" not in runs, name
    moving = jobs["github-release"]["steps"][-1]["run"]
    assert 'major="${TAG%%.*}"' in moving and '-f sha="$GITHUB_SHA"' in moving


def readme_block(word: str) -> str:
    """The shell block of README's "Adopt it" that holds `word`, unindented."""
    readme = (ROOT / "README.md").read_text("utf-8")
    adopt = readme[readme.index("## Adopt it") : readme.index("## Commands")]
    blocks = re.findall(r"```sh\n(.*?)```", adopt, re.S)
    (recipe,) = [b for b in blocks if word in b]
    return re.sub(r"(?<=\n)\s+", "", "\n" + recipe).strip()


def readme_pin_recipe() -> str:
    """The shell block of README's "Adopt it" that pins the action."""
    return readme_block("git ls-remote")


def test_the_readme_leads_from_init_to_a_release_pinned_uses_line(
    tmp_path: Path,
) -> None:
    init_repository(tmp_path, staging_app="acme-staging", production_app="acme")
    recipe = readme_pin_recipe()
    assert recipe.startswith("tag=vX.Y.Z\nsha=")
    # The commit that `git ls-remote` would print (no network here).
    script = recipe.replace("tag=vX.Y.Z", "tag=v1.2.3")
    script = re.sub(r"^sha=.*$", f"sha={SHA}", script, flags=re.M)
    subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, check=True)

    path = tmp_path / ".github" / "workflows" / "mvp-process.yml"
    text = path.read_text("utf-8")
    ours = [line for line in text.splitlines() if f"{ACTION_REPOSITORY}@" in line]
    pinned = f"uses: {ACTION_REPOSITORY}@{SHA} # v1.2.3"
    steps = [line.strip() for line in ours if not line.lstrip().startswith("#")]
    assert len(steps) == 4 and all(s.endswith(pinned) for s in steps), steps
    assert "unpinned-uses" not in "\n".join(steps)
    jobs = yaml.safe_load(text)["jobs"]
    uses = [s.get("uses") for job in jobs.values() for s in job["steps"]]
    assert uses.count(f"{ACTION_REPOSITORY}@{SHA}") == 4
    assert actions_node.errors("workflow", text, str(path)) == []
    zizmor = Path(sys.executable).parent / "zizmor"
    done = subprocess.run(
        [zizmor, "--offline", "--persona=pedantic", "--format=json", path],
        capture_output=True,
        text=True,
    )
    assert done.stdout.strip() == "[]", done.stdout


ACME = {
    "pyproject.toml": """
    [project]
    name = "acme"
    version = "1.0.0"
    requires-python = ">=3.11"

    [project.optional-dependencies]
    test = ["freezegun>=1.2"]

    [build-system]
    requires = ["setuptools>=61"]
    build-backend = "setuptools.build_meta"

    [tool.pytest.ini_options]
    testpaths = ["tests"]
    """,
    "src/acme/__init__.py": '''"""Acme's invoices."""\n''',
    "src/acme/invoices.py": '''
    """Invoice numbers."""

    import datetime


    def invoice_number(prefix: str) -> str:
        """The prefix and today's date."""
        return f"{prefix}-{datetime.date.today():%Y%m%d}"
    ''',
    "tests/test_invoices.py": """
    from freezegun import freeze_time

    from acme.invoices import invoice_number


    @freeze_time("2026-03-04")
    def test_invoice_number():
        assert invoice_number("INV") == "INV-20260304"
    """,
    "Procfile": "web: gunicorn acme.wsgi\nrelease: python -m acme.migrate\n",
    ".gitignore": ".venv/\n__pycache__/\n*.egg-info/\nbuild/\n.coverage\n",
    "README.md": "# acme\n\nInvoices.\n",
}


def release_copy(dest: Path) -> Path:
    """What `pip install mvp-process==X.Y.Z` would fetch: this checkout's
    package, copied so that building it writes nothing here."""
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, dest / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    shutil.copytree(ROOT / "src", dest / "src", ignore=ignore)
    return dest


def sh(line: str, cwd: Path, venv: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env['PATH']}"
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", line],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.slow
def test_the_readme_leads_a_fresh_repository_to_green_gates(tmp_path: Path) -> None:
    """A new project, in its own virtualenv, follows "Adopt it" word for word:
    `init`, `doctor` (exit 0, no token on a laptop), `check` (green)."""
    repo = Repo.create(tmp_path)
    repo.commit("Acme invoices", ACME)
    repo.push("main")
    venv = repo.path / ".venv"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    # "the project installed there with its test dependencies"
    ready = sh("python -m pip install -q -e '.[test]'", repo.path, venv)
    assert ready.returncode == 0, ready.stderr
    (tmp_path / "release").mkdir()
    package = release_copy(tmp_path / "release")
    install = f"pip install -q -c {ROOT / 'constraints.txt'} {package}"

    setup = readme_block("mvp_process init").splitlines()
    assert setup[0] == "pip install mvp-process==X.Y.Z"
    outputs = [sh(line, repo.path, venv) for line in [install, *setup[1:]]]

    for line, done in zip(setup, outputs):
        assert done.returncode == 0, f"{line}\n{done.stdout}{done.stderr}"
    doctor = outputs[-1].stdout
    assert setup[-1] == "python -m mvp_process doctor"
    assert doctor.endswith("Setup complete.\n") and "FAIL" not in doctor, doctor
    assert "PASS project      the project imports in" in doctor
    init = outputs[1].stdout
    assert "  install   python -m pip install -e '.[test]'" in init
    assert "  deploys   staging, production" in init

    check = sh(readme_block("mvp_process check"), repo.path, venv)
    assert check.returncode == 0, check.stdout + check.stderr
    for gate in ("flake8", "black", "tests", "coverage", "diff-coverage"):
        assert re.search(rf"PASS\s+{gate}\b", check.stdout + check.stderr), gate
