"""The Heroku API's own failures: rate limits, 5xx, a wrong key, a missing app."""

from __future__ import annotations

import socket
import time
from email.utils import formatdate

import pytest

from support.deploy_env import API_KEY, PRODUCTION, STAGING, DeployEnv


def test_429_with_retry_after_is_survived(deploy_env: DeployEnv) -> None:
    env = deploy_env
    env.project(branch="staging")
    env.fake.fail("GET", f"/apps/{STAGING}", 429, times=2, headers={"Retry-After": "7"})
    env.fake.fail("POST", f"/apps/{STAGING}/builds", 429, headers={"Retry-After": "3"})

    assert env.run() == 0, env.last_out + env.last_err

    assert env.time.sleeps.count(7.0) == 2 and 3.0 in env.time.sleeps
    assert f"GET /apps/{STAGING} answered 429: retrying in 7s" in env.last_out
    assert len(env.fake.requests("POST", f"/apps/{STAGING}/builds")) == 2
    assert len([b for b in env.fake.world.builds.values()]) == 1


def test_retry_after_as_a_date_or_nonsense(deploy_env: DeployEnv) -> None:
    env = deploy_env
    env.project(branch="staging")
    when = formatdate(time.time() + 30, usegmt=True)
    env.fake.fail("GET", f"/apps/{STAGING}", 503, headers={"Retry-After": when})
    env.fake.fail("GET", "/account", 503, headers={"Retry-After": "soon"})

    assert env.run() == 0, env.last_out

    assert "GET /account answered 503: retrying in 0s" in env.last_out  # backoff
    assert any(25 < wait <= 30 for wait in env.time.sleeps), env.time.sleeps


def test_429_without_retry_after_is_not_retried_straight_away(
    deploy_env: DeployEnv,
) -> None:
    env = deploy_env
    env.project(branch="staging")
    env.fake.fail("GET", "/account", 429, headers={"RateLimit-Remaining": "0"})

    assert env.run() == 0, env.last_out

    assert env.time.sleeps[0] == 1.0
    assert "GET /account answered 429: retrying in 1s" in env.last_out


def test_a_nearly_used_up_rate_limit_slows_down(deploy_env: DeployEnv) -> None:
    env = deploy_env
    env.project(branch="staging")
    env.fake.rate_limit_remaining = 3

    assert env.run() == 0, env.last_out

    assert env.time.sleeps.count(1.0) > 10


def test_5xx_on_reads_is_retried(deploy_env: DeployEnv) -> None:
    env = deploy_env
    env.project(branch="staging")
    env.fake.fail("GET", f"/apps/{STAGING}/builds/.*", 503, times=2)
    env.fake.fail("GET", "/client/v11/apps/.*/transfers/.*", 500, service="data")

    assert env.run() == 0, env.last_out

    reads = env.fake.requests("GET", f"/apps/{STAGING}/builds/.*")
    assert [r.status for r in reads][:3] == [503, 503, 200]
    transfers = env.fake.requests("GET", "/client/v11/apps/.*", service="data")
    assert transfers[0].status == 500 and transfers[-1].status == 200
    # urllib3's backoff: at once, then 2 s, 4 s...
    assert "answered 503: retrying in 0s" in env.last_out
    assert "answered 503: retrying in 2s" in env.last_out


def test_5xx_on_a_build_is_not_retried(deploy_env: DeployEnv) -> None:
    env = deploy_env
    env.project()
    env.fake.fail("POST", f"/apps/{STAGING}/builds", 500)

    assert env.run() == 1

    assert len(env.fake.requests("POST", f"/apps/{STAGING}/builds")) == 1
    assert "Heroku answered 500 while trying to start a build" in env.last_out
    assert not env.fake.requests("POST", f"/apps/{STAGING}/releases")


def test_persistent_5xx_gives_up_after_five_attempts(deploy_env: DeployEnv) -> None:
    env = deploy_env
    env.project(branch="staging")
    env.fake.fail("GET", "/account", 503, times=10)

    assert env.run() == 2

    assert len(env.fake.requests("GET", "/account")) == 5
    assert "Heroku answered 503 while trying to read the account" in env.last_err
    assert env.fake.writes() == []


