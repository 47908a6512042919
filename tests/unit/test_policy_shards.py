"""The pure decisions of sharding: K/N, balanced slices, manifests, shard sets."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from mvp_process.errors import ConfigError
from mvp_process.policy import shards as policy
from mvp_process.policy.shards import (
    Folder,
    Manifest,
    ManifestError,
    ShardSpec,
    check_shards,
    collection_digest,
    combined_exit_code,
    parse_durations,
    parse_manifest,
    parse_shard,
    split_suite,
)


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


# -- slicing -------------------------------------------------------------------------
def suite(files: int, per_file: int, seed: int = 0) -> list[str]:
    """Node ids of `files` files with about `per_file` tests each (some more)."""
    rng = random.Random(seed)
    ids = []
    for f in range(files):
        for t in range(per_file + rng.randrange(0, per_file + 1)):
            ids.append(f"tests/test_{f:03}.py::test_{t}")
    return ids


def durations_for(
    ids: list[str], seed: int = 1, known: float = 1.0
) -> dict[str, float]:
    rng = random.Random(seed)
    chosen = ids[: int(len(ids) * known)]
    return {n: round(rng.expovariate(20), 4) for n in chosen}


SUITES = [
    # (files, tests per file, shards, with durations, share of tests recorded)
    (1, 10, 3, False, 0.0),
    (5, 4, 3, False, 0.0),
    (40, 10, 2, False, 0.0),
    (40, 10, 4, False, 0.0),
    (3, 30, 4, False, 0.0),
    (2, 1, 5, False, 0.0),
    (40, 10, 4, True, 1.0),
    (40, 10, 3, True, 0.5),
    (10, 2, 7, True, 1.0),
    (200, 10, 4, True, 0.9),
]


@pytest.mark.parametrize("files,per_file,total,timed,known", SUITES)
def test_every_test_in_exactly_one_slice_in_collection_order(
    files: int, per_file: int, total: int, timed: bool, known: float
) -> None:
    ids = suite(files, per_file)
    durations = durations_for(ids, known=known) if timed else None
    slicing = split_suite(ids, total, durations)
    assert len(slicing.shards) == len(slicing.loads) == total
    positions = [p for shard in slicing.shards for p in shard]
    assert sorted(positions) == list(range(len(ids)))
    assert all(list(s) == sorted(s) for s in slicing.shards)
    assert slicing.strategy == ("durations" if timed else "files")


@pytest.mark.parametrize("files,per_file,total,timed,known", SUITES)
def test_slicing_is_deterministic(
    files: int, per_file: int, total: int, timed: bool, known: float
) -> None:
    ids = suite(files, per_file)
    durations = durations_for(ids, known=known) if timed else None
    first = split_suite(ids, total, durations)
    # Another runner: same collection, the durations file read in another order.
    shuffled = dict(reversed(list(durations.items()))) if durations else None
    assert split_suite(list(ids), total, shuffled) == first


@pytest.mark.parametrize("files,per_file,total,timed,known", SUITES)
def test_slices_are_balanced(
    files: int, per_file: int, total: int, timed: bool, known: float
) -> None:
    """Greedy longest-first: no slice exceeds the mean by more than one unit."""
    ids = suite(files, per_file)
    durations = durations_for(ids, known=known) if timed else None
    slicing = split_suite(ids, total, durations)
    if timed:
        assert durations is not None
        average = sum(durations.values()) / len(durations)
        weights = [max(durations.get(n, average), policy.MIN_WEIGHT) for n in ids]
        biggest = max(weights)
        for shard, load in zip(slicing.shards, slicing.loads):
            assert load == pytest.approx(sum(weights[p] for p in shard))
    else:
        weights = [1.0] * len(ids)
        biggest = -(-len(ids) // total)  # a file is cut at a fair share
        assert list(slicing.loads) == [len(s) for s in slicing.shards]
    assert max(slicing.loads) <= sum(weights) / total + biggest + 1e-9


def test_many_equal_files_split_evenly() -> None:
    ids = [f"tests/test_{f}.py::test_{t}" for f in range(12) for t in range(5)]
    slicing = split_suite(ids, 4)
    assert [len(s) for s in slicing.shards] == [15, 15, 15, 15]
    # Whole files: no file is split when files fit.
    for shard in slicing.shards:
        files = {ids[p].split("::")[0] for p in shard}
        assert len(files) * 5 == len(shard)


def test_a_big_file_is_cut_into_fair_shares() -> None:
    ids = [f"tests/test_big.py::test_{t}" for t in range(9)] + ["tests/test_s.py::t"]
    slicing = split_suite(ids, 2)
    assert sorted(len(s) for s in slicing.shards) == [5, 5]


def test_one_slow_test_gets_a_shard_to_itself() -> None:
    ids = [f"t.py::test_{i}" for i in range(9)]
    durations = {n: 0.1 for n in ids} | {"t.py::test_4": 5.0}
    slicing = split_suite(ids, 2, durations)
    assert (4,) in slicing.shards
    assert slicing.strategy == "durations"


def test_unrecorded_tests_weigh_the_average() -> None:
    ids = ["a.py::x", "a.py::y", "b.py::new1", "b.py::new2"]
    slicing = split_suite(ids, 2, {"a.py::x": 2.0, "a.py::y": 2.0, "gone.py::z": 99})
    assert slicing.loads == (4.0, 4.0)


def test_durations_that_know_no_collected_test_fall_back_to_files() -> None:
    ids = ["a.py::x", "a.py::y", "b.py::z"]
    slicing = split_suite(ids, 2, {"old.py::gone": 3.0})
    assert slicing.strategy == "files"
    assert slicing.shards == ((0, 1), (2,))


def test_more_shards_than_tests_leaves_some_empty() -> None:
    slicing = split_suite(["a.py::x", "b.py::y"], 4)
    assert sorted(len(s) for s in slicing.shards) == [0, 0, 1, 1]


def test_collection_digest_ignores_order() -> None:
    assert collection_digest(["a", "b"]) == collection_digest(["b", "a"])
    assert collection_digest(["a", "b"]) != collection_digest(["a", "c"])


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


# -- manifests ------------------------------------------------------------------------
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
        checksums={"junit.xml": "0" * 64},
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
        (_with(version=2), "manifest version 2"),
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
        (_with(checksums={"junit.xml": 1}), "hold strings"),
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
