"""A stateful fake of GitHub's REST API on 127.0.0.1, for the real PyGithub.

It serves the endpoints mvp-process uses (the authenticated user, which an
installation token may not read; repository, issues including pull
requests as issues, pulls, pull commits, requested reviewers, reviews, a
commit and its parents, commit statuses and combined status, issue comments)
with GitHub's status codes, errors, headers and pagination (`Link`), and it
keeps state: statuses posted are in the combined status, comments created can
be listed and edited, and both say who wrote them (a status's `creator`, a
comment's `user`: the token's login, `github-actions[bot]` for the workflow's
GITHUB_TOKEN).

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
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from support import github_objects as obj
from support.fake_github_model import (
    Answer,
    Checker,
    Comment,
    Fault,
    Issue,
    Pull,
    Repo,
    Request,
    Token,
)
from support.fake_github_routes import ROUTES, not_found


class FakeGitHub:
    """The state, the routes and the faults; `serve()` runs it on a port."""

    def __init__(self, check: Checker | None = None) -> None:
        self.check = check
        self.lock = threading.RLock()
        self.stop = threading.Event()
        self.repos: dict[str, Repo] = {}
        self.users: dict[str, int] = {}
        self.tokens: dict[str, Token] = {}
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

    def add_token(
        self,
        token: str,
        login: str,
        *,
        read_only: bool = False,
        installation: bool | None = None,
    ) -> None:
        """A token acting as `login`: a bot's (`...[bot]`) is an installation
        token unless said otherwise, a user's is a personal access token."""
        self.add_user(login)
        if installation is None:
            installation = login.endswith("[bot]")
        self.tokens[token] = Token(login, read_only, installation)

    def add_repo(self, full_name: str, default_branch: str = "main") -> Repo:
        owner, name = full_name.split("/")
        self.add_user(owner)
        repo = Repo(owner, name, next(self._ids), default_branch)
        self.repos[full_name.lower()] = repo
        return repo

    def add_commits(self, full_name: str, *shas: str) -> None:
        self.repo(full_name).commits.update(shas)

    def add_merge(self, full_name: str, sha: str, base: str, head: str) -> None:
        """A merge commit: the one Actions checks out for a pull request
        (`refs/pull/N/merge`, the head merged into the base branch)."""
        repo = self.repo(full_name)
        repo.commits.update((sha, base, head))
        repo.parents[sha] = (base, head)

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
        caller = self.tokens[token]
        for verb, pattern, operation, handler in ROUTES:
            match = re.fullmatch(pattern, path)
            if match is None or verb != method:
                continue
            groups = match.groupdict()
            repo = None
            if "owner" in groups:
                repo = self.repos.get(f"{groups['owner']}/{groups['repo']}".lower())
                if repo is None:
                    return operation, not_found("repos/repos#get-a-repository")
            if caller.read_only and method != "GET":
                return operation, (
                    403,
                    obj.error("Resource not accessible by integration", 403),
                    {},
                )
            try:
                data = json.loads(body) if body else {}
            except ValueError:
                return operation, (400, obj.error("Problems parsing JSON", 400), {})
            args = {k: v for k, v in groups.items() if k not in ("owner", "repo")}
            with self.lock:
                answer = handler(self, repo, caller, data, query, **args)
            return operation, answer
        return "", not_found("rest")

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
