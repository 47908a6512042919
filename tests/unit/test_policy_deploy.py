"""The deploy's pure decisions, case by case."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from mvp_process.config import DeployConfig
from mvp_process.errors import ConfigError
from mvp_process.policy import deploy as p

BOTH = DeployConfig(staging_app="app-staging", production_app="app-prod")


@pytest.mark.parametrize(
    ("branch", "target", "expected"),
    [
        ("staging", None, [("staging", "app-staging")]),
        ("main", None, [("staging", "app-staging"), ("production", "app-prod")]),
        ("master", None, [("staging", "app-staging"), ("production", "app-prod")]),
        ("254-fix-timeout", None, []),
        ("mainline", None, []),
        (None, "staging", [("staging", "app-staging")]),
        ("feature", "production", [("production", "app-prod")]),
    ],
)
def test_select_targets(
    branch: str | None, target: str | None, expected: list[tuple[str, str]]
) -> None:
    selection = p.select_targets(branch, target, BOTH)
    assert [(t.role, t.app) for t in selection.targets] == expected
    if not expected:
        assert selection.reason.startswith("nothing to deploy")
        assert "main, master" in selection.reason


def test_custom_branches() -> None:
    config = DeployConfig(
        staging_app="s-app",
        production_app="p-app",
        staging_branch="develop",
        production_branches=("release",),
    )
    assert len(p.select_targets("release", None, config).targets) == 2
    assert len(p.select_targets("develop", None, config).targets) == 1
    assert p.select_targets("main", None, config).targets == ()


def test_no_production_branches_are_named_as_none() -> None:
    config = DeployConfig(staging_app="s-app", production_branches=())
    assert "production branch (none)" in p.select_targets("main", None, config).reason


@pytest.mark.parametrize(
    ("branch", "target", "config", "message"),
    [
        (None, None, BOTH, "no branch to deploy"),
        ("staging", None, DeployConfig(), "no staging app configured"),
        ("main", None, DeployConfig(staging_app="s-app"), "no production app"),
        (None, "qa", BOTH, "--target must be staging or production"),
        (
            "main",
            None,
            DeployConfig(staging_app="s", staging_branch="main"),
            "both the staging branch and a production branch",
        ),
    ],
)
def test_select_targets_errors(
    branch: str | None, target: str | None, config: DeployConfig, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        p.select_targets(branch, target, config)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, None),
        ("", None),
        ("web: gunicorn app\n", None),
        (
            "web: gunicorn app\nrelease: python manage.py migrate\n",
            "python manage.py migrate",
        ),
        ("release:   ./migrate.sh  \n", "./migrate.sh"),
        ("release:\n", None),
        ("# release: commented\n", None),
        ("releaser: x\n", None),
    ],
)
def test_procfile_release(text: str | None, expected: str | None) -> None:
    assert p.procfile_release(text) == expected


def test_migrate_plan() -> None:
    phase = p.migrate_plan("./migrate", "manage migrate")
    assert (
        phase.run and "release phase" in phase.action and "is not run" in phase.action
    )
    assert "release phase" in p.migrate_plan("./migrate", None).action
    assert "one-off dyno" in p.migrate_plan(None, "manage migrate").action
    assert not p.migrate_plan(None, None).run


def test_app_steps_for_staging_and_production() -> None:
    facts = p.AppFacts("https://x.herokuapp.com/", 7, "postgresql-x", True, True)
    staging = p.app_steps("staging", "x", BOTH, None, True, facts)
    assert [s.name for s in staging] == [
        "preflight",
        "backup",
        "build",
        "migrate",
        "static",
        "health",
        "rollback",
    ]
    assert "(now v7)" in staging[0].action
    assert "postgresql-x" in staging[1].action
    assert "GET https://x.herokuapp.com/ until 200" in staging[5].action
    production = p.app_steps("production", "y", BOTH, None, True, facts)
    assert production[2].name == "release"
    assert "pipeline promotion (both" in production[2].action
    apart = p.app_steps(
        "production", "y", BOTH, None, True, p.AppFacts("u", shared_pipeline=False)
    )
    assert "share no pipeline" in apart[2].action
    unknown = p.app_steps("production", "y", BOTH, None, True, p.AppFacts("u"))
    assert "if both apps share a pipeline" in unknown[2].action
    assert "if the app has one" in unknown[1].action
    alone = p.app_steps("production", "y", BOTH, None, False, p.AppFacts("u"))
    assert alone[2].name == "build"


def test_app_steps_skips() -> None:
    config = DeployConfig(
        backup=False, rollback=False, static_command="collect", health_expect="ok"
    )
    steps = {
        s.name: s
        for s in p.app_steps("staging", "x", config, None, False, p.AppFacts("u"))
    }
    assert not steps["backup"].run and "backup = false" in steps["backup"].action
    assert "no rollback" in steps["rollback"].action
    assert steps["static"].run and "collect" in steps["static"].action
    assert "containing 'ok'" in steps["health"].action
    no_pg = p.app_steps(
        "staging", "x", BOTH, None, False, p.AppFacts("u", has_postgres=False)
    )
    assert not no_pg[1].run


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
    assert p.backup_name(7) == "b007"
    assert p.backup_name(1234) == "b1234"
    assert p.source_checksum(b"") == (
        "SHA256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )


@pytest.mark.parametrize(
    ("released", "enabled", "already", "recorded", "go", "why"),
    [
        (True, True, False, 12, True, "rolling back to v12"),
        (False, True, False, 12, False, "nothing was released"),
        (True, True, True, 12, False, "already rolled back once"),
        (True, True, False, None, False, "no earlier release"),
        (True, False, False, 12, False, "heroku rollback v12"),
    ],
)
def test_rollback_decision(
    released: bool,
    enabled: bool,
    already: bool,
    recorded: int | None,
    go: bool,
    why: str,
) -> None:
    decided, reason = p.rollback_decision(released, enabled, already, recorded)
    assert decided is go and why in reason


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
