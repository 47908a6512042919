"""A stateful fake of GitHub's REST API on 127.0.0.1, for the real PyGithub.

It serves the endpoints mvp-process uses (repository, issues including pull
requests as issues, pulls, pull commits, requested reviewers, reviews, commit
statuses and combined status, issue comments) with GitHub's status codes,
errors, headers and pagination (`Link`), and it keeps state: statuses posted
are in the combined status, comments created can be listed and edited.

Faults are injected per request (`fail(...)`): 401, 403 read-only (a token
seeded `read_only=True` gets it on every write), 403 primary rate limit with
`x-ratelimit-remaining: 0`, 403 secondary limit and 429 with `Retry-After`,
5xx, and slow answers for client timeouts.

Every response body goes through `check(operation, status, body)` (the
OpenAPI validator of `support.github_schema` in the tests); what it finds is
kept in `schema_errors`, which the fixture asserts is empty.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from support import github_objects as obj

Body = Any
Answer = tuple[int, Body, dict[str, str]]
Checker = Callable[[str, int, Body], list[str]]
REPO = r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)"
STATES = ("error", "failure", "pending", "success")


@dataclass
class Fault:
    kind: str
    times: int
    method: str | None
    path: str | None
    options: dict[str, Any]

    def matches(self, method: str, path: str) -> bool:
        return (
            self.times > 0
            and (self.method is None or self.method == method)
            and (self.path is None or re.search(self.path, path) is not None)
        )


@dataclass
class Pull:
    number: int
    head_ref: str
    head_sha: str
    base_ref: str
    base_sha: str
    author: str
    draft: bool = False
    commits: list[tuple[str, str]] = field(default_factory=list)
    requested_users: list[str] = field(default_factory=list)
    requested_teams: list[str] = field(default_factory=list)
    reviews: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Issue:
    number: int
    title: str
    body: str | None
    state: str
    author: str
    pull: Pull | None = None
    deleted: bool = False


@dataclass
class Comment:
    id: int
    number: int
    body: str
    author: str
    created: str
    updated: str


@dataclass
class Repo:
    owner: str
    name: str
    id: int
    default_branch: str
    issues: dict[int, Issue] = field(default_factory=dict)
    statuses: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    comments: dict[int, Comment] = field(default_factory=dict)
    commits: set[str] = field(default_factory=set)

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    status: int
    token: str | None


class FakeGitHub:
    """The state, the routes and the faults; `serve()` runs it on a port."""

    def __init__(self, check: Checker | None = None) -> None:
        self.check = check
        self.lock = threading.RLock()
        self.stop = threading.Event()
        self.repos: dict[str, Repo] = {}
        self.users: dict[str, int] = {}
        self.tokens: dict[str, tuple[str, bool]] = {}
        self.faults: list[Fault] = []
        self.log: list[Request] = []
        self.schema_errors: list[str] = []
        self.checked: set[tuple[str, int]] = set()
        self.url = ""
        self._ids = iter(range(100, 10**9))
        self._server: ThreadingHTTPServer | None = None

    # -- lifecycle ----------------------------------------------------------
    def serve(self) -> FakeGitHub:
        fake = self

        class Handler(_Handler):
            server_fake = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        ).start()
        return self

    def close(self) -> None:
        self.stop.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    # -- seeding ------------------------------------------------------------
    def add_user(self, login: str) -> None:
        with self.lock:
            self.users.setdefault(login, next(self._ids))

    def add_token(self, token: str, login: str, *, read_only: bool = False) -> None:
        self.add_user(login)
        self.tokens[token] = (login, read_only)

    def add_repo(self, full_name: str, default_branch: str = "main") -> Repo:
        owner, name = full_name.split("/")
        self.add_user(owner)
        repo = Repo(owner, name, next(self._ids), default_branch)
        self.repos[full_name.lower()] = repo
        return repo

    def add_commits(self, full_name: str, *shas: str) -> None:
        self.repo(full_name).commits.update(shas)

    def add_issue(
        self,
        full_name: str,
        number: int,
        *,
        title: str = "An issue",
        body: str | None = "",
        state: str = "open",
        author: str = "octocat",
        deleted: bool = False,
    ) -> Issue:
        self.add_user(author)
        issue = Issue(number, title, body, state, author, deleted=deleted)
        self.repo(full_name).issues[number] = issue
        return issue

    def add_pull(
        self,
        full_name: str,
        number: int,
        *,
        head_ref: str,
        head_sha: str,
        base_sha: str,
        base_ref: str = "main",
        body: str | None = "",
        title: str = "A change",
        author: str = "octocat",
        commits: list[tuple[str, str]] | None = None,
        reviewers: tuple[str, ...] = (),
        teams: tuple[str, ...] = (),
        reviews: tuple[tuple[str, str], ...] = (),
    ) -> Pull:
        for login in (author, *reviewers, *(r for r, _ in reviews)):
            self.add_user(login)
        pull = Pull(
            number,
            head_ref,
            head_sha,
            base_ref,
            base_sha,
            author,
            commits=list(commits or [(head_sha, title)]),
            requested_users=list(reviewers),
            requested_teams=list(teams),
            reviews=list(reviews),
        )
        issue = self.add_issue(full_name, number, title=title, body=body, author=author)
        issue.pull = pull
        self.add_commits(full_name, head_sha, base_sha, *(s for s, _ in pull.commits))
        return pull

    def fail(
        self,
        kind: str,
        *,
        times: int = 1,
        method: str | None = None,
        path: str | None = None,
        **options: Any,
    ) -> None:
        """Answer the next `times` matching requests with fault `kind`."""
        with self.lock:
            self.faults.append(Fault(kind, times, method, path, options))

    # -- inspection ---------------------------------------------------------
    def repo(self, full_name: str) -> Repo:
        return self.repos[full_name.lower()]

    def statuses(self, full_name: str, sha: str) -> list[dict[str, Any]]:
        """Statuses on `sha`, oldest first."""
        return list(self.repo(full_name).statuses.get(sha, []))

    def comments(self, full_name: str, number: int) -> list[Comment]:
        return [c for c in self.repo(full_name).comments.values() if c.number == number]

    def requests(self, method: str | None = None, path: str = "") -> list[Request]:
        return [
            r
            for r in self.log
            if (method is None or r.method == method) and re.search(path, r.path)
        ]

    # -- objects ------------------------------------------------------------
    def _user(self, login: str) -> dict[str, Any]:
        kind = "Bot" if login.endswith("[bot]") else "User"
        return obj.user(self.url, login, self.users[login], kind)

    def _repo_obj(self, repo: Repo) -> dict[str, Any]:
        owner = self._user(repo.owner)
        return obj.repository(self.url, owner, repo.name, repo.id, repo.default_branch)

    def _issue_obj(self, repo: Repo, issue: Issue) -> dict[str, Any]:
        return obj.issue(
            self._repo_obj(repo),
            issue.number,
            title=issue.title,
            body=issue.body,
            state=issue.state,
            author=self._user(issue.author),
            is_pull=issue.pull is not None,
        )

    def _pull_obj(self, repo: Repo, issue: Issue, pull: Pull) -> dict[str, Any]:
        robj = self._repo_obj(repo)
        owner = self._user(repo.owner)
        return obj.pull(
            robj,
            pull.number,
            title=issue.title,
            body=issue.body,
            state=issue.state,
            author=self._user(pull.author),
            head=obj.branch_end(robj, pull.head_ref, pull.head_sha, owner),
            base=obj.branch_end(robj, pull.base_ref, pull.base_sha, owner),
            draft=pull.draft,
            commits=len(pull.commits),
        )

    def _comment_obj(self, repo: Repo, c: Comment) -> dict[str, Any]:
        return obj.comment(
            self._repo_obj(repo),
            c.id,
            c.number,
            c.body,
            self._user(c.author),
            c.created,
            c.updated,
        )

    # -- request handling ---------------------------------------------------
    def handle(
        self, method: str, target: str, token: str | None, body: bytes
    ) -> tuple[str, Answer]:
        """(operation, answer) for one request; faults first, then the route."""
        split = urlsplit(target)
        path, query = split.path, parse_qs(split.query)
        fault = self._take_fault(method, path)
        if fault is not None and fault.kind == "slow":
            self.stop.wait(float(fault.options.get("seconds", 2.0)))
        elif fault is not None:
            return "", self._fault_answer(fault)
        if token is None:
            return "", (401, obj.error("Requires authentication", 401), {})
        if token not in self.tokens:
            return "", (401, obj.error("Bad credentials", 401), {})
        login, read_only = self.tokens[token]
        for verb, pattern, operation, handler in ROUTES:
            match = re.fullmatch(pattern, path)
            if match is None or verb != method:
                continue
            repo = self.repos.get(f"{match['owner']}/{match['repo']}".lower())
            if repo is None:
                return operation, _not_found("repos/repos#get-a-repository")
            if read_only and method != "GET":
                return operation, (
                    403,
                    obj.error("Resource not accessible by integration", 403),
                    {},
                )
            try:
                data = json.loads(body) if body else {}
            except ValueError:
                return operation, (400, obj.error("Problems parsing JSON", 400), {})
            args = {
                k: v for k, v in match.groupdict().items() if k not in ("owner", "repo")
            }
            with self.lock:
                answer = handler(self, repo, login, data, query, **args)
            return operation, answer
        return "", _not_found("rest")

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.matches(method, path):
                    fault.times -= 1
                    return fault
        return None

    def _fault_answer(self, fault: Fault) -> Answer:
        o = fault.options
        if fault.kind == "unauthorized":
            return 401, obj.error("Bad credentials", 401), {}
        if fault.kind == "forbidden":
            return 403, obj.error("Must have admin rights to Repository.", 403), {}
        if fault.kind == "read-only":
            return 403, obj.error("Resource not accessible by integration", 403), {}
        if fault.kind == "rate-limit":
            reset = int(time.time()) + int(o.get("reset_in", 0))
            message = (
                "API rate limit exceeded for installation ID 1. If you reach out "
                "to GitHub Support for help, please include the request ID."
            )
            return (
                403,
                obj.error(message, 403, "rest/overview/rate-limits-for-the-rest-api"),
                {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)},
            )
        if fault.kind == "secondary":
            message = (
                "You have exceeded a secondary rate limit. "
                "Please wait a few minutes before you try again."
            )
            return (
                403,
                obj.error(message, 403),
                {"retry-after": str(o.get("retry_after", 1))},
            )
        if fault.kind == "too-many":
            return (
                429,
                obj.error("Too many requests", 429),
                {"retry-after": str(o.get("retry_after", 1))},
            )
        if fault.kind == "unicorn":  # a proxy's HTML page, not JSON
            return 502, "<html><body>Unicorn! 502</body></html>", {}
        if fault.kind == "server-error":
            status = int(o.get("status", 502))
            return status, obj.error("Server Error", status), {}
        raise AssertionError(f"unknown fault {fault.kind}")

    def page(self, items: list[Any], query: dict[str, list[str]], path: str) -> Answer:
        """GitHub's pagination: `per_page` (max 100), `page`, and a Link header."""
        per_page = min(int(query.get("per_page", ["30"])[0]), 100)
        number = max(int(query.get("page", ["1"])[0]), 1)
        last = max((len(items) + per_page - 1) // per_page, 1)
        chunk = items[(number - 1) * per_page : number * per_page]
        links = []

        def link(page: int, rel: str) -> str:
            query_text = urlencode({"per_page": per_page, "page": page})
            return f'<{self.url}{path}?{query_text}>; rel="{rel}"'

        if number < last:
            links += [link(number + 1, "next"), link(last, "last")]
        if number > 1:
            links += [link(1, "first"), link(number - 1, "prev")]
        return 200, chunk, ({"link": ", ".join(links)} if links else {})

    def now(self) -> str:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())

    def next_id(self) -> int:
        return next(self._ids)


