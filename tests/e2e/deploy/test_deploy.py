"""`python -m mvp_process deploy` end to end: real CLI, real git, fake Heroku."""

from __future__ import annotations

import pytest

from mvp_process.deploy import steps
from mvp_process.deploy.steps import Step
from support.deploy_env import API_KEY, PRODUCTION, STAGING, DeployEnv
from support.fake_heroku import Command

RELEASE_PROCFILE = "web: python app.py\nrelease: python manage.py migrate\n"


def slug_of(env: DeployEnv, app: str) -> str | None:
    current = env.fake.world.apps[app].current()
    return current.slug_id if current else None


def test_clean_staging_deploy(deploy_env: DeployEnv) -> None:
    env = deploy_env
    sha = env.project({"migrate-command": "python manage.py migrate"}, branch="staging")
    app = env.fake.world.apps[STAGING]
    app.commands["python manage.py migrate"] = Command("Applying 0001_initial... OK\n")

    assert env.run() == 0, env.last_out + env.last_err

    assert env.outputs() == {
        "release": "v3",
        "failed-release": "",
        "app-url": app.web_url,
        "backup": "b001",
        "deployed": "true",
    }
    builds = env.fake.requests("POST", f"/apps/{STAGING}/builds")
    assert len(builds) == 1
    blob = builds[0].body["source_blob"]
    assert blob["version"] == sha
    assert blob["checksum"].startswith("SHA256:")
    assert env.fake.world.slugs[slug_of(env, STAGING) or ""].commit == sha
    assert "| Applying 0001_initial... OK" in env.last_out
    assert "heroku-command-exit-status" not in env.last_out
    assert not env.fake.requests("POST", f"/apps/{PRODUCTION}/.*")
    summary = env.summary()
    assert "## mvp-process deploy succeeded" in summary
    for step in ("preflight", "backup", "build", "migrate", "static", "health"):
        assert f"| staging `{STAGING}` | {step} |" in summary
    assert API_KEY not in env.everything()
    assert env.fake.files_auth_seen == []


def test_main_deploys_staging_then_production_with_the_same_slug(
    deploy_env: DeployEnv,
) -> None:
    env = deploy_env
    env.project(procfile=RELEASE_PROCFILE)

    assert env.run() == 0, env.last_out

    assert len(env.fake.requests("POST", "/apps/.*/builds")) == 1
    promotions = env.fake.requests("POST", "/pipeline-promotions")
    assert len(promotions) == 1
    staging_slug = slug_of(env, STAGING)
    assert staging_slug is not None and slug_of(env, PRODUCTION) == staging_slug
    staging_release = env.fake.world.apps[STAGING].current()
    assert staging_release is not None
    assert promotions[0].body["source"]["release"]["id"] == staging_release.id
    assert env.outputs()["release"] == "v3"
    assert env.outputs()["app-url"] == env.fake.world.apps[PRODUCTION].web_url
    assert "Running release command: python manage.py migrate" in env.last_out
    assert env.last_out.index("==> staging") < env.last_out.index("==> production")
    assert "promoted through the pipeline" in env.last_out


def test_production_without_a_shared_pipeline_releases_the_staging_slug(
    deploy_env: DeployEnv,
) -> None:
    env = deploy_env
    env.fake.world.apps[PRODUCTION].pipeline = None
    env.project()

    assert env.run() == 0, env.last_out

    assert not env.fake.requests("POST", "/pipeline-promotions")
    assert len(env.fake.requests("POST", "/apps/.*/builds")) == 1
    releases = env.fake.requests("POST", f"/apps/{PRODUCTION}/releases")
    assert [r.body for r in releases] == [{"slug": slug_of(env, STAGING)}]
    assert slug_of(env, PRODUCTION) == slug_of(env, STAGING)


@pytest.mark.parametrize("branch", ["254-add-error-message", "feature/x;rm -rf"])
def test_other_branches_have_nothing_to_deploy(
    deploy_env: DeployEnv, branch: str
) -> None:
    env = deploy_env
    env.project()

    assert env.run("--branch", branch) == 0

    assert "nothing to deploy" in env.last_out
    assert f"branch '{branch}'" in env.last_out
    assert env.fake.requests(service="platform") == []
    assert "nothing to deploy" in env.summary()


def test_no_postgres_means_no_backup(deploy_env: DeployEnv) -> None:
    env = deploy_env
    env.fake.world.apps[STAGING].postgres = False
    env.project(branch="staging")

    assert env.run() == 0, env.last_out

    assert "SKIP backup" in env.last_out
    assert env.fake.requests(service="data") == []
    assert env.outputs()["backup"] == ""


