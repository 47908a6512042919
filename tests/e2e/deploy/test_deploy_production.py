"""`deploy --target production`: the slug that passed on staging, not a new build.

This is how the workflow template's production job deploys: one job deploys
staging, a later one production. Production gets the slug staging runs, and
only if staging's live release was built from the very commit; otherwise it
stops before production is touched. `--build` (or having no staging app)
builds production from the commit instead, and the report says so.
"""

from __future__ import annotations

import pytest

from support.deploy_env import PRODUCTION, STAGING, DeployEnv
from support.fake_heroku.state import Release

RELEASE_PROCFILE = "web: python app.py\nrelease: python manage.py migrate\n"
HINT = "deploy staging first, or pass --build to build production from the commit"


def slug_of(env: DeployEnv, app: str) -> str | None:
    current = env.fake.world.apps[app].current()
    return current.slug_id if current else None


def deploy_staging(env: DeployEnv, sha: str) -> None:
    """What the template's staging job does first."""
    assert env.run("--target", "staging", "--sha", sha) == 0, env.last_out
    assert env.fake.world.slugs[slug_of(env, STAGING) or ""].commit == sha


def production_writes(env: DeployEnv) -> list[str]:
    """Every write that could have touched production (platform or data API)."""
    production = env.fake.world.apps[PRODUCTION]
    return [
        f"{e.method} {e.path}"
        for e in env.fake.writes()
        if PRODUCTION in e.path
        or production.id in str(e.body)
        or production.addon_id in e.path
    ]


def test_production_is_given_the_slug_staging_runs(deploy_env: DeployEnv) -> None:
    env = deploy_env
    sha = env.project(procfile=RELEASE_PROCFILE)
    deploy_staging(env, sha)
    staging = env.fake.world.apps[STAGING].current()
    assert staging is not None

    assert env.run("--target", "production", "--sha", sha) == 0, env.last_out

    assert len(env.fake.requests("POST", "/apps/.*/builds")) == 1  # staging's only
    (promotion,) = env.fake.requests("POST", "/pipeline-promotions")
    assert promotion.body["source"]["release"]["id"] == staging.id
    assert slug_of(env, PRODUCTION) == staging.slug_id
    out = env.last_out
    assert f"staging runs {sha[:12]} ({STAGING} v3, slug {staging.slug_id}" in out
    assert f"staging slug {staging.slug_id} promoted through the pipeline" in out
    assert "release phase of v3 succeeded" in out
    assert env.outputs() == {
        "release": "v3",
        "failed-release": "",
        "app-url": env.fake.world.apps[PRODUCTION].web_url,
        "backup": "b001",
        "deployed": "true",
    }
    # (what production_writes() looks for, seen on a deploy that wrote)
    assert production_writes(env)[:2] == [
        f"POST /client/v11/databases/{env.fake.world.apps[PRODUCTION].addon_id}"
        "/backups",
        "POST /pipeline-promotions",
    ]
    summary = env.summary().rsplit("## mvp-process deploy", 1)[1]  # this run's
    assert f"| production `{PRODUCTION}` | release | ✅ pass |" in summary
    assert f"`{STAGING}` |" not in summary  # staging was only read


def test_without_a_shared_pipeline_the_slug_is_released(
    deploy_env: DeployEnv,
) -> None:
    env = deploy_env
    env.fake.world.apps[PRODUCTION].pipeline = None
    sha = env.project()
    deploy_staging(env, sha)

    assert env.run("--target", "production", "--sha", sha) == 0, env.last_out

    assert not env.fake.requests("POST", "/pipeline-promotions")
    releases = env.fake.requests("POST", f"/apps/{PRODUCTION}/releases")
    assert [r.body for r in releases] == [{"slug": slug_of(env, STAGING)}]
    assert slug_of(env, PRODUCTION) == slug_of(env, STAGING)
    assert "released as a slug (no shared pipeline)" in env.last_out


