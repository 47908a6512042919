"""HTTP to Heroku: timeouts, urllib3's retries, and an API key that cannot leak.

heroku3 sends every request through `session.request` without a timeout and
never retries, so it gets this `requests.Session`, shared with our own calls:
every request has a timeout; urllib3's `Retry` retries 429 for every method
(Heroku refused before doing anything) and 5xx for all but POST (a second
build, dyno, backup, release or rollback must never happen), honouring
`Retry-After` up to `MAX_RETRY_WAIT`; a throttle `Retry` has no notion of
pauses when `RateLimit-Remaining` runs low; the key goes only to the Heroku
hosts (never to upload URLs, output streams or the app) and is in no repr.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Self
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase
from urllib3.exceptions import InvalidHeader, MaxRetryError, ResponseError
from urllib3.util.retry import Retry

from mvp_process import __version__
from mvp_process.errors import ApiError

ACCEPT = "application/vnd.heroku+json; version=3"
TIMEOUT = (10.0, 60.0)
ATTEMPTS = 5
MAX_RETRY_WAIT = 60.0
LOW_RATE_LIMIT = 10  # Heroku refills about 75 tokens a minute...
THROTTLE = 1.0  # ...so a second's pause when they run low
Sleep = Callable[[float], None]
Notify = Callable[[str], None]


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


class HerokuRetry(Retry):
    """urllib3's `Retry`, sleeping through our clock and saying why it waits."""

    wait: Sleep
    notify: Notify

    def new(self, **kw: Any) -> Self:
        made = super().new(**kw)
        made.wait, made.notify = self.wait, self.notify
        return made

    def is_retry(
        self, method: str, status_code: int, has_retry_after: bool = False
    ) -> bool:
        if status_code == 429:
            return bool(self.total)
        return super().is_retry(method, status_code, has_retry_after)

    def increment(self, *args: Any, **kwargs: Any) -> Self:
        response = kwargs.get("response")
        if response is not None and self._retry_after(response) > MAX_RETRY_WAIT:
            # Not waited for: urlopen hands back this answer (raise_on_status=False).
            pool: Any = None
            raise MaxRetryError(pool, None, ResponseError("Retry-After too long"))
        return super().increment(*args, **kwargs)

    def _retry_after(self, response: Any) -> float:
        try:
            return self.get_retry_after(response) or 0.0
        except InvalidHeader:
            return 0.0

    def sleep(self, response: Any = None) -> None:
        seconds = (self._retry_after(response) if response is not None else 0.0) or (
            self.get_backoff_time()
        )
        if response is not None and response.status == 429:
            seconds = max(seconds, THROTTLE)  # never straight back when refused
        last = self.history[-1]
        path = urlsplit(last.url or "").path
        why = f"answered {last.status}" if last.status else "could not connect"
        self.notify(f"{last.method} {path} {why}: retrying in {seconds:g}s")
        if seconds > 0:
            self.wait(seconds)


class HerokuSession(requests.Session):
    """A session with default timeouts, Heroku-aware retries and the throttle."""

    def __init__(
        self,
        api_key: str | None,
        origins: Iterable[str] = (),
        *,
        sleep: Sleep,
        notify: Notify = lambda _: None,
        retry: bool = True,
    ) -> None:
        super().__init__()
        # Always set (even without a key) so requests never falls back to ~/.netrc.
        self.auth = KeyAuth(api_key, origins)
        self.headers["Accept"] = ACCEPT
        self.headers["User-Agent"] = f"mvp-process/{__version__}"
        self.sleep = sleep
        self.remaining: int | None = None
        if retry:
            retries = HerokuRetry(
                total=ATTEMPTS - 1,
                status_forcelist=(429, 500, 502, 503, 504),
                backoff_factor=1.0,  # urllib3: 0 s, then 2, 4, 8 s
                raise_on_status=False,
            )
            retries.wait, retries.notify = sleep, notify
            adapter = HTTPAdapter(max_retries=retries)
            self.mount("https://", adapter)
            self.mount("http://", adapter)

    def __repr__(self) -> str:
        return f"<HerokuSession {self.auth!r}>"

    def request(  # type: ignore[override]
        self, method: str, url: str, *args: Any, **kwargs: Any
    ) -> requests.Response:
        """`Session.request` with a default timeout, throttled when tokens run low."""
        kwargs.setdefault("timeout", TIMEOUT)
        if self.remaining is not None and self.remaining < LOW_RATE_LIMIT:
            self.sleep(THROTTLE)
        response = super().request(method, url, *args, **kwargs)
        remaining = response.headers.get("RateLimit-Remaining", "").strip()
        self.remaining = int(remaining) if remaining.isdigit() else self.remaining
        return response


def error_message(response: requests.Response) -> str:
    """Heroku's `{"id": ..., "message": ...}` error body, in one line."""
    try:
        body = response.json()
    except ValueError:  # requests' JSONDecodeError is one
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
) -> ApiError:
    status = response.status_code
    detail = error_message(response)
    if status == 401:
        return ApiError(
            f"Heroku refused HEROKU_API_KEY (401 Unauthorized) while trying to {what}",
            hint="create a key with `heroku authorizations:create` and store it as "
            "the HEROKU_API_KEY secret",
        )
    if status == 404 and app is not None:
        return ApiError(
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


@dataclass(frozen=True)
class Probe:
    """One health-check answer: status and body, or why there was none."""

    status: int | None
    body: str
    error: str | None = None


def probe(session: requests.Session, url: str, timeout: float) -> Probe:
    """GET `url` once (the health check's loop does the retrying)."""
    try:
        response = session.get(url, timeout=(min(timeout, 10.0), timeout))
    except requests.Timeout:
        return Probe(None, "", f"no answer within {timeout:g}s")
    except requests.RequestException as exc:
        return Probe(None, "", f"could not connect ({type(exc).__name__})")
    with response:
        return Probe(response.status_code, response.text[:65536])
