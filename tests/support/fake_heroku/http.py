"""A tiny threaded HTTP server with a route table, shared by the fake's services.

Every request is logged (method, path, headers, JSON body, status, JSON
answer) so tests can assert what reached the fake and validate the answers
against Heroku's schema.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    host: str = ""

    def json(self) -> Any:
        return json.loads(self.body or b"{}")

    def header(self, name: str) -> str:
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return ""


@dataclass
class Response:
    status: int = 200
    payload: Any = None
    raw: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    chunks: Iterable[bytes] | None = None


@dataclass
class Logged:
    server: str
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    status: int
    answer: Any


Handler = Callable[..., Response]


def error(status: int, ident: str, message: str, **extra: str) -> Response:
    return Response(status, {"id": ident, "message": message, **extra})


class Router:
    """(method, regex) → handler(request, *groups)."""

    def __init__(self) -> None:
        self.routes: list[tuple[str, re.Pattern[str], Handler]] = []

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        self.routes.append((method, re.compile(f"^{pattern}$"), handler))

    def dispatch(self, request: Request) -> Response:
        allowed = False
        for method, pattern, handler in self.routes:
            match = pattern.match(request.path)
            if match:
                allowed = True
                if method == request.method:
                    return handler(request, *match.groups())
        if allowed:
            return error(405, "method_not_allowed", "Method not allowed.")
        return error(404, "not_found", "The requested API endpoint was not found.")


class Service:
    """One HTTP service of the fake on 127.0.0.1 with a random port."""

    def __init__(
        self,
        name: str,
        router: Router,
        log: list[Logged],
        before: Callable[[Request], Response | None] | None = None,
        timing: Callable[[float], None] | None = None,
        guard: Any = None,
        headers: Callable[[], dict[str, str]] | None = None,
        pre: Callable[[Request], None] | None = None,
    ) -> None:
        self.name = name
        self.pre = pre
        self.guard = guard if guard is not None else contextlib.nullcontext()
        self.extra_headers = headers
        self.router = router
        self.log = log
        self.before = before
        self.timing = timing
        self.lock = threading.Lock()
        service = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # One write per response, no Nagle: otherwise every keep-alive
            # request waits ~40 ms for a delayed ACK.
            wbufsize = -1
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                service.handle(self)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, args=(0.01,), daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        started = time.perf_counter()
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        request = Request(
            method=handler.command,
            path=parts.path,
            query={k: v[-1] for k, v in parse_qs(parts.query).items()},
            headers=dict(handler.headers.items()),
            body=body,
            host=parts.netloc or handler.headers.get("Host", ""),
        )
        if self.pre:
            self.pre(request)  # outside the lock: may wait for the test
        with self.guard:
            response = (self.before(request) if self.before else None) or (
                self.router.dispatch(request)
            )
            if self.extra_headers:
                response.headers = {**self.extra_headers(), **response.headers}
        self._send(handler, response)
        try:
            logged_body: Any = json.loads(body) if body else None
        except (ValueError, UnicodeDecodeError):
            logged_body = f"<{len(body)} bytes>"
        with self.lock:
            self.log.append(
                Logged(
                    self.name,
                    request.method,
                    request.path,
                    request.query,
                    request.headers,
                    logged_body,
                    response.status,
                    response.payload,
                )
            )
        if self.timing:
            self.timing(time.perf_counter() - started)

    def _send(self, handler: BaseHTTPRequestHandler, response: Response) -> None:
        handler.send_response(response.status)
        for key, value in response.headers.items():
            handler.send_header(key, value)
        if response.chunks is not None:
            handler.send_header("Content-Type", "text/plain; charset=utf-8")
            handler.send_header("Transfer-Encoding", "chunked")
            handler.end_headers()
            for chunk in response.chunks:
                handler.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                handler.wfile.flush()
            handler.wfile.write(b"0\r\n\r\n")
            return
        if response.raw is not None:
            data = response.raw
            kind = response.headers.get("Content-Type", "text/plain; charset=utf-8")
        else:
            data = (
                b""
                if response.payload is None
                else json.dumps(response.payload).encode()
            )
            kind = "application/json"
        handler.send_header("Content-Type", kind)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)
