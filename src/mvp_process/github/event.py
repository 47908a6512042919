"""The event that started a GitHub Actions run (`$GITHUB_EVENT_PATH`).

Only what mvp-process needs is read out of the payload: the pull request's
number and head commit (statuses must go on the head commit, not on the merge
commit Actions checks out), and for a push whether it went to the default
branch. The pull request itself is fetched fresh from the API elsewhere: a
re-run of a job reuses the payload of its first run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mvp_process.config import GitHubEnv
from mvp_process.errors import ConfigError


@dataclass(frozen=True)
class Event:
    """The parts of an Actions event payload mvp-process acts on."""

    name: str | None = None
    pr_number: int | None = None
    head_sha: str | None = None
    head_ref: str | None = None
    base_ref: str | None = None
    ref: str | None = None
    default_branch: str | None = None

    @property
    def is_default_branch_push(self) -> bool:
        return (
            self.name == "push"
            and self.default_branch is not None
            and self.ref == f"refs/heads/{self.default_branch}"
        )


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def parse(name: str | None, payload: dict[str, Any], sha: str | None) -> Event:
    """An `Event` from a payload; fields the payload lacks stay None."""
    repository = _dict(payload.get("repository"))
    pull = _dict(payload.get("pull_request"))
    number = pull.get("number")
    if name and name.startswith("pull_request") and isinstance(number, int):
        head, base = _dict(pull.get("head")), _dict(pull.get("base"))
        return Event(
            name=name,
            pr_number=number,
            head_sha=_str(head.get("sha")),
            head_ref=_str(head.get("ref")),
            base_ref=_str(base.get("ref")),
            default_branch=_str(repository.get("default_branch")),
        )
    return Event(
        name=name,
        head_sha=_str(payload.get("after")) or sha,
        ref=_str(payload.get("ref")),
        default_branch=_str(repository.get("default_branch")),
    )


def read_event(github: GitHubEnv) -> Event:
    """The current run's event; an empty `Event` outside Actions."""
    if not github.actions:
        return Event()
    if not github.event_path:
        return Event(name=github.event_name, head_sha=github.sha)
    return parse(github.event_name, payload(github.event_path), github.sha)


def payload(event_path: str) -> dict[str, Any]:
    """The JSON object at `$GITHUB_EVENT_PATH`; a `ConfigError` if it is not one."""
    path = Path(event_path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(
            f"GITHUB_EVENT_PATH {path} could not be read: {exc.strerror}",
            hint="GitHub Actions sets it; unset GITHUB_ACTIONS to run locally",
        ) from None
    except ValueError as exc:
        raise ConfigError(
            f"GITHUB_EVENT_PATH {path} is not valid JSON: {exc}"
        ) from None
    if not isinstance(data, dict):
        raise ConfigError(f"GITHUB_EVENT_PATH {path} does not hold a JSON object")
    return data
