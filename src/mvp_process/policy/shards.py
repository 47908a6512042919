"""Pure decisions of test sharding: `K/N`, balanced slices, and whether shards combine.

Nothing here touches files or runs programs. `core.shards` collects the suite
and reads shard folders; this module decides how the suite is cut (the same
way on every runner, so every test runs in exactly one shard) and whether a
set of shard manifests adds up to exactly one complete run of one commit.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mvp_process.errors import ConfigError

FORMAT = "mvp-process-shard"
VERSION = 1
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


def test_file(node_id: str) -> str:
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


def _file_units(
    node_ids: Sequence[str], total: int
) -> list[tuple[float, tuple[int, ...]]]:
    """Whole test files, except that a file bigger than a fair share is cut."""
    files: dict[str, list[int]] = {}
    for position, node_id in enumerate(node_ids):
        files.setdefault(test_file(node_id), []).append(position)
    share = max(1, math.ceil(len(node_ids) / total))
    units: list[tuple[float, tuple[int, ...]]] = []
    for positions in files.values():
        for start in range(0, len(positions), share):
            piece = tuple(positions[start : start + share])
            units.append((float(len(piece)), piece))
    return units


def split_suite(
    node_ids: Sequence[str], total: int, durations: Mapping[str, float] | None = None
) -> Slicing:
    """Cut the suite into `total` balanced slices, deterministically.

    With recorded durations that know at least one collected test, each test
    weighs its duration (tests not recorded weigh the average of those that
    are, as pytest-split does); otherwise whole files weigh their test count.
    """
    known = {n: d for n, d in (durations or {}).items() if n in set(node_ids)}
    if known:
        average = sum(known.values()) / len(known)
        units = [
            (max(known.get(n, average), MIN_WEIGHT), (i,))
            for i, n in enumerate(node_ids)
        ]
        result, strategy = _greedy(units, total), DURATIONS
    else:
        result, strategy = _greedy(_file_units(node_ids, total), total), FILES
    return Slicing(strategy, result.shards, result.loads)


def collection_digest(node_ids: Sequence[str]) -> str:
    """A fingerprint of the set of collected ids (order does not matter)."""
    return hashlib.sha256("\n".join(sorted(node_ids)).encode()).hexdigest()


# -- manifests --------------------------------------------------------------------
class ManifestError(ValueError):
    """A manifest that is not what a shard writes."""


@dataclass(frozen=True)
class Manifest:
    """What one shard ran and produced (the folder's `manifest.json`)."""

    shard: int
    total: int
    head: str
    root: str
    mode: str  # SLICED, or WHOLE_SUITE when collection failed (shard 1 runs it all)
    strategy: str
    collected: int
    collection_sha256: str
    tests: tuple[tuple[int, str], ...]  # (position in the collection, node id)
    exit_code: int | None  # None: pytest did not run (an empty slice)
    duration: float = 0.0
    output_tail: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    checksums: Mapping[str, str] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.shard}/{self.total}"

    @property
    def files(self) -> list[str]:
        return sorted({test_file(t) for _, t in self.tests})

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "format": FORMAT,
            "version": VERSION,
            "shard": self.shard,
            "total": self.total,
            "head": self.head,
            "root": self.root,
            "mode": self.mode,
            "strategy": self.strategy,
            "collection": {"count": self.collected, "sha256": self.collection_sha256},
            "tests": [[p, t] for p, t in self.tests],
            "files": self.files,
            "pytest_exit_code": self.exit_code,
            "duration": round(self.duration, 3),
            "output_tail": list(self.output_tail),
            "problems": list(self.problems),
            "checksums": dict(sorted(self.checksums.items())),
            **dict(self.extra),
        }
        return {**body, "digest": digest(body)}


