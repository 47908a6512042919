"""The data every gate returns and every reporter consumes.

Gates know nothing of GitHub or terminals: they return a `GateResult`; the
`CheckReport` gathers them. Reporters (terminal, JSON, Actions, PR comment)
only read these objects, so adding a reporter never touches a gate.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Level = Literal["error", "warning", "notice"]


@dataclass(frozen=True)
class Finding:
    """One problem at a place in a file: a flake8 code or an uncovered range."""

    path: str
    line: int
    message: str
    code: str = ""
    col: int | None = None
    end_line: int | None = None
    level: Level = "error"

    def location(self) -> str:
        where = f"{self.path}:{self.line}"
        if self.end_line and self.end_line != self.line:
            where += f"-{self.end_line}"
        elif self.col:
            where += f":{self.col}"
        return where

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "end_line": self.end_line or self.line,
            "col": self.col,
            "code": self.code,
            "message": self.message,
        }


@dataclass(frozen=True)
class Hint:
    """What to do about a failing gate: the command that does it (if one
    does), and a few words on what it does (or, alone, what to do)."""

    text: str
    command: str = ""


@dataclass(frozen=True)
class Recorded:
    """A project coverage figure recorded on a commit of the base branch."""

    sha: str
    percent: float


@dataclass(frozen=True)
class GateResult:
    """The outcome of one gate."""

    name: str
    passed: bool
    summary: str  # one line, for tables and commit statuses
    details: tuple[str, ...] = ()  # the lines a person reads to fix a failure
    findings: tuple[Finding, ...] = ()  # located problems: annotations and links
    metrics: Mapping[str, Any] = field(default_factory=dict)  # its figures, for JSON
    duration: float = 0.0
    hint: Hint | None = None  # what to do when it fails

    def about(self) -> Callable[[str], Finding | None]:
        """The finding a detail line is about (the line begins `path:line:`)."""
        index = {f"{f.path}:{f.line}:": f for f in reversed(self.findings)}

        def find(line: str) -> Finding | None:
            colon = line.find(":")
            while colon != -1 and index:
                if found := index.get(line[: colon + 1]):
                    return found
                colon = line.find(":", colon + 1)
            return None

        return find

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "passed": self.passed,
            "summary": self.summary,
            "details": list(self.details),
            "findings": [f.to_json() for f in self.findings],
            "duration": round(self.duration, 3),
            "hint": asdict(self.hint) if self.hint else None,
            **dict(self.metrics),
        }


@dataclass(frozen=True)
class CheckReport:
    """All gates of one `check` run, plus what they were measured against."""

    passed: bool
    gates: tuple[GateResult, ...]
    head_sha: str
    base_ref: str | None
    merge_base: str | None
    skipped: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    dirty: bool = False  # the figures include uncommitted work
    project: str | None = None  # the sub-project's name (config `project`)
    folder: str = ""  # the checked project's folder in the repository ("": the top)
    history: tuple[Recorded, ...] = ()  # the base branch's figures, oldest first

    def checked(self, code: Callable[[str], str] = str) -> str:
        """The header line of every report; `code` marks up commits and refs."""
        head = f"HEAD {code(self.head_sha[:12])}"
        if self.dirty:
            head += " + uncommitted changes"
        base = code(self.base_ref or "?")
        merge = code((self.merge_base or "?")[:12])
        text = f"{head} against {base} (merge-base {merge})"
        return f"{code(self.folder + '/')} at {text}" if self.folder else text

    def gate(self, name: str) -> GateResult | None:
        return next((g for g in self.gates if g.name == name), None)

    def metric(self, gate: str, key: str) -> Any:
        result = self.gate(gate)
        return None if result is None else result.metrics.get(key)

    def to_json(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "gates": [g.to_json() for g in self.gates],
            "head": self.head_sha,
            "base": self.base_ref,
            "merge_base": self.merge_base,
            "skipped": list(self.skipped),
            "notes": list(self.notes),
            "dirty": self.dirty,
            "project": self.project,
            "folder": self.folder,
            "checked": self.checked(),
            "coverage_history": [asdict(r) for r in self.history],
        }
