"""Ground truth on real projects: `check`'s figures are the raw tools' figures.

Each project is a release's sdist from the package registry (downloaded once
per session, never committed here) turned into a git repository: `main` holds
the release, a branch adds a partly tested function and its test. By hand,
`pytest --cov=<package>` and `coverage report` give the project figure on
both commits and `diff-cover --compare-branch=main` the changed lines; `check`
(which picks what to measure itself, and recomputes the baseline in a git
worktree) must agree within 0.1 point, with the same uncovered lines.

They cover the layouts `check` must find on its own: a single top-level
module (six), a flat package with a coverage `source` (idna), a src layout
whose version file hatch-vcs writes into the package and git ignores
(iniconfig), a flat package without any coverage settings (more-itertools).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tarfile
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from mvp_process.config_keys import DEFAULT_TEST_GLOBS
from support.cli import run_cli
from support.project import feature_branch
from support.real_projects import ADDED, GROUND_TRUTH, PROJECTS, Project
from support.repo import Repo

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
UNREACHABLE = (
    "No matching distribution",
    "Could not find a version",
    "Max retries exceeded",
    "ConnectionError",
    "NewConnectionError",
    "Temporary failure in name resolution",
    "Network is unreachable",
    "timed out",
)


@pytest.fixture(scope="session")
def sdists(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Project], Path]:
    """Each sdist downloaded once per session (pip's own cache helps after)."""
    folder = tmp_path_factory.mktemp("sdists")
    found: dict[str, Path] = {}

    def get(project: Project) -> Path:
        if project.name not in found:
            found[project.name] = download(project, folder / project.name)
        return found[project.name]

    return get


def download(project: Project, folder: Path) -> Path:
    done = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"]
        + ["--no-binary", ":all:", "--dest", str(folder)]
        + [f"{project.name}=={project.version}"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        if any(sign in done.stdout + done.stderr for sign in UNREACHABLE):
            pytest.skip(f"the package registry is unreachable: {done.stderr[-300:]}")
        raise AssertionError(f"pip download failed:\n{done.stdout}{done.stderr}")
    return next(folder.glob("*.tar.gz"))


def unpack(sdist: Path, dest: Path) -> None:
    with tarfile.open(sdist) as archive:
        archive.extractall(dest.parent / "unpacked", filter="data")
    top = next((dest.parent / "unpacked").iterdir())
    for item in top.iterdir():
        shutil.move(str(item), dest / item.name)


def raw_env(project: Project, repo: Repo, data: Path) -> dict[str, str]:
    env = {"PATH": str(BIN), "COVERAGE_FILE": str(data)}
    if project.src:
        env["PYTHONPATH"] = str(repo.path / "src")
    return env


def raw_total(project: Project, repo: Repo, out: Path) -> float:
    """`pytest --cov=<package>`, then `coverage report`'s TOTAL."""
    out.mkdir()
    env = raw_env(project, repo, out / ".coverage")
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        + [f"--cov={project.package}", f"--cov-report=xml:{out / 'coverage.xml'}"]
        + ["--cov-fail-under=0", *project.args],
        cwd=repo.path,
        env=env,
        check=True,
        capture_output=True,
    )
    report = subprocess.run(
        [sys.executable, "-m", "coverage", "report", "--precision=2", "--fail-under=0"],
        cwd=repo.path,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return float(report.strip().splitlines()[-1].split()[-1].rstrip("%"))


def raw_diff_cover(repo: Repo, xml: Path) -> dict:
    out = xml.with_name("diff-cover.json")
    subprocess.run(
        [str(BIN / "diff-cover"), str(xml), "--compare-branch=main", "--quiet"]
        + ["--format", f"json:{out}", "--total-percent-float"]
        + ["--exclude", *DEFAULT_TEST_GLOBS],
        cwd=repo.path,
        check=True,
        capture_output=True,
    )
    return json.loads(out.read_text())


def lines(ranges: str) -> list[int]:
    found: list[int] = []
    for part in ranges.split(", "):
        first, _, last = part.partition("-")
        found += range(int(first), int(last or first) + 1)
    return found


@pytest.mark.parametrize(
    "project", [PROJECTS[n] for n in GROUND_TRUTH], ids=GROUND_TRUTH
)
def test_check_agrees_with_the_raw_tools(
    project: Project,
    sdists: Callable[[Project], Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    repo = Repo.create(tmp_path)
    unpack(sdists(project), repo.path)
    if project.args:  # the team's pytest arguments, as it would adopt check
        with (repo.path / "pyproject.toml").open("a", encoding="utf-8") as toml:
            toml.write(
                f"\n[tool.mvp-process]\npytest-args = {json.dumps(project.args)}\n"
            )
    repo.commit(f"{project.name} {project.version}")
    repo.push("main")
    repo.git("remote", "set-head", "origin", "main")
    before = raw_total(project, repo, tmp_path / "base")
    module = (repo.path / project.module).read_text(encoding="utf-8")
    test = f"""
    from {project.imports} import mvp_process_probe


    def test_mvp_change():
        assert mvp_process_probe(True) == "yes"
    """
    feature_branch(
        repo,
        {
            project.module: module + ADDED,
            f"{project.tests}/test_mvp_change.py": textwrap.dedent(test),
        },
        name="1-probe",
    )
    after = raw_total(project, repo, tmp_path / "head")
    theirs = raw_diff_cover(repo, tmp_path / "head" / "coverage.xml")

    if project.src:
        monkeypatch.setenv("PYTHONPATH", str(repo.path / "src"))
    argv = ["check", "--skip", "flake8,black", "--baseline", "recompute"]
    result = run_cli(repo.path, argv, monkeypatch, capsys, tmp_path / "report.json")

    assert result.gate("tests")["passed"], result.out
    coverage, diff = result.gate("coverage"), result.gate("diff-coverage")
    assert coverage["baseline"]["source"] == "recomputed", coverage
    assert coverage["before"] == pytest.approx(before, abs=0.01)
    assert coverage["after"] == pytest.approx(after, abs=0.01)
    assert diff["executable_lines"] == theirs["total_num_lines"] > 0
    assert diff["percent"] == pytest.approx(theirs["total_percent_covered"], abs=0.1)
    assert {path: lines(r) for path, r in diff["uncovered"].items()} == {
        path: stats["violation_lines"]
        for path, stats in theirs["src_stats"].items()
        if stats["violation_lines"]
    }
    assert diff["not_measured"] == [] and diff["excluded"] == [
        f"{project.tests}/test_mvp_change.py".removeprefix("./")
    ]
    with capsys.disabled():
        print(
            f"\n{project.name} {project.version}: coverage {before:.2f}% -> "
            f"{after:.2f}% (check {coverage['before']:.2f}% -> "
            f"{coverage['after']:.2f}%); diff {theirs['total_percent_covered']:.2f}%"
            f" of {theirs['total_num_lines']} lines (check {diff['percent']:.2f}%"
            f" of {diff['executable_lines']}); uncovered {diff['uncovered']}"
        )
