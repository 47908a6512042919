"""Pure decisions of test sharding: `K/N`, balanced slices, combined exit code.

Nothing here touches files or runs programs. `core.shards` collects the suite;
this module decides how it is cut, the same way on every runner, so every
test runs in exactly one shard. What a shard folder's manifest says, and
whether a set of them adds up to one run, is `policy.shard_manifest`.
"""

from __future__ import annotations

import hashlib
import heapq
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from mvp_process.errors import ConfigError

MAX_SHARDS = 256
MIN_WEIGHT = 0.001  # seconds: a recorded 0.0 still costs something to run
SLICED, WHOLE_SUITE = "sliced", "whole-suite"
DURATIONS, FILES = "durations", "files"
_SHARD = re.compile(r"\s*([0-9]+)\s*/\s*([0-9]+)\s*")


@dataclass(frozen=True)
class ShardSpec:
    """The K-th (1-based) of N shards."""

    index: int
    total: int

    @property
    def label(self) -> str:
        return f"{self.index}/{self.total}"

    @property
    def folder(self) -> str:
        """The default folder name; not hidden, so `upload-artifact` keeps it."""
        return f"shard-{self.index}-of-{self.total}"


def parse_shard(text: str) -> ShardSpec:
    """`"2/3"` -> ShardSpec(2, 3); anything else is a usage error saying why."""
    match = _SHARD.fullmatch(text)
    hint = "use --shard K/N with 1 <= K <= N, e.g. --shard 2/3"
    if not match:
        raise ConfigError(f"--shard '{text}' is not of the form K/N", hint=hint)
    index, total = int(match[1]), int(match[2])
    if total < 1 or total > MAX_SHARDS:
        raise ConfigError(
            f"--shard '{text}': N must be between 1 and {MAX_SHARDS}", hint=hint
        )
    if not 1 <= index <= total:
        raise ConfigError(
            f"--shard '{text}': K must be between 1 and {total}", hint=hint
        )
    return ShardSpec(index, total)


# -- slicing ----------------------------------------------------------------------
@dataclass(frozen=True)
class Slicing:
    """How a collected suite is cut: per shard, positions into the collection."""

    strategy: str
    shards: tuple[tuple[int, ...], ...]
    loads: tuple[float, ...]


def file_of(node_id: str) -> str:
    """`tests/test_a.py::TestX::test_y[1]` -> `tests/test_a.py`."""
    return node_id.split("::", 1)[0]


def _greedy(units: Sequence[tuple[float, tuple[int, ...]]], total: int) -> Slicing:
    """Longest first, each unit to the least-loaded shard (ties: lowest index).

    Units are (weight, positions); the order of `units` breaks weight ties, so
    the result depends only on the collection and the recorded figures.
    """
    order = sorted(range(len(units)), key=lambda i: (-units[i][0], i))
    heap = [(0.0, k) for k in range(total)]
    chosen: list[list[int]] = [[] for _ in range(total)]
    loads = [0.0] * total
    for i in order:
        load, k = heapq.heappop(heap)
        weight, positions = units[i]
        chosen[k].extend(positions)
        loads[k] = load + weight
        heapq.heappush(heap, (loads[k], k))
    return Slicing("", tuple(tuple(sorted(c)) for c in chosen), tuple(loads))


def _units(
    node_ids: Sequence[str], weights: Sequence[float], total: int
) -> list[tuple[float, tuple[int, ...]]]:
    """Whole test files; a file heavier than a fair share is cut in consecutive pieces.

    Keeping files whole means a shard imports only its own files: collecting
    (importing) the suite is most of what a shard costs.
    """
    files: dict[str, list[int]] = {}
    for position, node_id in enumerate(node_ids):
        files.setdefault(file_of(node_id), []).append(position)
    share = math.fsum(weights) / total + 1e-9
    units: list[tuple[float, tuple[int, ...]]] = []
    for positions in files.values():
        piece: list[int] = []
        weight = 0.0
        for position in positions:
            if piece and weight + weights[position] > share:
                units.append((weight, tuple(piece)))
                piece, weight = [], 0.0
            piece.append(position)
            weight += weights[position]
        units.append((weight, tuple(piece)))
    return units


def split_suite(
    node_ids: Sequence[str], total: int, durations: Mapping[str, float] | None = None
) -> Slicing:
    """Cut the suite into `total` balanced slices, deterministically.

    With recorded durations that know at least one collected test, a test
    weighs its duration (tests not recorded weigh the average of those that
    are, as pytest-split does); otherwise every test weighs the same. Files
    are the units (see `_units`), dealt longest first to the lightest shard.
    """
    collected = set(node_ids)
    known = {n: d for n, d in (durations or {}).items() if n in collected}
    if known:
        average = math.fsum(known.values()) / len(known)  # exact: order-free
        weights = [max(known.get(n, average), MIN_WEIGHT) for n in node_ids]
        strategy = DURATIONS
    else:
        weights, strategy = [1.0] * len(node_ids), FILES
    result = _greedy(_units(node_ids, weights, total), total)
    return Slicing(strategy, result.shards, result.loads)


def files_to_collect(
    node_ids: Sequence[str],
    positions: Sequence[int],
    collected_files: Sequence[str],
    index: int,
) -> list[str]:
    """The files a shard's run must collect: those of its tests, and for shard 1
    also every collected file holding no test to run (helpers, files whose
    tests `-k`/`-m` deselect), so every file is still imported by some shard,
    as an unsharded run imports it, and its import-time coverage counts.
    """
    mine = dict.fromkeys(file_of(node_ids[p]) for p in positions)
    if index == 1:
        used = {file_of(n) for n in node_ids}
        mine.update(dict.fromkeys(f for f in collected_files if f not in used))
    return list(mine)


def collection_digest(node_ids: Sequence[str]) -> str:
    """A fingerprint of the set of collected ids (order does not matter)."""
    return hashlib.sha256("\n".join(sorted(node_ids)).encode()).hexdigest()


def combined_exit_code(codes: Sequence[int]) -> int:
    """pytest's exit code for the whole suite, from the shards that ran it.

    A crash or usage error anywhere wins; then failures; then success; only
    when no shard ran anything is it "no tests collected" (5).
    """
    serious = [c for c in codes if c not in (0, 1, 5)]
    if serious:
        return serious[0]
    if 1 in codes:
        return 1
    return 0 if 0 in codes else 5


def parse_durations(data: object) -> dict[str, float]:
    """pytest-split's `.test_durations`: {node id: seconds} (or old [[id, s], ...])."""
    pairs: list[object]
    if isinstance(data, dict):
        pairs = [[k, v] for k, v in data.items()]
    elif isinstance(data, list):
        pairs = data
    else:
        raise ValueError("must be a JSON object of {node id: seconds}")
    durations: dict[str, float] = {}
    for pair in pairs:
        if not (isinstance(pair, (list, tuple)) and len(pair) == 2):
            raise ValueError("must be a JSON object of {node id: seconds}")
        node_id, seconds = pair
        number = seconds if type(seconds) in (int, float) else None
        if not isinstance(node_id, str) or number is None or not 0 <= number < math.inf:
            raise ValueError(f"{node_id!r}: {seconds!r} is not a number of seconds")
        durations[node_id] = float(number)
    return durations
