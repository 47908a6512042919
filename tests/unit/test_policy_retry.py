"""When to retry a Heroku request, and how long to wait: case by case."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from mvp_process.deploy import policy_retry as p

NOW = datetime(2026, 1, 1, 12, 0, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (None, None),
        ("", None),
        ("12", 12.0),
        (" 3 ", 3.0),
        ("Thu, 01 Jan 2026 12:00:30 GMT", 30.0),
        ("Thu, 01 Jan 2026 11:00:00 GMT", 0.0),
        ("soon", None),
    ],
)
def test_parse_retry_after(value: str | None, seconds: float | None) -> None:
    assert p.parse_retry_after(value, NOW) == seconds


def test_parse_retry_after_date_without_now() -> None:
    assert p.parse_retry_after("Thu, 01 Jan 2000 00:00:00 GMT") == 0.0


@pytest.mark.parametrize(
    ("status", "attempt", "retry_after", "remaining", "server_errors", "wait"),
    [
        (200, 0, None, None, True, None),
        (404, 0, None, None, True, None),
        (429, 0, "7", None, False, 7.0),
        (429, 0, None, "0", False, 5.0),
        (429, 1, None, "0", False, 10.0),
        (429, 0, None, "100", False, 1.0),
        (503, 0, None, None, True, 1.0),
        (503, 2, None, None, True, 4.0),
        (503, 0, "2", None, True, 2.0),
        (500, 0, None, None, False, None),
        (429, 4, "1", None, True, None),
        (429, 0, "301", None, True, None),
    ],
)
def test_retry_delay(
    status: int,
    attempt: int,
    retry_after: str | None,
    remaining: str | None,
    server_errors: bool,
    wait: float | None,
) -> None:
    assert (
        p.retry_delay(status, attempt, retry_after, remaining, server_errors, NOW)
        == wait
    )


@pytest.mark.parametrize(
    ("remaining", "pause"),
    [
        (None, 0.0),
        ("", 0.0),
        ("many", 0.0),
        ("4500", 0.0),
        ("10", 0.0),
        ("9", 1.0),
        ("0", 1.0),
    ],
)
def test_throttle_delay(remaining: str | None, pause: float) -> None:
    assert p.throttle_delay(remaining) == pause


def test_backoff_and_poll_delay() -> None:
    assert [p.backoff(a) for a in range(7)] == [1, 2, 4, 8, 16, 30, 30]
    assert p.backoff(-1) == 1.0
    assert [p.poll_delay(a) for a in range(6)] == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0]