def _not_found(docs: str) -> Answer:
    return 404, obj.error("Not Found", 404, docs), {}


def _issue(repo: Repo, number: str) -> Issue | None:
    issue = repo.issues.get(int(number))
    return None if issue is None or issue.deleted else issue


# -- routes -----------------------------------------------------------------
Route = Callable[..., Answer]


def get_repo(
    fake: FakeGitHub, repo: Repo, login: str, data: Body, query: Any
) -> Answer:
    return 200, fake._repo_obj(repo), {}


def get_issue(
    fake: FakeGitHub, repo: Repo, login: str, data: Body, query: Any, number: str
) -> Answer:
    issue = repo.issues.get(int(number))
    if issue is not None and issue.deleted:
        return 410, obj.error("This issue was deleted", 410), {}
    if issue is None:
        return _not_found("rest/issues/issues#get-an-issue")
    return 200, fake._issue_obj(repo, issue), {}


def get_pull(
    fake: FakeGitHub, repo: Repo, login: str, data: Body, query: Any, number: str
) -> Answer:
    issue = _issue(repo, number)
    if issue is None or issue.pull is None:
        return _not_found("rest/pulls/pulls#get-a-pull-request")
    return 200, fake._pull_obj(repo, issue, issue.pull), {}


def _pull_or_404(repo: Repo, number: str) -> Pull | None:
    issue = _issue(repo, number)
    return None if issue is None else issue.pull


