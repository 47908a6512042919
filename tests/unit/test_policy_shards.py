"""The pure decisions of sharding: K/N, balanced slices, durations, exit code."""

from __future__ import annotations

import random
from typing import Any

import pytest

from mvp_process.errors import ConfigError
from mvp_process.check import policy_shards as policy
from mvp_process.check.policy_shards import (
    ShardSpec,
    collection_digest,
    combined_exit_code,
    parse_durations,
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
    """Longest first: no slice exceeds the mean by more than its biggest unit
    (a file, or a fair-share piece of one); with many files, hardly at all."""
    ids = suite(files, per_file)
    durations = durations_for(ids, known=known) if timed else None
    slicing = split_suite(ids, total, durations)
    if durations:
        average = sum(durations.values()) / len(durations)
        weights = [max(durations.get(n, average), policy.MIN_WEIGHT) for n in ids]
    else:
        weights = [1.0] * len(ids)
    for shard, load in zip(slicing.shards, slicing.loads):
        assert load == pytest.approx(sum(weights[p] for p in shard))
    mean = sum(weights) / total
    by_file: dict[str, float] = {}
    for node, weight in zip(ids, weights):
        by_file[policy.file_of(node)] = by_file.get(policy.file_of(node), 0) + weight
    unit = max(max(min(w, mean) for w in by_file.values()), max(weights))
    assert max(slicing.loads) <= mean + unit + 1e-9
    if files >= 8 * total:
        assert max(slicing.loads) <= 1.1 * mean


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
    # a.py weighs 2 of a 1.5 fair share: it is cut.
    assert slicing.shards == ((0, 2), (1,))


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


def test_files_stay_whole_when_they_fit_durations_too() -> None:
    ids = suite(30, 6)
    slicing = split_suite(ids, 3, durations_for(ids))
    owner: dict[str, int] = {}
    for k, shard in enumerate(slicing.shards):
        for p in shard:
            assert owner.setdefault(policy.file_of(ids[p]), k) == k


@pytest.mark.parametrize(
    "index,expected",
    [
        (1, ["t/b.py", "t/a.py", "t/helpers.py", "t/all_skipped.py"]),
        (2, ["t/c.py"]),
    ],
)
def test_files_to_collect(index: int, expected: list[str]) -> None:
    """Shard 1 also imports the files that hold no test to run."""
    ids = ["t/a.py::x", "t/b.py::y", "t/c.py::z"]
    collected = ["t/a.py", "t/all_skipped.py", "t/b.py", "t/c.py", "t/helpers.py"]
    positions = {1: [1, 0], 2: [2]}[index]
    files = policy.files_to_collect(ids, positions, collected, index)
    assert sorted(files) == sorted(expected)