def digest(body: Mapping[str, Any]) -> str:
    """sha256 of the canonical JSON of a manifest without its `digest`."""
    fields = {k: v for k, v in body.items() if k != "digest"}
    text = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _get(data: Mapping[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    value = data.get(key)
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise ManifestError(f"'{key}' is missing or of the wrong type")
    return value


def _tests(raw: object) -> tuple[tuple[int, str], ...]:
    if not isinstance(raw, list):
        raise ManifestError("'tests' must be a list of [position, node id] pairs")
    pairs = []
    for pair in raw:
        if not (
            isinstance(pair, list)
            and len(pair) == 2
            and type(pair[0]) is int
            and isinstance(pair[1], str)
        ):
            raise ManifestError("'tests' must be a list of [position, node id] pairs")
        pairs.append((pair[0], pair[1]))
    return tuple(pairs)


def parse_manifest(data: object) -> Manifest:
    """Check a decoded `manifest.json` field by field, digest included."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ManifestError("not an mvp-process shard manifest")
    if data.get("version") != VERSION:
        raise ManifestError(
            f"manifest version {data.get('version')!r}; this mvp-process "
            f"reads version {VERSION}"
        )
    if data.get("digest") != digest(data):
        raise ManifestError(
            "manifest digest mismatch: the file was altered or truncated"
        )
    collection = _get(data, "collection", dict)
    exit_code = data.get("pytest_exit_code")
    if exit_code is not None and (type(exit_code) is not int):
        raise ManifestError("'pytest_exit_code' must be an integer or null")
    checksums = _get(data, "checksums", dict)
    tail, problems = _get(data, "output_tail", list), _get(data, "problems", list)
    if not all(isinstance(v, str) for v in [*checksums.values(), *tail, *problems]):
        raise ManifestError("'checksums', 'output_tail' and 'problems' hold strings")
    known = {"format", "version", "digest", "collection", "tests", "files"}
    known |= {"pytest_exit_code", "output_tail", "problems", "checksums"}
    known |= {"shard", "total", "head", "root", "mode", "strategy", "duration"}
    return Manifest(
        shard=_get(data, "shard", int),
        total=_get(data, "total", int),
        head=_get(data, "head", str),
        root=_get(data, "root", str),
        mode=_get(data, "mode", str),
        strategy=_get(data, "strategy", str),
        collected=_get(collection, "count", int),
        collection_sha256=_get(collection, "sha256", str),
        tests=_tests(data.get("tests")),
        exit_code=exit_code,
        duration=float(_get(data, "duration", (int, float))),
        output_tail=tuple(tail),
        problems=tuple(problems),
        checksums=dict(checksums),
        extra={k: v for k, v in data.items() if k not in known},
    )


# -- does a set of shards add up to one run? ----------------------------------------
@dataclass(frozen=True)
class Folder:
    """One shard folder as read: its manifest, or why it could not be used."""

    label: str
    manifest: Manifest | None = None
    problem: str = ""


def _name(folder: Folder) -> str:
    m = folder.manifest
    return f"shard {m.label} ({folder.label})" if m else folder.label


def _set_problems(good: Sequence[Folder], head: str) -> list[str]:
    problems: list[str] = []
    totals = sorted({f.manifest.total for f in good if f.manifest})
    if len(totals) > 1:
        said = ", ".join(
            f"{_name(f)} says N={f.manifest.total}" for f in good if f.manifest
        )
        return [f"the shards disagree on the shard count: {said}"]
    total = totals[0]
    for folder in good:
        m = folder.manifest
        assert m is not None
        if m.head != head:
            problems.append(
                f"{_name(folder)} ran on commit {m.head[:12]}, not on HEAD {head[:12]}"
            )
        if not 1 <= m.shard <= total:
            problems.append(f"{_name(folder)} has no place among 1..{total}")
        problems += [f"{_name(folder)}: {p}" for p in m.problems]
    for k in range(1, total + 1):
        same = [f for f in good if f.manifest and f.manifest.shard == k]
        if not same:
            problems.append(
                f"shard {k}/{total} is missing (no folder has its manifest)"
            )
        elif len(same) > 1:
            where = ", ".join(f.label for f in same)
            problems.append(f"shard {k}/{total} appears more than once: {where}")
    return problems


def _suite_problems(good: Sequence[Folder]) -> list[str]:
    """Same collection everywhere, and every collected test in exactly one slice."""
    manifests = [f.manifest for f in good if f.manifest]
    first = manifests[0]
    odd = [
        f
        for f in good
        if f.manifest
        and (f.manifest.collection_sha256, f.manifest.mode)
        != (first.collection_sha256, first.mode)
    ]
    if odd:
        names = ", ".join(_name(f) for f in odd)
        return [
            f"{names} collected a different test suite than shard {first.label} "
            "(are test ids or the environment different between runners?)"
        ]
    if first.mode != SLICED:
        return []
    seen: dict[int, str] = {}
    twice: list[str] = []
    for m in manifests:
        for position, node_id in m.tests:
            if position in seen:
                twice.append(f"{node_id} (shards {seen[position]} and {m.label})")
            seen[position] = m.label
    if twice:
        return [f"tests assigned to two shards: {', '.join(twice[:5])}"]
    ids = [t for m in manifests for _, t in m.tests]
    if len(ids) != first.collected or collection_digest(ids) != first.collection_sha256:
        return [
            f"the shards ran {len(ids)} tests but {first.collected} were collected: "
            "the slices do not add up to the suite"
        ]
    return []


def check_shards(folders: Sequence[Folder], head: str) -> list[str]:
    """Every reason the folders are not exactly shards 1..N of one run of `head`."""
    if not folders:
        return ["no shard folders were given"]
    problems = [f"{f.label}: {f.problem}" for f in folders if f.problem]
    good = [f for f in folders if f.manifest and not f.problem]
    if not good:
        return problems or ["no shard manifest could be read"]
    problems += _set_problems(good, head)
    if not problems:
        problems += _suite_problems(good)
    return problems


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