def test_a_retry_after_too_long_is_not_waited_for(deploy_env: DeployEnv) -> None:
    env = deploy_env
    env.project(branch="staging")
    env.fake.fail("GET", "/account", 429, headers={"Retry-After": "3600"})

    assert env.run() == 2

    assert "rate limit was still exceeded" in env.last_err
    assert env.time.sleeps == []


def test_a_wrong_key_is_exit_2_and_never_shown(
    deploy_env: DeployEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = deploy_env
    wrong = "hrku-WRONG-KEY-0000-1111-2222"
    monkeypatch.setenv("HEROKU_API_KEY", wrong)
    env.project()

    assert env.run() == 2

    assert "Heroku refused HEROKU_API_KEY (401 Unauthorized)" in env.last_err
    assert "Traceback" not in env.last_err
    assert env.fake.writes() == []
    assert wrong not in env.everything() and API_KEY not in env.everything()


@pytest.mark.parametrize("which", ["staging-app", "production-app"])
def test_a_missing_app_is_exit_2_before_anything_changes(
    deploy_env: DeployEnv, which: str
) -> None:
    env = deploy_env
    env.project({which: "mvp-typo"})

    assert env.run() == 2

    assert "Heroku app 'mvp-typo' not found (404)" in env.last_err
    assert "hint: check staging-app / production-app" in env.last_err
    assert env.fake.writes() == []


def test_no_key_is_exit_2(
    deploy_env: DeployEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = deploy_env
    monkeypatch.delenv("HEROKU_API_KEY")
    env.project(branch="staging")

    assert env.run() == 2

    assert "HEROKU_API_KEY is not set" in env.last_err
    assert env.fake.log == []


def test_an_unknown_sha_is_exit_2(deploy_env: DeployEnv) -> None:
    env = deploy_env
    env.project(branch="staging")

    assert env.run("--sha", "0123456789abcdef0123456789abcdef01234567") == 2

    assert "is not in this clone" in env.last_err


def test_a_detached_head_needs_a_branch(deploy_env: DeployEnv) -> None:
    env = deploy_env
    sha = env.project(branch="staging")
    env.repo.git("switch", "-q", "--detach", sha)

    assert env.run() == 2
    assert "pass --branch NAME or --target" in env.last_err
    assert env.run("--branch", "staging") == 0, env.last_out


def test_missing_production_app_config_is_exit_2(deploy_env: DeployEnv) -> None:
    env = deploy_env
    env.project({"production-app": ""})

    assert env.run() == 2

    assert "no production app configured" in env.last_err


def test_an_unreachable_heroku_is_exit_2(
    deploy_env: DeployEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = deploy_env
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("HEROKU_API_URL", f"http://127.0.0.1:{port}")
    env.project(branch="staging")

    assert env.run() == 2

    assert "the request to read the account failed: ConnectionError" in env.last_err
    assert env.time.sleeps == [2.0, 4.0, 8.0]  # urllib3: at once, then 2, 4, 8 s
    assert "GET /account could not connect: retrying in 8s" in env.last_out


def test_both_flags_are_a_usage_error(deploy_env: DeployEnv) -> None:
    env = deploy_env
    env.project()

    assert env.run("--branch", "main", "--target", "staging") == 2
    assert "not allowed with argument" in env.last_err


def test_the_key_is_absent_from_every_output(deploy_env: DeployEnv) -> None:
    env = deploy_env
    env.project({"health-timeout": 1})
    env.fake.world.apps[PRODUCTION].health.status = 500

    assert env.run() == 1

    text = env.everything()
    assert "rolled back to v2" in text
    assert API_KEY not in text
    for entry in env.fake.requests(service="files"):
        assert "Authorization" not in entry.headers
    for entry in env.fake.requests(service="platform"):
        assert entry.headers["Authorization"] == f"Bearer {API_KEY}"