def list_pull_commits(
    fake: FakeGitHub, repo: Repo, login: str, data: Body, query: Any, number: str
) -> Answer:
    pull = _pull_or_404(repo, number)
    if pull is None:
        return _not_found("rest/pulls/pulls#list-commits-on-a-pull-request")
    robj = fake._repo_obj(repo)
    parents = [pull.base_sha] + [sha for sha, _ in pull.commits]
    items = [
        obj.pull_commit(robj, sha, message, parent)
        for (sha, message), parent in zip(pull.commits, parents)
    ]
    return fake.page(items, query, f"/repos/{repo.full_name}/pulls/{number}/commits")


def requested_reviewers(
    fake: FakeGitHub, repo: Repo, login: str, data: Body, query: Any, number: str
) -> Answer:
    pull = _pull_or_404(repo, number)
    if pull is None:
        return _not_found("rest/pulls/review-requests")
    teams = [
        obj.team(fake.url, repo.owner, slug, 500 + i)
        for i, slug in enumerate(pull.requested_teams)
    ]
    users = [fake._user(u) for u in pull.requested_users]
    return 200, {"users": users, "teams": teams}, {}


def list_reviews(
    fake: FakeGitHub, repo: Repo, login: str, data: Body, query: Any, number: str
) -> Answer:
    pull = _pull_or_404(repo, number)
    if pull is None:
        return _not_found("rest/pulls/reviews")
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
    fake: FakeGitHub, repo: Repo, login: str, data: Body, query: Any, sha: str
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
    status = obj.status(
        fake._repo_obj(repo), fake.next_id(), sha, fake._user(login), data, fake.now()
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
    fake: FakeGitHub, repo: Repo, login: str, data: Body, query: Any, ref: str
) -> Answer:
    if ref not in repo.commits:
        return 404, obj.error(f"No commit found for SHA: {ref}", 404), {}
    body = obj.combined_status(fake._repo_obj(repo), ref, _latest(repo, ref))
    return 200, body, {}


