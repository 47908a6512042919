"""Shard manifests and whether a set of shard folders is one whole run (pure)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mvp_process.check import policy_manifest as policy
from mvp_process.check.policy_manifest import (
    Folder,
    Manifest,
    ManifestError,
    check_shards,
    parse_manifest,
)
from mvp_process.check.policy_shards import collection_digest

HEAD = "a" * 40


def manifest(
    shard: int = 1,
    total: int = 2,
    tests: tuple[tuple[int, str], ...] | None = None,
    collected: tuple[str, ...] = ("t.py::a", "t.py::b", "u.py::c"),
    **changes: Any,
) -> Manifest:
    if tests is None:
        mine = [0, 1] if shard == 1 else [2]
        tests = tuple((p, collected[p]) for p in mine)
    fields: dict[str, Any] = dict(
        shard=shard,
        total=total,
        head=HEAD,
        root=f"/runner{shard}/work",
        mode="sliced",
        strategy="files",
        collected=len(collected),
        collection_sha256=collection_digest(collected),
        tests=tests,
        exit_code=0,
        duration=1.5,
        output_tail=("1 passed",),
        checksums={"results.json": "0" * 64},
        extra={"python": "/usr/bin/python3"},
    )
    fields.update(changes)
    return Manifest(**fields)


def test_manifest_round_trip() -> None:
    original = manifest(problems=("odd",))
    data = json.loads(json.dumps(original.to_json()))
    assert data["files"] == ["t.py"]
    assert data["pytest_exit_code"] == 0
    assert parse_manifest(data) == original


def _with(**changes: Any) -> dict[str, Any]:
    data = {**manifest().to_json(), **changes}
    data["digest"] = policy.digest(data)
    return data


@pytest.mark.parametrize(
    "data,says",
    [
        ([], "not an mvp-process shard manifest"),
        ({"format": "other"}, "not an mvp-process shard manifest"),
        (_with(version=1), "manifest version 1; this mvp-process reads version 2"),
        ({**manifest().to_json(), "shard": 2}, "digest mismatch"),
        (_with(shard="1"), "'shard' is missing or of the wrong type"),
        (_with(shard=True), "'shard' is missing or of the wrong type"),
        (_with(head=None), "'head'"),
        (_with(collection=[]), "'collection'"),
        (_with(collection={"count": 3}), "'sha256'"),
        (_with(tests="t.py::a"), "'tests' must be a list"),
        (_with(tests=[[0]]), "'tests' must be a list"),
        (_with(tests=[["0", "t.py::a"]]), "'tests' must be a list"),
        (_with(pytest_exit_code="1"), "'pytest_exit_code' must be an integer"),
        (_with(pytest_exit_code=False), "'pytest_exit_code' must be an integer"),
        (_with(checksums={"results.json": 1}), "hold strings"),
        (_with(checksums={"junit.xml": "0" * 64}), "lists an unknown file 'junit.xml'"),
        (_with(checksums={"../x": "0", "coverage.data": "0"}), "unknown file '../x'"),
        (_with(output_tail=[None]), "hold strings"),
        (_with(duration="slow"), "'duration'"),
    ],
)
def test_parse_manifest_refuses(data: Any, says: str) -> None:
    with pytest.raises(ManifestError) as caught:
        parse_manifest(data)
    assert says in str(caught.value)


def test_parse_manifest_accepts_no_exit_code() -> None:
    assert parse_manifest(_with(pytest_exit_code=None)).exit_code is None


# -- shard sets -----------------------------------------------------------------------
def folders(*manifests: Manifest) -> list[Folder]:
    return [Folder(f"dl/shard-{i}", m) for i, m in enumerate(manifests, 1)]


def test_a_complete_set_has_no_problems() -> None:
    assert check_shards(folders(manifest(1), manifest(2)), HEAD) == []


def test_a_whole_suite_set_has_no_problems() -> None:
    whole = dict(mode="whole-suite", strategy="whole-suite", tests=(), collected=())
    one = manifest(1, exit_code=2, **whole)
    two = manifest(2, exit_code=None, **whole)
    assert check_shards(folders(one, two), HEAD) == []


@pytest.mark.parametrize(
    "given,says",
    [
        ([], ["no shard folders were given"]),
        (
            [Folder("dl/x", problem="manifest.json is not readable JSON")],
            ["dl/x: manifest"],
        ),
        ([manifest(1)], ["shard 2/2 is missing"]),
        ([manifest(1), manifest(1), manifest(2)], ["shard 1/2 appears more than once"]),
        (
            [manifest(1), manifest(2, total=3)],
            ["disagree on the shard count", "shard 2/3 (dl/shard-2) says N=3"],
        ),
        ([manifest(1), manifest(2, head="b" * 40)], ["shard 2/2 (dl/shard-2) ran on"]),
        ([manifest(1), manifest(3)], ["shard 3/2 (dl/shard-2) has no place", "2/2 is"]),
        (
            [
                manifest(1),
                manifest(2, problems=("3 planned tests were not collected",)),
            ],
            ["shard 2/2 (dl/shard-2): 3 planned tests were not collected"],
        ),
        (
            [manifest(1), manifest(2, collected=("t.py::a", "t.py::b", "other"))],
            ["shard 2/2 (dl/shard-2) collected a different test suite than shard 1/2"],
        ),
        (
            [manifest(1), manifest(2, tests=((0, "t.py::a"),))],
            ["tests assigned to two shards: t.py::a (shards 1/2 and 2/2)"],
        ),
        (
            [manifest(1), manifest(2, tests=())],
            ["the shards ran 2 tests but 3 were collected"],
        ),
        (
            [manifest(1), manifest(2, tests=((2, "u.py::renamed"),))],
            ["the shards ran 3 tests but 3 were collected"],
        ),
    ],
)
def test_shard_set_problems_name_the_shard(given: list[Any], says: list[str]) -> None:
    given_folders = [
        g if isinstance(g, Folder) else Folder(f"dl/shard-{i}", g)
        for i, g in enumerate(given, 1)
    ]
    problems = check_shards(given_folders, HEAD)
    text = "\n".join(problems)
    for expected in says:
        assert expected in text


def test_unreadable_folders_are_named_beside_the_others() -> None:
    broken = Folder("dl/shard-2", problem="coverage.data is corrupt")
    problems = check_shards([Folder("dl/shard-1", manifest(1)), broken], HEAD)
    assert problems == [
        "dl/shard-2: coverage.data is corrupt",
        "shard 2/2 is missing (no folder has its manifest)",
    ]
