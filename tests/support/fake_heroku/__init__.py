"""A stateful fake Heroku on 127.0.0.1 for the deploy tests.

Services, each on its own random port, as on the real platform:

- `platform`: the Platform API (account, apps, add-ons, attachment resolver,
  sources, builds, releases incl. release phase and rollback, slugs, pipeline
  couplings and promotions, one-off dynos);
- `data`: the data API (PG Backups transfers);
- `files`: the keyless hosts (source blob store with put/get URLs, build and
  release output streams);
- `rendezvous`: TLS, for one-off dyno output;
- `router`: an HTTP proxy standing in for Heroku's router, in front of one
  small web app per Heroku app (`http://<app>.herokuapp.com/`, as the schema
  requires), whose health answer the test controls; point `HTTP_PROXY` at it.

Faults: attributes of `App` (build_fails, release_phase, backup_fails,
promotion_fails, hangs, health, commands) and HTTP-level `fail(...)` (429
with Retry-After, 5xx, ...). Things that happen meanwhile: `on(...)` runs an
action when a request arrives (a teammate's release during the build...),
`hold(...)` keeps a request waiting until the test lets it go (to send a
signal while a step runs). Every request is in `log`.
"""

from __future__ import annotations

import base64
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import data, files, platform, web
from .certs import TlsFiles, make_tls
from .http import Logged, Request, Response, Service, error
from .rendezvous import Rendezvous
from .state import App, Command, Health, World

__all__ = ["App", "Command", "FakeHeroku", "Health", "Hook", "TlsFiles", "make_tls"]
WRITES = ("POST", "PUT", "PATCH", "DELETE")


@dataclass
class Fault:
    service: str
    method: str
    pattern: re.Pattern[str]
    status: int
    times: int
    headers: dict[str, str] = field(default_factory=dict)
    payload: Any = None
    skip: int = 0


@dataclass
class Hook:
    """Something that happens when a request arrives: `action` runs (under the
    fake's lock), and with `hold` the request waits until `release` is set."""

    service: str
    method: str
    pattern: re.Pattern[str]
    action: Callable[[], object] | None = None
    hold: bool = False
    times: int = 1
    reached: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    def matches(self, service: str, request: Request) -> bool:
        return (
            self.times > 0
            and self.service == service
            and self.method == request.method
            and bool(self.pattern.match(request.path))
        )


