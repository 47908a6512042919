"""`lint-scope = "changed"` end to end: adopting the gates on old code.

The repository's main branch holds old flake8 findings and a file black would
reformat; a pull request must answer only for what it changes (committed,
uncommitted and untracked alike), and the report says what it left out.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from support.cli import Outcome, run_cli
from support.project import TESTED_FEATURE, feature_branch, sample_project
from support.repo import Repo

LEGACY = """\
import os
import sys


def old():
    return 1
"""
UGLY = "x=1\n"


@pytest.fixture
def check(repo: Repo, tmp_path: Path, monkeypatch, capsys):
    def run(*args: str) -> Outcome:
        report = tmp_path / "report.json"
        report.unlink(missing_ok=True)
        return run_cli(repo.path, ["check", *args], monkeypatch, capsys, report)

    return run


@pytest.fixture
def legacy(repo: Repo) -> Repo:
    """main: the sample project plus old code with findings, lint-scope changed."""
    sample_project(repo, push=False)
    pyproject = (repo.path / "pyproject.toml").read_text()
    repo.commit(
        "old code",
        {
            "calc/legacy.py": LEGACY,  # two F401
            "calc/ugly.py": UGLY,  # E225, and black would reformat it
            "pyproject.toml": pyproject
            + '\n[tool.mvp-process]\nlint-scope = "changed"\n',
        },
    )
    repo.push("main")
    repo.git("remote", "set-head", "origin", "main")
    return repo


def test_a_change_that_adds_no_finding_passes_and_counts_the_rest(
    legacy: Repo, check
) -> None:
    feature_branch(legacy, TESTED_FEATURE)
    result = check()
    assert result.code == 0, result.out + result.err
    flake8, black = result.gate("flake8"), result.gate("black")
    assert flake8["summary"] == "no findings on changed lines; 3 outside them"
    assert (flake8["scope"], flake8["count"], flake8["outside"]) == ("changed", 0, 3)
    assert flake8["findings"] == []
    assert black["summary"] == (
        "no changes needed in the changed files; 1 file outside them would not pass"
    )
    assert (black["scope"], black["files"], black["outside"]) == ("changed", [], 1)
    assert '3 findings outside the changed lines (lint-scope = "changed")' in result.out
    assert "PASS flake8" in result.out


def test_committed_uncommitted_and_untracked_changes_are_in_scope(
    legacy: Repo, check
) -> None:
    feature_branch(legacy, {"calc/legacy.py": "import json\n" + LEGACY})
    legacy.write({"calc/legacy.py": "import json\nimport re\n" + LEGACY})  # edit
    legacy.write({"calc/brand_new.py": "import abc\n"})  # untracked
    result = check("--only", "flake8,black")
    assert result.code == 1
    flake8 = result.gate("flake8")
    assert flake8["details"][:3] == [
        "calc/brand_new.py:1:1: F401 'abc' imported but unused",
        "calc/legacy.py:1:1: F401 'json' imported but unused",
        "calc/legacy.py:2:1: F401 're' imported but unused",
    ]
    assert flake8["summary"] == "3 findings in 2 files on changed lines; 3 outside them"
    assert [f["line"] for f in flake8["findings"]] == [1, 1, 2]
    assert result.gate("black")["passed"] is True

    legacy.write({"calc/ugly.py": UGLY + "y=2\n"})
    black = check("--only", "black").gate("black")
    assert black["passed"] is False
    assert black["summary"] == "1 file of the changed ones would be reformatted"
    assert black["details"] == ["calc/ugly.py:1: would reformat"]


def test_the_default_scope_fails_on_every_finding(legacy: Repo, check) -> None:
    feature_branch(legacy, TESTED_FEATURE)
    pyproject = legacy.path / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"changed"', '"all"'))
    result = check("--only", "flake8,black")
    assert result.code == 1
    assert result.gate("flake8")["summary"] == "3 findings in 2 files"
    assert result.gate("flake8")["scope"] == "all"
    assert result.gate("black")["summary"] == "1 file would be reformatted"


def test_the_environment_chooses_the_scope_too(
    legacy: Repo, check, monkeypatch
) -> None:
    feature_branch(legacy, TESTED_FEATURE)
    pyproject = legacy.path / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('lint-scope = "changed"', ""))
    assert check("--only", "flake8").code == 1
    monkeypatch.setenv("MVP_PROCESS_LINT_SCOPE", "changed")
    assert check("--only", "flake8").code == 0
    monkeypatch.setenv("MVP_PROCESS_LINT_SCOPE", "some")
    result = check("--only", "flake8")
    assert result.code == 2
    assert "'lint-scope' must be one of all, changed" in result.err


def doctor_lint_line(repo: Repo, monkeypatch, capsys) -> list[str]:
    outcome = run_cli(repo.path, ["doctor"], monkeypatch, capsys)
    lines = outcome.out.splitlines()
    at = next(i for i, line in enumerate(lines) if line.split()[1:2] == ["lint"])
    return [line.strip() for line in lines[at : at + 2]]


def test_doctor_counts_the_old_lint_and_suggests_the_changed_scope(
    legacy: Repo, monkeypatch, capsys
) -> None:
    legacy.commit(
        "more old code",
        {f"calc/old_{i}.py": "import os\nimport sys\n" for i in range(9)},
    )
    pyproject = legacy.path / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"changed"', '"all"'))
    assert doctor_lint_line(legacy, monkeypatch, capsys) == [
        "FAIL lint         21 flake8 findings and 1 file black would reformat in the "
        "repository: every pull request fails until they are fixed",
        '-> set lint-scope = "changed" in [tool.mvp-process]: only '
        "changed lines must be clean; fix the rest as you go",
    ]
    pyproject.write_text(pyproject.read_text().replace('"all"', '"changed"'))
    assert doctor_lint_line(legacy, monkeypatch, capsys)[0] == (
        "PASS lint         21 flake8 findings and 1 file black would reformat in the "
        'repository; lint-scope = "changed" holds only changes to them'
    )


def test_doctor_with_a_little_old_lint_suggests_fixing_it(
    legacy: Repo, monkeypatch, capsys
) -> None:
    pyproject = legacy.path / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"changed"', '"all"'))
    line, fix = doctor_lint_line(legacy, monkeypatch, capsys)
    assert line.startswith("FAIL lint         3 flake8 findings and 1 file black")
    assert fix.endswith(
        "fix them (`black .`, then flake8), or set lint-scope = "
        '"changed" in [tool.mvp-process]'
    )
    (legacy.path / "calc" / "legacy.py").write_text("def old():\n    return 1\n")
    (legacy.path / "calc" / "ugly.py").write_text("X = 1\n")
    assert doctor_lint_line(legacy, monkeypatch, capsys)[0] == (
        "PASS lint         flake8 and black find nothing to fix in the repository"
    )


def test_doctor_says_nothing_of_lint_without_the_tools(
    legacy: Repo, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("MVP_PROCESS_PYTHON", "/nonexistent/python")
    outcome = run_cli(legacy.path, ["doctor"], monkeypatch, capsys)
    assert "FAIL tools" in outcome.out
    assert " lint " not in outcome.out
