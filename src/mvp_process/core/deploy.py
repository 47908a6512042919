"""The deploy core: which apps, in which order, and the plan of a dry run.

Before anything changes, the key and every app are checked (a wrong key or a
missing app is an `MvpError`, exit 2, with nothing touched). Then each app
runs its step sequence (`deploy_steps.AppDeploy`); production runs only if
staging came up healthy, and releases the slug staging built.

Collaborators (Heroku services, git, time, the health probe, the rendezvous
reader) are parameters, so tests drive this against a fake Heroku with
virtual time.
"""

from __future__ import annotations

from mvp_process.adapters.git import Git
from mvp_process.adapters.heroku import AppInfo
from mvp_process.config import DeployConfig
from mvp_process.core.deploy_io import Observer, Runtime
from mvp_process.core.deploy_steps import AppDeploy, Services, Shipped
from mvp_process.deploy_results import AppOutcome, DeployResult, StepRecord
from mvp_process.policy import deploy as policy
from mvp_process.policy.deploy import PRODUCTION, AppFacts, Selection


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
    infos: list[AppInfo | None] = [None] * len(selection.targets)
    if services is not None:
        services.platform.account_email()
        infos = [services.platform.app(t.app) for t in selection.targets]
    if dry_run:
        result.apps = [
            _plan(
                services,
                config,
                selection,
                target.role,
                target.app,
                info,
                release_process,
            )
            for target, info in zip(selection.targets, infos)
        ]
        return result
    assert services is not None, "a real deploy needs Heroku services"
    runner = AppDeploy(services, git, config, observer, runtime, sha, release_process)
    shipped: Shipped | None = None
    for target, info in zip(selection.targets, infos):
        assert info is not None
        previous = result.apps[-1] if result.apps else None
        if previous is not None and not previous.healthy:
            result.not_attempted.append(
                (target.role, target.app, f"{previous.role} did not come up healthy")
            )
            continue
        source = shipped if target.role == PRODUCTION else None
        outcome, shipped = runner.run(target.role, info, source)
        result.apps.append(outcome)
    return result


def _plan(
    services: Services | None,
    config: DeployConfig,
    selection: Selection,
    role: str,
    app: str,
    info: AppInfo | None,
    release_process: str | None,
) -> AppOutcome:
    """One app's planned steps, with what read-only calls can tell."""
    facts = _facts(services, selection, app, info)
    out = AppOutcome(role=role, app=app, web_url=facts.web_url)
    out.recorded_release = facts.current_version
    if services is None:
        out.notes.append("HEROKU_API_KEY is not set: the plan is from the config only")
    promote = len(selection.targets) > 1
    for step in policy.app_steps(role, app, config, release_process, promote, facts):
        out.steps.append(
            StepRecord(
                role,
                app,
                step.name,
                "planned" if step.run else "skipped",
                0.0,
                step.action,
            )
        )
    return out


def _facts(
    services: Services | None, selection: Selection, app: str, info: AppInfo | None
) -> AppFacts:
    if services is None or info is None:
        return AppFacts(web_url=f"https://{app}.herokuapp.com/")
    platform = services.platform
    current = platform.current_release(app)
    postgres = platform.postgres_addon(app)
    shared: bool | None = None
    if len(selection.targets) > 1 and app == selection.targets[-1].app:
        pipelines = {platform.pipeline_of(t.app) for t in selection.targets}
        shared = len(pipelines) == 1 and None not in pipelines
    return AppFacts(
        web_url=info.web_url,
        current_version=current.version if current else None,
        postgres=postgres,
        has_postgres=postgres is not None,
        shared_pipeline=shared,
    )
