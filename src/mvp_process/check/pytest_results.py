"""pytest's own JUnit XML report (`--junitxml`), read for the tests gate.

pytest's `xunit1` flavour gives each test's file and line, so a failure can be
annotated where it is. What pytest writes, the gates count this way: a test
counts once and its first bad outcome wins (pytest writes a second test case
for a teardown error after a failed call, and under pytest-xdist every worker
reports the same collection error); a collection error counts as one test of
kind `collection error`; xfail counts as skipped, a strict xpass as failed. A
report that is missing or unreadable is no results at all: the caller then
fails the tests gate with pytest's own last words, never a silent pass.
"""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

FILE = "junit.xml"
FAILED, ERROR, COLLECTION = "failed", "error", "collection error"
PASSED, SKIPPED = "passed", "skipped"
BAD = (FAILED, ERROR, COLLECTION)


def junit_args(path: Path) -> list[str]:
    """pytest's options writing the report: after the project's own, so they win."""
    return [f"--junitxml={path}", "-o", "junit_family=xunit1", "-o", "junit_logging=no"]


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
    """Each test's outcome (by node id, in report order) and the bad ones.

    `session` holds the ids reported by the session rather than by a test run
    (collection errors and skips, pytest's internal error): every shard of a
    suite reports those, as each collects the whole suite.
    """

    outcomes: Mapping[str, str]
    failures: tuple[TestFailure, ...] = ()
    session: frozenset[str] = frozenset()

    @property
    def ran(self) -> list[str]:
        return [test for test in self.outcomes if test not in self.session]

    def count(self, *kinds: str) -> int:
        return sum(1 for outcome in self.outcomes.values() if outcome in kinds)

    @property
    def total(self) -> int:
        return len(self.outcomes)


def first_reason(text: str, message: str) -> str:
    """The first `E ` line of pytest's report (what failed), else its message's."""
    for line in text.splitlines():
        if line.startswith("E "):
            return line[1:].strip()
    message = message.strip()
    return message.splitlines()[0] if message else "(no message)"


def node_id(classname: str, name: str, file: str | None, root: Path) -> str:
    """The node id behind a test case: pytest writes the id's file as a dotted
    module name with the classes after it, and the test's own file (which,
    for a test inherited from another module, is not the id's) apart."""
    if file is None:
        return name  # pytest's internal error
    if not classname:
        return file  # a collection error or skip: the file is the node
    parts = classname.split(".")
    own = (file.removesuffix(".py").replace("/", "."), file)
    prefixes = (
        (".".join(parts[:end]), "/".join(parts[:end]) + ".py")
        for end in range(len(parts), 0, -1)
    )
    for module, path in itertools.chain([own], prefixes):
        if classname != module and not classname.startswith(module + "."):
            continue
        if path == file or (root / path).is_file():  # the disk only when unsure
            classes = (
                classname[len(module) + 1 :].split(".") if module != classname else []
            )
            return "::".join([path, *classes, name])
    return "::".join([classname, name])


def _outcome(case: ET.Element) -> tuple[str, ET.Element | None, bool]:
    """(kind, the element explaining a bad one, reported at collection?)"""
    for child in case:
        if child.tag == "failure":
            return FAILED, child, False
        if child.tag == "error":
            collection = child.get("message") == "collection failure"
            return (COLLECTION if collection else ERROR), child, collection
    skip = case.find("skipped")
    if skip is None:
        return PASSED, None, False
    return SKIPPED, None, skip.get("message") == "collection skipped"


def read_junit(path: Path, root: Path) -> Results | None:
    """The results in pytest's report at `path`, or None when there is none."""
    try:
        cases = list(ET.parse(path).getroot().iter("testcase"))
    except (OSError, ET.ParseError):
        return None
    outcomes: dict[str, str] = {}
    failures: list[TestFailure] = []
    session: set[str] = set()
    for case in cases:
        file = case.get("file")
        test = node_id(case.get("classname", ""), case.get("name", "?"), file, root)
        kind, element, collection = _outcome(case)
        if collection or file is None:
            session.add(test)
        if outcomes.get(test) in BAD:
            continue  # the first bad outcome of a test wins
        if element is not None:
            line = case.get("line", "")
            if kind == COLLECTION and file and not (root / file).is_file():
                file = None
            reason = first_reason(element.text or "", element.get("message", ""))
            at = int(line) + 1 if line.isdigit() else None
            failures.append(TestFailure(test, kind, reason, file, at))
        if element is not None or outcomes.get(test, PASSED) == PASSED:
            outcomes[test] = kind
    return Results(outcomes, tuple(failures), frozenset(session))


def merge(parts: Iterable[Results]) -> Results:
    """Several runs' results as one run's: the first word on each test wins
    (shards each collect the suite, so each reports its collection errors)."""
    outcomes: dict[str, str] = {}
    failures: dict[str, TestFailure] = {}
    session: set[str] = set()
    for part in parts:
        outcomes.update((k, v) for k, v in part.outcomes.items() if k not in outcomes)
        failures.update((f.id, f) for f in part.failures if f.id not in failures)
        session |= part.session
    return Results(outcomes, tuple(failures.values()), frozenset(session))
