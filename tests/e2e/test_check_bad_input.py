"""Bad input: exit 2, one clear message, no traceback, nothing changed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mvp_process import __version__
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


def unprivileged(cmd: list[str]) -> list[str]:
    """`cmd` run where file permissions apply: as root, without the two
    capabilities that let root read and write past them."""
    if os.geteuid() != 0:
        return cmd
    setpriv = shutil.which("setpriv")
    if setpriv is None:  # pragma: no cover - util-linux is on every CI image
        pytest.skip("running as root without setpriv: permissions cannot apply")
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search", *cmd]


def check_process(cwd: Path, *args: str) -> Outcome:
    """`python -m mvp_process check` as its own process."""
    done = subprocess.run(
        unprivileged([sys.executable, "-m", "mvp_process", "check", *args]),
        cwd=cwd,
        capture_output=True,
        text=True,
    )
    return Outcome(done.returncode, done.stdout, done.stderr, None)


def test_unreadable_pyproject(feature_repo: Repo) -> None:
    path = feature_repo.path / "pyproject.toml"
    path.chmod(0)
    try:
        result = check_process(feature_repo.path, "--only", "flake8")
    finally:
        path.chmod(0o644)
    assert_usage_error(result, f"cannot read {path}: Permission denied", "readable")


def test_json_into_a_folder_that_cannot_be_written(
    feature_repo: Repo, tmp_path: Path
) -> None:
    folder = tmp_path / "locked"
    folder.mkdir(mode=0o555)
    result = check_process(feature_repo.path, "--json", str(folder / "r.json"))
    assert_usage_error(result, f"--json {folder / 'r.json'}: folder {folder}")
    assert "is not writable" in result.err
    assert result.out == ""  # said before any gate ran
    assert list(folder.iterdir()) == []


def test_pyproject_that_is_not_utf8(feature_repo: Repo, monkeypatch, capsys) -> None:
    path = feature_repo.path / "pyproject.toml"
    path.write_bytes(path.read_bytes() + b"\n# r\xe9sum\xe9\n")
    result = check(feature_repo.path, monkeypatch, capsys)
    assert_usage_error(result, "is not UTF-8 text (line 8)", "save it as UTF-8")


def test_python_that_is_a_folder(
    feature_repo: Repo, tmp_path: Path, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("MVP_PROCESS_PYTHON", str(tmp_path))
    result = check(feature_repo.path, monkeypatch, capsys)
    assert_usage_error(result, f"'{tmp_path}' for the gates is a folder", "bin/python")
    text = tmp_path / "python.txt"
    text.write_text("not a program")
    monkeypatch.setenv("MVP_PROCESS_PYTHON", str(text))
    result = check(feature_repo.path, monkeypatch, capsys)
    assert_usage_error(result, "is not an executable file")


@pytest.mark.parametrize(
    ("where", "setting"),
    [
        ("[tool.mvp-process]", "coverage-drop-max = nan"),
        ("[tool.mvp-process]", "diff-coverage-min = -nan"),
        ("[tool.mvp-process.deploy]", "health-timeout = nan"),
        ("[tool.mvp-process.deploy]", "health-timeout = inf"),
    ],
)
def test_numbers_that_are_not_finite(
    feature_repo: Repo, monkeypatch, capsys, where: str, setting: str
) -> None:
    path = feature_repo.path / "pyproject.toml"
    path.write_text(path.read_text() + f"\n{where}\n{setting}\n")
    result = check(feature_repo.path, monkeypatch, capsys)
    assert_usage_error(result, f"'{setting.split()[0]}' must be a finite number")


def test_non_finite_flags_and_environment(feature_repo: Repo, monkeypatch, capsys):
    result = check(feature_repo.path, monkeypatch, capsys, "--coverage-drop-max=nan")
    assert_usage_error(
        result, "command-line flags: 'coverage-drop-max' must be a finite"
    )
    monkeypatch.setenv("MVP_PROCESS_DIFF_COVERAGE_MIN", "inf")
    result = check(feature_repo.path, monkeypatch, capsys)
    assert_usage_error(result, "'diff-coverage-min' must be a finite number")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--only", ""], "--only '' names no gate"),
        (["--skip", " , "], "--skip ' , ' names no gate"),
        (["--base", ""], "--base is empty"),
    ],
)
def test_empty_names_are_mistakes_not_defaults(
    feature_repo: Repo, monkeypatch, capsys, args: list[str], message: str
) -> None:
    assert_usage_error(check(feature_repo.path, monkeypatch, capsys, *args), message)


def test_a_branch_name_full_of_shell_metacharacters(
    repo: Repo, monkeypatch, capsys
) -> None:
    sample_project(repo)
    name = "254-a$(touch_x);b|c&d`touch_y`'\"<z>"
    feature_branch(repo, TESTED_FEATURE, name)
    result = check(repo.path, monkeypatch, capsys)
    assert result.code == 0, result.out + result.err
    assert not any((repo.path / n).exists() for n in ("touch_x", "touch_y", "z>"))
    assert "Traceback" not in result.err


def test_json_to_standard_output(feature_repo: Repo, monkeypatch, capsys) -> None:
    """`--json -`: stdout is the report alone; the human report goes to stderr."""
    feature_repo.write({"calc/lint.py": "import os\n"})
    result = check(
        feature_repo.path, monkeypatch, capsys, "--only=flake8", "--json", "-"
    )
    assert result.code == 1
    report = json.loads(result.out)
    assert report["version"] == __version__
    assert list(report)[:3] == ["version", "passed", "gates"]
    assert report["gates"][0]["details"] == [
        "calc/lint.py:1:1: F401 'os' imported but unused"
    ]
    assert "mvp-process check: FAILED" in result.err
    assert not (feature_repo.path / "-").exists()


@pytest.mark.parametrize("program", ["/bin/echo", "/bin/false"])
def test_python_that_is_not_python(
    feature_repo: Repo, monkeypatch, capsys, program: str
) -> None:
    monkeypatch.setenv("MVP_PROCESS_PYTHON", program)
    result = check(feature_repo.path, monkeypatch, capsys)
    assert_usage_error(result, f"{program} does not run as a Python 3 interpreter")
    assert "pip install" not in result.err
