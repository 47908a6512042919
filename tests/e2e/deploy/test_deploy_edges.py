"""Rarer paths that must still keep the data safe and the message clear."""

from __future__ import annotations


from support.deploy_env import PRODUCTION, STAGING, DeployEnv
from support.fake_heroku import Command
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


def test_a_bug_mid_deploy_still_rolls_back_and_reports(deploy_env: DeployEnv) -> None:
    env = deploy_env
    env.project(branch="staging")
    env.fake.fail("GET", f"/apps/{STAGING}/releases/.*", 200, payload={"oops": True})

    assert env.run() == 3

    assert "internal error" in env.last_err and "KeyError" in env.last_err
    assert len(rollback_posts(env, STAGING)) == 1
    # Exit 3 still leaves the outputs and the job summary behind.
    assert "## mvp-process deploy failed: internal error" in env.summary()
    assert "stopped on an internal error: KeyError" in env.shown()
    assert "| staging `mvp-staging` | rollback | ✅ pass |" in env.summary()
    assert env.outputs() == {
        "release": "v4",
        "failed-release": "",
        "app-url": env.fake.world.apps[STAGING].web_url,
        "backup": "b001",
        "deployed": "false",
    }


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
    # The release list answers preflight and the check before the build, then
    # is gone when read at the end.
    env.fake.fail("GET", f"/apps/{STAGING}/releases", 404, skip=2)

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
    deploy_env: DeployEnv,
) -> None:
    env = deploy_env
    env.fake.world.apps[STAGING].hangs.add("backup")
    env.project({"deploy-timeout": 60}, branch="staging")

    assert env.run() == 1

    assert (
        "gave up waiting for backup b001: the deploy's time ran out "
        "(deploy-timeout = 60s)"
    ) in env.last_out
    assert not env.fake.requests("POST", "/apps/.*/builds")
    assert 50 < sum(env.time.sleeps) <= 54  # 60 s, less 6 s kept for the way back


def test_a_promotion_that_never_completes_is_given_up_and_rolled_back(
    deploy_env: DeployEnv,
) -> None:
    env = deploy_env
    env.project({"backup": False})
    env.fake.world.apps[PRODUCTION].hangs.add("promotion")

    assert env.run() == 1

    assert "gave up waiting for the pipeline promotion" in env.last_out
    # The promotion made v3 all the same: this deploy's own, so it goes back.
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


def test_out_of_time_with_heroku_refusing_to_stop_or_cancel(
    deploy_env: DeployEnv,
) -> None:
    """The deploy's time runs out in the build, then in a one-off dyno, and
    Heroku refuses to cancel the build and to stop the dyno: it is said."""
    env = deploy_env
    env.project({"static-command": "collect"}, branch="staging")
    app = env.fake.world.apps[STAGING]
    app.hangs.add("build")
    env.fake.fail("DELETE", f"/apps/{STAGING}/builds/.*", 500, times=5)  # retried

    assert env.run() == 1

    assert "gave up waiting for the build" in env.last_out
    assert env.fake.requests("GET", f"/apps/{STAGING}/builds/.*")[-1].status == 200
    assert rollback_posts(env, STAGING) == []

    app.hangs.clear()
    app.commands["collect"] = Command("collecting\n", hangs=True)
    env.fake.on("POST", f"/apps/{STAGING}/dynos", lambda: env.time.leave(0.2))
    env.fake.fail("POST", f"/apps/{STAGING}/dynos/.*/actions/stop", 500)

    assert env.run() == 1

    assert "dyno run.1001 could not be stopped (Heroku answered 500" in env.last_out
    assert len(rollback_posts(env, STAGING)) == 1


def test_a_promotion_out_of_time_whose_targets_cannot_be_read(
    deploy_env: DeployEnv,
) -> None:
    env = deploy_env
    env.project({"backup": False})
    env.fake.world.apps[PRODUCTION].hangs.add("promotion")
    targets = "/pipeline-promotions/.*/promotion-targets"
    env.fake.fail("GET", targets, 500, times=10)

    assert env.run() == 1

    assert "gave up waiting for the pipeline promotion" in env.last_out
    # Its release cannot be told from a teammate's: nothing is rolled back.
    assert rollback_posts(env, PRODUCTION) == []
    assert "was released meanwhile: nothing was rolled back" in env.last_out