def test_backup_false_skips_the_backup(deploy_env: DeployEnv) -> None:
    env = deploy_env
    env.project({"backup": False}, branch="staging")

    assert env.run() == 0, env.last_out

    assert "backup = false" in env.last_out
    assert env.fake.requests(service="data") == []


def test_static_command_runs_in_a_one_off_dyno(deploy_env: DeployEnv) -> None:
    env = deploy_env
    env.project({"static-command": "python manage.py collectstatic"}, branch="staging")
    app = env.fake.world.apps[STAGING]
    app.commands["python manage.py collectstatic"] = Command("42 static files copied\n")

    assert env.run() == 0, env.last_out

    dynos = env.fake.requests("POST", f"/apps/{STAGING}/dynos")
    assert [d.body["command"] for d in dynos] == [
        'python manage.py collectstatic; echo "\uffff heroku-command-exit-status: $?"'
    ]
    assert "| 42 static files copied" in env.last_out
    assert len(env.fake.rendezvous.attached) == 1


def test_health_expect_is_checked(deploy_env: DeployEnv) -> None:
    env = deploy_env
    env.project({"health-expect": "database: ok"}, branch="staging")
    env.fake.world.apps[STAGING].health.body = "status: fine, database: ok"

    assert env.run() == 0, env.last_out

    assert "answered 200 with 'database: ok'" in env.last_out


def test_dry_run_prints_the_plan_and_writes_nothing(deploy_env: DeployEnv) -> None:
    env = deploy_env
    sha = env.project(
        {"static-command": "python manage.py collectstatic"}, procfile=RELEASE_PROCFILE
    )

    assert env.run("--dry-run") == 0, env.last_out

    assert env.fake.writes() == []
    out = env.last_out
    assert f"branch main at {sha[:12]}" in out
    assert f"staging app {STAGING}" in out and f"production app {PRODUCTION}" in out
    assert "now v2" in out
    assert "postgresql-mvp-staging-12345" in out
    assert f"POST /apps/{STAGING}/builds" in out
    assert "pipeline promotion (both apps share a pipeline)" in out
    assert "release phase (Procfile release: python manage.py migrate)" in out
    assert "run 'python manage.py collectstatic' in a one-off dyno" in out
    assert env.fake.world.apps[PRODUCTION].web_url.rstrip("/") + "/health" in out
    assert "Nothing was changed (dry run)." in out
    assert env.outputs()["deployed"] == "false"
    assert "planned (dry run)" in env.summary()


def test_dry_run_without_a_key_plans_from_the_config(
    deploy_env: DeployEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = deploy_env
    monkeypatch.delenv("HEROKU_API_KEY")
    env.project({"backup": False}, branch="staging")

    assert env.run("--dry-run") == 0, env.last_out + env.last_err

    assert env.fake.log == []
    assert f"https://{STAGING}.herokuapp.com/health" in env.last_out
    assert "HEROKU_API_KEY is not set" in env.last_out
    assert "skipped: backup = false" in env.last_out


def test_actions_defaults_come_from_github_variables(
    deploy_env: DeployEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = deploy_env
    first = env.project(branch="main")
    env.repo.commit("later", {"later.txt": "x\n"})
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_REF_NAME", "staging")
    monkeypatch.setenv("GITHUB_SHA", first)

    assert env.run() == 0, env.last_out + env.last_err

    [build] = env.fake.requests("POST", "/apps/.*/builds")
    assert build.path == f"/apps/{STAGING}/builds"
    assert build.body["source_blob"]["version"] == first
    # The runner hides the key from its logs after this line; nowhere else.
    assert env.last_out.count(API_KEY) == 1
    assert f"::add-mask::{API_KEY}" in env.last_out


def test_a_new_step_is_one_definition(
    deploy_env: DeployEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One `Step(...)` in `steps.STEPS`: the plan and the run both have it, with
    its skip rule."""
    env = deploy_env
    ran: list[str] = []
    smoke = Step(
        "smoke",
        plan=lambda kit, app: "GET /smoke on the app",
        run=lambda kit, app: ran.append(app.info.name) or "smoke test passed",
        skip=lambda kit, app: (
            "production only" if app.target.role == "staging" else None
        ),
    )
    monkeypatch.setattr(steps, "STEPS", (*steps.STEPS, smoke))
    env.project()

    assert env.run("--dry-run") == 0
    assert "7. smoke     skipped: production only" in env.last_out
    assert "7. smoke     GET /smoke on the app" in env.last_out
    assert env.run() == 0, env.last_out
    assert ran == [PRODUCTION]
    assert f"| production `{PRODUCTION}` | smoke | ✅ pass |" in env.summary()
    assert f"| staging `{STAGING}` | smoke | ⏭ skip |" in env.summary()
