"""The results file our pytest plugin writes (`-p mvp_process_results`), read.

The plugin (`mvp_process/check/pytest_plugin/mvp_process_results.py`) runs in the
project's interpreter and imports nothing of ours, so the format is spelled
out twice: there as it is written, here as it is checked. A file that is
missing, unreadable, of another format or version, or whose counts do not
agree with its failures is no results at all: the caller then fails the
tests gate with pytest's own last words, never a silent pass.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

FORMAT = "mvp-process-results"
VERSION = 1
FILE = "results.json"
FAILED, ERROR, COLLECTION = "failed", "error", "collection error"
KINDS = (FAILED, ERROR, COLLECTION)


@dataclass(frozen=True)
class TestFailure:
    """A failed or errored test and the first line that explains it."""

    __test__ = False  # not a pytest test class

    id: str
    kind: str  # "failed" | "error" | "collection error"
    message: str
    path: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class Results:
    """What one pytest run (or the shards of one, merged) reported."""

    exit_status: int
    total: int
    failed: int
    errors: int
    skipped: int
    failures: tuple[TestFailure, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "exitstatus": self.exit_status,
            "counts": {
                "total": self.total,
                "failed": self.failed,
                "errors": self.errors,
                "skipped": self.skipped,
            },
            "failures": [
                {
                    "id": f.id,
                    "kind": f.kind,
                    "message": f.message,
                    "path": f.path,
                    "line": f.line,
                }
                for f in self.failures
            ],
        }

    def map_text(self, change: Callable[[str], str]) -> Results:
        """The same results with `change` applied to every text (e.g. `redact`)."""
        return replace(
            self,
            failures=tuple(
                replace(
                    f,
                    id=change(f.id),
                    message=change(f.message),
                    path=None if f.path is None else change(f.path),
                )
                for f in self.failures
            ),
        )


def _int(data: Mapping[str, Any], key: str, low: int = 0) -> int:
    value = data.get(key)
    if type(value) is not int or value < low:
        raise ValueError(f"'{key}' must be an integer >= {low}")
    return value


def _failure(raw: object) -> TestFailure:
    if not isinstance(raw, dict):
        raise ValueError("a failure must be an object")
    text = [raw.get(k) for k in ("id", "message")]
    path, line = raw.get("path"), raw.get("line")
    if not all(isinstance(t, str) for t in text) or raw.get("kind") not in KINDS:
        raise ValueError("a failure needs a string id and message and a known kind")
    if path is not None and not isinstance(path, str):
        raise ValueError("a failure's path must be a string or null")
    if line is not None:
        line = _int(raw, "line", 1)
    return TestFailure(raw["id"], raw["kind"], raw["message"], path, line)


def parse_results(data: object) -> Results:
    """Check a decoded results file field by field; `ValueError` says what is off."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError("not an mvp-process results file")
    if data.get("version") != VERSION:
        raise ValueError(f"results version {data.get('version')!r}, not {VERSION}")
    counts, raw = data.get("counts"), data.get("failures")
    if not isinstance(counts, dict) or not isinstance(raw, list):
        raise ValueError("'counts' must be an object and 'failures' a list")
    status = data.get("exitstatus")
    if type(status) is not int:
        raise ValueError("'exitstatus' must be an integer")
    results = Results(
        exit_status=status,
        total=_int(counts, "total"),
        failed=_int(counts, "failed"),
        errors=_int(counts, "errors"),
        skipped=_int(counts, "skipped"),
        failures=tuple(_failure(f) for f in raw),
    )
    kinds = [f.kind for f in results.failures]
    if (
        kinds.count(FAILED) != results.failed
        or len(kinds) - kinds.count(FAILED) != results.errors
        or results.failed + results.errors + results.skipped > results.total
    ):
        raise ValueError("the counts do not agree with the failures listed")
    return results


def read_results(path: Path) -> Results | None:
    """The results in `path`, or None when there are none worth trusting."""
    try:
        return parse_results(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):  # UnicodeDecodeError and JSON errors included
        return None


def write_results(path: Path, results: Results) -> None:
    """Write `path` atomically (the plugin does the same): complete or absent."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(results.to_json(), ensure_ascii=False), "utf-8")
    os.replace(tmp, path)
