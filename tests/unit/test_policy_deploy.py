"""The deploy's pure decisions, case by case."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from mvp_process.config import DeployConfig
from mvp_process.errors import ConfigError
from mvp_process.deploy import policy as p
from mvp_process.deploy.heroku_models import ReleaseInfo

BOTH = DeployConfig(staging_app="app-staging", production_app="app-prod")


STAGING_BUILD = ("staging", "app-staging", "build", None)
IN_RUN = ("production", "app-prod", "promote", "app-staging")
FROM_STAGING = ("production", "app-prod", "staging-slug", "app-staging")
PROD_BUILD = ("production", "app-prod", "build", None)


@pytest.mark.parametrize(
    ("branch", "target", "build", "expected"),
    [
        ("staging", None, False, [STAGING_BUILD]),
        ("main", None, False, [STAGING_BUILD, IN_RUN]),
        ("master", None, False, [STAGING_BUILD, IN_RUN]),
        ("254-fix-timeout", None, False, []),
        ("mainline", None, False, []),
        (None, "staging", False, [STAGING_BUILD]),
        ("main", "staging", False, [STAGING_BUILD]),
        ("feature", "production", False, [FROM_STAGING]),
        ("main", "production", False, [FROM_STAGING]),
        (None, "production", True, [PROD_BUILD]),
    ],
)
def test_select_targets(
    branch: str | None,
    target: str | None,
    build: bool,
    expected: list[tuple[str, str, str, str | None]],
) -> None:
    selection = p.select_targets(branch, target, BOTH, build)
    assert [(t.role, t.app, t.ship, t.source) for t in selection.targets] == expected
    if not expected:
        assert selection.reason.startswith("nothing to deploy")
        assert "main, master" in selection.reason


@pytest.mark.parametrize(
    ("config", "build", "ship", "note", "reason"),
    [
        (BOTH, False, "staging-slug", None, "--target production"),
        (
            BOTH,
            True,
            "build",
            "--build: production is built from the commit, not given the slug",
            "--target production --build",
        ),
        (
            DeployConfig(production_app="app-prod"),
            False,
            "build",
            "no staging app is configured: production is built from the commit "
            "(the only way without a staging app)",
            "--target production",
        ),
        (
            DeployConfig(production_app="app-prod"),
            True,
            "build",
            "no staging app is configured",
            "--target production --build",
        ),
    ],
    ids=["staging-slug", "build", "no-staging-app", "no-staging-app-build"],
)
def test_production_alone_takes_the_staging_slug_unless_told(
    config: DeployConfig, build: bool, ship: str, note: str | None, reason: str
) -> None:
    selection = p.select_targets(None, "production", config, build)
    (target,) = selection.targets
    assert target.ship == ship and selection.reason == reason
    if note is None:
        assert target.note is None and target.source == "app-staging"
    else:
        assert target.note is not None and target.note.startswith(note)
        assert target.source is None


def test_custom_branches() -> None:
    config = DeployConfig(
        staging_app="s-app",
        production_app="p-app",
        staging_branch="develop",
        production_branches=("release",),
    )
    assert len(p.select_targets("release", None, config).targets) == 2
    assert len(p.select_targets("develop", None, config).targets) == 1
    assert p.select_targets("main", None, config).targets == ()


def test_no_production_branches_are_named_as_none() -> None:
    config = DeployConfig(staging_app="s-app", production_branches=())
    assert "production branch (none)" in p.select_targets("main", None, config).reason


@pytest.mark.parametrize(
    ("branch", "target", "config", "message"),
    [
        (None, None, BOTH, "no branch to deploy"),
        ("staging", None, DeployConfig(), "no staging app configured"),
        ("main", None, DeployConfig(staging_app="s-app"), "no production app"),
        (None, "qa", BOTH, "--target must be staging or production"),
        ("main", None, BOTH, "--build applies only to --target production"),
        (None, "staging", BOTH, "--build applies only to --target production"),
        (
            "main",
            None,
            DeployConfig(staging_app="s", staging_branch="main"),
            "both the staging branch and a production branch",
        ),
    ],
)
def test_select_targets_errors(
    branch: str | None, target: str | None, config: DeployConfig, message: str
) -> None:
    build = message.startswith("--build")
    with pytest.raises(ConfigError, match=message):
        p.select_targets(branch, target, config, build)


SHA = "0123456789abcdef0123456789abcdef01234567"
OTHER = "fedcba9876543210fedcba9876543210fedcba98"
V3 = ReleaseInfo("rel-3", 3, "succeeded", True, "slug-1")
LIVE = p.StagingRelease("stg", V3, SHA)


def live(**release: Any) -> p.StagingRelease:
    """LIVE, its release changed."""
    return replace(LIVE, release=replace(V3, **release))


FIRST = "staging does not run 0123456789ab ("
HINT = "): deploy staging first, or pass --build to build production from the commit"


@pytest.mark.parametrize(
    ("staging", "why"),
    [
        (LIVE, None),
        (replace(LIVE, commit=SHA.upper()), None),
        (p.StagingRelease("stg"), "stg has no current release"),
        (live(status="pending"), "stg v3 is not live (status pending)"),
        (live(status="failed"), "stg v3 is not live (status failed)"),
        (live(current=False), "stg v3 is not live (status succeeded)"),
        (live(status=None), "stg v3 is not live (status unknown)"),
        (live(slug_id=None), "stg v3 has no slug"),
        (replace(LIVE, commit=OTHER), "stg v3 runs a slug built from fedcba987654"),
        (
            replace(LIVE, commit=None),
            "stg v3 runs a slug built from an unknown commit",
        ),
        (replace(LIVE, commit=SHA[:12]), "stg v3 runs a slug built from 0123456789ab"),
    ],
    ids=[
        "live",
        "upper-case",
        "no-release",
        "pending",
        "failed",
        "not-current",
        "no-status",
        "no-slug",
        "other-commit",
        "unknown-commit",
        "short-commit",
    ],
)
def test_staging_slug_problem(staging: p.StagingRelease, why: str | None) -> None:
    problem = p.staging_slug_problem(SHA, staging)
    assert problem == (None if why is None else FIRST + why + HINT)


def test_describe_staging() -> None:
    assert p.describe_staging(LIVE) == "stg v3, slug slug-1, built from 0123456789ab"
    assert p.describe_staging(replace(LIVE, commit=None)) == "stg v3, slug slug-1"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, None),
        ("", None),
        ("web: gunicorn app\n", None),
        (
            "web: gunicorn app\nrelease: python manage.py migrate\n",
            "python manage.py migrate",
        ),
        ("release:   ./migrate.sh  \n", "./migrate.sh"),
        ("release:\n", None),
        ("# release: commented\n", None),
        ("releaser: x\n", None),
    ],
)
def test_procfile_release(text: str | None, expected: str | None) -> None:
    assert p.procfile_release(text) == expected


def test_superseded_names_both_commits() -> None:
    newer = replace(LIVE, commit="fedcba9876543210")
    assert p.superseded(SHA, newer) == (
        "staging already runs fedcba987654, a newer commit than 0123456789ab: "
        "production is left to the run that deployed it (nothing was changed)"
    )