def test_a_slug_without_a_commit_is_matched_by_its_build(
    deploy_env: DeployEnv,
) -> None:
    env = deploy_env
    sha = env.project()
    deploy_staging(env, sha)
    env.fake.world.slugs[slug_of(env, STAGING) or ""].commit = None

    assert env.run("--target", "production", "--sha", sha) == 0, env.last_out

    assert env.fake.requests("GET", f"/apps/{STAGING}/builds")
    assert slug_of(env, PRODUCTION) == slug_of(env, STAGING)


def test_staging_running_another_commit_stops_production(
    deploy_env: DeployEnv,
) -> None:
    env = deploy_env
    first = env.project()
    deploy_staging(env, first)
    second = env.repo.commit("later", {"later.txt": "x\n"})

    assert env.run("--target", "production", "--sha", second) == 1

    message = (
        f"staging does not run {second[:12]} ({STAGING} v3 runs a slug built from "
        f"{first[:12]}): {HINT}"
    )
    assert message in env.last_out
    assert message in env.shown()
    assert production_writes(env) == []
    assert len(env.fake.requests("POST", "/apps/.*/builds")) == 1
    assert f"production ({PRODUCTION}): failed at preflight" in env.last_out
    assert env.outputs() == {
        "release": "v2",  # production still runs what it ran
        "failed-release": "",
        "app-url": env.fake.world.apps[PRODUCTION].web_url,
        "backup": "",
        "deployed": "false",
    }


