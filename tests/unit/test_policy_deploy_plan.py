"""The plan `deploy --dry-run` prints: each step in words, for each path."""

from __future__ import annotations

import pytest

from mvp_process.config import DeployConfig
from mvp_process.deploy import policy_plan as p
from mvp_process.deploy.policy import (
    BUILD,
    PRODUCTION,
    PROMOTE,
    STAGING,
    STAGING_SLUG,
    Target,
)

BOTH = DeployConfig(staging_app="x", production_app="y")
STAGING_X = Target(STAGING, "x")
IN_RUN = Target(PRODUCTION, "y", PROMOTE, source="x")
FROM_STAGING = Target(PRODUCTION, "y", STAGING_SLUG, source="x")
NAMES = ["preflight", "backup", "build", "migrate", "static", "health", "rollback"]


def test_migrate_plan() -> None:
    phase = p.migrate_plan("./migrate", "manage migrate")
    assert (
        phase.run and "release phase" in phase.action and "is not run" in phase.action
    )
    assert "release phase" in p.migrate_plan("./migrate", None).action
    assert "one-off dyno" in p.migrate_plan(None, "manage migrate").action
    assert not p.migrate_plan(None, None).run


def test_app_steps_for_staging() -> None:
    facts = p.AppFacts("https://x.herokuapp.com/", 7, "postgresql-x", True)
    staging = p.app_steps(STAGING_X, BOTH, None, facts)
    assert [s.name for s in staging] == NAMES
    assert staging[0].action.endswith("record the current release (now v7)")
    assert "postgresql-x" in staging[1].action
    assert "POST /apps/x/builds" in staging[2].action
    assert "GET https://x.herokuapp.com/ until 200" in staging[5].action
    assert (
        "if the app has one"
        in p.app_steps(STAGING_X, BOTH, None, p.AppFacts("u"))[1].action
    )


@pytest.mark.parametrize(
    ("target", "shared", "release"),
    [
        (
            IN_RUN,
            True,
            "release the slug that passed on staging in this run (no new build) "
            "by a pipeline promotion (both apps share a pipeline)",
        ),
        (IN_RUN, False, "by a release of that slug (the apps share no pipeline)"),
        (IN_RUN, None, "a pipeline promotion if both apps share a pipeline, else a"),
        (
            FROM_STAGING,
            True,
            "release the slug x runs (no new build) by a pipeline promotion",
        ),
        (FROM_STAGING, None, "release the slug x runs (no new build) by a pipeline"),
    ],
)
def test_production_is_given_the_staging_slug(
    target: Target, shared: bool | None, release: str
) -> None:
    steps = p.app_steps(target, BOTH, None, p.AppFacts("u", shared_pipeline=shared))
    assert steps[2].name == "release" and steps[2].run
    assert release in steps[2].action


@pytest.mark.parametrize(
    ("facts", "preflight"),
    [
        (
            p.AppFacts("u", 2),
            "record the current release (now v2); check that x runs a slug built "
            "from the commit",
        ),
        (
            p.AppFacts("u", 2, staging="x v3, slug s1, built from 0123456789ab"),
            "from the commit: it does (x v3, slug s1, built from 0123456789ab)",
        ),
        (
            p.AppFacts("u", 2, staging_problem="staging does not run abc: deploy"),
            "from the commit: it does not, so the deploy would stop here: staging "
            "does not run abc: deploy",
        ),
    ],
    ids=["unknown", "runs-it", "does-not"],
)
def test_the_plan_says_whether_staging_runs_the_commit(
    facts: p.AppFacts, preflight: str
) -> None:
    steps = p.app_steps(FROM_STAGING, BOTH, None, facts)
    assert steps[0].action.endswith(preflight)


def test_production_built_from_the_commit() -> None:
    target = Target(PRODUCTION, "y", BUILD, note="--build")
    steps = p.app_steps(target, BOTH, None, p.AppFacts("u", 2))
    assert steps[2].name == "build" and "POST /apps/y/builds" in steps[2].action
    assert "runs a slug" not in steps[0].action


def test_app_steps_skips() -> None:
    config = DeployConfig(
        backup=False, rollback=False, static_command="collect", health_expect="ok"
    )
    steps = {s.name: s for s in p.app_steps(STAGING_X, config, None, p.AppFacts("u"))}
    assert not steps["backup"].run and "backup = false" in steps["backup"].action
    assert "no rollback" in steps["rollback"].action
    assert steps["static"].run and "collect" in steps["static"].action
    assert "containing 'ok'" in steps["health"].action
    no_pg = p.app_steps(STAGING_X, BOTH, None, p.AppFacts("u", has_postgres=False))
    assert not no_pg[1].run
    assert not p.app_steps(STAGING_X, BOTH, None, p.AppFacts("u"))[4].run