class FakeHeroku:
    def __init__(self, tls: TlsFiles, api_key: str, pending_polls: int = 1) -> None:
        self.world = World(pending_polls)
        self.lock = threading.RLock()
        self.log: list[Logged] = []
        self.api_key = api_key
        self.latency = 0.0
        self.rate_limit_remaining: int | None = 4400
        self.faults: list[Fault] = []
        self.hooks: list[Hook] = []
        self.files_auth_seen: list[str] = []
        self.server_seconds = 0.0
        self._timing_lock = threading.Lock()
        self._stopping = threading.Event()
        self.platform = Service(
            "platform",
            platform.routes(self),
            self.log,
            pre=self._hold("platform"),
            before=self._gate("platform"),
            timing=self._time,
            guard=self.lock,
            headers=self._rate_headers,
        )
        self.data = Service(
            "data",
            data.routes(self),
            self.log,
            pre=self._hold("data"),
            before=self._gate("data"),
            timing=self._time,
            guard=self.lock,
        )
        self.files = Service(
            "files",
            files.routes(self),
            self.log,
            pre=self._hold("files"),
            before=self._gate("files", keyless=True),
            timing=self._time,
            guard=self.lock,
        )
        self.rendezvous = Rendezvous(self, tls)
        self.router = Service(
            "router",
            web.routes(self, self._stopping),
            self.log,
            pre=self._hold("router"),
            before=self._gate("router", keyless=True),
        )

    # -- lifecycle ------
    def start(self) -> FakeHeroku:
        for service in (
            self.platform,
            self.data,
            self.files,
            self.rendezvous,
            self.router,
        ):
            service.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        for dyno in self.world.dynos.values():
            dyno.stopped.set()
        for service in (
            self.platform,
            self.data,
            self.files,
            self.rendezvous,
            self.router,
        ):
            service.stop()

    # -- set-up ------
    def add_app(self, name: str, **settings: Any) -> App:
        with self.lock:
            app = self.world.add_app(name, **settings)
            app.web_url = f"http://{name}{web.SUFFIX}/"
            return app

    def couple(self, pipeline: str, **stages: App) -> None:
        for stage, app in stages.items():
            app.pipeline, app.stage = pipeline, stage

    def fail(
        self,
        method: str,
        path: str,
        status: int,
        times: int = 1,
        headers: dict[str, str] | None = None,
        service: str = "platform",
        payload: Any = None,
        skip: int = 0,
    ) -> None:
        """The next `times` matching requests get `status` (before the route runs).

        `payload` replaces Heroku's error body (e.g. a malformed 200 answer);
        the first `skip` matching requests are answered as usual.
        """
        with self.lock:
            self.faults.append(
                Fault(
                    service,
                    method,
                    re.compile(f"^{path}$"),
                    status,
                    times,
                    headers or {},
                    payload,
                    skip,
                )
            )

    def on(
        self,
        method: str,
        path: str,
        action: Callable[[], object],
        service: str = "platform",
        times: int = 1,
    ) -> Hook:
        """When the next `times` matching requests arrive, run `action` first."""
        hook = Hook(service, method, re.compile(f"^{path}$"), action, times=times)
        with self.lock:
            self.hooks.append(hook)
        return hook

    def hold(self, method: str, path: str, service: str = "platform") -> Hook:
        """The next matching request waits until `hook.release` is set."""
        hook = Hook(service, method, re.compile(f"^{path}$"), hold=True)
        with self.lock:
            self.hooks.append(hook)
        return hook

    def foreign_release(self, app: str, description: str = "Deploy 9999999") -> None:
        """A teammate releases on `app` (another workflow, the dashboard...)."""
        with self.lock:
            self.world.foreign_release(self.world.apps[app], description)

    # -- what happened ------
    def requests(
        self, method: str | None = None, path: str = ".*", service: str | None = None
    ) -> list[Logged]:
        pattern = re.compile(f"^{path}$")
        with self.lock:
            return [
                entry
                for entry in self.log
                if (method is None or entry.method == method)
                and (service is None or entry.server == service)
                and pattern.match(entry.path)
            ]

    def writes(self) -> list[Logged]:
        return [
            e for e in self.requests() if e.method in WRITES and e.server != "router"
        ]

    # -- gates ------
    def _time(self, seconds: float) -> None:
        with self._timing_lock:
            self.server_seconds += seconds

    def _rate_headers(self) -> dict[str, str]:
        if self.rate_limit_remaining is None:
            return {"Request-Id": "fake"}
        return {
            "RateLimit-Remaining": str(self.rate_limit_remaining),
            "Request-Id": "fake",
        }

    def _authorized(self, header: str) -> bool:
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer":
            return value == self.api_key
        if scheme.lower() == "basic":
            try:
                user_pass = base64.b64decode(value).decode()
            except (ValueError, UnicodeDecodeError):
                return False
            return user_pass.partition(":")[2] == self.api_key
        return False

    def _hold(self, name: str) -> Callable[[Request], None]:
        def pre(request: Request) -> None:
            with self.lock:
                held = [h for h in self.hooks if h.hold and h.matches(name, request)]
                for hook in held:
                    hook.times -= 1
            for hook in held:
                hook.reached.set()
                hook.release.wait(30)

        return pre

    def _gate(self, name: str, keyless: bool = False) -> Any:
        def before(request: Request) -> Response | None:
            for hook in self.hooks:
                if not hook.hold and hook.action and hook.matches(name, request):
                    hook.times -= 1
                    hook.reached.set()
                    hook.action()
            if self.latency:
                time.sleep(self.latency)
            if keyless:
                if request.header("Authorization"):
                    self.files_auth_seen.append(request.header("Authorization"))
            elif not self._authorized(request.header("Authorization")):
                return error(401, "unauthorized", "Invalid credentials provided.")
            for fault in self.faults:
                if (
                    fault.times > 0
                    and fault.service == name
                    and fault.method == request.method
                    and fault.pattern.match(request.path)
                ):
                    if fault.skip > 0:
                        fault.skip -= 1
                        continue
                    fault.times -= 1
                    ident = (
                        "rate_limit" if fault.status == 429 else "service_unavailable"
                    )
                    body = fault.payload
                    if body is None:
                        body = {"id": ident, "message": f"Fake fault {fault.status}."}
                    return Response(fault.status, body, headers=dict(fault.headers))
            return None

        return before
