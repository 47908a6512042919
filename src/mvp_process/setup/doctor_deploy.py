"""doctor's deploy checks: apps for the deploy jobs, jobs for the apps,
migrations, and a deploy budget that fits the job's timeout."""

from __future__ import annotations

import re
from pathlib import Path

from mvp_process.config import Config
from mvp_process.setup import workflows as wf
from mvp_process.setup.diagnosis import Check

_RELEASE = re.compile(r"^\s*release\s*:", re.MULTILINE)


def check_deploy(
    root: Path, config: Config, targets: set[str], workflow: bool
) -> list[Check]:
    """Apps for every deploy target, a deploy job for every app (when a
    workflow runs mvp-process at all), and a way to run the migrations."""
    deploy = config.deploy
    apps = {"staging": deploy.staging_app, "production": deploy.production_app}
    checks = []
    if workflow and "branch" not in targets:  # an app no workflow deploys to
        checks += [
            Check(
                "deploy",
                False,
                f"{target}-app is set but no workflow deploys to {target}",
                "run `mvp-process init --force` to write the deploy jobs for the "
                "configured apps (commit your workflow first: it is replaced), or copy "
                "them from the template",
            )
            for target, app in apps.items()
            if app and target not in targets
        ]
    checks += [
        Check(
            "deploy",
            False,
            f"the workflow deploys to {target} but no {target}-app is set",
            f'set {target}-app = "<heroku app>" in [tool.mvp-process.deploy]',
        )
        for target in sorted(targets & set(apps))
        if not apps[target]
    ]
    if "branch" in targets and not any(apps.values()):
        checks.append(
            Check(
                "deploy",
                False,
                "the workflow deploys but no Heroku app is configured",
                "set staging-app / production-app in [tool.mvp-process.deploy]",
            )
        )
    if any(apps.values()):
        return [*checks, check_release(root, config)]
    return checks or [Check("deploy", True, "no Heroku apps: deploys are off")]


# The deploy job also checks out, installs and reports: 5 minutes for that.
JOB_SETUP = 300


def check_deploy_timeout(config: Config, found: list[wf.Workflow]) -> list[Check]:
    """`deploy-timeout` must end before GitHub stops the deploy job, or the job's
    timeout (not the deploy's own) is what stops a deploy half-way."""
    budget, short = config.deploy.deploy_timeout, []
    for w in found:
        for job in wf.deploy_jobs(w):
            minutes = w.minutes.get(job)
            if isinstance(minutes, (int, float)) and budget + JOB_SETUP > minutes * 60:
                short.append(f"{w.path}: {job} (timeout-minutes: {minutes})")
    if not short:
        return []
    need = -(-(budget + JOB_SETUP) // 60)
    return [
        Check(
            "deploy-timeout",
            False,
            f"deploy-timeout ({budget:g}s) and {JOB_SETUP // 60} minutes to set up "
            "do not fit in the timeout-minutes of " + "; ".join(short),
            f"set timeout-minutes: {need:g} (or more) on the job, or a smaller "
            "deploy-timeout in [tool.mvp-process.deploy]",
        )
    ]


def check_release(root: Path, config: Config) -> Check:
    if config.deploy.migrate_command:
        return Check("release", True, "migrations run by migrate-command")
    procfile = root / "Procfile"
    text = procfile.read_text(encoding="utf-8") if procfile.is_file() else ""
    if _RELEASE.search(text):
        return Check("release", True, "the Procfile has a release process")
    where = "the Procfile has no `release:` process" if text else "there is no Procfile"
    return Check(
        "release",
        False,
        f"{where}, and no migrate-command is set: migrations would not run",
        "add `release: python manage.py migrate --noinput` (your migration command) "
        "to the Procfile, or set migrate-command in [tool.mvp-process.deploy]",
    )


# From this many, fixing everything before adopting the gates is a project.
