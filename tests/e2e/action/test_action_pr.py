"""`command: pr` through the action: the pull request read from the fake GitHub,
the verdict as the commit status `mvp-process/pr`, the job summary and the exit
status."""

from __future__ import annotations

from typing import Any

import pytest

from support.action import (
    OUTPUT_NAMES,
    Act,
    check_out_merge,
    pull_request_payload,
    push_payload,
    shown,
)
from support.actions import REPO, TOKEN
from support.fake_github import FakeGitHub
from support.repo import Repo
from support import gfm

pytestmark = pytest.mark.slow

PR = 300
ISSUE = 254
BRANCH = "254-add-error-message-on-timeout"
BODY = "Shows a message when the request times out.\n\nCloses #254"
RUN_URL = f"https://github.com/{REPO}/actions/runs/1"


def open_pull_request(
    repo: Repo,
    github: FakeGitHub,
    branch: str,
    *,
    body: str | None,
    reviewers: tuple[str, ...],
    action: str = "opened",
) -> tuple[str, dict[str, Any]]:
    """A pull request from `branch` into main, on GitHub and in the checkout;
    (head, the `pull_request` payload, whose body is GitHub's at that moment)."""
    base = repo.commit("Initial", {"README.md": "hello\n"})
    repo.push("main")
    repo.switch(branch, create=True)
    repo.commit("Add the timeout message", {"msg.txt": "timeout\n"})
    repo.push(branch)
    head, _ = check_out_merge(repo, branch)
    github.add_issue(REPO, ISSUE, title="Say when it times out")
    github.add_pull(
        REPO,
        PR,
        head_ref=branch,
        head_sha=head,
        base_sha=base,
        body=body,
        author="dev",
        reviewers=reviewers,
        commits=[(head, "Add the timeout message")],
    )
    event = pull_request_payload(PR, branch, head, base, action=action, body=body)
    return head, event


def pr_statuses(github: FakeGitHub, sha: str) -> list[dict[str, Any]]:
    return github.statuses(REPO, sha)


def test_a_compliant_pull_request_passes(
    repo: Repo, act: Act, github: FakeGitHub
) -> None:
    head, event = open_pull_request(
        repo, github, BRANCH, body=BODY, reviewers=("alice",)
    )

    result = act({"command": "pr"}, event=event)

    assert result.exit_code == 0, result.log
    assert result.step("run").outcome == "success"
    assert result.outputs == dict.fromkeys(OUTPUT_NAMES, "")
    (status,) = pr_statuses(github, head)
    assert (status["context"], status["state"]) == ("mvp-process/pr", "success")
    assert status["target_url"] == RUN_URL
    assert f"mvp-process pr passed (pull request #{PR}" in gfm.shown(result.summary)
    for rule in ("branch-name", "closing-reference", "reviewer"):
        assert f"| `{rule}` | ✅ pass |" in result.summary
    assert f"mvp-process pr: PASSED (pull request #{PR}" in result.log
    assert "::error" not in result.log
    assert github.comments(REPO, PR) == []  # the verdict is the status alone
    assert TOKEN in result.masks and TOKEN not in shown(result, github)


def test_a_non_compliant_pull_request_fails_with_its_messages(
    repo: Repo, act: Act, github: FakeGitHub
) -> None:
    head, event = open_pull_request(
        repo, github, BRANCH, body=None, reviewers=(), action="opened-null-body"
    )

    result = act({"command": "pr"}, event=event)

    assert result.exit_code == 1, result.log
    assert result.step("run").outcome == "failure"
    assert result.outputs == dict.fromkeys(OUTPUT_NAMES, "")
    (status,) = pr_statuses(github, head)
    assert (status["context"], status["state"]) == ("mvp-process/pr", "failure")
    assert len(status["description"]) <= 140
    summary = result.summary
    assert f"mvp-process pr failed (pull request #{PR}" in gfm.shown(summary)
    assert "| `branch-name` | ✅ pass |" in summary
    assert "| `issue` | ✅ pass |" in summary
    messages = {
        "closing-reference": "the description is empty, so nothing closes #254",
        "reviewer": "no reviewer assigned: request a review",
    }
    failed = [line for line in summary.splitlines() if "| ❌ fail |" in line]
    assert len(failed) == len(messages), summary
    for rule, message in messages.items():
        assert f"| `{rule}` | ❌ fail |" in summary
        assert message in gfm.shown(summary)
        assert f"::error title=mvp-process pr%3A {rule}::{message}" in result.log
    assert TOKEN not in shown(result, github)


def test_pr_on_a_push_has_nothing_to_check(
    repo: Repo, act: Act, github: FakeGitHub
) -> None:
    sha = repo.commit("Initial", {"README.md": "hello\n"})

    result = act({"command": "pr"}, event_name="push", event=push_payload(sha, "main"))

    assert result.exit_code == 0, result.log
    assert "nothing to check: the push event is not a pull request" in result.log
    assert github.log == []
