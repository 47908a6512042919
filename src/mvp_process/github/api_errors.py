"""GitHub's errors, said as what to do about them.

- 401: the token is invalid or expired;
- 403 "Resource not accessible by integration": a read-only token (pull
  requests from forks), as the distinct `ReadOnlyToken`, which publishers
  downgrade to one warning;
- rate limits (403/429) and 5xx: PyGithub's `GithubRetry` already waited and
  retried; what still fails is reported with when to try again;
- network errors and timeouts (in `api.py`): which URL could not be reached.
"""

from __future__ import annotations

import datetime
from typing import NoReturn

from github.GithubException import (
    GithubException,
    RateLimitExceededException,
    RateLimitExceededExceedsMaxWait,
)

from mvp_process.errors import ApiError, ReadOnlyToken

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


def said_by_github(exc: GithubException) -> str:
    data = exc.data
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        return str(data["message"])
    return exc.message or ""


def read_only(exc: GithubException) -> bool:
    return exc.status == 403 and said_by_github(exc).lower().startswith(READ_ONLY)


def _rate_limited(exc: GithubException, headers: dict[str, str]) -> bool:
    """By the exception's class, or by the headers: when retries run out on a
    rate-limited 403, `GithubRetry` has already read the body with GitHub's
    message, and PyGithub sees an empty one."""
    if isinstance(exc, RateLimitExceededException) or exc.status == 429:
        return True
    return exc.status == 403 and (
        headers.get("x-ratelimit-remaining") == "0" or "retry-after" in headers
    )


def raise_for(exc: GithubException, action: str) -> NoReturn:
    status = exc.status
    said = f"{status} {said_by_github(exc)}".strip()
    headers = {k.lower(): str(v) for k, v in (exc.headers or {}).items()}
    if status == 401:
        raise ApiError(
            f"GitHub rejected the token while {action} ({said})", hint=TOKEN_HINT
        )
    if read_only(exc):
        raise ReadOnlyToken(
            f"the token may not write to GitHub while {action} ({said})",
            hint=PERMISSIONS_HINT,
        )
    if _rate_limited(exc, headers):
        reset = headers.get("x-ratelimit-reset", "")
        when = ""
        if reset.isdigit():
            at = datetime.datetime.fromtimestamp(int(reset), datetime.timezone.utc)
            when = f" (the limit resets at {at:%H:%M:%S} UTC)"
        wait = isinstance(exc, RateLimitExceededExceedsMaxWait)
        raise ApiError(
            f"GitHub's API rate limit stopped mvp-process while {action} ({said})"
            + when,
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
