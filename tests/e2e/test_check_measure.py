"""What `check` measures, and what it says it checked (issue 9, parts 1, 3, 5).

Real repositories; each test failed before the fix it names.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mvp_process.config_keys import DEFAULT_TEST_GLOBS
from support.cli import Outcome, run_cli
from support.project import CALC, TESTS, TESTED_FEATURE, feature_branch, sample_project
from support.repo import Repo

BIN = Path(sys.executable).parent
FLAT = {  # no [tool.coverage.run] source: the seed's bare --cov measured tests too
    "pyproject.toml": "[tool.pytest.ini_options]\ntestpaths = ['tests']\n",
    "calc/__init__.py": CALC,
    "tests/test_calc.py": TESTS,
    ".gitignore": "__pycache__/\n",
}
PARTLY_TESTED = {
    "calc/shapes.py": """
    def area(w, h):
        if w < 0:
            raise ValueError(w)
        return w * h


    def perimeter(w, h):
        return 2 * (w + h)
    """,
    "tests/test_shapes.py": """
    from calc.shapes import area


    def test_area():
        assert area(2, 3) == 6


    def test_area_again():
        assert area(1, 1) == 1
    """,
}


@pytest.fixture
def check(
    repo: Repo,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
):
    def run(*args: str) -> Outcome:
        report = tmp_path / "report.json"
        report.unlink(missing_ok=True)
        return run_cli(repo.path, ["check", *args], monkeypatch, capsys, report)

    return run


def flat_project(repo: Repo) -> str:
    sha = repo.commit("flat project", FLAT)
    repo.push("main")
    return sha


def raw_tools(repo: Repo, tmp_path: Path, cov: str) -> tuple[float, dict]:
    """`pytest --cov=<cov>`, `coverage report` and `diff-cover` by hand."""
    xml, data = tmp_path / "raw.xml", tmp_path / "raw.coverage"
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        + [f"--cov={cov}", f"--cov-report=xml:{xml}"],
        cwd=repo.path,
        env={"PATH": str(BIN), "COVERAGE_FILE": str(data)},
        check=True,
        capture_output=True,
    )
    report = subprocess.run(
        [sys.executable, "-m", "coverage", "report", f"--data-file={data}"]
        + ["--precision=2"],
        cwd=repo.path,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    total = float(report.strip().splitlines()[-1].split()[-1].rstrip("%"))
    out = tmp_path / "diff-cover.json"
    subprocess.run(
        [str(BIN / "diff-cover"), str(xml), "--compare-branch=main", "--quiet"]
        + ["--format", f"json:{out}", "--total-percent-float"]
        + ["--exclude", *DEFAULT_TEST_GLOBS],
        cwd=repo.path,
        check=True,
        capture_output=True,
    )
    return total, json.loads(out.read_text())


def test_a_flat_project_measures_its_package_not_its_tests(
    repo: Repo, check, tmp_path: Path
) -> None:
    """Bare --cov counted the new test file's lines as covered changed lines."""
    flat_project(repo)
    feature_branch(repo, PARTLY_TESTED)
    result = check("--only", "tests,diff-coverage,coverage")
    gate = result.gate("diff-coverage")
    total, theirs = raw_tools(repo, tmp_path, "calc")
    assert gate["executable_lines"] == theirs["total_num_lines"] == 6
    assert gate["percent"] == pytest.approx(theirs["total_percent_covered"], abs=0.1)
    assert result.gate("coverage")["after"] == pytest.approx(total, abs=0.01)
    assert gate["uncovered"] == {"calc/shapes.py": "3, 8"}
    assert gate["excluded"] == ["tests/test_shapes.py"]
    assert result.report["passed"] is False


def test_a_module_no_test_imports_counts(repo: Repo, check) -> None:
    """It passed both gates as a module "which coverage does not measure"."""
    flat_project(repo)
    body = "".join(f"\ndef f{i}(x):\n    return x + {i}\n" for i in range(40))
    feature_branch(repo, {"calc/unused.py": body})
    result = check("--only", "coverage,diff-coverage")
    assert result.code == 1
    diff = result.gate("diff-coverage")
    assert diff["percent"] == 0.0 and diff["executable_lines"] == 80
    assert list(diff["uncovered"]) == ["calc/unused.py"]
    assert diff["not_measured"] == []  # measured, at 0%: --cov=calc sees it
    coverage = result.gate("coverage")
    assert coverage["passed"] is False
    assert coverage["before"] == 100.0 and coverage["after"] < 10


