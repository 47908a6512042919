"""The sharded template through the action: a 3-shard matrix, then the fan-in.

The workflow layer is played from `workflows-templates/mvp-process-sharded.yml`
itself: each `tests` job's action inputs are evaluated for its matrix value
(`matrix.shard`, `strategy.job-total`, `runner.temp`) and run through the real
action in a checkout folder of its own, which is then deleted as a runner would
be; `actions/upload-artifact` and `download-artifact` are played as folder
copies (one sub-folder per artifact, as download-artifact v4 leaves them); the
`check` job's action step then runs the fan-in. Statuses and the PR comment
reach the fake GitHub only from the fan-in, with the same contexts, states and
descriptions as a plain `check` of the same pull request.
"""

from __future__ import annotations

import fnmatch
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from mvp_process.check.registry import GATE_NAMES
from mvp_process.setup.init import action_ref
from support.action import (
    ROOT,
    Act,
    Harness,
    check_out_merge,
    pull_request_payload,
    run_action,
    shown,
)
from support.actions import REPO, TOKEN
from support.actions_node import Expressions, parse_workflow
from support.fake_github import FakeGitHub
from support.project import UNTESTED_FEATURE, feature_branch, sample_project
from support.repo import Repo

pytestmark = pytest.mark.slow

TEMPLATE = ROOT / "workflows-templates" / "mvp-process-sharded.yml"
PR, BRANCH = 301, "254-add-div"
LOCAL = "127.0.0.1,localhost"


def action_step(job: dict[str, Any]) -> dict[str, Any]:
    return next(s for s in job["steps"] if s.get("uses") == action_ref())


def uses(job: dict[str, Any], action: str) -> dict[str, Any]:
    return next(s for s in job["steps"] if s.get("uses", "").startswith(action))


def evaluated(step: dict[str, Any], contexts: dict[str, Any]) -> dict[str, str]:
    """A step's `with:` as the runner hands it over."""
    return Expressions(contexts).strings(step["with"])[0]


def same_baseline(text: str) -> str:
    """The second run reads the merge-base figure from the cache the first wrote."""

    def recomputed(match: re.Match[str]) -> str:
        return f"recomputed on {match[1]}" + (", " if match[2] else "")

    # the note may go on with why it was recomputed ("; ", escaped "\;")
    return re.sub(r"cache on (`?\w+`?), recomputed earlier(\\?; )?", recomputed, text)


def gate_statuses(github: FakeGitHub, sha: str) -> list[tuple[str, str, str]]:
    return [
        (s["context"], s["state"], s["description"]) for s in github.statuses(REPO, sha)
    ]


