"""Reading the Actions event payload ($GITHUB_EVENT_PATH), and Actions set-up."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mvp_process.git import Git
from mvp_process.github.event import Event, parse, read_event
from mvp_process.github.connect import github_repo
from mvp_process.github.publishing import baseline_sources
from mvp_process.config import Config, GitHubEnv
from mvp_process.github.command import repository_from_remote
from mvp_process.errors import ConfigError
from mvp_process.check.toolenv import ToolEnv
from support.actions import payload
from support.repo import Repo


def test_pull_request_payload() -> None:
    data = payload("pull_request.opened-null-body", number=7, head_sha="a" * 40)
    event = parse("pull_request", data, "f" * 40)
    assert event.pr_number == 7
    assert event.head_sha == "a" * 40  # the PR head, not GITHUB_SHA (the merge)
    assert (event.head_ref, event.base_ref) == ("changes", "master")
    assert not event.is_default_branch_push


def test_pull_request_target_and_review_events_count_as_pull_requests() -> None:
    data = payload("pull_request.review_requested")
    assert parse("pull_request_target", data, None).pr_number == 2
    assert parse("issue_comment", data, None).pr_number is None


def test_push_payload() -> None:
    data = payload("push")
    event = parse("push", data, "f" * 40)
    assert event.is_default_branch_push
    assert event.head_sha == data["after"]
    moved = parse("push", {**data, "ref": "refs/heads/staging"}, None)
    assert not moved.is_default_branch_push


def test_odd_payloads_leave_fields_empty() -> None:
    event = parse("workflow_dispatch", {"repository": [], "after": 3}, "f" * 40)
    assert event == Event(name="workflow_dispatch", head_sha="f" * 40)
    pr = parse("pull_request", {"pull_request": {"number": "7"}}, None)
    assert pr.pr_number is None


def write(tmp_path: Path, text: str) -> GitHubEnv:
    path = tmp_path / "event.json"
    path.write_text(text, encoding="utf-8")
    return GitHubEnv(actions=True, event_name="push", event_path=str(path), sha="s")


def test_read_event(tmp_path: Path) -> None:
    assert read_event(GitHubEnv()) == Event()
    env = GitHubEnv(actions=True, event_name="schedule", sha="s")
    assert read_event(env) == Event(name="schedule", head_sha="s")
    data = payload("push")
    assert read_event(write(tmp_path, json.dumps(data))).is_default_branch_push


@pytest.mark.parametrize(
    ("text", "words"),
    [("{", "is not valid JSON"), ("[1]", "does not hold a JSON object")],
)
def test_bad_payloads(tmp_path: Path, text: str, words: str) -> None:
    with pytest.raises(ConfigError, match=words):
        read_event(write(tmp_path, text))


def test_missing_payload_file(tmp_path: Path) -> None:
    env = GitHubEnv(actions=True, event_path=str(tmp_path / "nope.json"))
    with pytest.raises(ConfigError, match="could not be read"):
        read_event(env)


@pytest.mark.parametrize(
    ("url", "repo"),
    [
        ("https://github.com/octo-org/hello-world.git", "octo-org/hello-world"),
        ("git@github.com:octo-org/hello.world", "octo-org/hello.world"),
        ("ssh://git@github.com/o/r/", "o/r"),
        ("https://ghe.example.com/o/r", "o/r"),
        ("/tmp/work-origin.git", None),
        ("file:///tmp/a/b", None),
        ("", None),
        (None, None),
    ],
)
def test_repository_from_remote(url: str | None, repo: str | None) -> None:
    assert repository_from_remote(url) == repo


@pytest.mark.parametrize(
    ("mode", "with_api", "kinds"),
    [
        ("auto", True, ["StatusBaseline", "RecomputeBaseline"]),
        ("auto", False, ["RecomputeBaseline"]),
        ("status", True, ["StatusBaseline"]),
        ("status", False, ["Unavailable"]),
        ("recompute", True, ["RecomputeBaseline"]),
        ("none", True, []),
    ],
)
def test_baseline_sources_by_mode(
    mode: str, with_api: bool, kinds: list[str], repo: Repo
) -> None:
    github = GitHubEnv(token="t0k3n-value", repository="o/r", api_url="http://x")
    config = Config(baseline=mode, github=github)
    api = github_repo(github) if with_api else None  # lazy: no request made
    tools = ToolEnv.resolve(None, {})
    found = baseline_sources(config, Git(repo.path), tools, api)
    assert [type(s).__name__ for s in found] == kinds
