"""The `pr` core: gather the facts about a pull request, then apply the rules.

Online (in Actions), the pull request is read fresh from the API by number,
because a re-run of a job reuses the event payload of its first run: a
description fixed since then must count. The issue, the commit messages and
the reviewers are only fetched when a rule needs them. Offline, only the
branch name and the description given on the command line are checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mvp_process.github.api import GitHubRepo, PullRequest
from mvp_process.config import Config
from mvp_process.github.policy import (
    IssueState,
    PolicyResult,
    PrFacts,
    branch_issue,
    closing_refs,
    evaluate,
)

# `https://host/owner/name(.git)`, `ssh://git@host/owner/name`, `git@host:owner/name`
_REMOTE = re.compile(
    r"^(?:[a-z+]+://[^/]+/|[\w.-]+@[\w.-]+:)"
    r"(?P<repo>[A-Za-z0-9-]+/[A-Za-z0-9._-]+?)(?:\.git)?/?$"
)


@dataclass(frozen=True)
class PrCheck:
    """The verdict and what it was decided from."""

    result: PolicyResult
    facts: PrFacts
    pull: PullRequest | None = None

    def where(self) -> str:
        """ "pull request #7, branch '7-x'" for headings."""
        branch = f"branch {self.facts.branch!r}"
        return f"pull request #{self.pull.number}, {branch}" if self.pull else branch


def repository_from_remote(url: str | None) -> str | None:
    """`owner/name` from a remote URL (https or ssh; not a local path)."""
    match = _REMOTE.search(url or "")
    return match["repo"] if match else None


def check_online(
    api: GitHubRepo,
    number: int,
    config: Config,
    branch: str | None = None,
    body: str | None = None,
) -> PrCheck:
    """Fetch what the rules need about pull request `number` and decide."""
    pull = api.pull(number)
    branch = pull.head_ref if branch is None else branch
    body = pull.body if body is None else body
    issue, _ = branch_issue(branch, config.branch_pattern)
    state: IssueState | None = None
    messages: tuple[str, ...] = ()
    if issue is not None:
        state = api.issue_state(issue)
        closed = any(r.targets(issue, api.full_name) for r in closing_refs(body))
        if not closed:
            messages = tuple(api.commit_messages(number))
    reviewers = api.reviewers(number, pull.author) if config.require_reviewer else None
    facts = PrFacts(
        branch=branch,
        body=body,
        repository=api.full_name,
        commit_messages=messages,
        issue_state=state,
        reviewers=reviewers,
    )
    result = evaluate(facts, config.branch_pattern, config.require_reviewer)
    return PrCheck(result, facts, pull)


def check_offline(
    branch: str, body: str | None, repository: str | None, config: Config
) -> PrCheck:
    """Branch name and description only: no API, no token."""
    facts = PrFacts(branch=branch, body=body, repository=repository)
    return PrCheck(
        evaluate(facts, config.branch_pattern, config.require_reviewer), facts
    )
