"""Deploys that go wrong: nothing lost, rolled back once, said plainly, exit 1."""

from __future__ import annotations

import pytest
import requests

from support.deploy_env import API_KEY, PRODUCTION, STAGING, DeployEnv
from support.fake_heroku import Command
from support.workflow_commands import carried_out

RELEASE_PROCFILE = "web: python app.py\nrelease: python manage.py migrate\n"
MIGRATE = "python manage.py migrate"


def rollbacks(env: DeployEnv, app: str) -> list[dict[str, str]]:
    posts = env.fake.requests("POST", f"/apps/{app}/releases")
    return [p.body for p in posts if "release" in p.body]


def assert_rolled_back_once(env: DeployEnv, app: str) -> None:
    heroku_app = env.fake.world.apps[app]
    recorded = heroku_app.releases[1]  # v2, what the app ran before the deploy
    assert rollbacks(env, app) == [{"release": recorded.id}]
    current = heroku_app.current()
    assert current is not None and current.slug_id == recorded.slug_id
    assert current.description == "Rollback to v2"
    assert "rolled back to v2" in env.last_out
    assert "migrations are not undone" in env.last_out
    assert "migrations are not undone" in env.summary()
    restore = f"heroku pg:backups:restore b001 DATABASE_URL --app {app}"
    assert restore in env.last_out
    # v3 failed; the rollback made v4, which runs v2's code: v4 is live.
    assert current.version == 4
    outputs = env.outputs()
    assert (outputs["release"], outputs["failed-release"]) == ("v4", "v3")
    assert outputs["deployed"] == "false"
    assert "failed release v3, rolled back to v2, live: v4" in env.last_out


def test_backup_failure_builds_and_releases_nothing(deploy_env: DeployEnv) -> None:
    env = deploy_env
    env.project()
    env.fake.world.apps[STAGING].backup_fails = True

    assert env.run() == 1

    assert not env.fake.requests("POST", "/sources")
    assert not env.fake.requests("POST", "/apps/.*/(builds|releases|dynos)")
    assert "backup b001 failed: nothing was built or released" in env.last_out
    assert "connection to server lost" in env.last_out
    assert f"production ({PRODUCTION}): not deployed: staging did not come up" in (
        env.last_out
    )
    assert env.outputs()["backup"] == "b001"
    assert env.outputs()["deployed"] == "false"


def test_postgres_not_attached_as_database_url_is_not_deployed_blind(
    deploy_env: DeployEnv,
) -> None:
    env = deploy_env
    env.project(branch="staging")
    env.fake.world.apps[STAGING].postgres_as_database_url = False

    assert env.run() == 1

    assert "not attached as DATABASE_URL" in env.last_out
    assert not env.fake.requests("POST", "/apps/.*/builds")


def test_build_failure_stops_without_rollback(deploy_env: DeployEnv) -> None:
    env = deploy_env
    env.project()
    env.fake.world.apps[STAGING].build_fails = True

    assert env.run() == 1

    assert "|  !     Push rejected, failed to compile Python app." in env.last_out
    assert "FAIL build" in env.last_out
    assert rollbacks(env, STAGING) == []
    # Nothing was released: v2 is still live, and no release failed.
    assert env.outputs()["release"] == "v2"
    assert env.outputs()["failed-release"] == ""
    assert not env.fake.requests(path=f"/apps/{PRODUCTION}/.*", method="POST")
    assert "⏭ skip | | staging did not come up healthy" in env.summary()


@pytest.mark.parametrize("outcome", ["failed", "expired"])
def test_a_failed_release_phase_needs_no_rollback(
    deploy_env: DeployEnv, outcome: str
) -> None:
    env = deploy_env
    env.project(procfile=RELEASE_PROCFILE, branch="staging")
    env.fake.world.apps[STAGING].release_phase = outcome

    assert env.run() == 1

    assert f"release phase of v3 {outcome}" in env.last_out
    assert "Running release command: python manage.py migrate" in env.last_out
    # Heroku never made v3 live: v2 still is, so there is nothing to roll back...
    assert rollbacks(env, STAGING) == []
    assert "nothing this deploy released is live (v2 is live)" in env.shown()
    assert (env.outputs()["release"], env.outputs()["failed-release"]) == ("v2", "v3")
    # ...but the release phase (the migration) ran: the way back for the data.
    restore = f"heroku pg:backups:restore b001 DATABASE_URL --app {STAGING}"
    assert restore in env.last_out and f"```sh\n{restore}\n```" in env.summary()


def test_migration_exit_status_1_rolls_back(deploy_env: DeployEnv) -> None:
    env = deploy_env
    env.project({"migrate-command": MIGRATE}, branch="staging")
    env.fake.world.apps[STAGING].commands[MIGRATE] = Command("IntegrityError\n", 1)

    assert env.run() == 1

    assert f"'{MIGRATE}' exited with status 1" in env.last_out
    assert "IntegrityError" in env.summary()
    assert_rolled_back_once(env, STAGING)


def test_a_dyno_that_dies_without_exit_status_is_a_failure(
    deploy_env: DeployEnv,
) -> None:
    env = deploy_env
    env.project({"migrate-command": MIGRATE}, branch="staging")
    env.fake.world.apps[STAGING].commands[MIGRATE] = Command("Killed\n", None)

    assert env.run() == 1

    assert "ended without reporting an exit status" in env.last_out
    assert_rolled_back_once(env, STAGING)


