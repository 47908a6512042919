"""What the deploy steps decide on the way, case by case: health, exit status,
the release phase, whether to release, whether and where to go back, and time."""

from __future__ import annotations

import pytest

from mvp_process.deploy import heroku_models
from mvp_process.deploy import policy
from mvp_process.deploy import policy_steps as p
from mvp_process.deploy.heroku_models import ReleaseInfo


@pytest.mark.parametrize(
    ("status", "body", "expect", "error", "ok", "why"),
    [
        (200, "hi", None, None, True, "answered 200"),
        (200, "db ok", "ok", None, True, "answered 200 with 'ok'"),
        (200, "db down", "ok", None, False, "answered 200 without 'ok'"),
        (500, "ok", None, None, False, "answered 500"),
        (301, "", None, None, False, "answered 301"),
        (None, "", None, "no answer within 3s", False, "no answer within 3s"),
    ],
)
def test_health_verdict(
    status: int | None,
    body: str,
    expect: str | None,
    error: str | None,
    ok: bool,
    why: str,
) -> None:
    assert p.health_verdict(status, body, expect, error) == (ok, why)


def test_health_url() -> None:
    assert (
        p.health_url("https://a.herokuapp.com/", "/up") == "https://a.herokuapp.com/up"
    )
    assert p.health_url("https://a.herokuapp.com", "/") == "https://a.herokuapp.com/"


MARK = "\uffff heroku-command-exit-status:"


@pytest.mark.parametrize(
    ("output", "text", "status"),
    [
        (f"migrating\n{MARK} 0\n", "migrating\n", 0),
        (f"boom\r\n{MARK} 1\r\n", "boom\r\n", 1),
        (f"a\n{MARK} 3\nb\n{MARK} 127", "a\n{m} 3\nb\n".format(m=MARK), 127),
        ("no marker\n", "no marker\n", None),
        (f"echo {MARK} 0 inline\n", f"echo {MARK} 0 inline\n", None),
    ],
)
def test_parse_exit_status(output: str, text: str, status: int | None) -> None:
    assert p.parse_exit_status(output) == (text, status)


def test_with_exit_marker_is_what_the_cli_sends() -> None:
    assert p.with_exit_marker("manage.py migrate") == (
        'manage.py migrate; echo "\uffff heroku-command-exit-status: $?"'
    )


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        ("succeeded", "succeeded"),
        ("failed", "failed"),
        ("expired", "failed"),
        ("pending", "pending"),
        (None, "pending"),
    ],
)
def test_release_outcome(status: str | None, outcome: str) -> None:
    assert p.release_outcome(status) == outcome


def test_backup_name_and_checksum() -> None:
    assert heroku_models.backup_name(7) == "b007"
    assert heroku_models.backup_name(1234) == "b1234"
    assert p.source_checksum(b"") == (
        "SHA256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )


def release(
    version: int,
    status: str = "succeeded",
    current: bool = False,
    user: str = "deployer@example.com",
) -> ReleaseInfo:
    return ReleaseInfo(
        f"r{version}",
        version,
        status,
        current,
        description=f"Deploy {version}",
        user=user,
    )


V2 = release(2, current=True)  # what preflight recorded (and the newest then)
ANN = "ann@example.com"


@pytest.mark.parametrize(
    ("releases", "ours", "migrating", "enabled", "why"),
    [
        ([release(3, current=True), release(2)], {"r3"}, None, True, None),
        (
            [release(3, current=True), release(2)],
            {"r3"},
            None,
            False,
            "rollback = false: not rolled back (to do it by hand: heroku rollback v2 "
            "--app app)",
        ),
        ([release(3, "failed"), V2], {"r3"}, None, True, "nothing this deploy"),
        ([V2], set(), None, True, "nothing this deploy released is live (v2 is live)"),
        (
            [release(3, "pending"), V2],
            {"r3"},
            None,
            True,
            "the release phase of v3 is still running: nothing was rolled back under "
            "a running migration; v2 is live until it ends",
        ),
        (
            [release(3, current=True), release(2)],
            {"r3"},
            "the migration in dyno run.1",
            True,
            "the migration in dyno run.1 is still running: nothing was rolled back",
        ),
        (
            [release(4, current=True, user=ANN), release(3), release(2)],
            {"r3"},
            None,
            True,
            'v4 by ann@example.com ("Deploy 4") was released meanwhile: nothing was '
            "rolled back over it (v4 is live)",
        ),
        (  # a teammate's v3 came out during our build; ours (v4) went over it
            [release(4, current=True), release(3, user=ANN), release(2)],
            {"r4"},
            None,
            True,
            'v3 by ann@example.com ("Deploy 3") was released meanwhile',
        ),
    ],
    ids=[
        "ours-live",
        "disabled",
        "phase-failed",
        "nothing-released",
        "phase-running",
        "dyno-running",
        "foreign-live",
        "foreign-under-ours",
    ],
)
def test_way_back(
    releases: list[ReleaseInfo],
    ours: set[str],
    migrating: str | None,
    enabled: bool,
    why: str | None,
) -> None:
    decision = p.way_back("app", releases, 2, ours, V2, migrating, enabled)
    assert why in decision.why if why else decision.why == "rolling back to v2"
    assert decision.to == (None if why else V2)
    assert decision.live == next((r for r in releases if r.current), None)


def test_way_back_without_a_recorded_release() -> None:
    decision = p.way_back("app", [release(2, current=True)], 1, {"r2"}, None)
    assert decision.to is None
    assert decision.why == "no earlier release was recorded: roll back by hand"


@pytest.mark.parametrize(
    ("releases", "why"),
    [
        ([V2], None),
        ([release(3, "failed"), V2], "v3 by deployer@example.com"),
        ([release(2, "pending"), release(1, current=True)], "still in its release"),
    ],
)
def test_release_conflict(releases: list[ReleaseInfo], why: str | None) -> None:
    before = 2
    found = p.release_conflict(before, releases)
    assert (found is None) if why is None else (found is not None and why in found)


def test_time() -> None:
    assert policy.reserve(1500) == 120 and policy.reserve(60) == 6
    assert [policy.backoff(n, 0.5, 5.0) for n in range(5)] == [0.5, 1.0, 2.0, 4.0, 5.0]
    assert policy.backoff(-1, 0.5, 10) == 0.5