def test_three_shards_then_the_fan_in_publish_what_one_check_does(
    repo: Repo, act: Act, harness: Harness, github: FakeGitHub, tmp_path: Path
) -> None:
    workflow = parse_workflow(TEMPLATE)  # GitHub's parser: it must accept it
    jobs = workflow.tree["jobs"]
    base = sample_project(repo)
    feature_branch(repo, UNTESTED_FEATURE, BRANCH)
    repo.push(BRANCH)
    head, merge = check_out_merge(repo, BRANCH)
    github.add_pull(
        REPO, PR, head_ref=BRANCH, head_sha=head, base_sha=base, body="Closes #254"
    )
    event = pull_request_payload(PR, BRANCH, head, base)

    # The plain template's single `check`, for comparison.
    single = act({"command": "check"}, event=event)
    assert single.exit_code == 1, single.log
    plain = gate_statuses(github, head)
    assert [c for c, _, _ in plain] == [f"mvp-process/{g}" for g in GATE_NAMES]
    (comment,) = github.comments(REPO, PR)
    plain_comment = comment.body

    # The matrix: each shard in its own checkout folder, on its own runner.
    shards = jobs["tests"]["strategy"]["matrix"]["shard"]
    artifacts = tmp_path / "artifacts"
    for k in shards:
        runner = tmp_path / f"runner-{k}"
        workspace, temp = runner / "work" / "calc", runner / "temp"
        temp.mkdir(parents=True)
        repo.git("worktree", "add", "-q", "--detach", str(workspace), merge)
        contexts = {
            "matrix": {"shard": k},
            "strategy": {"job-total": len(shards)},
            "runner": {"temp": str(temp)},
        }
        result = run_action(
            evaluated(action_step(jobs["tests"]), contexts),
            workspace=workspace,
            temp=temp,
            cache=harness.cache,
            event_name="pull_request",
            event=event,
            env={"NO_PROXY": LOCAL, "no_proxy": LOCAL},
            token=TOKEN,
            github={"sha": merge, "api_url": github.url},
        )
        assert result.exit_code == 0, result.log
        assert f"shard {k}/{len(shards)}:" in result.log
        upload = evaluated(uses(jobs["tests"], "actions/upload-artifact@"), contexts)
        shutil.copytree(upload["path"], artifacts / upload["name"])
        repo.git("worktree", "remove", "--force", str(workspace))
    assert gate_statuses(github, head) == plain  # the shards published nothing

    # The fan-in runs when a shard failed too (to name it), not when cancelled.
    condition = workflow.jobs["check"]["if"]
    for result, runs in (("success", True), ("failure", True), ("cancelled", False)):
        contexts = {
            "needs": {"tests": {"result": result}},
            "github": {"event_name": "pull_request", "event": {"action": "opened"}},
        }
        assert Expressions(contexts).condition(condition) is runs

    temp = tmp_path / "runner-temp"  # what `act` gives the fan-in job
    runner_temp = {"runner": {"temp": str(temp)}}
    download = evaluated(uses(jobs["check"], "actions/download-artifact@"), runner_temp)
    fan_in_inputs = evaluated(action_step(jobs["check"]), runner_temp)
    downloaded = sorted(
        p for p in artifacts.iterdir() if fnmatch.fnmatch(p.name, download["pattern"])
    )
    assert len(downloaded) == len(shards)
    # The report's folder, as the job's "Prepare the report artifact" step makes it.
    prepare = next(
        s for s in jobs["check"]["steps"] if "REPORT_DIR" in s.get("env", {})
    )
    pull = {"github": {"event": {"pull_request": {"number": PR}}}}
    env = Expressions(runner_temp | pull).strings(prepare["env"])[0]
    report_dir = Path(env["REPORT_DIR"])
    report_dir.mkdir(parents=True)
    (report_dir / "pr-number").write_text(env["PR_NUMBER"] + "\n")

    # A lost shard: no decision, no status, the shard named.
    for artifact in downloaded[:1] + downloaded[2:]:
        shutil.copytree(artifact, Path(download["path"]) / artifact.name)
    lost = act(fan_in_inputs, event=event)
    assert lost.exit_code == 2, lost.log
    assert "shard 2/3 is missing" in lost.log
    assert gate_statuses(github, head) == plain

    # All shards: the fan-in decides, and publishes, as the single check did.
    shutil.copytree(downloaded[1], Path(download["path"]) / downloaded[1].name)
    fan_in = act(fan_in_inputs, event=event)
    assert fan_in.exit_code == 1, fan_in.log
    assert "combining 3 test shards" in fan_in.log
    fork_upload = evaluated(
        uses(jobs["check"], "actions/upload-artifact@"), runner_temp
    )
    assert Path(fork_upload["path"]) == report_dir  # what a fork's run uploads
    assert json.loads((report_dir / "report.json").read_text())["passed"] is False
    assert gate_statuses(github, head) == plain + plain  # posted again, identical
    assert fan_in.outputs == single.outputs
    assert "(cache on " in fan_in.summary
    assert same_baseline(fan_in.summary) == single.summary
    (edited,) = github.comments(REPO, PR)
    assert edited.id == comment.id
    assert same_baseline(edited.body) == plain_comment
    assert TOKEN not in shown(fan_in, github)
