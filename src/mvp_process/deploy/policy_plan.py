"""What a deploy will do, in words: the plan `deploy --dry-run` prints.

Pure, like the rest of `policy`: the deploy core gathers what read-only calls
can tell (`AppFacts`) and these functions word each step of each app, so the
plan says which path production takes (a build of the commit, or the slug
that passed on staging) before anything changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from mvp_process.config import DeployConfig
from mvp_process.deploy.policy import BUILD, STAGING_SLUG, Target, health_url


@dataclass(frozen=True)
class StepPlan:
    """One step of one app's deploy: its name and, in words, what it will do."""

    name: str
    action: str
    run: bool = True


@dataclass(frozen=True)
class AppFacts:
    """What read-only calls found out about an app (None: not known).

    `staging` describes the staging release a `staging-slug` target would be
    given, `staging_problem` why it cannot be (see `staging_slug_problem`).
    """

    web_url: str
    current_version: int | None = None
    postgres: str | None = None
    has_postgres: bool | None = None
    shared_pipeline: bool | None = None
    staging: str | None = None
    staging_problem: str | None = None


def migrate_plan(release_process: str | None, migrate_command: str | None) -> StepPlan:
    """The release phase does migrations when there is one; else the command."""
    if release_process:
        action = f"wait for the release phase (Procfile release: {release_process})"
        if migrate_command:
            action += f"; migrate-command '{migrate_command}' is not run"
        return StepPlan("migrate", action)
    if migrate_command:
        return StepPlan("migrate", f"run '{migrate_command}' in a one-off dyno")
    return StepPlan(
        "migrate", "skipped: no Procfile release process, no migrate-command", False
    )


def _preflight_plan(target: Target, facts: AppFacts) -> StepPlan:
    now = f" (now v{facts.current_version})" if facts.current_version else ""
    action = f"check the key and the app; record the current release{now}"
    if target.ship == STAGING_SLUG:
        action += f"; check that {target.source} runs a slug built from the commit"
        if facts.staging_problem:
            action += ": it does not, so the deploy would stop here: "
            action += facts.staging_problem
        elif facts.staging:
            action += f": it does ({facts.staging})"
    return StepPlan("preflight", action)


def _backup_plan(deploy: DeployConfig, facts: AppFacts) -> StepPlan:
    if not deploy.backup:
        return StepPlan("backup", "skipped: backup = false", False)
    if facts.has_postgres is False:
        return StepPlan("backup", "skipped: no Heroku Postgres on the app", False)
    found = f" ({facts.postgres})" if facts.postgres else " if the app has one"
    return StepPlan(
        "backup", f"capture a PG Backups backup of the DATABASE_URL database{found}"
    )


def _ship_plan(target: Target, facts: AppFacts) -> StepPlan:
    if target.ship == BUILD:
        return StepPlan(
            "build",
            f"git archive of the commit → POST /sources → upload → "
            f"POST /apps/{target.app}/builds; stream the build output",
        )
    if facts.shared_pipeline is None:
        how = "a pipeline promotion if both apps share a pipeline, else a release"
    elif facts.shared_pipeline:
        how = "a pipeline promotion (both apps share a pipeline)"
    else:
        how = "a release of that slug (the apps share no pipeline)"
    what = (
        f"the slug {target.source} runs"
        if target.ship == STAGING_SLUG
        else "the slug that passed on staging in this run"
    )
    return StepPlan("release", f"release {what} (no new build) by {how}")


def app_steps(
    target: Target,
    deploy: DeployConfig,
    release_process: str | None,
    facts: AppFacts,
) -> tuple[StepPlan, ...]:
    """The ordered steps of one app's deploy (what `--dry-run` prints)."""
    static = (
        StepPlan("static", f"run '{deploy.static_command}' in a one-off dyno")
        if deploy.static_command
        else StepPlan("static", "skipped: no static-command", False)
    )
    expect = f" containing '{deploy.health_expect}'" if deploy.health_expect else ""
    url = health_url(facts.web_url, deploy.health_path)
    rollback = (
        "roll back once to the recorded release (migrations are not undone)"
        if deploy.rollback
        else "no rollback (rollback = false)"
    )
    return (
        _preflight_plan(target, facts),
        _backup_plan(deploy, facts),
        _ship_plan(target, facts),
        migrate_plan(release_process, deploy.migrate_command),
        static,
        StepPlan(
            "health",
            f"GET {url} until 200{expect} (within {deploy.health_timeout:g}s)",
        ),
        StepPlan("rollback", f"on a failure after the build: {rollback}"),
    )
