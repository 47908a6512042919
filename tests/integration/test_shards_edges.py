"""Shards at the edges: failed collection, unstable ids, durations, bad folders."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from mvp_process.cli import main
from mvp_process.check import fanin
from mvp_process.check.fanin import Shard
from mvp_process.check.pytest_results import Results, TestFailure, write_results
from mvp_process.check.tests import gate_result
from mvp_process.check.toolenv import ToolEnv
from mvp_process.check.policy_manifest import Manifest, digest
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
    one, two = manifest_of(shards / "shard-1-of-2"), manifest_of(
        shards / "shard-2-of-2"
    )
    assert one["mode"] == two["mode"] == "whole-suite"
    assert one["pytest_exit_code"] == 2 and two["pytest_exit_code"] is None
    assert two["checksums"] == {} and two["tests"] == []
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


def test_unstable_test_ids_are_caught(
    calc: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
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
    shards = run_shards(calc, monkeypatch, 2)
    out = capsys.readouterr().out
    assert "warning: the run collected 1 tests --collect-only did not list" in out
    problems = [
        p for k in (1, 2) for p in manifest_of(shards / f"shard-{k}-of-2")["problems"]
    ]
    assert any(
        "planned tests were not collected: tests/test_pid.py::test_pid[" in p
        for p in problems
    )
    assert check(calc.path, monkeypatch, "--from-shards", str(shards)) == 2
    err = capsys.readouterr().err
    assert "(mvp-process-shards/shard-2-of-2): the run collected 1 tests" in err
    assert "is the collection deterministic?" in err


def test_durations_are_stored_and_then_used(
    calc: Repo,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    shards = run_shards(calc, monkeypatch, 2)
    assert manifest_of(shards / "shard-1-of-2")["strategy"] == "files"
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
    stored = json.loads((calc.path / ".test_durations").read_text())
    assert set(stored) == {
        "tests/test_calc.py::test_add",
        "tests/test_calc.py::test_sub",
        "tests/test_mul.py::test_mul",
    }
    assert f"wrote {calc.path / '.test_durations'}" in capsys.readouterr().out
    # The same folder is reused: a shard replaces its own files.
    run_shards(calc, monkeypatch, 2)
    again = manifest_of(shards / "shard-2-of-2")
    assert again["strategy"] == "durations"
    assert len(again["estimated_loads"]) == 2


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
    checksums["coverage.data"] = fanin.sha256(folder / "coverage.data")
    _resign(folder, checksums=checksums)
    assert check(calc.path, monkeypatch, "--from-shards", str(shards)) == 2
    err = capsys.readouterr().err
    assert "`coverage combine` of the shards' data failed" in err
    assert "Traceback" not in err


# -- pieces of the fan-in, without subprocesses --------------------------------------
def test_a_shard_that_crashed_before_writing_results(tmp_path: Path) -> None:
    """pytest died (exit 3) before any results or coverage file: as a single run
    that crashed, no results at all (the other shard's are not half a picture),
    and the tail explains."""
    crashed = Manifest(
        shard=1,
        total=2,
        head="a" * 40,
        root="/r",
        mode="sliced",
        strategy="files",
        collected=2,
        collection_sha256="x",
        tests=((0, "t.py::a"),),
        exit_code=3,
        output_tail=("INTERNALERROR> boom",),
    )
    fine = Manifest(
        shard=2,
        total=2,
        head="a" * 40,
        root="/r",
        mode="sliced",
        strategy="files",
        collected=2,
        collection_sha256="x",
        tests=((1, "t.py::b"),),
        exit_code=None,
    )
    shards = [Shard(tmp_path / "1", crashed), Shard(tmp_path / "2", fine)]
    tools = ToolEnv(sys.executable)
    run = fanin.combine(shards, tools, tmp_path, tmp_path / "out", ())
    assert (run.exit_code, run.total, run.coverage_percent) == (3, 0, None)
    assert run.output_tail == ("[shard 1/2]", "INTERNALERROR> boom")
    assert not run.has_results and not (tmp_path / "out" / "results.json").exists()
    result = gate_result(run)
    assert result.summary == "pytest could not complete (exit code 3: internal error)"
    assert result.details == run.output_tail


def _sliced(k: int, tests: tuple[tuple[int, str], ...]) -> Manifest:
    return Manifest(
        shard=k,
        total=2,
        head="a" * 40,
        root="/r",
        mode="sliced",
        strategy="files",
        collected=4,
        collection_sha256="x",
        tests=tests,
        exit_code=1,
    )


def test_results_merge_in_collection_order(tmp_path: Path) -> None:
    """Counts add up; failures come in the suite's order, whichever shard ran
    them; what no plan names (an internal error) comes last."""
    one = Shard(tmp_path / "1", _sliced(1, ((0, "t.py::a"), (3, "t.py::d"))))
    two = Shard(tmp_path / "2", _sliced(2, ((1, "t.py::b"), (2, "t.py::c"))))
    d, b, c = (TestFailure(f"t.py::{n}", "failed", n) for n in "dbc")
    internal = TestFailure("internal", "error", "internal error")
    for shard, failures in ((one, (d,)), (two, (internal, c, b))):
        shard.path.mkdir()
        failed = sum(f.kind == "failed" for f in failures)
        errors = len(failures) - failed
        results = Results(1, len(failures) + 1, failed, errors, 1, failures)
        write_results(shard.path / "results.json", results)
    merged = fanin.merge_results([one, two], 1)
    assert merged is not None
    assert (merged.total, merged.failed, merged.errors, merged.skipped) == (6, 3, 1, 2)
    assert merged.failures == (b, c, d, internal)
    # A shard that ran but left no results: no results at all, as for one run.
    (one.path / "results.json").unlink()
    assert fanin.merge_results([one, two], 1) is None


@pytest.mark.parametrize(
    "args,expected",
    [
        ((), []),
        (("-x", "--cov-config=.covrc"), ["--rcfile=.covrc"]),
        (("--cov-config", "setup.cfg"), ["--rcfile=setup.cfg"]),
        (("--cov-config",), []),
    ],
)
def test_the_projects_coverage_config_is_followed(
    args: tuple[str, ...], expected: list[str]
) -> None:
    assert fanin._rcfile_args(args) == expected


def test_the_remap_rule_maps_every_shard_root_here(tmp_path: Path) -> None:
    def shard(k: int, root: str) -> Shard:
        m = Manifest(
            shard=k,
            total=3,
            head="a",
            root=root,
            mode="sliced",
            strategy="files",
            collected=0,
            collection_sha256="",
            tests=(),
            exit_code=0,
        )
        return Shard(tmp_path, m)

    shards = [
        shard(1, "/home/runner/work/a/a"),
        shard(2, "/w/$HOME/x*y?[z]/"),
        shard(3, "/home/runner/work/a/a"),
    ]
    assert fanin.remap_rc(shards, Path("/here/repo")) == (
        "[paths]\n"
        "mvp_process_shards =\n"
        "    /here/repo/\n"
        "    /home/runner/work/a/a/\n"
        "    /w/$$HOME/x?y??z?/\n"
    )


def test_storing_durations_needs_some(tmp_path: Path) -> None:
    m = Manifest(
        shard=1,
        total=1,
        head="a",
        root="/r",
        mode="whole-suite",
        strategy="whole-suite",
        collected=0,
        collection_sha256="",
        tests=(),
        exit_code=2,
    )
    with pytest.raises(fanin.ConfigError, match="recorded no test durations"):
        fanin.store_durations([Shard(tmp_path, m)], tmp_path)


# A project conftest that gets in the plugin's way, three ways.
HOSTILE = {
    "no listing": """
import os


def pytest_sessionfinish(session):
    listing = session.config.getoption("mvp_shard_list", None)
    if listing:
        os.remove(listing)
""",
    "no selection": """
import os


def pytest_sessionfinish(session):
    report = session.config.getoption("mvp_shard_report", None)
    if report and os.path.exists(report + ".selection"):
        os.remove(report + ".selection")
""",
    "crash": """
import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config):
    if config.getoption("mvp_shard_keep", None):
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
    code = main(["check", "--shard", "1/1"])
    out, err = capsys.readouterr()
    if hostile == "no listing":
        assert code == 2
        assert "pytest --collect-only did not list the tests" in err
        return
    assert code == 0
    folder = calc.path / "mvp-process-shards" / "shard-1-of-1"
    code = main(["check", "--from-shards", str(folder), "--skip", "flake8,black"])
    out, err = capsys.readouterr()
    if hostile == "no selection":
        assert code == 2
        assert "pytest ran but the shard plugin reported no selection" in err
    elif hostile == "dies":  # no results file, no coverage data: as one run
        assert code == 1
        assert not (folder / "results.json").exists()
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