def test_a_source_setting_that_misses_the_package_is_named(repo: Repo, check) -> None:
    """src layout; `source` names another module, measured at 100%."""
    repo.commit(
        "src layout",
        {
            "pyproject.toml": "[tool.coverage.run]\nsource = ['helpers']\n"
            "[tool.pytest.ini_options]\npythonpath = ['src', '.']\n",
            "helpers.py": "def one():\n    return 1\n",
            "src/calc/__init__.py": CALC,
            "tests/test_calc.py": TESTS + "\n\ndef test_one():\n"
            "    from helpers import one\n    assert one() == 1\n",
        },
    )
    repo.push("main")
    feature_branch(repo, {"src/calc/extra.py": "def neg(a):\n    return -a\n"})
    result = check("--only", "coverage,diff-coverage")
    assert result.gate("coverage")["after"] == 100.0  # the project's own setting
    diff = result.gate("diff-coverage")
    assert diff["passed"] is False
    assert diff["not_measured"] == ["src/calc/extra.py"]
    assert diff["details"][0] == (
        "src/calc/extra.py:1: changed lines 1-2 coverage does not measure"
    )
    assert diff["details"][1].startswith(
        "src/calc/extra.py is not measured: coverage does not measure it: add it "
        "to [tool.coverage.run] source"
    )


def test_uncommitted_and_untracked_work_is_checked_and_said(repo: Repo, check) -> None:
    sample_project(repo)
    feature_branch(repo, TESTED_FEATURE)
    clean = check("--only", "diff-coverage")
    assert "uncommitted" not in clean.out
    (repo.path / "calc" / "fresh.py").write_text("def f():\n    return 1\n")
    venv = repo.path / ".venv"  # a virtualenv nobody told git to ignore
    (venv / "lib").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (venv / "lib" / "site.py").write_text("X = 1\n")
    result = check("--only", "diff-coverage")
    assert result.code == 1
    assert result.gate("diff-coverage")["uncovered"] == {"calc/fresh.py": "1-2"}
    assert result.report["dirty"] is True and clean.report["dirty"] is False
    assert result.report["checked"].startswith(
        f"HEAD {repo.sha()[:12]} + uncommitted changes against origin/main"
    )
    assert "+ uncommitted changes against origin/main" in result.out
    assert repo.git("status", "--porcelain") == "?? .venv/\n?? calc/fresh.py"


def test_a_file_name_with_a_tab_keeps_its_changed_lines(repo: Repo, check) -> None:
    sample_project(repo)
    feature_branch(
        repo,
        {
            "calc/ta\tb.py": "def f():\n    return 1\n\n\ndef g():\n    return 2\n",
            "tests/test_tab.py": "import importlib\n\n\ndef test_f():\n"
            "    assert importlib.import_module('calc.ta\\tb').f() == 1\n",
        },
    )
    result = check("--only", "diff-coverage")
    gate = result.gate("diff-coverage")
    assert gate["uncovered"] == {"calc/ta\tb.py": "6"}
    assert gate["executable_lines"] == 4 and gate["not_measured"] == []


def test_diff_coverage_exclude_lets_a_team_count_its_tests(repo: Repo, check) -> None:
    flat_project(repo)
    feature_branch(
        repo,
        {
            **PARTLY_TESTED,
            "pyproject.toml": FLAT["pyproject.toml"]
            + "[tool.mvp-process]\ndiff-coverage-exclude = ['calc/shapes.py']\n",
        },
    )
    result = check("--only", "diff-coverage")
    gate = result.gate("diff-coverage")
    assert gate["excluded"] == ["calc/shapes.py"]
    # The test file is counted now: coverage does not measure it (--cov=calc).
    assert gate["not_measured"] == ["tests/test_shapes.py"]
