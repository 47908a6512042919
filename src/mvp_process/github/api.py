"""The GitHub adapter: the few REST calls mvp-process makes, through PyGithub.

The CLI builds the client (token, base URL, timeout, retries) and hands this
adapter a lazy `Repository`, so nothing is fetched that is not used. Every
call goes through `_calling`, which turns PyGithub's and requests' exceptions
into `ApiError`s that say what to do (`api_errors.raise_for`).

What this tool wrote is told apart from what others wrote by its `identity`:
a baseline status or the sticky comment counts only when that login wrote it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from github.GithubException import (
    GithubException,
)
from github.GithubObject import NotSet
from github.Repository import Repository
from requests.exceptions import RequestException

from mvp_process.errors import ApiError
from mvp_process.github.api_errors import raise_for, read_only
from mvp_process.github.policy import IssueState, Reviewers

ACTIONS_BOT = "github-actions[bot]"


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
    creator: str | None = None


class GitHubRepo:
    """One repository's pull requests, issues, statuses and comments."""

    def __init__(
        self,
        repo: Repository,
        full_name: str,
        api_url: str,
        user_login: Callable[[], str],
    ) -> None:
        self.repo = repo
        self.full_name = full_name
        self.api_url = api_url
        self.user_login = user_login  # `GET /user`'s login
        self._identity: str | None = None
        self._statuses: dict[str, list[CommitStatus]] = {}  # read this run

    @contextmanager
    def _calling(self, action: str, missing: ApiError | None = None) -> Iterator[None]:
        """Errors as `ApiError`s; `missing` is raised instead for 404 and 410 Gone."""
        try:
            yield
        except GithubException as exc:
            if missing is not None and exc.status in (404, 410):
                raise missing from None
            raise_for(exc, action)
        except RequestException as exc:
            raise ApiError(
                f"could not reach GitHub at {self.api_url} while {action}: "
                f"{type(exc).__name__}: {exc}",
                hint="check GITHUB_API_URL and the network, then re-run",
            ) from None

    # -- reads ----------------------------------------------------------------
    def identity(self) -> str:
        """The login this token writes as (a status's `creator`, a comment's `user`).

        A user's token (a personal access token) reads it from `GET /user`. An
        installation token, which the workflow's GITHUB_TOKEN is, may not
        (403 "Resource not accessible by integration"): GitHub attributes what
        it writes to the GitHub Actions app, `github-actions[bot]`. (`connect`
        knows an installation token by its `ghs_` prefix and does not ask.)
        """
        if self._identity is None:
            with self._calling("reading which user the token belongs to"):
                try:
                    self._identity = self.user_login()
                except GithubException as exc:
                    if not read_only(exc):
                        raise
                    self._identity = ACTIONS_BOT
        return self._identity

    def default_branch(self) -> str:
        """The repository's default branch; also proves the token works."""
        missing = ApiError(
            f"repository {self.full_name} not found at {self.api_url}",
            hint="check GITHUB_REPOSITORY (owner/name) and the token's access to it",
        )
        with self._calling(f"reading repository {self.full_name}", missing):
            return str(self.repo.default_branch)

    def pull(self, number: int) -> PullRequest:
        missing = ApiError(
            f"pull request #{number} not found in {self.full_name}",
            hint="check GITHUB_REPOSITORY and the event payload",
        )
        with self._calling(f"reading pull request #{number}", missing):
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

    def issue_state(self, number: int) -> IssueState:
        """open / closed / pull-request, or missing (404 and 410 Gone)."""
        with self._calling(f"reading issue #{number}"):
            try:
                issue = self.repo.get_issue(number)
                if issue.pull_request is not None:
                    return "pull-request"
                return "open" if issue.state == "open" else "closed"
            except GithubException as exc:
                if exc.status in (404, 410):
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
        """Every status on `sha`, newest first, with who created it.

        The list, not the combined status: only the list says who wrote each.
        (For a commit GitHub does not know, the list is empty.) A commit's list
        is read once per run (the baseline and the chart both read it), and
        again after this run writes a status on it.
        """
        if sha not in self._statuses:
            with self._calling(f"reading the statuses of {sha[:12]}"):
                self._statuses[sha] = [
                    CommitStatus(
                        s.context,
                        s.state,
                        s.description or "",
                        s.creator.login if s.creator else None,
                    )
                    for s in self.repo.get_commit(sha).get_statuses()
                ]
        return list(self._statuses[sha])

    def parents(self, sha: str) -> tuple[str, ...] | None:
        """The parents of commit `sha`; None when the repository has no such
        commit (GitHub answers 422 for an unknown SHA, 404 for a bad one)."""
        with self._calling(f"reading commit {sha[:12]}"):
            try:
                return tuple(p.sha for p in self.repo.get_commit(sha).parents)
            except GithubException as exc:
                if exc.status in (404, 422):
                    return None
                raise

    # -- writes ---------------------------------------------------------------
    def create_status(
        self,
        sha: str,
        context: str,
        state: str,
        description: str,
        target_url: str | None,
    ) -> None:
        self._statuses.pop(sha, None)
        with self._calling(f"setting status {context} on {sha[:12]}"):
            self.repo.get_commit(sha).create_status(
                state, target_url or NotSet, description, context
            )

    def upsert_comment(self, number: int, marker: str, body: str) -> str:
        """Edit our comment holding `marker`, or create it: 'updated'/'created'.

        Only a comment this token's identity wrote is edited: anyone can paste
        the marker into a comment of their own, and that one is left alone.
        """
        me = self.identity()
        with self._calling(f"writing the comment on pull request #{number}"):
            issue = self.repo.get_issue(number)
            for comment in issue.get_comments():
                author = comment.user.login if comment.user else None
                if author == me and marker in (comment.body or ""):
                    comment.edit(body)
                    return "updated"
            issue.create_comment(body)
            return "created"
