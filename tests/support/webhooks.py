"""GitHub's published example webhook payloads, adapted to a test repository.

A real event names real branches and commits; the examples name
Codertocat/Hello-World's. Only those fields are replaced, the rest of the body is
GitHub's own (see tests/data/github-webhooks/README.md).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from support.repo import Repo

DATA = Path(__file__).resolve().parent.parent / "data" / "github-webhooks"


def example(name: str) -> dict[str, Any]:
    """One stored example, e.g. `pull_request.opened` or `push`."""
    data: dict[str, Any] = json.loads((DATA / f"{name}.json").read_text("utf-8"))
    return data


def pull_request_event(
    repo: Repo, *, base: str = "main", body: str | None = "Closes #254"
) -> dict[str, Any]:
    """`pull_request` `opened` for the checked-out branch of `repo` into `base`."""
    event = example("pull_request.opened")
    pr = event["pull_request"]
    pr["head"]["ref"] = repo.git("rev-parse", "--abbrev-ref", "HEAD")
    pr["head"]["sha"] = repo.sha()
    pr["base"]["ref"] = base
    pr["base"]["sha"] = repo.sha(f"origin/{base}")
    pr["body"] = body
    return event


def push_event(repo: Repo, branch: str = "main") -> dict[str, Any]:
    """`push` of `branch` of `repo` (its HEAD), as after a merge."""
    event = example("push")
    event["ref"] = f"refs/heads/{branch}"
    event["after"] = repo.sha()
    parent = repo.git("rev-parse", "--verify", "--quiet", "HEAD~1", check=False)
    event["before"] = parent or "0" * 40
    event["head_commit"]["id"] = event["after"]
    return event
