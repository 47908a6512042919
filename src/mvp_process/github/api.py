"""The GitHub adapter: the few REST calls mvp-process makes, through PyGithub.

The CLI builds the client (token, base URL, timeout, retries) and hands this
adapter a lazy `Repository`, so nothing is fetched that is not used. Every
call goes through `_calling`, which turns PyGithub's and requests' exceptions
into `ApiError`s that say what to do:

- 401: the token is invalid or expired;
- 403 "Resource not accessible by integration": a read-only token (pull
  requests from forks), as the distinct `ReadOnlyToken`, which publishers
  downgrade to one warning;
- rate limits (403/429) and 5xx: PyGithub's `GithubRetry` already waited and
  retried; what still fails is reported with when to try again;
- network errors and timeouts: which URL could not be reached.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, NoReturn

from github.GithubException import (
    GithubException,
    RateLimitExceededException,
    RateLimitExceededExceedsMaxWait,
)
from github.Repository import Repository
from requests.exceptions import RequestException

from mvp_process.errors import ApiError
from mvp_process.github.policy import IssueState, Reviewers

READ_ONLY = "resource not accessible by integration"
TOKEN_HINT = (
    "GITHUB_TOKEN is invalid or expired: in a workflow pass "
    "`GITHUB_TOKEN: ${{ github.token }}` (or a current personal access token); "
    "locally, create a new token"
)
PERMISSIONS_HINT = (
    "give the workflow `permissions: {statuses: write, pull-requests: write}`; "
    "pull requests from forks only get a read-only token"
)


class ReadOnlyToken(ApiError):
    """The token may read but not write (a pull request from a fork)."""


@dataclass(frozen=True)
class PullRequest:
    """A pull request as the API says it is now (not as the event said)."""

    number: int
    head_ref: str
    head_sha: str
    base_ref: str
    body: str
    author: str | None
    state: str


@dataclass(frozen=True)
class CommitStatus:
    context: str
    state: str
    description: str


def _message(exc: GithubException) -> str:
    data = exc.data
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        return str(data["message"])
    return exc.message or ""


def _headers(exc: GithubException) -> dict[str, str]:
    return {k.lower(): str(v) for k, v in (exc.headers or {}).items()}


def _rate_limited(exc: GithubException) -> bool:
    """By the exception's class, or by the headers: when retries run out on a
    rate-limited 403, `GithubRetry` has already read the body with GitHub's
    message, and PyGithub sees an empty one."""
    if isinstance(exc, RateLimitExceededException) or exc.status == 429:
        return True
    headers = _headers(exc)
    return exc.status == 403 and (
        headers.get("x-ratelimit-remaining") == "0" or "retry-after" in headers
    )


def _reset_time(exc: GithubException) -> str:
    reset = _headers(exc).get("x-ratelimit-reset", "")
    if not reset.isdigit():
        return ""
    when = datetime.datetime.fromtimestamp(int(reset), datetime.timezone.utc)
    return f" (the limit resets at {when:%H:%M:%S} UTC)"


def _raise_for(exc: GithubException, action: str) -> NoReturn:
    status, message = exc.status, _message(exc)
    said = f"{status} {message}".strip()
    if status == 401:
        raise ApiError(
            f"GitHub rejected the token while {action} ({said})", hint=TOKEN_HINT
        )
    if status == 403 and message.lower().startswith(READ_ONLY):
        raise ReadOnlyToken(
            f"the token may not write to GitHub while {action} ({said})",
            hint=PERMISSIONS_HINT,
        )
    if _rate_limited(exc):
        wait = isinstance(exc, RateLimitExceededExceedsMaxWait)
        raise ApiError(
            f"GitHub's API rate limit stopped mvp-process while {action} ({said})"
            + _reset_time(exc),
            hint="re-run the job later"
            + ("" if wait else "; retries with backoff did not help"),
        )
    if status >= 500:
        raise ApiError(
            f"GitHub failed while {action} ({said}), also on retries",
            hint="GitHub may be having trouble (https://www.githubstatus.com); "
            "re-run the job",
        )
    if status == 403:
        raise ApiError(f"GitHub refused {action} ({said})", hint=PERMISSIONS_HINT)
    raise ApiError(f"GitHub answered {said} while {action}")


class GitHubRepo:
    """One repository's pull requests, issues, statuses and comments."""

    def __init__(self, repo: Repository, full_name: str, api_url: str) -> None:
        self.repo = repo
        self.full_name = full_name
        self.api_url = api_url

    @contextmanager
    def _calling(self, action: str) -> Iterator[None]:
        try:
            yield
        except GithubException as exc:
            _raise_for(exc, action)
        except RequestException as exc:
            raise ApiError(
                f"could not reach GitHub at {self.api_url} while {action}: "
                f"{type(exc).__name__}: {exc}",
                hint="check GITHUB_API_URL and the network, then re-run",
            ) from None

    def _not_found(self, exc: GithubException) -> bool:
        return exc.status in (404, 410)

    # -- reads ----------------------------------------------------------------
    def default_branch(self) -> str:
        """The repository's default branch; also proves the token works."""
        with self._calling(f"reading repository {self.full_name}"):
            try:
                return str(self.repo.default_branch)
            except GithubException as exc:
                if self._not_found(exc):
                    raise ApiError(
                        f"repository {self.full_name} not found at {self.api_url}",
                        hint="check GITHUB_REPOSITORY (owner/name) and the token's "
                        "access to it",
                    ) from None
                raise

    def pull(self, number: int) -> PullRequest:
        with self._calling(f"reading pull request #{number}"):
            try:
                pr = self.repo.get_pull(number)
                return PullRequest(
                    number=number,
                    head_ref=pr.head.ref,
                    head_sha=pr.head.sha,
                    base_ref=pr.base.ref,
                    body=pr.body or "",
                    author=pr.user.login if pr.user else None,
                    state=pr.state,
                )
            except GithubException as exc:
                if self._not_found(exc):
                    raise ApiError(
                        f"pull request #{number} not found in {self.full_name}",
                        hint="check GITHUB_REPOSITORY and the event payload",
                    ) from None
                raise

    def issue_state(self, number: int) -> IssueState:
        """open / closed / pull-request, or missing (404 and 410 Gone)."""
        with self._calling(f"reading issue #{number}"):
            try:
                issue = self.repo.get_issue(number)
                if issue.pull_request is not None:
                    return "pull-request"
                return "open" if issue.state == "open" else "closed"
            except GithubException as exc:
                if self._not_found(exc):
                    return "missing"
                raise

    def commit_messages(self, number: int) -> list[str]:
        """Messages of the pull request's commits (the API lists up to 250)."""
        with self._calling(f"listing the commits of pull request #{number}"):
            pr = self.repo.get_pull(number)
            return [c.commit.message for c in pr.get_commits()]

    def reviewers(self, number: int, author: str | None) -> Reviewers:
        """Requested reviewers and teams; who submitted a review (not the author)."""
        with self._calling(f"listing the reviewers of pull request #{number}"):
            pr = self.repo.get_pull(number)
            users, teams = pr.get_review_requests()
            reviewed = [
                r.user.login
                for r in pr.get_reviews()
                if r.user is not None
                and r.user.login != author
                and r.state != "PENDING"
            ]
            return Reviewers(
                requested_users=tuple(u.login for u in users),
                requested_teams=tuple(t.slug for t in teams),
                reviewed_by=tuple(dict.fromkeys(reviewed)),
            )

    def statuses(self, sha: str) -> list[CommitStatus]:
        """The latest status of each context on `sha` (the combined status)."""
        with self._calling(f"reading the statuses of {sha[:12]}"):
            try:
                combined = self.repo.get_commit(sha).get_combined_status()
            except GithubException as exc:
                if self._not_found(exc):
                    return []
                raise
            return [
                CommitStatus(s.context, s.state, s.description or "")
                for s in combined.statuses
            ]

    # -- writes ---------------------------------------------------------------
    def create_status(
        self,
        sha: str,
        context: str,
        state: str,
        description: str,
        target_url: str | None,
    ) -> None:
        kwargs: dict[str, Any] = {"context": context, "description": description}
        if target_url:
            kwargs["target_url"] = target_url
        with self._calling(f"setting status {context} on {sha[:12]}"):
            self.repo.get_commit(sha).create_status(state, **kwargs)

    def upsert_comment(self, number: int, marker: str, body: str) -> str:
        """Edit the comment holding `marker`, or create it: 'updated'/'created'."""
        with self._calling(f"writing the comment on pull request #{number}"):
            issue = self.repo.get_issue(number)
            for comment in issue.get_comments():
                if marker in (comment.body or ""):
                    comment.edit(body)
                    return "updated"
            issue.create_comment(body)
            return "created"
