"""Three shards, combined, decide exactly as one unsharded `check` does.

One real repository; the unsharded check runs in it; each shard runs in its own
clone at another path (as matrix runners check out to different folders), and
the clones are deleted before the fan-in, so the coverage figures can only come
out right if the fan-in remaps every shard's paths onto its own checkout.
Then the shard folders are damaged one way at a time: each damage stops the
decision with a message naming the shard.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from mvp_process.check.shards import sha256
from mvp_process.check.policy_shards import digest
from mvp_process.check.pytest_results import read_junit
from mvp_process.cli import main
from support.repo import GIT_ENV, Repo
from support.suite import shop_project

pytestmark = pytest.mark.slow
SHARDS = 3


@dataclass
class Runs:
    repo: Repo
    artifacts: Path
    single_code: int
    single: dict[str, Any]
    sharded_code: int
    sharded: dict[str, Any]
    clones: list[Path]


def _isolate(mp: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("GITHUB_", "HEROKU_", "MVP_PROCESS_", "RUNNER_")):
            mp.delenv(name)
    for name, value in GIT_ENV.items():
        mp.setenv(name, value)


def _check(mp: pytest.MonkeyPatch, cwd: Path, *args: str) -> int:
    mp.chdir(cwd)
    return main(["check", *args])


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    tmp = tmp_path_factory.mktemp("equivalence")
    with pytest.MonkeyPatch.context() as mp:
        _isolate(mp)
        repo = Repo.create(tmp)
        shop_project(repo)
        single_code = _check(mp, repo.path, "--json", str(tmp / "single.json"))
        artifacts, clones = tmp / "artifacts", []
        for k in range(1, SHARDS + 1):
            clone = tmp / f"runner-{k}" / "_work" / "shop"
            subprocess.run(
                ["git", "clone", "-q", str(repo.path), str(clone)], check=True
            )
            folder = artifacts / f"mvp-process-shard-{k}"
            assert (
                _check(
                    mp, clone, "--shard", f"{k}/{SHARDS}", "--shard-dir", str(folder)
                )
                == 0
            )
            clones.append(clone)
        for clone in clones:
            shutil.rmtree(clone)
        sharded_code = _check(
            mp,
            repo.path,
            "--from-shards",
            str(artifacts),
            "--json",
            str(tmp / "sharded.json"),
        )
        yield Runs(
            repo,
            artifacts,
            single_code,
            json.loads((tmp / "single.json").read_text()),
            sharded_code,
            json.loads((tmp / "sharded.json").read_text()),
            clones,
        )


def _comparable(report: dict[str, Any]) -> dict[str, Any]:
    """The report without timings and without where the baseline figure came from."""
    gates = []
    for gate in report["gates"]:
        gate = {k: v for k, v in gate.items() if k != "duration"}
        if gate["name"] == "coverage":
            gate["baseline"] = gate["baseline"]["sha"]
            gate["details"] = [d.split(" (")[0] for d in gate["details"]]
        gates.append(gate)
    return {**report, "gates": gates}


def _gate(report: dict[str, Any], name: str) -> dict[str, Any]:
    return next(g for g in report["gates"] if g["name"] == name)


def test_the_decision_is_the_single_runs_decision(runs: Runs) -> None:
    assert runs.single_code == runs.sharded_code == 1
    assert _comparable(runs.sharded) == _comparable(runs.single)


def test_same_figures_failures_and_uncovered_lines(runs: Runs) -> None:
    one, many = runs.single, runs.sharded
    cov1, cov3 = _gate(one, "coverage"), _gate(many, "coverage")
    assert 0 < cov1["after_exact"] < 100
    assert abs(cov3["after_exact"] - cov1["after_exact"]) < 0.01
    diff1, diff3 = _gate(one, "diff-coverage"), _gate(many, "diff-coverage")
    assert diff1["uncovered"] == diff3["uncovered"] == {"shop/prices.py": "20"}
    assert diff3["percent"] == diff1["percent"]
    tests1, tests3 = _gate(one, "tests"), _gate(many, "tests")
    assert [f["id"] for f in tests3["failures"]] == [
        "tests/test_cart.py::TestRemove::test_missing_is_reported",
        "tests/test_errors.py::test_uses_broken",
        "tests/test_tax.py::test_tax_wrong",
    ]
    assert tests3["summary"] == tests1["summary"]
    assert (
        tests3["summary"].startswith("2 failed")
        and "1 error of 18" in tests3["summary"]
    )
    assert tests3["skipped"] == 1


def test_every_test_ran_in_exactly_one_shard_elsewhere(runs: Runs) -> None:
    folders = [runs.artifacts / f"mvp-process-shard-{k}" for k in range(1, SHARDS + 1)]
    manifests = [json.loads((f / "manifest.json").read_text()) for f in folders]
    ran = [read_junit(f / "junit.xml", runs.repo.path) for f in folders]
    ids = [node for results in ran if results for node in results.ran]
    assert len(ids) == len(set(ids)) == _gate(runs.single, "tests")["total"] == 18
    assert [len(results.ran) for results in ran if results] == [6, 6, 6]
    assert {m["durations_sha256"] for m in manifests} == {None}  # cut by count
    roots = {m["root"] for m in manifests}
    assert roots == {str(c) for c in runs.clones}
    assert str(runs.repo.path) not in roots and not any(Path(r).exists() for r in roots)
    assert {m["head"] for m in manifests} == {runs.repo.sha()}


# -- damaged shards ------------------------------------------------------------------
def _resign(folder: Path, **changes: Any) -> None:
    """Rewrite a manifest as a shard of another matrix/commit would have written it."""
    path = folder / "manifest.json"
    data = {**json.loads(path.read_text()), **changes}
    data["digest"] = digest(data)
    path.write_text(json.dumps(data))


def _lose(folder: Path) -> None:
    shutil.rmtree(folder)


def _bad_json(folder: Path) -> None:
    (folder / "manifest.json").write_text('{"format": "mvp-process-shard", ')


def _flip_data(folder: Path) -> None:
    data = bytearray((folder / "coverage.data").read_bytes())
    data[100] ^= 0xFF
    (folder / "coverage.data").write_bytes(bytes(data))


def _edit_without_digest(folder: Path) -> None:
    path = folder / "manifest.json"
    text = path.read_text()
    assert '"root": "/' in text
    path.write_text(text.replace('"root": "/', '"root": "/elsewhere/'))


def _run_shard_1s_tests_again(folder: Path) -> None:
    """Shard 2 ran shard 1's tests: the runners collected different suites."""
    junit = folder / "junit.xml"
    shutil.copyfile(folder.parent / "mvp-process-shard-1" / "junit.xml", junit)
    checksums = json.loads((folder / "manifest.json").read_text())["checksums"]
    _resign(folder, checksums={**checksums, "junit.xml": sha256(junit)})


