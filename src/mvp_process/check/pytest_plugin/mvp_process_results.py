"""pytest plugin of every mvp-process test run (`-p mvp_process_results`).

    --mvp-results FILE   write FILE at session end: pytest's exit status, the
                         counts, and the failed/errored tests (JSON, below)

It replaces `--junitxml`, which serializes every test case (a tenth of a fast
suite's run time) when the gates only need counts and the tests that went
wrong. It runs in the project's own interpreter, so it imports nothing from
mvp-process; `mvp_process.check.pytest_results` reads the file.

Semantics (those of the JUnit report it replaces, one entry per test): a test
counts once; its first bad outcome wins (a failure in the call is `failed`, a
failure in setup or teardown is `error`); a collection error counts as one
test of kind `collection error`, a skipped module as one skipped test;
xfail is skipped, a strict xpass failed. Under pytest-xdist the controller
records what the workers report; the workers write nothing. The file is
written atomically, so it is either complete or missing (a session that dies
before its end leaves none, and the caller says so).

{"format": "mvp-process-results", "version": 1, "exitstatus": 1,
 "counts": {"total": 3, "failed": 1, "errors": 0, "skipped": 1},
 "failures": [{"id": "tests/test_a.py::test_b", "kind": "failed",
               "message": "assert 4 == 5", "path": "tests/test_a.py",
               "line": 12}]}
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

FORMAT = "mvp-process-results"
VERSION = 1
FAILED, ERROR, COLLECTION = "failed", "error", "collection error"
PASSED, SKIPPED = "passed", "skipped"
BAD = (FAILED, ERROR, COLLECTION)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mvp-process results")
    group.addoption(
        "--mvp-results",
        metavar="FILE",
        default=None,
        help="write the run's counts and failures to FILE (JSON) at session end",
    )


def pytest_configure(config: pytest.Config) -> None:
    path = config.getoption("mvp_results")
    if path and not hasattr(config, "workerinput"):  # not on an xdist worker
        config.pluginmanager.register(Recorder(path, config.rootpath), "mvp-results")


def first_reason(text: str, message: str) -> str:
    """The first `E ` line of a report (what failed), else the message's first."""
    for line in text.splitlines():
        if line.startswith("E "):
            return line[1:].strip()
    message = message.strip()
    return message.splitlines()[0] if message else "(no message)"


def _crash(report: pytest.TestReport | pytest.CollectReport) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    return str(crash.message) if crash is not None else str(report.longrepr)


class Recorder:
    """One test's outcome per node id, and the bad ones in the order they came."""

    def __init__(self, path: str, root: Path) -> None:
        self.path = path
        self.root = root
        self.outcomes: dict[str, str] = {}
        self.failures: list[dict[str, Any]] = []

    def _bad(
        self, node_id: str, kind: str, text: str, message: str, location: Any
    ) -> None:
        if self.outcomes.get(node_id) in BAD:
            return  # the first bad outcome of a test wins
        self.outcomes[node_id] = kind
        path, line = location[0], location[1]
        self.failures.append(
            {
                "id": node_id,
                "kind": kind,
                "message": first_reason(text, message),
                "path": path,
                "line": line + 1 if isinstance(line, int) else None,
            }
        )

    def _good(self, node_id: str, outcome: str) -> None:
        if self.outcomes.get(node_id) in (None, PASSED):
            self.outcomes[node_id] = outcome

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.passed:
            if report.when == "call":
                self._good(report.nodeid, PASSED)
        elif report.skipped:
            self._good(report.nodeid, SKIPPED)
        elif report.failed:
            if report.when == "call":
                text = str(report.longrepr)
                self._bad(report.nodeid, FAILED, text, _crash(report), report.location)
            else:  # setup, teardown, or xdist's "???" for a crashed worker
                message = f'failed on {report.when} with "{_crash(report)}"'
                text = str(report.longrepr)
                self._bad(report.nodeid, ERROR, text, message, report.location)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            path = report.nodeid.split("::")[0]
            where = path if (self.root / path).is_file() else None
            text = str(report.longrepr)
            self._bad(
                report.nodeid, COLLECTION, text, "collection failure", (where, None)
            )
        elif report.skipped:
            self._good(report.nodeid, SKIPPED)

    def pytest_internalerror(self, excrepr: object) -> None:
        """pytest's own crash, reported as an errored test (as JUnit did)."""
        self._bad("internal", ERROR, str(excrepr), "internal error", (None, None))

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        counts = {"total": len(self.outcomes), FAILED: 0, "errors": 0, SKIPPED: 0}
        for outcome in self.outcomes.values():
            if outcome == FAILED or outcome == SKIPPED:
                counts[outcome] += 1
            elif outcome != PASSED:
                counts["errors"] += 1
        data = {
            "format": FORMAT,
            "version": VERSION,
            "exitstatus": int(session.exitstatus),
            "counts": counts,
            "failures": self.failures,
        }
        tmp = f"{self.path}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False)
        os.replace(tmp, self.path)
