"""`python -m mvp_process check` end to end on real repositories."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mvp_process.cli import main
from support.project import TESTED_FEATURE, feature_branch, sample_project
from support.repo import Repo


def run_check(
    repo: Repo, monkeypatch: pytest.MonkeyPatch, *args: str
) -> tuple[int, dict]:
    monkeypatch.chdir(repo.path)
    out = repo.path.parent / "report.json"
    code = main(["check", "--json", str(out), *args])
    return code, json.loads(out.read_text())


def test_clean_feature_passes(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    sample_project(repo)
    feature_branch(repo, TESTED_FEATURE)
    code, report = run_check(repo, monkeypatch)
    assert code == 0, report
    assert report["passed"] is True
    assert [g["name"] for g in report["gates"]] == [
        "flake8",
        "black",
        "tests",
        "coverage",
        "diff-coverage",
    ]
    assert all(g["passed"] for g in report["gates"])
    assert Path(repo.path / ".coverage").exists() is False
