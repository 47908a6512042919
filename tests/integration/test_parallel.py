"""`parallel = true`: the tests run under pytest-xdist, with the serial figures."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path
from typing import Any

import pytest

from mvp_process.cli import main
from mvp_process.config import Config
from mvp_process.check.run import suite_args
from mvp_process.check.toolenv import ToolEnv
from support.project import UNTESTED_FEATURE, feature_branch, sample_project
from support.repo import Repo

FAILING = {
    "tests/test_more.py": """
from calc import add, sub


def test_add_wrong():
    assert add(2, 2) == 5


def test_sub_right():
    assert sub(2, 2) == 0
""",
    "tests/test_zeta.py": """
def test_last_wrong():
    assert [] == [1]
""",
}


def report(
    repo: Repo, monkeypatch: pytest.MonkeyPatch, name: str, *args: str
) -> tuple[int, dict[str, Any]]:
    monkeypatch.chdir(repo.path)
    out = repo.path.parent / f"{name}.json"
    code = main(["check", "--json", str(out), *args])
    data = json.loads(out.read_text())
    for gate in data["gates"]:
        del gate["duration"]
    return code, data


@pytest.mark.slow
def test_parallel_gives_the_serial_figures(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    sample_project(repo)
    feature_branch(repo, {**UNTESTED_FEATURE, **FAILING})
    serial_code, serial = report(repo, monkeypatch, "serial")
    monkeypatch.setenv("MVP_PROCESS_PARALLEL", "true")
    parallel_code, parallel = report(repo, monkeypatch, "parallel")
    assert serial_code == parallel_code == 1
    assert parallel == serial  # the baseline too was recomputed under xdist
    tests = next(g for g in parallel["gates"] if g["name"] == "tests")
    assert [f["id"] for f in tests["failures"]] == [
        "tests/test_more.py::test_add_wrong",
        "tests/test_zeta.py::test_last_wrong",
    ]
    coverage = next(g for g in parallel["gates"] if g["name"] == "coverage")
    assert 0 < coverage["after_exact"] < 100
    # A shard runs its slice under xdist too, and combines to the same figures.
    monkeypatch.chdir(repo.path)
    assert main(["check", "--shard", "1/1"]) == 0
    manifest = json.loads(
        (repo.path / "mvp-process-shards/shard-1-of-1/manifest.json").read_text()
    )
    assert manifest["pytest_args"][:2] == ["-n", "auto"]
    _, sharded = report(
        repo,
        monkeypatch,
        "sharded",
        "--from-shards",
        "mvp-process-shards",
        "--skip",
        "flake8,black",
        "--baseline",
        "none",
    )
    gates = {g["name"]: g for g in sharded["gates"]}
    assert gates["tests"] == tests
    assert gates["coverage"]["after_exact"] == coverage["after_exact"]
    assert gates["diff-coverage"] == parallel["gates"][4]


def test_parallel_without_xdist_says_what_to_install(
    repo: Repo,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """An interpreter where every module but pytest-xdist is installed."""
    fake = tmp_path / "python"
    fake.write_text(
        "#!/bin/sh\n"
        'case "$2" in *mvp-process-probe*)\n'  # the probe for modules
        "  printf mvp-process-probe\n"
        '  for m in "$@"; do [ "$m" = xdist ] && printf " xdist"; done\n'
        "  echo; exit 0;;\n"
        "esac\n"
        f'exec {sys.executable} "$@"\n'
    )
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    sample_project(repo)
    feature_branch(repo, {})
    monkeypatch.setenv("MVP_PROCESS_PARALLEL", "true")
    monkeypatch.setenv("MVP_PROCESS_PYTHON", str(fake))
    monkeypatch.chdir(repo.path)
    for args in (["check"], ["check", "--shard", "1/2"]):
        assert main(args) == 2
        err = capsys.readouterr().err
        assert "parallel = true runs the tests with pytest-xdist" in err
        assert f"pytest-xdist not installed in {fake}" in err
        assert "or set parallel = false in [tool.mvp-process]" in err
    # Without the tests there is nothing to parallelise, nor to require.
    monkeypatch.setenv("PATH", os.environ["PATH"])
    assert main(["check", "--only", "flake8"]) == 0


@pytest.mark.parametrize(
    "parallel,configured,expected",
    [
        (False, (), ()),
        (False, ("-x",), ("-x",)),
        (True, (), ("-n", "auto")),
        (True, ("-x",), ("-n", "auto", "-x")),
        (True, ("-n", "3"), ("-n", "3")),
        (True, ("-n4",), ("-n4",)),
        (True, ("--numprocesses=2",), ("--numprocesses=2",)),
    ],
)
def test_suite_args(
    parallel: bool, configured: tuple[str, ...], expected: tuple[str, ...]
) -> None:
    config = Config(parallel=parallel, pytest_args=configured)
    assert suite_args(config) == expected


def test_nothing_to_require_runs_no_probe(tmp_path: Path) -> None:
    """No gate needing a tool and no extra module: not even the interpreter runs."""
    ToolEnv(str(tmp_path / "no-such-python")).require((), tmp_path)
