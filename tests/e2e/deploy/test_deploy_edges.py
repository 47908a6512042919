"""Rarer paths that must still keep the data safe and the message clear."""

from __future__ import annotations

import pytest

from mvp_process.deploy import backup as deploy_backup
from mvp_process.deploy import slug as deploy_slug
from support.deploy_env import PRODUCTION, STAGING, DeployEnv
from support.fake_heroku.state import Release

RELEASE_PROCFILE = "web: python app.py\nrelease: ./migrate.sh\n"


def rollback_posts(env: DeployEnv, app: str) -> list[dict[str, str]]:
    posts = env.fake.requests("POST", f"/apps/{app}/releases")
    return [p.body for p in posts if "release" in p.body]


def test_an_instant_platform_needs_no_waiting(deploy_env: DeployEnv) -> None:
    env = deploy_env
    env.fake.world.pending_polls = 0
    env.project(procfile=RELEASE_PROCFILE)

    assert env.run() == 0, env.last_out

    assert env.outputs()["release"] == "v3"


def test_a_bug_mid_deploy_still_rolls_back(deploy_env: DeployEnv) -> None:
    env = deploy_env
    env.project(procfile=RELEASE_PROCFILE, branch="staging")
    env.fake.fail("GET", f"/apps/{STAGING}/releases/.*", 200, payload={"oops": True})

    assert env.run() == 3

    assert "internal error" in env.last_err and "KeyError" in env.last_err
    assert len(rollback_posts(env, STAGING)) == 1


def test_a_failed_rollback_says_how_to_do_it_by_hand(deploy_env: DeployEnv) -> None:
    env = deploy_env
    env.project({"health-timeout": 1}, branch="staging")
    env.fake.world.apps[STAGING].health.status = 500
    env.fake.fail("POST", f"/apps/{STAGING}/releases", 500)

    assert env.run() == 1

    assert "FAIL rollback" in env.last_out
    assert (
        f"roll back by hand with `heroku rollback v2 --app {STAGING}`" in env.last_out
    )
    assert "failed at health" in env.last_out
    # The rollback failed: Heroku still runs v3, and the outputs say so.
    assert (env.outputs()["release"], env.outputs()["failed-release"]) == ("v3", "v3")


def test_a_live_release_that_cannot_be_read_is_left_empty(
    deploy_env: DeployEnv,
) -> None:
    env = deploy_env
    env.project({"health-timeout": 1, "rollback": False}, branch="staging")
    env.fake.world.apps[STAGING].health.status = 500
    # The release list answers preflight, then is gone when read at the end.
    env.fake.fail("GET", f"/apps/{STAGING}/releases", 404, skip=1)

    assert env.run() == 1

    assert "the live release could not be read" in env.last_out
    assert (env.outputs()["release"], env.outputs()["failed-release"]) == ("", "v3")


def test_an_app_without_a_current_release_cannot_be_rolled_back(
    deploy_env: DeployEnv,
) -> None:
    env = deploy_env
    env.project({"health-timeout": 1}, branch="staging")
    app = env.fake.world.apps[STAGING]
    app.releases = [Release("0000", 1, None, "failed", "Initial release")]
    app.postgres = False
    app.health.status = 500

    assert env.run() == 1

    assert "has no current release: nothing to roll back to" in env.last_out
    assert "no earlier release was recorded: roll back by hand" in env.last_out
    assert rollback_posts(env, STAGING) == []
    assert "pg:backups:restore" not in env.last_out


def test_a_backup_that_never_finishes_stops_the_deploy(
    deploy_env: DeployEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = deploy_env
    monkeypatch.setattr(deploy_backup, "BACKUP_TIMEOUT", 20.0)
    env.fake.world.pending_polls = 1000
    env.project(branch="staging")

    assert env.run() == 1

    assert "backup b001 did not finish in time" in env.last_out
    assert not env.fake.requests("POST", "/apps/.*/builds")


def test_a_promotion_that_never_completes_is_given_up_and_rolled_back(
    deploy_env: DeployEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = deploy_env
    monkeypatch.setattr(deploy_slug, "PROMOTION_TIMEOUT", 20.0)
    env.project({"backup": False})
    env.fake.world.pending_polls = 1000

    assert env.run() == 1

    assert "gave up waiting for the pipeline promotion after 20s" in env.last_out
    assert len(rollback_posts(env, PRODUCTION)) == 1


def test_a_promotion_of_the_wrong_slug_is_caught(deploy_env: DeployEnv) -> None:
    env = deploy_env
    env.project()
    env.fake.world.apps[PRODUCTION].promote_stale = True

    assert env.run() == 1

    assert "not the staging slug" in env.last_out
    assert len(rollback_posts(env, PRODUCTION)) == 1


def test_a_dyno_without_attach_url_is_a_failure(deploy_env: DeployEnv) -> None:
    env = deploy_env
    env.project({"migrate-command": "migrate"}, branch="staging")
    env.fake.world.apps[STAGING].no_attach = True

    assert env.run() == 1

    assert "Heroku gave no attach_url for the one-off dyno" in env.last_out


def test_forbidden_is_explained(deploy_env: DeployEnv) -> None:
    env = deploy_env
    env.project(branch="staging")
    env.fake.fail("POST", "/sources", 403)

    assert env.run() == 1

    assert "Heroku forbade this (403) while trying to create a source upload URL" in (
        env.last_out
    )


def test_a_lost_output_stream_does_not_fail_the_build(deploy_env: DeployEnv) -> None:
    env = deploy_env
    env.project(branch="staging")
    env.fake.fail("GET", "/streams/builds/.*", 502, times=5, service="files")

    assert env.run() == 0, env.last_out

    assert "the output stream was lost" in env.last_out
    assert "502" in env.last_out
