"""`command: deploy` through the action, against the fake Heroku.

The Heroku API key comes in as the `heroku-api-key` input, the way a workflow
passes a secret; the job's environment points mvp-process at the fake (API URLs,
its CA, its router as the HTTP proxy for `<app>.herokuapp.com`). Time is real
here (the command runs in the action's own virtualenv), so the fake answers
without pending polls and the failing health check has a short timeout.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from support import gfm
from support.action import OUTPUT_NAMES, ROOT, Act, heroku_env, push_payload, shown
from support.actions import TOKEN
from support.actions_runner import RunResult
from support.deploy_env import API_KEY, PRODUCTION, STAGING, project_files
from support.fake_github import FakeGitHub
from support.fake_heroku import Command, FakeHeroku, TlsFiles
from support.repo import Repo

pytestmark = pytest.mark.slow

MIGRATE = "python manage.py migrate"
STATIC = "python manage.py collectstatic --noinput"
RELEASE_PROCFILE = f"web: python app.py\nrelease: {MIGRATE}\n"
STEPS = ("preflight", "backup", "build", "migrate", "static", "health")
PRODUCTION_STEPS = ("preflight", "backup", "release", "migrate", "static", "health")
TEMPLATE = ROOT / "workflows-templates" / "mvp-process.yml"


@pytest.fixture
def heroku(fake: FakeHeroku) -> FakeHeroku:
    """The fake Heroku, finishing builds, releases and backups at the first read;
    the apps' static command (run in a one-off dyno) succeeds."""
    fake.world.pending_polls = 0
    for app in fake.world.apps.values():
        app.commands[STATIC] = Command("42 static files copied\n")
    return fake


def push(repo: Repo, branch: str, deploy: dict[str, object] | None = None) -> str:
    """Commit the app on `branch` and push it; the SHA."""
    repo.git("switch", "-q", "-C", branch)
    settings = {"static-command": STATIC, **(deploy or {})}
    sha = repo.commit("app", project_files(settings, RELEASE_PROCFILE))
    repo.push(branch)
    return sha


def deploy(
    act: Act, heroku: FakeHeroku, tls: TlsFiles, sha: str, branch: str, **inputs: str
) -> RunResult:
    return act(
        {"command": "deploy", "heroku-api-key": API_KEY, **inputs},
        event_name="push",
        event=push_payload(sha, branch),
        env=heroku_env(heroku, tls),
    )


def timeline(summary: str, app: str) -> list[tuple[str, str]]:
    """(step, result) rows of `app` in the job summary's table, in order."""
    rows = []
    for line in summary.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) == 5 and cells[0].endswith(f"`{app}`"):
            rows.append((cells[1], cells[2]))
    return rows


def assert_no_key(result: RunResult, github: FakeGitHub) -> None:
    assert API_KEY in result.masks  # the runner hides it from its log...
    assert API_KEY not in shown(result, github)  # ...and it was never shown
    assert github.log == []  # deploy does not talk to GitHub


def rollbacks(heroku: FakeHeroku, app: str) -> list[dict[str, str]]:
    posts = heroku.requests("POST", f"/apps/{app}/releases")
    return [p.body for p in posts if "release" in p.body]


def test_a_push_to_staging_deploys_staging(
    repo: Repo, act: Act, heroku: FakeHeroku, tls: TlsFiles, github: FakeGitHub
) -> None:
    sha = push(repo, "staging")

    result = deploy(act, heroku, tls, sha, "staging")

    assert result.exit_code == 0, result.log
    app = heroku.world.apps[STAGING]
    assert result.outputs == {
        **dict.fromkeys(OUTPUT_NAMES, ""),
        "release": "v3",
        "app-url": app.web_url,
        "backup": "b001",
        "deployed": "true",
    }
    (build,) = heroku.requests("POST", f"/apps/{STAGING}/builds")
    assert build.body["source_blob"]["version"] == sha
    assert heroku.requests("POST", f"/apps/{PRODUCTION}/.*") == []
    assert "## mvp-process deploy succeeded" in result.summary
    assert f"branch staging at {sha[:12]}" in result.summary
    assert timeline(result.summary, STAGING) == [(s, "✅ pass") for s in STEPS]
    assert "release phase of v3 succeeded" in result.summary
    assert "| 42 static files copied" in result.log  # one-off dyno output (TLS)
    assert_no_key(result, github)


