"""Our figures agree with the tools people trust: `diff-cover` and `coverage report`."""

from __future__ import annotations

import json
import subprocess
import sys
from functools import partial
from pathlib import Path

import pytest

from mvp_process.git import Git
from mvp_process.check import diff_coverage, measure
from mvp_process.check.tests import run_pytest
from mvp_process.check.toolenv import ToolEnv
from mvp_process.config_keys import DEFAULT_TEST_GLOBS
from support.project import UNTESTED_FEATURE, feature_branch, sample_project
from support.repo import Repo

BIN = Path(sys.executable).parent
TOOLS = ToolEnv.resolve(None, {"PATH": str(BIN)})

MORE_UNTESTED = {
    "calc/geometry.py": '''
    """Shapes."""


    def area(w, h):
        if w < 0 or h < 0:
            raise ValueError("negative")
        return w * h


    def perimeter(w, h):
        return 2 * (w + h)
    ''',
    "tests/test_geometry.py": """
    from calc.geometry import area


    def test_area():
        assert area(2, 3) == 6
    """,
}


@pytest.fixture
def measured(repo: Repo, tmp_path: Path):
    sample_project(repo)
    feature_branch(repo, {**UNTESTED_FEATURE, **MORE_UNTESTED})
    run = run_pytest(TOOLS, repo.path, tmp_path / "out")
    return repo, run


def test_diff_coverage_agrees_with_diff_cover_cli(measured, tmp_path: Path) -> None:
    repo, run = measured
    base = repo.sha("main")
    lookup = partial(measure.lookup, TOOLS, repo.path, (), None, tmp_path)
    ours = diff_coverage.run(
        Git(repo.path).diff_against(base), run.coverage_xml, repo.path, 80.0, lookup
    )
    theirs_file = tmp_path / "diff-cover.json"
    subprocess.run(
        [
            str(BIN / "diff-cover"),
            str(run.coverage_xml),
            f"--compare-branch={base}",
            "--format",
            f"json:{theirs_file}",
            "--quiet",
            "--exclude",
            *DEFAULT_TEST_GLOBS,
        ],
        cwd=repo.path,
        check=False,
        capture_output=True,
    )
    theirs = json.loads(theirs_file.read_text())
    assert ours.metrics["percent"] == pytest.approx(
        theirs["total_percent_covered"], abs=0.01
    )
    assert ours.metrics["executable_lines"] == theirs["total_num_lines"]
    assert ours.metrics["uncovered_lines"] == theirs["total_num_violations"]
    for path, stats in theirs["src_stats"].items():
        uncovered = [
            line
            for finding in ours.findings
            if finding.path == path
            for line in range(finding.line, (finding.end_line or finding.line) + 1)
        ]
        assert uncovered == stats["violation_lines"]
    assert ours.metrics["uncovered"] == {
        "calc/__init__.py": "13-15, 19",
        "calc/geometry.py": "6, 11",
    }


def test_project_figure_agrees_with_coverage_report(measured) -> None:
    repo, run = measured
    report = subprocess.run(
        [
            sys.executable,
            "-m",
            "coverage",
            "report",
            "--precision=2",
            f"--data-file={run.outdir / '.coverage'}",
        ],
        cwd=repo.path,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    total_line = next(line for line in report.splitlines() if line.startswith("TOTAL"))
    assert run.coverage_percent is not None
    assert f"{run.coverage_percent:.2f}%" == total_line.split()[-1]
    assert run.coverage_percent < 100
