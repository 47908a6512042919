"""The pure decisions of sharding: K/N, durations, exit code, manifests, sets."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mvp_process.check import policy_shards as policy
from mvp_process.check.policy_shards import (
    Folder,
    Manifest,
    ManifestError,
    ShardSpec,
    check_shards,
    combined_exit_code,
    overlap,
    parse_durations,
    parse_manifest,
    parse_shard,
)
from mvp_process.errors import ConfigError

HEAD = "a" * 40


# -- K/N ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text,index,total",
    [("1/1", 1, 1), ("2/3", 2, 3), (" 3 / 3 ", 3, 3), ("256/256", 256, 256)],
)
def test_parse_shard(text: str, index: int, total: int) -> None:
    spec = parse_shard(text)
    assert spec == ShardSpec(index, total)
    assert spec.label == f"{index}/{total}"
    assert spec.folder == f"shard-{index}-of-{total}"


@pytest.mark.parametrize(
    "text,says",
    [
        ("3", "not of the form K/N"),
        ("a/b", "not of the form K/N"),
        ("-1/3", "not of the form K/N"),
        ("1/3/4", "not of the form K/N"),
        ("0/3", "K must be between 1 and 3"),
        ("4/3", "K must be between 1 and 3"),
        ("1/0", "N must be between 1 and 256"),
        ("1/257", "N must be between 1 and 256"),
    ],
)
def test_parse_shard_refuses(text: str, says: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_shard(text)
    assert says in str(caught.value)
    assert "--shard 2/3" in caught.value.hint
    assert caught.value.exit_code == 2


# -- durations file -------------------------------------------------------------------
@pytest.mark.parametrize(
    "data,expected",
    [
        ({"a.py::x": 1, "a.py::y": 0.5}, {"a.py::x": 1.0, "a.py::y": 0.5}),
        ([["a.py::x", 2.5]], {"a.py::x": 2.5}),
        ({}, {}),
    ],
)
def test_parse_durations(data: Any, expected: dict[str, float]) -> None:
    assert parse_durations(data) == expected


@pytest.mark.parametrize(
    "data",
    [
        "nope",
        [["a", 1, 2]],
        ["a"],
        {"a": "1"},
        {"a": -1},
        {"a": float("nan")},
        {"a": float("inf")},
        {"a": True},
        [[1, 1.0]],
    ],
)
def test_parse_durations_refuses(data: Any) -> None:
    with pytest.raises(ValueError):
        parse_durations(data)


@pytest.mark.parametrize(
    "codes,expected",
    [
        ([], 5),
        ([0], 0),
        ([0, 0, 5], 0),
        ([0, 1, 0], 1),
        ([1, 2], 2),
        ([0, 3, 4], 3),
        ([5, 5], 5),
        ([0, -11], -11),
    ],
)
def test_combined_exit_code(codes: list[int], expected: int) -> None:
    assert combined_exit_code(codes) == expected


# -- manifests -----------------------------------------------------------------------
def manifest(shard: int = 1, total: int = 2, **changes: Any) -> Manifest:
    fields: dict[str, Any] = dict(
        shard=shard,
        total=total,
        head=HEAD,
        root=f"/runner{shard}/work",
        exit_code=0,
        durations_sha256="d" * 64,
        duration=1.5,
        output_tail=("1 passed",),
        checksums={"junit.xml": "0" * 64},
        extra={"python": "/usr/bin/python3"},
    )
    fields.update(changes)
    return Manifest(**fields)


def test_manifest_round_trip() -> None:
    original = manifest()
    data = json.loads(json.dumps(original.to_json()))
    assert data["pytest_exit_code"] == 0 and data["version"] == 3
    assert parse_manifest(data) == original
    assert parse_manifest(_with(durations_sha256=None)).durations_sha256 is None


def _with(**changes: Any) -> dict[str, Any]:
    data = {**manifest().to_json(), **changes}
    data["digest"] = policy.digest(data)
    return data


@pytest.mark.parametrize(
    "data,says",
    [
        ([], "not an mvp-process shard manifest"),
        ({"format": "other"}, "not an mvp-process shard manifest"),
        (_with(version=2), "manifest version 2; this mvp-process reads version 3"),
        ({**manifest().to_json(), "shard": 2}, "digest mismatch"),
        (_with(shard="1"), "'shard' is missing or of the wrong type"),
        (_with(shard=True), "'shard' is missing or of the wrong type"),
        (_with(head=None), "'head'"),
        (_with(pytest_exit_code="1"), "'pytest_exit_code' is missing"),
        (_with(pytest_exit_code=None), "'pytest_exit_code' is missing"),
        (_with(pytest_exit_code=False), "'pytest_exit_code' is missing"),
        (_with(checksums={"junit.xml": 1}), "hold strings"),
        (_with(durations_sha256=1), "hold strings"),
        (
            _with(checksums={"results.json": "0" * 64}),
            "lists an unknown file 'results.json'",
        ),
        (_with(checksums={"../x": "0", "coverage.data": "0"}), "unknown file '../x'"),
        (_with(output_tail=[None]), "hold strings"),
        (_with(duration="slow"), "'duration'"),
    ],
)
def test_parse_manifest_refuses(data: Any, says: str) -> None:
    with pytest.raises(ManifestError) as caught:
        parse_manifest(data)
    assert says in str(caught.value)


# -- shard sets -----------------------------------------------------------------------
def folders(*manifests: Manifest) -> list[Folder]:
    return [Folder(f"dl/shard-{i}", m) for i, m in enumerate(manifests, 1)]


def test_a_complete_set_has_no_problems() -> None:
    assert check_shards(folders(manifest(1), manifest(2)), HEAD) == []


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
            [manifest(1), manifest(2, durations_sha256=None)],
            ["cut with different .test_durations files"],
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


def test_tests_that_two_shards_ran() -> None:
    assert overlap({"1/2": ["t.py::a", "t.py::b"], "2/2": ["u.py::c"]}) == []
    (problem,) = overlap({"1/2": ["t.py::a"], "2/2": ["u.py::c", "t.py::a"]})
    assert problem.startswith("tests ran in two shards: t.py::a (shards 1/2 and 2/2)")
    assert "collect the same tests in the same order?" in problem