def test_static_assets_failure_rolls_back(deploy_env: DeployEnv) -> None:
    env = deploy_env
    env.project({"static-command": "npm run build"}, branch="staging")

    assert env.run() == 1

    assert "'npm run build' exited with status 127" in env.last_out
    assert "bash: npm: command not found" in env.last_out
    assert_rolled_back_once(env, STAGING)


def test_health_500_rolls_back_once_to_the_recorded_release(
    deploy_env: DeployEnv,
) -> None:
    env = deploy_env
    env.project({"health-timeout": 20})
    env.fake.world.apps[STAGING].health.status = 500

    assert env.run() == 1

    assert "not healthy within 20s" in env.last_out
    assert "last: answered 500" in env.last_out
    assert_rolled_back_once(env, STAGING)
    health_gets = env.fake.requests("GET", "/health", service="router")
    assert len(health_gets) > 3  # retried with backoff
    assert env.time.sleeps[:3] == [0.5, 1.0, 2.0] or 0.5 in env.time.sleeps
    # The app is back on the old code, which answers.
    app = env.fake.world.apps[STAGING]
    assert requests.get(app.web_url + "health", timeout=5).status_code == 200
    assert not env.fake.requests(path=f"/apps/{PRODUCTION}/.*", method="POST")


def test_health_timeout_rolls_back(deploy_env: DeployEnv) -> None:
    env = deploy_env
    env.project({"health-timeout": 0.3}, branch="staging")
    env.fake.world.apps[STAGING].health.delay = 3.0

    assert env.run() == 1

    assert "no answer within" in env.last_out
    assert_rolled_back_once(env, STAGING)


def test_health_without_the_expected_text_fails(deploy_env: DeployEnv) -> None:
    env = deploy_env
    env.project(
        {"health-expect": "database: ok", "health-timeout": 5}, branch="staging"
    )
    env.fake.world.apps[STAGING].health.body = "database: down"

    assert env.run() == 1

    assert "answered 200 without 'database: ok'" in env.last_out
    assert_rolled_back_once(env, STAGING)


def test_rollback_false_leaves_the_app_and_says_how(deploy_env: DeployEnv) -> None:
    env = deploy_env
    env.project({"rollback": False, "health-timeout": 1}, branch="staging")
    env.fake.world.apps[STAGING].health.status = 503

    assert env.run() == 1

    assert rollbacks(env, STAGING) == []
    assert "rollback = false: not rolled back" in env.last_out
    assert "heroku rollback v2" in env.last_out
    # The failed release is the live one: both outputs say so.
    assert (env.outputs()["release"], env.outputs()["failed-release"]) == ("v3", "v3")


def test_a_failed_release_phase_never_went_live(deploy_env: DeployEnv) -> None:
    env = deploy_env
    env.project({"rollback": False}, procfile=RELEASE_PROCFILE, branch="staging")
    env.fake.world.apps[STAGING].release_phase = "failed"

    assert env.run() == 1

    # Heroku keeps v2 live when v3's release phase fails: no rollback needed.
    assert (env.outputs()["release"], env.outputs()["failed-release"]) == ("v2", "v3")
    assert "failed release v3, live: v2" in env.last_out


def test_production_failure_rolls_back_production_only(deploy_env: DeployEnv) -> None:
    env = deploy_env
    env.project({"health-timeout": 2})
    env.fake.world.apps[PRODUCTION].health.status = 502

    assert env.run() == 1

    assert rollbacks(env, STAGING) == []
    assert_rolled_back_once(env, PRODUCTION)
    assert "staging (mvp-staging): healthy" in env.last_out


def test_a_failed_promotion_leaves_production_as_it_was(
    deploy_env: DeployEnv,
) -> None:
    env = deploy_env
    env.project()
    env.fake.world.apps[PRODUCTION].promotion_fails = True

    assert env.run() == 1

    assert "the pipeline promotion failed: Promotion failed" in env.last_out
    assert rollbacks(env, PRODUCTION) == []  # it released nothing
    assert env.outputs()["release"] == "v2"


def test_rendezvous_with_an_untrusted_certificate_fails_safely(
    deploy_env: DeployEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = deploy_env
    monkeypatch.delenv("REQUESTS_CA_BUNDLE")
    env.project({"migrate-command": MIGRATE}, branch="staging")

    assert env.run() == 1

    assert "TLS to the one-off dyno's rendezvous (127.0.0.1) failed" in env.last_out
    assert_rolled_back_once(env, STAGING)
    assert API_KEY not in env.everything()


TALKERS = (
    "::stop-commands::pwned",
    "::set-output name=deployed::true",
    "  ::add-mask::whatever",
    "text then ##[set-output name=deployed;]true",
    "::pwned::",
    "##[error]forged",
)


def test_what_a_dyno_prints_gives_the_runner_no_command(
    deploy_env: DeployEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = deploy_env
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    env.project({"migrate-command": MIGRATE}, branch="staging")
    output = "\n".join(TALKERS) + "\n"
    env.fake.world.apps[STAGING].commands[MIGRATE] = Command(output, 1)

    assert env.run() == 1

    assert "text then ##[set-output name=deployed;]true" in env.last_out  # as text
    done = carried_out(env.last_out + env.last_err)
    assert {name for name, _ in done} == {"add-mask", "stop-commands"}, done
    assert [data for name, data in done if name == "add-mask"] == [API_KEY]
    assert ("stop-commands", "pwned") not in done
