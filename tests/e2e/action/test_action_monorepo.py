"""A monorepo through the action: `working-directory` selects each sub-project
and `project` names its statuses and its comment.

Two steps on one pull request, as two jobs of a workflow would run them
(`working-directory: api` / `web`): each runs its sub-project's own tools and
tests (its baseline recomputed from its own folder of the merge-base, no
status having been recorded), publishes `mvp-process/<project>/<gate>` on the
head and writes its own sticky comment; annotations name the repository's
files.
"""

from __future__ import annotations

import pytest

from support.action import Act, check_out_merge, pull_request_payload
from support.actions import REPO
from support.fake_github import FakeGitHub
from support.monorepo import API_CHANGE, WEB_CHANGE, monorepo
from support.project import feature_branch
from support.repo import Repo

pytestmark = pytest.mark.slow

PR = 300
BRANCH = "254-monorepo-change"
GATES = ("flake8", "black", "tests", "coverage", "diff-coverage")


def test_each_working_directory_is_its_own_project(
    repo: Repo, act: Act, github: FakeGitHub
) -> None:
    base = monorepo(repo)
    feature_branch(repo, {**API_CHANGE, **WEB_CHANGE}, BRANCH)
    repo.push(BRANCH)
    head, _ = check_out_merge(repo, BRANCH)
    github.add_pull(
        REPO, PR, head_ref=BRANCH, head_sha=head, base_sha=base, body="Closes #254"
    )
    event = pull_request_payload(PR, BRANCH, head, base)

    api = act({"command": "check", "working-directory": "api"}, event=event)
    web = act(
        {"command": "check", "working-directory": "web", "project": "web"},
        event=event,
    )

    assert api.exit_code == 0, api.log
    assert api.outputs["passed"] == "true" and api.outputs["coverage"] == "100.00"
    assert "baseline: 100.00% (recomputed on" in api.log
    assert web.exit_code == 1, web.log
    assert web.outputs["passed"] == "false"
    assert "::error file=web/site_pkg/__init__.py,line=3,col=1," in web.log
    assert "::warning file=web/site_pkg/__init__.py,line=15," in web.log
    assert "scripts/release.py" not in api.log + web.log
    published = {s["context"]: s["state"] for s in github.statuses(REPO, head)}
    assert set(published) == {
        f"mvp-process/{p}/{g}" for p in ("api", "web") for g in GATES
    }
    assert {published[f"mvp-process/api/{g}"] for g in GATES} == {"success"}
    assert published["mvp-process/web/flake8"] == "failure"
    bodies = [c.body for c in github.comments(REPO, PR)]
    assert [b.splitlines()[0] for b in bodies] == [
        "<!-- mvp-process:check:api -->",
        "<!-- mvp-process:check:web -->",
    ]
    assert bodies[0].splitlines()[1] == "## ✅ mvp-process check passed: `api`"
    assert "`api/` at HEAD" in api.summary and "`web/` at HEAD" in web.summary
