"""The fake GitHub's endpoints: one function per REST operation, and ROUTES.

Each takes the fake, the repository, the caller's `Token`, the JSON body, the
query and the path's parameters, and answers (status, body, extra headers)
as GitHub does, errors included (404, 410, 422).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from support import github_objects as obj
from support.fake_github_model import (
    REPO,
    STATES,
    Answer,
    Body,
    Comment,
    Issue,
    Pull,
    Repo,
    Token,
)

if TYPE_CHECKING:
    from support.fake_github import FakeGitHub


def not_found(docs: str) -> Answer:
    return 404, obj.error("Not Found", 404, docs), {}


def _issue(repo: Repo, number: str) -> Issue | None:
    issue = repo.issues.get(int(number))
    return None if issue is None or issue.deleted else issue


# -- routes -----------------------------------------------------------------
Route = Callable[..., Answer]


def get_authenticated_user(
    fake: FakeGitHub, repo: None, caller: Token, data: Body, query: Any
) -> Answer:
    """A user's token reads its user; an installation token is refused (the
    operation is `enabledForGitHubApps: false` in GitHub's OpenAPI description)."""
    if caller.installation:
        docs = "rest/users/users#get-the-authenticated-user"
        return 403, obj.error("Resource not accessible by integration", 403, docs), {}
    return 200, obj.public_user(fake.url, caller.login, fake.users[caller.login]), {}


def get_repo(
    fake: FakeGitHub, repo: Repo, caller: Token, data: Body, query: Any
) -> Answer:
    return 200, fake._repo_obj(repo), {}


def get_issue(
    fake: FakeGitHub, repo: Repo, caller: Token, data: Body, query: Any, number: str
) -> Answer:
    issue = repo.issues.get(int(number))
    if issue is not None and issue.deleted:
        return 410, obj.error("This issue was deleted", 410), {}
    if issue is None:
        return not_found("rest/issues/issues#get-an-issue")
    return 200, fake._issue_obj(repo, issue), {}


def get_pull(
    fake: FakeGitHub, repo: Repo, caller: Token, data: Body, query: Any, number: str
) -> Answer:
    issue = _issue(repo, number)
    if issue is None or issue.pull is None:
        return not_found("rest/pulls/pulls#get-a-pull-request")
    return 200, fake._pull_obj(repo, issue, issue.pull), {}


def _pull_or_404(repo: Repo, number: str) -> Pull | None:
    issue = _issue(repo, number)
    return None if issue is None else issue.pull


def list_pull_commits(
    fake: FakeGitHub, repo: Repo, caller: Token, data: Body, query: Any, number: str
) -> Answer:
    pull = _pull_or_404(repo, number)
    if pull is None:
        return not_found("rest/pulls/pulls#list-commits-on-a-pull-request")
    robj = fake._repo_obj(repo)
    parents = [pull.base_sha] + [sha for sha, _ in pull.commits]
    items = [
        obj.pull_commit(robj, sha, message, parent)
        for (sha, message), parent in zip(pull.commits, parents)
    ]
    return fake.page(items, query, f"/repos/{repo.full_name}/pulls/{number}/commits")


def requested_reviewers(
    fake: FakeGitHub, repo: Repo, caller: Token, data: Body, query: Any, number: str
) -> Answer:
    pull = _pull_or_404(repo, number)
    if pull is None:
        return not_found("rest/pulls/review-requests")
    teams = [
        obj.team(fake.url, repo.owner, slug, 500 + i)
        for i, slug in enumerate(pull.requested_teams)
    ]
    users = [fake._user(u) for u in pull.requested_users]
    return 200, {"users": users, "teams": teams}, {}


def list_reviews(
    fake: FakeGitHub, repo: Repo, caller: Token, data: Body, query: Any, number: str
) -> Answer:
    pull = _pull_or_404(repo, number)
    if pull is None:
        return not_found("rest/pulls/reviews")
    robj = fake._repo_obj(repo)
    items = [
        obj.review(robj, pull.number, 900 + i, fake._user(u), state, pull.head_sha)
        for i, (u, state) in enumerate(pull.reviews)
    ]
    return fake.page(items, query, f"/repos/{repo.full_name}/pulls/{number}/reviews")


def _validation(resource: str, field_name: str, message: str) -> Answer:
    error = {
        "resource": resource,
        "code": "custom",
        "field": field_name,
        "message": message,
    }
    body = {
        "message": "Validation Failed",
        "errors": [error],
        "documentation_url": "https://docs.github.com/rest",
        "status": "422",
    }
    return 422, body, {}


def create_status(
    fake: FakeGitHub, repo: Repo, caller: Token, data: Body, query: Any, sha: str
) -> Answer:
    if sha not in repo.commits:
        return 422, obj.error(f"No commit found for SHA: {sha}", 422), {}
    if data.get("state") not in STATES:
        return _validation("Status", "state", "state is not included in the list")
    description = data.get("description")
    if description is not None and len(description) > 140:
        return _validation(
            "Status",
            "description",
            "description is too long (maximum is 140 characters)",
        )
    creator = fake._user(caller.login)  # who posted it: the status's `creator`
    status = obj.status(
        fake._repo_obj(repo), fake.next_id(), sha, creator, data, fake.now()
    )
    repo.statuses.setdefault(sha, []).append(status)
    location = f"{repo.full_name}/statuses/{sha}"
    return 201, status, {"location": f"{fake.url}/repos/{location}"}


def _latest(repo: Repo, sha: str) -> list[dict[str, Any]]:
    latest: dict[str, dict[str, Any]] = {}
    for status in repo.statuses.get(sha, []):
        latest[status["context"]] = status
    return sorted(latest.values(), key=lambda s: s["id"], reverse=True)


