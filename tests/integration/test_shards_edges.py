"""Shards at the edges: failed collection, unstable ids, durations, bad folders,
a missing pytest-split."""

from __future__ import annotations

import json
import stat
import sys
from pathlib import Path
from typing import Any

import pytest

from mvp_process.check import measure
from mvp_process.check.fanin import Shard, combine, remap_rc, store_durations
from mvp_process.check.shards import sha256
from mvp_process.check.policy_shards import Manifest, digest
from mvp_process.check.pytest_results import Results, TestFailure, read_junit
from mvp_process.check.tests import gate_result
from mvp_process.check.toolenv import ToolEnv
from mvp_process.cli import main
from mvp_process.errors import ConfigError
from support.project import TESTED_FEATURE, feature_branch, sample_project
from support.repo import Repo

pytestmark = pytest.mark.slow


def check(cwd: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.chdir(cwd)
    return main(["check", *args])


def run_shards(
    repo: Repo, monkeypatch: pytest.MonkeyPatch, total: int, *extra: str
) -> Path:
    for k in range(1, total + 1):
        assert check(repo.path, monkeypatch, "--shard", f"{k}/{total}", *extra) == 0
    return repo.path / "mvp-process-shards"


def manifest_of(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / "manifest.json").read_text())
    return data


def gate(report: Path, name: str) -> dict[str, Any]:
    data = json.loads(report.read_text())
    found = next(g for g in data["gates"] if g["name"] == name)
    return {k: v for k, v in found.items() if k != "duration"}


@pytest.fixture
def calc(repo: Repo) -> Repo:
    sample_project(repo)
    feature_branch(repo, TESTED_FEATURE)
    return repo


