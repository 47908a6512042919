"""Bad input: exit 2, one clear message, no traceback, nothing changed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from support.cli import Outcome, run_cli
from support.project import TESTED_FEATURE, feature_branch, sample_project
from support.repo import Repo


def snapshot(path: Path) -> dict[str, bytes]:
    """Every file below `path` (outside .git), to prove nothing was changed."""
    return {
        str(p.relative_to(path)): p.read_bytes()
        for p in sorted(path.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(path).parts
    }


def assert_usage_error(result: Outcome, *fragments: str) -> None:
    assert result.code == 2, result.out + result.err
    assert "Traceback" not in result.err + result.out
    assert result.err.startswith("mvp-process: error: ")
    for fragment in fragments:
        assert fragment in result.err


@pytest.fixture
def feature_repo(repo: Repo) -> Repo:
    sample_project(repo)
    feature_branch(repo, TESTED_FEATURE)
    return repo


def check(cwd: Path, monkeypatch, capsys, *args: str) -> Outcome:
    return run_cli(cwd, ["check", *args], monkeypatch, capsys)


def test_not_a_git_repository(tmp_path: Path, monkeypatch, capsys) -> None:
    result = check(tmp_path, monkeypatch, capsys)
    assert_usage_error(result, "is not inside a git repository")


def test_explicit_base_not_found(feature_repo: Repo, monkeypatch, capsys) -> None:
    before = snapshot(feature_repo.path)
    result = check(feature_repo.path, monkeypatch, capsys, "--base", "develop")
    assert_usage_error(result, "base branch 'develop' not found", "git fetch origin")
    assert snapshot(feature_repo.path) == before


def test_no_default_base_branch(repo: Repo, monkeypatch, capsys) -> None:
    repo.git("switch", "-q", "-c", "trunk")
    repo.commit("only commit", {"a.py": "X = 1\n"})
    result = check(repo.path, monkeypatch, capsys)
    assert_usage_error(result, "no base branch found", "--base")


def test_base_with_dash_is_not_an_option(feature_repo: Repo, monkeypatch, capsys):
    result = check(feature_repo.path, monkeypatch, capsys, "--base=--output=x")
    assert_usage_error(result, "base branch '--output=x' not found")
    assert not (feature_repo.path / "x").exists()


def test_detached_head(feature_repo: Repo, monkeypatch, capsys) -> None:
    feature_repo.git("switch", "-q", "--detach", "HEAD")
    result = check(feature_repo.path, monkeypatch, capsys)
    assert_usage_error(result, "HEAD is detached", "git switch")


def test_malformed_pyproject(feature_repo: Repo, monkeypatch, capsys) -> None:
    path = feature_repo.path / "pyproject.toml"
    path.write_text(path.read_text() + "\n[tool.mvp-process\n")
    before = snapshot(feature_repo.path)
    result = check(feature_repo.path, monkeypatch, capsys)
    assert_usage_error(result, "is not valid TOML")
    assert snapshot(feature_repo.path) == before


def test_unknown_key(feature_repo: Repo, monkeypatch, capsys) -> None:
    path = feature_repo.path / "pyproject.toml"
    path.write_text(path.read_text() + "\n[tool.mvp-process]\ncoverage-drop = 2\n")
    result = check(feature_repo.path, monkeypatch, capsys)
    assert_usage_error(result, "unknown key 'coverage-drop'", "coverage-drop-max")


def test_wrong_type(feature_repo: Repo, monkeypatch, capsys) -> None:
    path = feature_repo.path / "pyproject.toml"
    path.write_text(
        path.read_text() + '\n[tool.mvp-process]\ndiff-coverage-min = "lots"\n'
    )
    result = check(feature_repo.path, monkeypatch, capsys)
    assert_usage_error(result, "'diff-coverage-min' must be a number", "'lots'")


def test_tools_not_installed(
    feature_repo: Repo, tmp_path: Path, monkeypatch, capsys
) -> None:
    bare = tmp_path / "bare-venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(bare)], check=True
    )
    monkeypatch.setenv("MVP_PROCESS_PYTHON", str(bare / "bin" / "python"))
    result = check(feature_repo.path, monkeypatch, capsys)
    assert_usage_error(
        result, "black, flake8, pytest, pytest-cov not installed", "pip install"
    )


def test_interpreter_not_found(feature_repo: Repo, monkeypatch, capsys) -> None:
    monkeypatch.setenv("MVP_PROCESS_PYTHON", "/nonexistent/python")
    result = check(feature_repo.path, monkeypatch, capsys)
    assert_usage_error(result, "'/nonexistent/python' for the gates was not found")


def test_unknown_gate_name(feature_repo: Repo, monkeypatch, capsys) -> None:
    result = check(feature_repo.path, monkeypatch, capsys, "--only", "lint")
    assert_usage_error(result, "unknown gate name(s): lint")


def test_nothing_left_to_run(feature_repo: Repo, monkeypatch, capsys) -> None:
    result = check(
        feature_repo.path, monkeypatch, capsys, "--only", "black", "--skip", "black"
    )
    assert_usage_error(result, "leave no gate to run")


def test_unknown_flag(feature_repo: Repo, monkeypatch, capsys) -> None:
    result = check(feature_repo.path, monkeypatch, capsys, "--frobnicate")
    assert_usage_error(result, "unrecognized arguments: --frobnicate")


def test_json_folder_missing(feature_repo: Repo, monkeypatch, capsys) -> None:
    result = check(
        feature_repo.path, monkeypatch, capsys, "--json", "/nonexistent/dir/r.json"
    )
    assert_usage_error(result, "folder /nonexistent/dir does not exist")


def shallow_clone(repo: Repo, tmp_path: Path, branch: str) -> Repo:
    clone = tmp_path / "shallow"
    subprocess.run(
        [
            "git",
            "clone",
            "-q",
            "--depth",
            "1",
            "--no-single-branch",
            f"file://{repo.origin}",
            str(clone),
        ],
        check=True,
    )
    shallow = Repo(clone, repo.origin)
    shallow.switch(branch)
    return shallow


def diverged_shallow_clone(repo: Repo, tmp_path: Path) -> Repo:
    """A depth-1 clone of a feature branch whose base moved on: no merge-base."""
    sample_project(repo)
    repo.commit("main moves on", {"calc/later.py": "Y = 2\n"})
    repo.push("main")
    repo.switch("254-add-mul", create=True)
    repo.git("reset", "-q", "--hard", "HEAD~1")
    repo.commit("feature", TESTED_FEATURE)
    repo.push("254-add-mul")
    return shallow_clone(repo, tmp_path, "254-add-mul")


def test_shallow_clone_is_deepened_and_said(
    repo: Repo, tmp_path: Path, monkeypatch, capsys
) -> None:
    shallow = diverged_shallow_clone(repo, tmp_path)
    assert shallow.git("rev-parse", "--is-shallow-repository") == "true"
    result = check(shallow.path, monkeypatch, capsys, "--only", "flake8")
    assert result.code == 0, result.err
    assert "the clone is shallow" in result.out
    assert "fetch-depth: 0" in result.out
    assert shallow.git("rev-parse", "--is-shallow-repository") == "false"


def test_shallow_clone_that_cannot_be_deepened(
    repo: Repo, tmp_path: Path, monkeypatch, capsys
) -> None:
    shallow = diverged_shallow_clone(repo, tmp_path)
    shallow.git("remote", "remove", "origin")
    before = snapshot(shallow.path)
    result = check(shallow.path, monkeypatch, capsys, "--base", "main")
    # With origin gone, only the local branch named by --base exists.
    assert result.code == 2
    assert "Traceback" not in result.err
    assert "fetch-depth: 0" in result.err
    assert snapshot(shallow.path) == before