def list_statuses(
    fake: FakeGitHub, repo: Repo, login: str, data: Body, query: Any, ref: str
) -> Answer:
    items = list(reversed(repo.statuses.get(ref, [])))
    return fake.page(items, query, f"/repos/{repo.full_name}/commits/{ref}/statuses")


def list_comments(
    fake: FakeGitHub, repo: Repo, login: str, data: Body, query: Any, number: str
) -> Answer:
    if _issue(repo, number) is None:
        return _not_found("rest/issues/comments#list-issue-comments")
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
    fake: FakeGitHub, repo: Repo, login: str, data: Body, query: Any, number: str
) -> Answer:
    if _issue(repo, number) is None:
        return _not_found("rest/issues/comments#create-an-issue-comment")
    problem = _body_problem(data)
    if problem is not None:
        return problem
    when = fake.now()
    c = Comment(fake.next_id(), int(number), data["body"], login, when, when)
    repo.comments[c.id] = c
    obj_ = fake._comment_obj(repo, c)
    return 201, obj_, {"location": obj_["url"]}


def update_comment(
    fake: FakeGitHub, repo: Repo, login: str, data: Body, query: Any, comment_id: str
) -> Answer:
    c = repo.comments.get(int(comment_id))
    if c is None:
        return _not_found("rest/issues/comments#update-an-issue-comment")
    problem = _body_problem(data)
    if problem is not None:
        return problem
    c.body, c.updated = data["body"], fake.now()
    return 200, fake._comment_obj(repo, c), {}


