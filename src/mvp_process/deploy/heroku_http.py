"""HTTP to Heroku: timeouts, retries, and an API key that cannot leak.

heroku3 5.2.1 sends every request through `session.request` but sets no
timeout, raises on the first 429 and never retries a 5xx. Rather than patch
heroku3, we hand it this `requests.Session` subclass, so heroku3's calls and
our own (the endpoints heroku3 lacks) share one behaviour:

- every request has a timeout;
- 429 is retried (Heroku refused it before doing anything), honouring
  `Retry-After` and `RateLimit-Remaining`; 5xx and connection errors are
  retried for reads and for writes that are safe to repeat;
- the key is sent only to the configured Heroku hosts (never to the upload
  URL or the build-output stream, which live elsewhere), is not in any repr,
  and errors are built from status and message only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.auth import AuthBase

from mvp_process import __version__
from mvp_process.errors import ApiError, MvpError
from mvp_process.deploy.policy_retry import (
    MAX_ATTEMPTS,
    backoff,
    retry_delay,
    throttle_delay,
)

ACCEPT = "application/vnd.heroku+json; version=3"
TIMEOUT = (10.0, 60.0)
Sleep = Callable[[float], None]
Notify = Callable[[str], None]


class HerokuAuthError(MvpError):
    """Heroku refused HEROKU_API_KEY."""


class HerokuNotFound(MvpError):
    """An app (or another resource the deploy names) does not exist."""


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class KeyAuth(AuthBase):
    """`Authorization: Bearer <key>`, only for requests to the Heroku origins."""

    def __init__(self, key: str | None, origins: Iterable[str]) -> None:
        self._key = key
        self._origins = frozenset(origin(o) for o in origins)

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        if self._key and request.url and origin(request.url) in self._origins:
            request.headers["Authorization"] = f"Bearer {self._key}"
        return request

    def __repr__(self) -> str:
        return f"<KeyAuth for {sorted(self._origins)}>"


class HerokuSession(requests.Session):
    """A session with default timeouts and Heroku-aware retries."""

    def __init__(
        self,
        api_key: str | None,
        origins: Iterable[str] = (),
        *,
        sleep: Sleep,
        notify: Notify = lambda _: None,
        timeout: tuple[float, float] = TIMEOUT,
    ) -> None:
        super().__init__()
        # Always set (even without a key) so requests never falls back to ~/.netrc.
        self.auth = KeyAuth(api_key, origins)
        self.headers["Accept"] = ACCEPT
        self.headers["User-Agent"] = f"mvp-process/{__version__}"
        self.sleep = sleep
        self.notify = notify
        self.timeout = timeout
        self.remaining: str | None = None
        self.retries = 0

    def __repr__(self) -> str:
        return f"<HerokuSession {self.auth!r}>"

    def request(  # type: ignore[override]
        self, method: str, url: str, *args: Any, **kwargs: Any
    ) -> requests.Response:
        """`Session.request`, plus `retry_server_errors` (default: all but POST)."""
        server_errors = kwargs.pop("retry_server_errors", None)
        if server_errors is None:
            server_errors = method.upper() != "POST"
        kwargs.setdefault("timeout", self.timeout)
        attempt = 0
        while True:
            pause = throttle_delay(self.remaining)
            if pause:
                self.sleep(pause)
            try:
                response = super().request(method, url, *args, **kwargs)
            except (requests.ConnectionError, requests.Timeout):
                if not server_errors or attempt + 1 >= MAX_ATTEMPTS:
                    raise
                self._wait(backoff(attempt), f"could not connect to {origin(url)}")
                attempt += 1
                continue
            self.remaining = response.headers.get("RateLimit-Remaining", self.remaining)
            wait = retry_delay(
                response.status_code,
                attempt,
                response.headers.get("Retry-After"),
                response.headers.get("RateLimit-Remaining"),
                server_errors,
            )
            if wait is None:
                return response
            response.close()
            self._wait(
                wait,
                f"{method.upper()} {urlsplit(url).path} answered "
                f"{response.status_code}",
            )
            attempt += 1

    def _wait(self, seconds: float, why: str) -> None:
        self.retries += 1
        self.notify(f"{why}: retrying in {seconds:g}s")
        self.sleep(seconds)


def error_message(response: requests.Response) -> str:
    """Heroku's `{"id": ..., "message": ...}` error body, in one line."""
    try:
        body = response.json()
    except (ValueError, json.JSONDecodeError):
        body = None
    if isinstance(body, dict) and body.get("message"):
        ident = f"{body['id']}: " if body.get("id") else ""
        return f"{ident}{body['message']}"
    return (response.reason or "").strip() or "no details"


def check(response: requests.Response, what: str, app: str | None = None) -> Any:
    """The JSON body of a 2xx answer, or the error a user can act on."""
    if response.ok:
        return response.json() if response.content else None
    raise http_error(response, what, app)


def http_error(
    response: requests.Response, what: str, app: str | None = None
) -> MvpError:
    status = response.status_code
    detail = error_message(response)
    if status == 401:
        return HerokuAuthError(
            f"Heroku refused HEROKU_API_KEY (401 Unauthorized) while trying to {what}",
            hint="create a key with `heroku authorizations:create` and store it as "
            "the HEROKU_API_KEY secret",
        )
    if status == 404 and app is not None:
        return HerokuNotFound(
            f"Heroku app '{app}' not found (404) while trying to {what}",
            hint="check staging-app / production-app in [tool.mvp-process.deploy] "
            "and that the key's account can access the app",
        )
    if status == 403:
        return ApiError(
            f"Heroku forbade this (403) while trying to {what}: {detail}",
            hint="the key's account needs deploy rights on the app",
        )
    return ApiError(f"Heroku answered {status} while trying to {what}: {detail}")


def unreachable(exc: requests.RequestException, what: str) -> ApiError:
    """A timeout or connection failure, without the request's headers."""
    kind = "timed out" if isinstance(exc, requests.Timeout) else "failed"
    return ApiError(f"the request to {what} {kind}: {type(exc).__name__}")


@dataclass(frozen=True)
class Probe:
    """One health-check answer: status and body, or why there was none."""

    status: int | None
    body: str
    error: str | None = None


def probe(session: HerokuSession, url: str, timeout: float) -> Probe:
    """GET `url` once (the health check's loop does the retrying)."""
    try:
        response = session.request(
            "GET",
            url,
            timeout=(min(timeout, 10.0), timeout),
            retry_server_errors=False,
        )
    except requests.Timeout:
        return Probe(None, "", f"no answer within {timeout:g}s")
    except requests.RequestException as exc:
        return Probe(None, "", f"could not connect ({type(exc).__name__})")
    with response:
        return Probe(response.status_code, response.text[:65536])