def test_staging_on_a_newer_commit_skips_production(
    deploy_env: DeployEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    """This push's production job came after a newer push reached staging: the
    newer run deploys production; this one is skipped, exit 0."""
    env = deploy_env
    older = env.project()
    newer = env.repo.commit("later", {"later.txt": "x\n"})
    deploy_staging(env, newer)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")

    assert env.run("--target", "production", "--sha", older) == 0, env.last_out

    notice = (
        f"staging already runs {newer[:12]}, a newer commit than {older[:12]}: "
        "production is left to the run that deployed it (nothing was changed)"
    )
    assert f"::notice title=mvp-process::{notice}" in env.last_out
    assert notice in env.shown()
    assert "## mvp-process deploy skipped" in env.summary()
    assert production_writes(env) == []
    assert env.outputs() == {
        "release": "v2",
        "failed-release": "",
        "app-url": env.fake.world.apps[PRODUCTION].web_url,
        "backup": "",
        "deployed": "false",
    }


def test_a_never_deployed_staging_stops_production(deploy_env: DeployEnv) -> None:
    env = deploy_env
    sha = env.project()

    assert env.run("--target", "production") == 1

    assert (
        f"staging does not run {sha[:12]} ({STAGING} v2 runs a slug built from an "
        f"unknown commit): {HINT}"
    ) in env.last_out
    assert production_writes(env) == []


def test_a_staging_without_a_live_release_stops_production(
    deploy_env: DeployEnv,
) -> None:
    env = deploy_env
    env.project()
    staging = env.fake.world.apps[STAGING]
    staging.releases = [Release("0000", 1, None, "failed", "Initial release")]

    assert env.run("--target", "production") == 1

    assert f"({STAGING} has no current release): {HINT}" in env.last_out
    assert production_writes(env) == []


def test_a_rolled_back_staging_is_not_promoted(deploy_env: DeployEnv) -> None:
    env = deploy_env
    sha = env.project({"health-timeout": 1})
    env.fake.world.apps[STAGING].health.status = 500
    assert env.run("--target", "staging") == 1  # built, unhealthy, rolled back

    assert env.run("--target", "production", "--sha", sha) == 1

    # Staging's live release is the rollback (v4), running v2's slug.
    assert f"{STAGING} v4 runs a slug built from an unknown commit" in env.last_out
    assert production_writes(env) == []


def test_build_builds_production_from_the_commit(deploy_env: DeployEnv) -> None:
    env = deploy_env
    sha = env.project(branch="feature")

    assert env.run("--target", "production", "--build") == 0, env.last_out

    (build,) = env.fake.requests("POST", "/apps/.*/builds")
    assert build.path == f"/apps/{PRODUCTION}/builds"
    assert build.body["source_blob"]["version"] == sha
    assert not env.fake.requests("POST", "/pipeline-promotions")
    assert not env.fake.requests("GET", f"/apps/{STAGING}/.*")
    note = "--build: production is built from the commit, not given the slug"
    assert note in env.last_out and note in env.shown()


def test_without_a_staging_app_production_is_built(deploy_env: DeployEnv) -> None:
    env = deploy_env
    env.project({"staging-app": ""}, branch="feature")

    assert env.run("--target", "production") == 0, env.last_out

    assert len(env.fake.requests("POST", f"/apps/{PRODUCTION}/builds")) == 1
    assert not env.fake.requests(path=f"/apps/{STAGING}.*")
    assert (
        "no staging app is configured: production is built from the commit (the "
        "only way without a staging app)"
    ) in env.last_out


@pytest.mark.parametrize(
    "args",
    [("--build",), ("--build", "--branch", "main"), ("--build", "--target", "staging")],
)
def test_build_only_goes_with_target_production(
    deploy_env: DeployEnv, args: tuple[str, ...]
) -> None:
    env = deploy_env
    env.project()

    assert env.run(*args) == 2

    assert "--build applies only to --target production" in env.last_err
    assert env.fake.log == []


def test_a_missing_staging_app_is_exit_2_before_anything_changes(
    deploy_env: DeployEnv,
) -> None:
    env = deploy_env
    env.project({"staging-app": "no-such-app"})

    assert env.run("--target", "production") == 2

    assert "no-such-app" in env.last_err
    assert env.fake.writes() == []


def test_dry_run_says_production_gets_the_staging_slug(
    deploy_env: DeployEnv,
) -> None:
    env = deploy_env
    sha = env.project(procfile=RELEASE_PROCFILE)
    deploy_staging(env, sha)
    writes = len(env.fake.writes())

    assert env.run("--target", "production", "--dry-run") == 0, env.last_out

    assert len(env.fake.writes()) == writes
    out = env.last_out
    assert (
        f"check that {STAGING} runs a slug built from the commit: it does "
        f"({STAGING} v3, slug {slug_of(env, STAGING)}, built from {sha[:12]})"
    ) in out
    assert (
        f"release the slug {STAGING} runs (no new build) by a pipeline promotion "
        "(both apps share a pipeline)"
    ) in out
    assert "POST /apps/" not in out


def test_dry_run_says_production_would_stop(deploy_env: DeployEnv) -> None:
    env = deploy_env
    sha = env.project()

    assert env.run("--target", "production", "--dry-run") == 0, env.last_out

    assert env.fake.writes() == []
    assert (
        "it does not, so the deploy would stop here: staging does not run "
        f"{sha[:12]} ({STAGING} v2 runs a slug built from an unknown commit)"
    ) in env.last_out


def test_dry_run_without_a_key_names_the_check(
    deploy_env: DeployEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = deploy_env
    monkeypatch.delenv("HEROKU_API_KEY")
    env.project()

    assert env.run("--target", "production", "--dry-run") == 0, env.last_out

    assert env.fake.log == []
    assert f"check that {STAGING} runs a slug built from the commit" in env.last_out
    assert "a pipeline promotion if both apps share a pipeline" in env.last_out


def test_dry_run_with_build_plans_a_build(deploy_env: DeployEnv) -> None:
    env = deploy_env
    env.project()

    assert env.run("--target", "production", "--build", "--dry-run") == 0

    assert f"POST /apps/{PRODUCTION}/builds" in env.last_out
    assert "note: --build: production is built from the commit" in env.last_out
    assert not env.fake.requests(path=f"/apps/{STAGING}.*")
