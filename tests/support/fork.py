"""A pull request from a fork, as the two workflows of the fork flow see it.

The first (`pull_request`, the fork's code, a read-only token) leaves an
artifact folder: the `check --json` report and the pull request's number.
The second (`workflow_run`) gets GitHub's `workflow_run` payload for the first
run: `workflow_run_event` is GitHub's example (tests/data/github-webhooks/
`workflow_run.completed.json`) moved to the test repository, with the run's
event, head commit and id of the case, and the head repository a fork.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from support.actions import REPO
from support.webhooks import example

EXAMPLE_REPO = "octo-org/octo-repo"
FORK = "forker/hello-world"
RUN_ID = 289782451
HEAD, MERGE, BASE = "a" * 40, "b" * 40, "c" * 40


def workflow_run_event(
    head_sha: str, *, event: str = "pull_request", run_id: int = RUN_ID
) -> dict[str, Any]:
    """`workflow_run` `completed` for run `run_id` of REPO, started by `event`."""
    text = json.dumps(example("workflow_run.completed"))
    owner, name = REPO.split("/")
    text = text.replace(EXAMPLE_REPO, REPO).replace('"octo-repo"', f'"{name}"')
    data: dict[str, Any] = json.loads(text)
    run = data["workflow_run"]
    run.update(event=event, head_sha=head_sha, id=run_id, pull_requests=[])
    run["head_commit"]["id"] = head_sha
    fork = run["head_repository"]
    fork["full_name"], fork["fork"] = FORK, True
    fork["owner"]["login"] = FORK.split("/")[0]
    return data


def write_artifact(
    folder: Path, report: dict[str, Any] | bytes | None, number: int | bytes | None
) -> Path:
    """The artifact as actions/download-artifact leaves it: `report.json` (a
    report, or raw bytes) and `pr-number`; None leaves a file out."""
    folder.mkdir(parents=True, exist_ok=True)
    if report is not None:
        raw = report if isinstance(report, bytes) else json.dumps(report).encode()
        (folder / "report.json").write_bytes(raw)
    if number is not None:
        text = number if isinstance(number, bytes) else f"{number}\n".encode()
        (folder / "pr-number").write_bytes(text)
    return folder


FINDING = {
    "path": "calc/x.py",
    "line": 1,
    "end_line": 1,
    "col": 8,
    "code": "F401",
    "message": "'os' imported but unused",
}


def gate(name: str, passed: bool = True, **metrics: Any) -> dict[str, Any]:
    return {
        "name": name,
        "passed": passed,
        "summary": "fine",
        "details": [],
        "findings": [],
        "duration": 0.5,
        "hint": None,
        **metrics,
    }


def sample_report() -> dict[str, Any]:
    """A report as `check --json` writes it, every gate with its metrics."""
    return {
        "version": "0.1.0",
        "passed": False,
        "gates": [
            gate("flake8", False, files=3, scope="all", count=1, outside=0)
            | {"findings": [FINDING], "details": ["calc/x.py:1:8: F401 ..."]}
            | {"hint": {"text": "rechecks", "command": "flake8 calc/x.py"}},
            gate("black", files=[], scope="all", outside=0),
            gate(
                "tests",
                total=2,
                failed=0,
                errors=0,
                skipped=0,
                failures=[{"id": "t::x", "kind": "failed", "message": "no"}],
            ),
            gate(
                "coverage",
                before=100.0,
                after=99.5,
                after_exact=99.4999,
                max_drop=1.0,
                baseline={"sha": BASE, "source": "status", "note": ""},
            ),
            gate(
                "diff-coverage",
                percent=None,
                changed_lines=0,
                executable_lines=0,
                covered_lines=0,
                uncovered_lines=0,
                unmeasured_lines=0,
                minimum=80.0,
                uncovered={"calc/x.py": "3-4"},
                not_measured=[],
                omitted=[],
                unreadable=[],
                excluded=["tests/test_x.py"],
            ),
        ],
        "head": MERGE,
        "base": "origin/main",
        "merge_base": BASE,
        "skipped": [],
        "notes": ["this pull request changes nothing"],
        "dirty": False,
        "project": None,
        "folder": "",
        "checked": "HEAD bbbbbbbbbbbb against origin/main (merge-base cccccccccccc)",
        "coverage_history": [{"sha": BASE, "percent": 100.0}],
    }