DAMAGE = {
    "lost": (_lose, ["shard 2/3 is missing"]),
    "bad json": (
        _bad_json,
        ["mvp-process-shard-2: manifest.json is not readable JSON"],
    ),
    "checksum": (_flip_data, ["mvp-process-shard-2: coverage.data is corrupt"]),
    "edited": (
        _edit_without_digest,
        ["mvp-process-shard-2: manifest.json: manifest digest"],
    ),
    "results gone": (
        lambda f: (f / "junit.xml").unlink(),
        ["mvp-process-shard-2: junit.xml is missing"],
    ),
    "results edited": (
        lambda f: (f / "junit.xml").write_text("<testsuites/>"),
        ["mvp-process-shard-2: junit.xml is corrupt"],
    ),
    "wrong N": (
        lambda f: _resign(f, total=4),
        ["disagree on the shard count", "shard 2/4 (", "N=4"],
    ),
    "other HEAD": (
        lambda f: _resign(f, head="0" * 40),
        ["shard 2/3 (", "ran on commit 000000000000, not on HEAD"],
    ),
    "twice": (
        lambda f: _resign(f, shard=1),
        ["shard 1/3 appears more than once", "shard 2/3 is missing"],
    ),
    "other durations": (
        lambda f: _resign(f, durations_sha256="f" * 64),
        ["cut with different .test_durations files"],
    ),
    "slices overlap": (
        _run_shard_1s_tests_again,
        ["tests ran in two shards", "(shards 1/3 and 2/3)"],
    ),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_shard_stops_the_decision_naming_it(
    runs: Runs,
    damage: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    copy = tmp_path / "artifacts"
    shutil.copytree(runs.artifacts, copy)
    change, expected = DAMAGE[damage]
    change(copy / "mvp-process-shard-2")
    monkeypatch.chdir(runs.repo.path)
    report = tmp_path / "report.json"
    code = main(["check", "--from-shards", str(copy), "--json", str(report)])
    err = capsys.readouterr().err
    assert code == 2
    assert "cannot decide from these test shards" in err
    for text in expected:
        assert text in err
    assert "Traceback" not in err
    assert not report.exists()  # no decision, not even a passing one