def combined_status(
    fake: FakeGitHub, repo: Repo, caller: Token, data: Body, query: Any, ref: str
) -> Answer:
    if ref not in repo.commits:
        return 404, obj.error(f"No commit found for SHA: {ref}", 404), {}
    body = obj.combined_status(fake._repo_obj(repo), ref, _latest(repo, ref))
    return 200, body, {}


def list_statuses(
    fake: FakeGitHub, repo: Repo, caller: Token, data: Body, query: Any, ref: str
) -> Answer:
    items = list(reversed(repo.statuses.get(ref, [])))
    return fake.page(items, query, f"/repos/{repo.full_name}/commits/{ref}/statuses")


def get_commit(
    fake: FakeGitHub, repo: Repo, caller: Token, data: Body, query: Any, ref: str
) -> Answer:
    """A commit with its parents; GitHub answers 422 for a SHA it does not know."""
    if ref not in repo.commits:
        docs = "rest/commits/commits#get-a-commit"
        return 422, obj.error(f"No commit found for SHA: {ref}", 422, docs), {}
    parents = repo.parents.get(ref, ())
    return 200, obj.commit(fake._repo_obj(repo), ref, "A commit", parents), {}


def list_comments(
    fake: FakeGitHub, repo: Repo, caller: Token, data: Body, query: Any, number: str
) -> Answer:
    if _issue(repo, number) is None:
        return not_found("rest/issues/comments#list-issue-comments")
    items = [
        fake._comment_obj(repo, c) for c in fake.comments(repo.full_name, int(number))
    ]
    return fake.page(items, query, f"/repos/{repo.full_name}/issues/{number}/comments")


def _body_problem(data: Body) -> Answer | None:
    body = data.get("body")
    if not isinstance(body, str) or not body:
        return _validation("IssueComment", "body", "body can't be blank")
    if len(body) > 65536:
        return _validation(
            "IssueComment", "body", "body is too long (maximum is 65536 characters)"
        )
    return None


def create_comment(
    fake: FakeGitHub, repo: Repo, caller: Token, data: Body, query: Any, number: str
) -> Answer:
    if _issue(repo, number) is None:
        return not_found("rest/issues/comments#create-an-issue-comment")
    problem = _body_problem(data)
    if problem is not None:
        return problem
    when = fake.now()
    c = Comment(fake.next_id(), int(number), data["body"], caller.login, when, when)
    repo.comments[c.id] = c
    obj_ = fake._comment_obj(repo, c)
    return 201, obj_, {"location": obj_["url"]}


def update_comment(
    fake: FakeGitHub, repo: Repo, caller: Token, data: Body, query: Any, comment_id: str
) -> Answer:
    c = repo.comments.get(int(comment_id))
    if c is None:
        return not_found("rest/issues/comments#update-an-issue-comment")
    problem = _body_problem(data)
    if problem is not None:
        return problem
    c.body, c.updated = data["body"], fake.now()
    return 200, fake._comment_obj(repo, c), {}


ROUTES: list[tuple[str, str, str, Route]] = [
    ("GET", "/user", "GET /user", get_authenticated_user),
    ("GET", REPO, "GET /repos/{owner}/{repo}", get_repo),
    (
        "GET",
        REPO + r"/issues/(?P<number>\d+)",
        "GET /repos/{owner}/{repo}/issues/{issue_number}",
        get_issue,
    ),
    (
        "GET",
        REPO + r"/issues/(?P<number>\d+)/comments",
        "GET /repos/{owner}/{repo}/issues/{issue_number}/comments",
        list_comments,
    ),
    (
        "POST",
        REPO + r"/issues/(?P<number>\d+)/comments",
        "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
        create_comment,
    ),
    (
        "PATCH",
        REPO + r"/issues/comments/(?P<comment_id>\d+)",
        "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}",
        update_comment,
    ),
    (
        "GET",
        REPO + r"/pulls/(?P<number>\d+)",
        "GET /repos/{owner}/{repo}/pulls/{pull_number}",
        get_pull,
    ),
    (
        "GET",
        REPO + r"/pulls/(?P<number>\d+)/commits",
        "GET /repos/{owner}/{repo}/pulls/{pull_number}/commits",
        list_pull_commits,
    ),
    (
        "GET",
        REPO + r"/pulls/(?P<number>\d+)/requested_reviewers",
        "GET /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers",
        requested_reviewers,
    ),
    (
        "GET",
        REPO + r"/pulls/(?P<number>\d+)/reviews",
        "GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews",
        list_reviews,
    ),
    (
        "POST",
        REPO + r"/statuses/(?P<sha>[^/]+)",
        "POST /repos/{owner}/{repo}/statuses/{sha}",
        create_status,
    ),
    (
        "GET",
        REPO + r"/commits/(?P<ref>[^/]+)/status",
        "GET /repos/{owner}/{repo}/commits/{ref}/status",
        combined_status,
    ),
    (
        "GET",
        REPO + r"/commits/(?P<ref>[^/]+)/statuses",
        "GET /repos/{owner}/{repo}/commits/{ref}/statuses",
        list_statuses,
    ),
    (
        "GET",
        REPO + r"/commits/(?P<ref>[^/]+)",
        "GET /repos/{owner}/{repo}/commits/{ref}",
        get_commit,
    ),
    (  # the legacy route of the same list, which PyGithub calls
        "GET",
        REPO + r"/statuses/(?P<ref>[^/]+)",
        "GET /repos/{owner}/{repo}/commits/{ref}/statuses",
        list_statuses,
    ),
]