def test_a_failed_collection_is_reported_as_by_a_single_run(
    calc: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calc.commit("Broken test file", {"tests/test_broken.py": "def test_x(:\n"})
    single, sharded = tmp_path / "single.json", tmp_path / "sharded.json"
    assert check(calc.path, monkeypatch, "--only", "tests", "--json", str(single)) == 1
    shards = run_shards(calc, monkeypatch, 2)
    for k in (1, 2):  # each shard collects the whole suite, so each sees it
        assert manifest_of(shards / f"shard-{k}-of-2")["pytest_exit_code"] == 2
    code = check(
        calc.path,
        monkeypatch,
        "--only",
        "tests",
        "--from-shards",
        str(shards),
        "--json",
        str(sharded),
    )
    assert code == 1
    assert gate(sharded, "tests") == gate(single, "tests")
    assert "collection error" in gate(sharded, "tests")["summary"]


def test_unstable_test_ids_still_run_once(
    calc: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pytest-split cuts the collection by position, so an id that changes
    between runners (a parameter taken from the process id) moves nothing."""
    calc.commit(
        "A test whose id changes every run",
        {"tests/test_pid.py": """
            import os

            import pytest


            @pytest.mark.parametrize("pid", [os.getpid()])
            def test_pid(pid):
                assert pid
            """},
    )
    single, sharded = tmp_path / "single.json", tmp_path / "sharded.json"
    assert check(calc.path, monkeypatch, "--only", "tests", "--json", str(single)) == 0
    shards = run_shards(calc, monkeypatch, 2)
    only = ("--only", "tests", "--json", str(sharded))
    assert check(calc.path, monkeypatch, "--from-shards", str(shards), *only) == 0
    assert gate(sharded, "tests")["summary"] == gate(single, "tests")["summary"]


def ran(shard: Path, root: Path) -> list[str]:
    results = read_junit(shard / "junit.xml", root)
    assert results is not None
    return results.ran


def test_durations_are_stored_and_then_used(
    calc: Repo,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    shards = run_shards(calc, monkeypatch, 2)
    assert "(cut by pytest-split by test count)" in capsys.readouterr().out
    by_count = ran(shards / "shard-2-of-2", calc.path)
    code = check(
        calc.path,
        monkeypatch,
        "--only",
        "tests",
        "--from-shards",
        str(shards / "shard-1-of-2"),  # folders themselves, not their parent
        str(shards / "shard-2-of-2"),
        "--store-durations",
    )
    assert code == 0
    durations = calc.path / ".test_durations"
    stored = json.loads(durations.read_text())
    assert set(stored) == {
        "tests/test_calc.py::test_add",
        "tests/test_calc.py::test_sub",
        "tests/test_mul.py::test_mul",
    }
    assert f"wrote {durations}" in capsys.readouterr().out
    # The same folders are reused (a shard replaces its own files), and the
    # cut follows the durations: the slow first test gets a shard to itself.
    durations.write_text(json.dumps({**stored, "tests/test_calc.py::test_add": 60}))
    run_shards(calc, monkeypatch, 2)
    assert "(cut by pytest-split by recorded durations)" in capsys.readouterr().out
    assert by_count == ["tests/test_mul.py::test_mul"]
    assert ran(shards / "shard-2-of-2", calc.path) == [
        "tests/test_calc.py::test_sub",
        "tests/test_mul.py::test_mul",
    ]
    assert manifest_of(shards / "shard-2-of-2")["durations_sha256"]


def test_without_pytest_split_a_shard_says_what_to_install(
    calc: Repo,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """An interpreter where every module but pytest-split is installed."""
    fake = tmp_path / "python"
    fake.write_text(
        "#!/bin/sh\n"
        'case "$2" in *mvp-process-probe*)\n'  # the probe for modules
        "  printf mvp-process-probe\n"
        '  for m in "$@"; do [ "$m" = pytest_split ] && printf " pytest_split"; done\n'
        "  echo; exit 0;;\n"
        "esac\n"
        f'exec {sys.executable} "$@"\n'
    )
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("MVP_PROCESS_PYTHON", str(fake))
    assert check(calc.path, monkeypatch, "--shard", "1/2") == 2
    err = capsys.readouterr().err
    assert "check --shard cuts the tests with pytest-split" in err
    assert f"pytest-split not installed in {fake}" in err
    assert f"install with `{fake} -m pip install pytest-split`" in err
    assert "Traceback" not in err
    assert not (calc.path / "mvp-process-shards").exists()
    # The fan-in needs no pytest-split, nor does a plain check.
    assert check(calc.path, monkeypatch, "--only", "tests") == 0


def test_a_broken_durations_file_is_a_usage_error(
    calc: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (calc.path / ".test_durations").write_text(
        '{"tests/test_calc.py::test_add": "slow"}'
    )
    assert check(calc.path, monkeypatch, "--shard", "1/2") == 2
    err = capsys.readouterr().err
    assert ".test_durations is not a valid durations file" in err
    assert "'slow' is not a number of seconds" in err


@pytest.mark.parametrize(
    "setup,says",
    [
        (lambda d: d.write_text("x"), "is a file, not a folder"),
        (
            lambda d: (d.mkdir(), (d / "notes.txt").write_text("mine")),
            "holds other files (notes.txt)",
        ),
    ],
)
def test_the_shard_folder_must_be_ours(
    calc: Repo,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    setup: Any,
    says: str,
) -> None:
    folder = tmp_path / "out"
    setup(folder)
    assert (
        check(calc.path, monkeypatch, "--shard", "1/2", "--shard-dir", str(folder)) == 2
    )
    assert says in capsys.readouterr().err


@pytest.mark.parametrize(
    "args,says",
    [
        (["--shard-dir", "x"], "--shard-dir needs --shard K/N"),
        (["--store-durations"], "--store-durations needs --from-shards"),
        (["--shard", "1/2", "--only", "tests"], "so --only does not apply"),
        (
            ["--shard", "1/2", "--skip", "black", "--json", "r.json"],
            "so --skip, --json does not apply",
        ),
        (["--shard", "1/2", "--from-shards", "d"], "not allowed with argument"),
        (["--shard", "3/2"], "K must be between 1 and 2"),
        (["--from-shards", "nowhere"], "nowhere: no such folder"),
    ],
)
def test_shard_flags_are_checked(
    calc: Repo,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    says: str,
) -> None:
    assert check(calc.path, monkeypatch, *args) == 2
    err = capsys.readouterr().err
    assert says in err
    assert "Traceback" not in err


def test_download_folders_are_searched_and_strays_named(
    calc: Repo,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    download = tmp_path / "download"
    (download / "mvp-process-shard-9").mkdir(parents=True)
    assert (
        check(calc.path, monkeypatch, "--from-shards", str(empty), str(download)) == 2
    )
    err = capsys.readouterr().err
    assert "empty: no manifest.json in it or below it" in err
    assert "mvp-process-shard-9: no manifest.json (an incomplete shard folder?)" in err


def _resign(folder: Path, **changes: Any) -> None:
    data = {**manifest_of(folder), **changes}
    data["digest"] = digest(data)
    (folder / "manifest.json").write_text(json.dumps(data))


def test_a_manifest_naming_a_foreign_file_is_refused(
    calc: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shards = run_shards(calc, monkeypatch, 1)
    _resign(shards / "shard-1-of-1", checksums={"../../.git/config": "0" * 64})
    assert check(calc.path, monkeypatch, "--from-shards", str(shards)) == 2
    assert "lists an unknown file '../../.git/config'" in capsys.readouterr().err


def test_coverage_data_that_coverage_cannot_read_stops_the_check(
    calc: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shards = run_shards(calc, monkeypatch, 1)
    folder = shards / "shard-1-of-1"
    (folder / "coverage.data").write_bytes(b"not a database at all" * 100)
    checksums = manifest_of(folder)["checksums"]
    checksums["coverage.data"] = sha256(folder / "coverage.data")
    _resign(folder, checksums=checksums)
    assert check(calc.path, monkeypatch, "--from-shards", str(shards)) == 2
    err = capsys.readouterr().err
    assert "`coverage combine` of the shards' data failed" in err
    assert "Traceback" not in err


# -- pieces of the fan-in, without subprocesses --------------------------------------
def _manifest(k: int, code: int = 1, **changes: Any) -> Manifest:
    fields: dict[str, Any] = dict(
        shard=k, total=2, head="a" * 40, root="/r", exit_code=code
    )
    return Manifest(**{**fields, **changes})


def test_a_shard_that_crashed_before_writing_results(tmp_path: Path) -> None:
    """pytest died (exit 3) before any report or coverage file: as a single run
    that crashed, no results at all (the other shard's are not half a picture),
    and the tail explains."""
    crashed = _manifest(1, 3, output_tail=("INTERNALERROR> boom",))
    fine = Results({"t.py::b": "passed"})
    shards = [
        Shard(tmp_path / "1", crashed, None),
        Shard(tmp_path / "2", _manifest(2, 0), fine),
    ]
    tools = ToolEnv(sys.executable)
    run = combine(shards, tools, tmp_path, tmp_path / "out", ())
    assert (run.exit_code, run.total, run.coverage_percent) == (3, 0, None)
    assert run.output_tail == ("[shard 1/2]", "INTERNALERROR> boom")
    assert not run.has_results
    result = gate_result(run)
    assert result.summary == "pytest could not complete (exit code 3: internal error)"
    assert result.details == run.output_tail


def test_the_shards_results_read_as_one_run(tmp_path: Path) -> None:
    """Counts add up; failures come in shard order (pytest-split's default cut
    is consecutive, so that is the suite's order); a collection error every
    shard saw counts once; a shard that ran nothing (exit 5) adds nothing."""
    broken = TestFailure("t_x.py", "collection error", "ImportError", "t_x.py")
    b, d = (TestFailure(f"t.py::{n}", "failed", n, "t.py") for n in "bd")
    one = Results(
        {"t_x.py": "collection error", "t.py::a": "passed", "t.py::b": "failed"},
        (broken, b),
        frozenset({"t_x.py"}),
    )
    two = Results(
        {"t_x.py": "collection error", "t.py::c": "skipped", "t.py::d": "failed"},
        (broken, d),
        frozenset({"t_x.py"}),
    )
    shards = [
        Shard(tmp_path, _manifest(1), one),
        Shard(tmp_path, _manifest(2), two),
        Shard(tmp_path, _manifest(3, 5), Results({})),
    ]
    tools = ToolEnv(sys.executable)
    run = combine(shards, tools, tmp_path, tmp_path / "out", ())
    assert (run.exit_code, run.total, run.failed, run.errors, run.skipped) == (
        1,
        5,
        2,
        1,
        1,
    )
    assert run.failures == (broken, b, d)


@pytest.mark.parametrize(
    "args,expected",
    [
        ((), ""),
        (("-x", "--cov-config=.covrc"), ".covrc"),
        (("--cov-config", "setup.cfg"), "setup.cfg"),
        (("--cov-config",), ""),
    ],
)
def test_the_projects_coverage_config_is_followed(
    args: tuple[str, ...], expected: str
) -> None:
    assert measure.config_file(args) == expected


def test_the_remap_rule_maps_every_shard_root_here(tmp_path: Path) -> None:
    def shard(k: int, root: str) -> Shard:
        return Shard(tmp_path, _manifest(k, 0, total=3, root=root), None)

    shards = [
        shard(1, "/home/runner/work/a/a"),
        shard(2, "/w/$HOME/x*y?[z]/"),
        shard(3, "/home/runner/work/a/a"),
    ]
    assert remap_rc(shards, Path("/here/repo")) == (
        "[paths]\n"
        "mvp_process_shards =\n"
        "    /here/repo/\n"
        "    /home/runner/work/a/a/\n"
        "    /w/$$HOME/x?y??z?/\n"
    )


def test_storing_durations_needs_some(tmp_path: Path) -> None:
    (tmp_path / "durations.json").write_text("{}")  # collection failed: none ran
    crashed = tmp_path / "crashed"  # no durations at all
    shards = [
        Shard(tmp_path, _manifest(1, 2), None),
        Shard(crashed, _manifest(2), None),
    ]
    with pytest.raises(ConfigError, match="recorded no test durations"):
        store_durations(shards, tmp_path)


# A project conftest that crashes pytest, two ways.
HOSTILE = {
    "crash": """
import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config):
    raise RuntimeError("a plugin crashed")
""",
    "dies": """
import os


def pytest_runtest_call(item):
    os._exit(3)
""",
}


@pytest.mark.parametrize("hostile", list(HOSTILE))
def test_a_conftest_in_the_way_is_never_a_silent_pass(
    calc: Repo,
    hostile: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    calc.commit("conftest", {"tests/conftest.py": HOSTILE[hostile]})
    monkeypatch.chdir(calc.path)
    assert main(["check", "--shard", "1/1"]) == 0
    folder = calc.path / "mvp-process-shards" / "shard-1-of-1"
    code = main(["check", "--from-shards", str(folder), "--skip", "flake8,black"])
    out, err = capsys.readouterr()
    if hostile == "dies":  # no JUnit report, no coverage data: as one run
        assert code == 1
        assert not (folder / "junit.xml").exists()
        assert "pytest could not complete (exit code 3: internal error)" in out
        assert "s)\n       [shard 1/1]\n" in out  # its (empty) last words
    else:
        assert code == 1
        # pytest records its internal error as an errored test, as unsharded.
        assert "FAIL tests         1 error of 1 test" in out
        assert "ERROR internal: internal error" in out


def test_no_secret_in_shard_folders_or_output(
    calc: Repo,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A test that prints the token and crashes: the tail is kept, the token not."""
    secret = "ghp_s3cretTokenValue1234567890abcdef"
    monkeypatch.setenv("GITHUB_TOKEN", secret)
    calc.commit(
        "A test that leaks",
        {"tests/test_leak.py": """
            import os


            def test_leak():
                print(os.environ["GITHUB_TOKEN"])
                raise SystemExit(os.environ["GITHUB_TOKEN"])
            """},
    )
    shards = run_shards(calc, monkeypatch, 2)
    report = tmp_path / "report.json"
    code = check(
        calc.path,
        monkeypatch,
        "--only",
        "tests",
        "--from-shards",
        str(shards),
        "--json",
        str(report),
    )
    assert code == 1
    out, err = capsys.readouterr()
    written = [p.read_bytes() for p in shards.rglob("*") if p.is_file()]
    assert "test_leak" in report.read_text()
    assert written and all(secret.encode() not in blob for blob in written)
    for text in (out, err, report.read_text()):
        assert secret not in text
