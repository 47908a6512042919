"""A shard folder's `manifest.json`, and whether a set of them is one whole run.

Pure: `core.fanin` reads the files and checksums; this module parses what they
say and names every reason a set of folders is not exactly shards 1..N of one
run of one commit (missing, twice, another N, another HEAD, another suite,
slices overlapping or leaving tests out).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mvp_process.check.policy_shards import SLICED, collection_digest, file_of

FORMAT = "mvp-process-shard"
VERSION = 2  # 2: the test results are `results.json` (1 carried `junit.xml`)
# The data files a shard folder may hold beside its manifest, which checksums them.
DATA, RESULTS, DURATIONS = "coverage.data", "results.json", "durations.json"
DATA_FILES = (DATA, RESULTS, DURATIONS)


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
        return sorted({file_of(t) for _, t in self.tests})

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
    unknown = sorted(set(checksums) - set(DATA_FILES))
    if unknown:  # never a path to open: only our own file names
        raise ManifestError(f"it lists an unknown file '{unknown[0]}'")
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
