"""`check` lints the project, not what sits beside it in the checkout."""

from __future__ import annotations

import subprocess
import sys

from support.cli import run_cli
from support.project import TESTED_FEATURE, feature_branch, sample_project
from support.repo import Repo


def test_a_virtualenv_in_the_checkout_is_not_linted(
    repo: Repo, tmp_path, monkeypatch, capsys
) -> None:
    """What the README's "Try it" creates: `.venv` inside, in .gitignore; and a
    second one .gitignore does not name (a venv before Python 3.13 writes none)."""
    sample_project(repo)
    feature_branch(repo, TESTED_FEATURE)
    (repo.path / ".gitignore").write_text("__pycache__/\n.pytest_cache/\n.venv/\n")
    for name in (".venv", "env"):
        venv = repo.path / name
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
        (venv / "lib" / "site.py").write_text("import os\nx=1\n")
    repo.write({"calc/fresh.py": "import os\n"})  # untracked: the project's

    result = run_cli(
        repo.path,
        ["check", "--only", "flake8,black"],
        monkeypatch,
        capsys,
        tmp_path / "report.json",
    )
    assert result.code == 1
    assert result.gate("flake8")["details"] == [
        "calc/fresh.py:1:1: F401 'os' imported but unused"
    ]
    assert result.gate("flake8")["files"] == 4  # calc/ and tests/
    assert result.gate("black")["passed"] is True
