"""Pure decisions of test sharding: `K/N`, the manifest, whether shards add up.

`check.shards` runs a slice (pytest-split's cut is the same on every runner
for the same collection and durations) and reads the folders; this module
says what a folder's `manifest.json` holds and names every reason a set of
folders is not exactly shards 1..N of one run of one commit.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mvp_process.errors import ConfigError

MAX_SHARDS = 256
FORMAT = "mvp-process-shard"
VERSION = 3  # 3: cut by pytest-split, results in pytest's junit.xml
# The data files a shard folder may hold beside its manifest, which checksums them.
DATA, RESULTS, DURATIONS = "coverage.data", "junit.xml", "durations.json"
DATA_FILES = (DATA, RESULTS, DURATIONS)
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


def parse_durations(data: object) -> dict[str, float]:
    """pytest-split's `.test_durations`: {node id: seconds} (or old [[id, s], ...]).

    Checked here because pytest-split itself crashes on a malformed file.
    """
    pairs = list(data.items()) if isinstance(data, dict) else data
    if not isinstance(pairs, list):
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


def combined_exit_code(codes: Sequence[int]) -> int:
    """pytest's exit code for the whole suite, from the shards' codes: a crash
    or usage error anywhere wins; then failures; then success; only when no
    shard ran a test is it "no tests collected" (5)."""
    serious = [c for c in codes if c not in (0, 1, 5)]
    if serious:
        return serious[0]
    if 1 in codes:
        return 1
    return 0 if 0 in codes else 5


class ManifestError(ValueError):
    """A manifest that is not what a shard writes."""


@dataclass(frozen=True)
class Manifest:
    """What one shard ran and produced (the folder's `manifest.json`)."""

    shard: int
    total: int
    head: str
    root: str  # the folder the repository was checked out in
    exit_code: int
    durations_sha256: str | None = None  # the `.test_durations` the cut used
    duration: float = 0.0
    output_tail: tuple[str, ...] = ()
    checksums: Mapping[str, str] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.shard}/{self.total}"

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "format": FORMAT,
            "version": VERSION,
            "shard": self.shard,
            "total": self.total,
            "head": self.head,
            "root": self.root,
            "pytest_exit_code": self.exit_code,
            "durations_sha256": self.durations_sha256,
            "duration": round(self.duration, 3),
            "output_tail": list(self.output_tail),
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
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ManifestError(f"'{key}' is missing or of the wrong type")
    return value


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
    checksums = _get(data, "checksums", dict)
    tail = _get(data, "output_tail", list)
    sha = data.get("durations_sha256")
    if not all(isinstance(v, str) for v in [*checksums.values(), *tail]) or not (
        sha is None or isinstance(sha, str)
    ):
        raise ManifestError(
            "'checksums', 'output_tail' and 'durations_sha256' hold strings"
        )
    unknown = sorted(set(checksums) - set(DATA_FILES))
    if unknown:  # never a path to open: only our own file names
        raise ManifestError(f"it lists an unknown file '{unknown[0]}'")
    known = {"format", "version", "digest", "shard", "total", "head", "root"}
    known |= {"pytest_exit_code", "durations_sha256", "duration", "output_tail"}
    return Manifest(
        shard=_get(data, "shard", int),
        total=_get(data, "total", int),
        head=_get(data, "head", str),
        root=_get(data, "root", str),
        exit_code=_get(data, "pytest_exit_code", int),
        durations_sha256=sha,
        duration=float(_get(data, "duration", (int, float))),
        output_tail=tuple(tail),
        checksums=dict(checksums),
        extra={k: v for k, v in data.items() if k not in known | {"checksums"}},
    )


# -- does a set of shards add up to one run? ----------------------------------------
@dataclass(frozen=True)
class Folder:
    """One shard folder as read: its manifest, or why it could not be used."""

    label: str
    manifest: Manifest | None = None
    problem: str = ""

    @property
    def name(self) -> str:
        m = self.manifest
        return f"shard {m.label} ({self.label})" if m else self.label


def check_shards(folders: Sequence[Folder], head: str) -> list[str]:
    """Every reason the folders are not exactly shards 1..N of one run of `head`."""
    if not folders:
        return ["no shard folders were given"]
    problems = [f"{f.label}: {f.problem}" for f in folders if f.problem]
    good = [(f, f.manifest) for f in folders if f.manifest and not f.problem]
    if not good:
        return problems or ["no shard manifest could be read"]
    if len({m.total for _, m in good}) > 1:
        said = ", ".join(f"{f.name} says N={m.total}" for f, m in good)
        return problems + [f"the shards disagree on the shard count: {said}"]
    total = good[0][1].total
    for folder, m in good:
        if m.head != head:
            problems.append(
                f"{folder.name} ran on commit {m.head[:12]}, not on HEAD {head[:12]}"
            )
        if not 1 <= m.shard <= total:
            problems.append(f"{folder.name} has no place among 1..{total}")
    for k in range(1, total + 1):
        same = [f.label for f, m in good if m.shard == k]
        if not same:
            problems.append(
                f"shard {k}/{total} is missing (no folder has its manifest)"
            )
        elif len(same) > 1:
            problems.append(
                f"shard {k}/{total} appears more than once: {', '.join(same)}"
            )
    if len({m.durations_sha256 for _, m in good}) > 1:
        problems.append(
            "the shards were cut with different .test_durations files, so their "
            "slices need not add up to the suite"
        )
    return problems


def overlap(ran: Mapping[str, Sequence[str]]) -> list[str]:
    """Tests that two shards ran (keyed by shard label): the runners collected
    different suites, so pytest-split's cuts do not fit together."""
    seen: dict[str, str] = {}
    twice: list[str] = []
    for label, tests in ran.items():
        for test in tests:
            if test in seen:
                twice.append(f"{test} (shards {seen[test]} and {label})")
            seen.setdefault(test, label)
    if not twice:
        return []
    return [
        f"tests ran in two shards: {', '.join(twice[:5])}; did every runner "
        "collect the same tests in the same order?"
    ]