ROUTES: list[tuple[str, str, str, Route]] = [
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
]


class _Handler(BaseHTTPRequestHandler):
    """HTTP plumbing: read the request, ask the fake, send GitHub's headers."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body leave at once
    server_fake: FakeGitHub

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _token(self) -> str | None:
        auth = self.headers.get("Authorization", "")
        scheme, _, value = auth.partition(" ")
        return value if scheme.lower() in ("token", "bearer") and value else None

    def _serve(self) -> None:
        fake = self.server_fake
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        token = self._token()
        operation, (status, body, headers) = fake.handle(
            self.command, self.path, token, raw
        )
        described = fake.check is not None and not isinstance(body, str)
        problems = fake.check(operation, status, body) if described else []
        with fake.lock:
            fake.checked.add((operation, status))
            fake.schema_errors += [
                f"{self.command} {self.path} -> {status}: {e}" for e in problems
            ]
            fake.log.append(
                Request(self.command, urlsplit(self.path).path, status, token)
            )
        payload = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        try:
            self.send_response(status)
            for name, value in self._headers(status, payload, headers).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up
            pass

    def _headers(
        self, status: int, payload: bytes, extra: dict[str, str]
    ) -> dict[str, str]:
        json_type = "text/html" if payload.startswith(b"<") else "application/json"
        headers = {
            "Content-Type": f"{json_type}; charset=utf-8",
            "Content-Length": str(len(payload)),
            "X-GitHub-Media-Type": "github.v3; format=json",
            "X-GitHub-Api-Version-Selected": "2022-11-28",
            "X-GitHub-Request-Id": uuid.uuid4().hex[:20].upper(),
            "X-RateLimit-Limit": "5000",
            "X-RateLimit-Remaining": "4999",
            "X-RateLimit-Reset": str(int(time.time()) + 3600),
            "X-RateLimit-Used": "1",
            "X-RateLimit-Resource": "core",
            "Access-Control-Expose-Headers": "ETag, Link, Location, Retry-After, "
            "X-GitHub-OTP, X-RateLimit-Limit, X-RateLimit-Remaining, "
            "X-RateLimit-Used, X-RateLimit-Resource, X-RateLimit-Reset",
            "Cache-Control": "private, max-age=60, s-maxage=60",
            "Vary": "Accept, Authorization, Cookie, X-GitHub-OTP",
        }
        if self.command == "GET" and status == 200:
            headers["ETag"] = f'W/"{uuid.uuid5(uuid.NAMESPACE_URL, payload.hex()).hex}"'
        for name, value in extra.items():
            canonical = "-".join(p.capitalize() for p in name.split("-"))
            canonical = canonical.replace("Ratelimit", "RateLimit")
            headers[canonical] = value
        return headers

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _serve
