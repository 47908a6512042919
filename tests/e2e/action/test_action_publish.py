"""`command: publish` through the action, as mvp-process-forks.yml runs it: no
checkout (an empty workspace), the `workflow_run` event, the downloaded
artifact in the runner's temp folder; the statuses and the comment reach the
fake GitHub, or a forged artifact stops the step with exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.action import Harness, run_action, shown
from support.actions import REPO, TOKEN
from support.actions_runner import RunResult
from support.fake_github import FakeGitHub
from support.fork import (
    BASE,
    HEAD,
    MERGE,
    RUN_ID,
    sample_report,
    workflow_run_event,
    write_artifact,
)

pytestmark = pytest.mark.slow

PR = 41
LOCAL = "127.0.0.1,localhost"


def publish(
    harness: Harness, github: FakeGitHub, tmp_path: Path, artifact: Path
) -> RunResult:
    workspace = tmp_path / "workspace"  # what a job without checkout has
    workspace.mkdir(exist_ok=True)
    return run_action(
        {"command": "publish", "artifact": str(artifact)},
        workspace=workspace,
        temp=tmp_path / "runner-temp",
        cache=harness.cache,
        event_name="workflow_run",
        event=workflow_run_event(HEAD),
        env={"NO_PROXY": LOCAL, "no_proxy": LOCAL},
        token=TOKEN,
        github={"api_url": github.url},
    )


@pytest.fixture
def pull(github: FakeGitHub) -> FakeGitHub:
    github.add_pull(REPO, PR, head_ref="7-fix", head_sha=HEAD, base_sha=BASE)
    github.add_merge(REPO, MERGE, BASE, HEAD)
    return github


def test_the_action_publishes_a_forks_report_without_a_checkout(
    harness: Harness, pull: FakeGitHub, tmp_path: Path
) -> None:
    artifact = write_artifact(
        tmp_path / "runner-temp" / "mvp-process-report", sample_report(), PR
    )

    result = publish(harness, pull, tmp_path, artifact)

    assert result.exit_code == 0, result.log
    assert result.step("run").outcome == "success"
    states = {s["context"]: s["state"] for s in pull.statuses(REPO, HEAD)}
    assert states == {
        "mvp-process/flake8": "failure",
        "mvp-process/black": "success",
        "mvp-process/tests": "success",
        "mvp-process/coverage": "success",
        "mvp-process/diff-coverage": "success",
    }
    (comment,) = pull.comments(REPO, PR)
    assert comment.author == "github-actions[bot]"
    assert f"actions/runs/{RUN_ID}" in comment.body
    assert "published 5 commit statuses" in result.summary
    assert list((tmp_path / "workspace").iterdir()) == []
    assert TOKEN in result.masks and TOKEN not in shown(result, pull)


def test_the_action_stops_on_a_forged_artifact(
    harness: Harness, pull: FakeGitHub, tmp_path: Path
) -> None:
    forged = {**sample_report(), "passed": True}
    artifact = write_artifact(tmp_path / "artifact", forged, PR)

    result = publish(harness, pull, tmp_path, artifact)

    assert result.exit_code == 2, result.log
    assert result.step("run").outcome == "failure"
    assert "::error title=mvp-process::the report artifact was rejected" in (result.log)
    assert pull.statuses(REPO, HEAD) == [] and pull.comments(REPO, PR) == []