def test_a_push_to_main_deploys_staging_then_production(
    repo: Repo, act: Act, heroku: FakeHeroku, tls: TlsFiles, github: FakeGitHub
) -> None:
    sha = push(repo, "main")

    result = deploy(act, heroku, tls, sha, "main")

    assert result.exit_code == 0, result.log
    production = heroku.world.apps[PRODUCTION]
    assert result.outputs["app-url"] == production.web_url
    assert result.outputs["release"] == "v3"
    assert result.outputs["backup"] == "b001"
    assert result.outputs["deployed"] == "true"
    # One build, on staging; production gets the same slug by promotion.
    assert len(heroku.requests("POST", "/apps/.*/builds")) == 1
    assert len(heroku.requests("POST", "/pipeline-promotions")) == 1
    staging_release = heroku.world.apps[STAGING].current()
    production_release = production.current()
    assert staging_release is not None and production_release is not None
    assert production_release.slug_id == staging_release.slug_id
    summary = result.summary
    assert "## mvp-process deploy succeeded" in summary
    assert timeline(summary, STAGING) == [(s, "✅ pass") for s in STEPS]
    assert [step for step, _ in timeline(summary, PRODUCTION)][:2] == [
        "preflight",
        "backup",
    ]
    assert all(mark == "✅ pass" for _, mark in timeline(summary, PRODUCTION))
    assert summary.index(f"`{STAGING}`") < summary.index(f"`{PRODUCTION}`")
    assert result.log.index("==> staging") < result.log.index("==> production")
    assert_no_key(result, github)


def test_an_unhealthy_staging_is_rolled_back_and_production_untouched(
    repo: Repo, act: Act, heroku: FakeHeroku, tls: TlsFiles, github: FakeGitHub
) -> None:
    sha = push(repo, "main", {"health-timeout": 1})
    staging = heroku.world.apps[STAGING]
    staging.health.status = 500
    before = staging.releases[1]  # v2, what staging ran before the deploy

    result = deploy(act, heroku, tls, sha, "main")

    assert result.exit_code == 1, result.log
    assert result.step("run").outcome == "failure"
    assert rollbacks(heroku, STAGING) == [{"release": before.id}]
    current = staging.current()
    assert current is not None and current.slug_id == before.slug_id
    assert heroku.requests("POST", f"/apps/{PRODUCTION}/.*") == []
    assert heroku.requests("POST", "/pipeline-promotions") == []
    summary = result.summary
    assert "## mvp-process deploy failed" in summary
    rows = timeline(summary, STAGING)
    assert ("health", "❌ fail") in rows
    assert "not healthy within 1s" in summary and "last: answered 500" in gfm.shown(
        summary
    )
    assert "rolled back to v2" in result.log
    assert "migrations are not undone" in summary
    assert f"| production `{PRODUCTION}` | — | ⏭ skip |" in summary
    assert result.outputs["backup"] == "b001"
    assert result.outputs["deployed"] == "false"
    assert result.outputs["app-url"] == staging.web_url
    # v3 failed and was rolled back: v4 (v2's code) is what runs now.
    assert result.outputs["release"] == "v4"
    assert result.outputs["failed-release"] == "v3"
    assert current.version == 4
    assert_no_key(result, github)


def template_deploy_inputs(job: str) -> dict[str, str]:
    """The `with:` of the template's deploy step in `job`, the secret filled in."""
    jobs: dict[str, Any] = yaml.safe_load(TEMPLATE.read_text("utf-8"))["jobs"]
    (step,) = [s for s in jobs[job]["steps"] if s.get("id") == "deploy"]
    secret = "${{ secrets.HEROKU_API_KEY }}"
    return {k: API_KEY if v == secret else str(v) for k, v in step["with"].items()}


def test_the_template_jobs_give_production_the_staging_build(
    repo: Repo, act: Act, heroku: FakeHeroku, tls: TlsFiles, github: FakeGitHub
) -> None:
    """The template's deploy-staging job, then its deploy-production job (which
    needs it), as on a push to main: one build, promoted to production."""
    jobs = yaml.safe_load(TEMPLATE.read_text("utf-8"))["jobs"]
    assert jobs["deploy-production"]["needs"] == "deploy-staging"
    sha = push(repo, "main")
    staging_inputs = template_deploy_inputs("deploy-staging")
    production_inputs = template_deploy_inputs("deploy-production")
    assert production_inputs["target"] == "production"

    staging_job = act(
        staging_inputs,
        event_name="push",
        event=push_payload(sha, "main"),
        env=heroku_env(heroku, tls),
    )
    assert staging_job.exit_code == 0, staging_job.log
    production_job = act(
        production_inputs,
        event_name="push",
        event=push_payload(sha, "main"),
        env=heroku_env(heroku, tls),
    )

    assert production_job.exit_code == 0, production_job.log
    (build,) = heroku.requests("POST", "/apps/.*/builds")  # staging's, only
    assert build.path == f"/apps/{STAGING}/builds"
    assert build.body["source_blob"]["version"] == sha
    staging_release = heroku.world.apps[STAGING].current()
    production_release = heroku.world.apps[PRODUCTION].current()
    assert staging_release is not None and production_release is not None
    (promotion,) = heroku.requests("POST", "/pipeline-promotions")
    assert promotion.body["source"]["release"]["id"] == staging_release.id
    assert production_release.slug_id == staging_release.slug_id
    assert heroku.world.slugs[production_release.slug_id or ""].commit == sha
    assert production_job.outputs == {
        **dict.fromkeys(OUTPUT_NAMES, ""),
        "release": f"v{production_release.version}",
        "app-url": heroku.world.apps[PRODUCTION].web_url,
        "backup": "b001",
        "deployed": "true",
    }
    summary = production_job.summary
    assert timeline(summary, PRODUCTION) == [(s, "✅ pass") for s in PRODUCTION_STEPS]
    assert timeline(summary, STAGING) == []  # staging was only read
    assert f"staging runs {sha[:12]}" in summary
    assert "promoted through the pipeline" in summary
    assert_no_key(staging_job, github)
    assert_no_key(production_job, github)


