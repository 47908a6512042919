"""The deploy core: which apps, in which order, and the plan of a dry run.

Before anything changes, the key and every app are checked (a wrong key or a
missing app is an `MvpError`, exit 2, with nothing touched). Then each app
runs its step sequence (`deploy_steps.AppDeploy`); production runs only if
staging came up healthy, and releases the slug staging built. Production
alone (`--target production`) releases the slug staging runs, if it was built
from the commit (`deploy_slug`), unless the selection says to build it.

Collaborators (Heroku services, git, time, the health probe, the rendezvous
reader) are parameters, so tests drive this against a fake Heroku with
virtual time.
"""

from __future__ import annotations

from mvp_process.git import Git
from mvp_process.deploy.heroku_models import AppInfo
from mvp_process.config import DeployConfig
from mvp_process.deploy.runtime import Observer, Runtime
from mvp_process.deploy.slug import FromStaging, Shipped, read_staging
from mvp_process.deploy.steps import AppDeploy, Services
from mvp_process.deploy.results import AppOutcome, DeployResult, StepRecord
from mvp_process.deploy import policy
from mvp_process.deploy.policy import PROMOTE, STAGING_SLUG, Selection, Target
from mvp_process.deploy.policy_plan import AppFacts, app_steps


def deploy(
    services: Services | None,
    git: Git,
    config: DeployConfig,
    selection: Selection,
    branch: str | None,
    sha: str,
    observer: Observer,
    runtime: Runtime,
    dry_run: bool = False,
) -> DeployResult:
    """Deploy `sha` to the selected apps (or, with `dry_run`, only plan it)."""
    result = DeployResult(
        branch=branch, sha=sha, reason=selection.reason, dry_run=dry_run
    )
    if not selection.targets:
        return result
    release_process = policy.procfile_release(git.show_file(sha, "Procfile"))
    infos: dict[str, AppInfo] = {}
    if services is not None:
        services.platform.account_email()
        names = [t.app for t in selection.targets]
        names += [t.source for t in selection.targets if t.source]
        infos = {name: services.platform.app(name) for name in dict.fromkeys(names)}
    if dry_run:
        result.apps = [
            _plan(services, config, target, infos, sha, release_process)
            for target in selection.targets
        ]
        return result
    assert services is not None, "a real deploy needs Heroku services"
    runner = AppDeploy(services, git, config, observer, runtime, sha, release_process)
    shipped: Shipped | None = None
    for target in selection.targets:
        previous = result.apps[-1] if result.apps else None
        if previous is not None and not previous.healthy:
            result.not_attempted.append(
                (target.role, target.app, f"{previous.role} did not come up healthy")
            )
            continue
        source: Shipped | FromStaging | None = None
        if target.ship == PROMOTE:
            source = shipped
        elif target.ship == STAGING_SLUG:
            assert target.source is not None
            source = FromStaging(infos[target.source])
        outcome, shipped = runner.run(
            target.role, infos[target.app], source, target.note
        )
        result.apps.append(outcome)
    return result


def _plan(
    services: Services | None,
    config: DeployConfig,
    target: Target,
    infos: dict[str, AppInfo],
    sha: str,
    release_process: str | None,
) -> AppOutcome:
    """One app's planned steps, with what read-only calls can tell."""
    facts = _facts(services, target, infos, sha)
    out = AppOutcome(role=target.role, app=target.app, web_url=facts.web_url)
    out.recorded_release = facts.current_version
    if services is None:
        out.notes.append("HEROKU_API_KEY is not set: the plan is from the config only")
    if target.note:
        out.notes.append(target.note)
    for step in app_steps(target, config, release_process, facts):
        out.steps.append(
            StepRecord(
                target.role,
                target.app,
                step.name,
                "planned" if step.run else "skipped",
                0.0,
                step.action,
            )
        )
    return out


def _facts(
    services: Services | None, target: Target, infos: dict[str, AppInfo], sha: str
) -> AppFacts:
    """Read-only: the current release, Postgres, the pipeline, staging's slug."""
    if services is None:
        return AppFacts(web_url=f"https://{target.app}.herokuapp.com/")
    platform = services.platform
    current = platform.current_release(target.app)
    postgres = platform.postgres_addon(target.app)
    shared: bool | None = None
    staging: str | None = None
    problem: str | None = None
    if target.source is not None:
        pipelines = {platform.pipeline_of(a) for a in (target.source, target.app)}
        shared = len(pipelines) == 1 and None not in pipelines
    if target.ship == STAGING_SLUG and target.source is not None:
        found = read_staging(platform, target.source)
        problem = policy.staging_slug_problem(sha, found)
        staging = None if problem else policy.describe_staging(found)
    return AppFacts(
        web_url=infos[target.app].web_url,
        current_version=current.version if current else None,
        postgres=postgres,
        has_postgres=postgres is not None,
        shared_pipeline=shared,
        staging=staging,
        staging_problem=problem,
    )
