"""When to retry a Heroku request, how long to back off, how often to poll.

Pure: the HTTP session (`adapters.heroku_http`) and the deploy's waiting loops
ask these functions, so the rules that keep a deploy from running something
twice (never retry a write that may have run) or from hammering the API are
unit-tested case by case.
"""

from __future__ import annotations

from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_ATTEMPTS = 5
MAX_RETRY_WAIT = 300.0
LOW_RATE_LIMIT = 10


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header (delta-seconds or HTTP date)."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    current = now or datetime.now(timezone.utc)
    return max(0.0, (when - current).total_seconds())


def backoff(attempt: int, base: float = 1.0, cap: float = 30.0) -> float:
    """Exponential backoff: base, 2·base, 4·base... never more than `cap`."""
    return float(min(cap, base * (2 ** max(0, attempt))))


def retry_delay(
    status: int,
    attempt: int,
    retry_after: str | None,
    remaining: str | None,
    server_errors: bool,
    now: datetime | None = None,
) -> float | None:
    """Seconds to wait before retrying, or None when the answer must stand.

    429 is always retried (Heroku refused the request before doing anything);
    5xx only when `server_errors` (reads, and writes that are safe to repeat: a
    retried build or one-off dyno could run twice).
    """
    if status not in RETRY_STATUSES or attempt + 1 >= MAX_ATTEMPTS:
        return None
    if status != 429 and not server_errors:
        return None
    wait = parse_retry_after(retry_after, now)
    if wait is None:
        out_of_tokens = status == 429 and (remaining or "").strip() == "0"
        wait = backoff(attempt, base=5.0 if out_of_tokens else 1.0)
    return None if wait > MAX_RETRY_WAIT else wait


def throttle_delay(remaining: str | None) -> float:
    """A pause before the next call when the rate limit is nearly used up.

    Heroku refills about 75 tokens a minute, so a short pause keeps a long
    deploy from running into 429s.
    """
    try:
        left = int((remaining or "").strip())
    except ValueError:
        return 0.0
    return 1.0 if left < LOW_RATE_LIMIT else 0.0


def poll_delay(attempt: int) -> float:
    """How long to wait between polls of a build, release, transfer or promotion."""
    return backoff(attempt, base=0.5, cap=5.0)