def test_the_production_job_is_skipped_when_staging_runs_a_newer_commit(
    repo: Repo, act: Act, heroku: FakeHeroku, tls: TlsFiles, github: FakeGitHub
) -> None:
    """A newer push reached staging first: this push's production job must not
    promote it (nor build its own); the newer run's production job deploys."""
    older = push(repo, "main")
    newer = push(repo, "main", {"health-path": "/"})
    assert deploy(act, heroku, tls, newer, "main", target="staging").exit_code == 0
    repo.git("checkout", "-q", older)

    result = deploy(act, heroku, tls, older, "main", target="production")

    assert result.exit_code == 0, result.log
    assert [e for e in heroku.writes() if PRODUCTION in e.path] == []
    assert heroku.requests("POST", "/pipeline-promotions") == []
    message = (
        f"staging already runs {newer[:12]}, a newer commit than {older[:12]}: "
        "production is left to the run that deployed it (nothing was changed)"
    )
    assert f"::notice title=mvp-process::{message}" in result.log
    assert message in gfm.shown(result.summary)
    assert "## mvp-process deploy skipped" in result.summary
    assert result.outputs["deployed"] == "false"
    assert result.outputs["release"] == "v2"  # production runs what it ran
    assert result.outputs["failed-release"] == ""
    assert_no_key(result, github)


def test_dry_run_and_target_inputs_plan_without_writing(
    repo: Repo, act: Act, heroku: FakeHeroku, tls: TlsFiles, github: FakeGitHub
) -> None:
    sha = push(repo, "254-add-mul")

    result = deploy(
        act,
        heroku,
        tls,
        sha,
        "254-add-mul",
        **{"dry-run": "true", "target": "production"},
    )

    assert result.exit_code == 0, result.log
    assert heroku.writes() == []
    assert "## mvp-process deploy planned (dry run)" in result.summary
    assert f"production app {PRODUCTION}" in result.log
    assert timeline(result.summary, STAGING) == []  # production alone...
    # ...given the slug staging runs, which is not this commit: it would stop.
    assert (
        f"check that {STAGING} runs a slug built from the commit: it does not, so "
        f"the deploy would stop here: staging does not run {sha[:12]}"
    ) in gfm.shown(result.summary)
    assert "Nothing was changed (dry run)." in result.log
    assert result.outputs == {**dict.fromkeys(OUTPUT_NAMES, ""), "deployed": "false"}
    assert_no_key(result, github)


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("", "HEROKU_API_KEY is not set%0A  hint: add it as a repository secret"),
        (
            "hrku-wrong0000-not-the-key",
            "Heroku refused HEROKU_API_KEY (401 Unauthorized) while trying to read "
            "the account%0A  hint: create a key with `heroku authorizations:create`",
        ),
    ],
    ids=["missing", "wrong"],
)
def test_a_missing_or_wrong_key_stops_before_anything_changes(
    repo: Repo,
    act: Act,
    heroku: FakeHeroku,
    tls: TlsFiles,
    github: FakeGitHub,
    key: str,
    message: str,
) -> None:
    sha = push(repo, "staging")

    result = deploy(act, heroku, tls, sha, "staging", **{"heroku-api-key": key})

    assert result.exit_code == 2, result.log
    assert heroku.writes() == []
    errors = [line for line in result.log.splitlines() if line.startswith("::error")]
    assert len(errors) == 1, result.log
    assert errors[0].startswith(f"::error title=mvp-process::{message}")
    assert "Traceback" not in result.log
    assert result.outputs == dict.fromkeys(OUTPUT_NAMES, "")
    # The masks reach the runner first, before anything the step prints, on
    # stdout or stderr: the runner only masks what comes after them.
    step_log = result.log.split("##[group]Run Run mvp-process\n", 1)[1]
    masks = [f"::add-mask::{secret}" for secret in (TOKEN, key) if secret]
    assert step_log.splitlines()[: len(masks)] == masks, step_log
    if key:
        assert key not in shown(result, github)
