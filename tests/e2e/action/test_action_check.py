"""`command: check` through the action, publishing to the fake GitHub.

A push to main records the coverage baseline as commit statuses; a pull request
(checked out as its merge commit, as actions/checkout does) gets one status
`mvp-process/<gate>` per gate on its head commit and one sticky comment, which a
re-run edits; the outputs, the job summary and the exit status say the same.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from mvp_process.check.registry import GATE_NAMES
from support.action import (
    OUTPUT_NAMES,
    PROJECT_PYTHON,
    ROOT,
    Act,
    check_out_merge,
    pull_request_payload,
    push_payload,
    shown,
)
from support.actions import REPO, TOKEN
from support.actions_runner import RunResult
from support.fake_github import FakeGitHub
from support.project import (
    TESTED_FEATURE,
    UNTESTED_FEATURE,
    feature_branch,
    sample_project,
)
from support.repo import Repo
from support import gfm

pytestmark = pytest.mark.slow

PR = 300
BRANCH = "254-add-mul"
MARKER = "<!-- mvp-process:check -->"
RUN_URL = f"https://github.com/{REPO}/actions/runs/1"
HEROKU_KEY = "hk-0123456789abcdef-secret"
ALL_PASS = {f"mvp-process/{gate}": "success" for gate in GATE_NAMES}
# Tests for UNTESTED_FEATURE's code: the fix pushed to the failing pull request.
FIX = {"tests/test_div.py": """
import pytest

from calc import div, neg


def test_div():
    assert div(6, 3) == 2
    with pytest.raises(ZeroDivisionError):
        div(1, 0)


def test_neg():
    assert neg(2) == -2
"""}


def open_pull_request(
    repo: Repo, github: FakeGitHub, files: dict[str, str]
) -> tuple[str, dict[str, Any]]:
    """Commit `files` on the PR branch, push, check out the merge; (head, payload)."""
    base = repo.sha("origin/main")
    feature_branch(repo, files, BRANCH)
    repo.push(BRANCH)
    return synchronize(repo, github, base)


def synchronize(
    repo: Repo, github: FakeGitHub, base: str
) -> tuple[str, dict[str, Any]]:
    """The pull request as GitHub has it after a push to its branch."""
    head, _ = check_out_merge(repo, BRANCH)
    github.add_pull(
        REPO, PR, head_ref=BRANCH, head_sha=head, base_sha=base, body="Closes #254"
    )
    return head, pull_request_payload(PR, BRANCH, head, base)


def states(github: FakeGitHub, sha: str) -> dict[str, str]:
    """The latest state of each status context on `sha`."""
    return {s["context"]: s["state"] for s in github.statuses(REPO, sha)}


def assert_used_cache(result: RunResult) -> None:
    assert result.step("restore").outputs["cache-hit"] == "true", result.notes
    assert result.step("install").outputs == {"installed": "false"}
    assert "using the cached virtualenv" in result.log
    assert not (ROOT / "build").exists()  # nothing built inside the action folder


def test_push_records_the_baseline_then_a_pull_request_passes(
    repo: Repo, act: Act, github: FakeGitHub
) -> None:
    base = sample_project(repo)
    github.add_commits(REPO, base)
    pushed = act(
        {"command": "check"}, event_name="push", event=push_payload(base, "main")
    )

    assert pushed.exit_code == 0, pushed.log
    assert pushed.outputs["passed"] == "true"
    assert pushed.outputs["coverage"] == "100.00"
    assert states(github, base) == ALL_PASS
    (recorded,) = [
        s for s in github.statuses(REPO, base) if s["context"] == "mvp-process/coverage"
    ]
    assert recorded["description"].startswith("100.00% project coverage;")
    assert "recorded 100.00% as the coverage baseline" in gfm.shown(pushed.summary)
    assert github.requests("POST", "/comments") == []  # no pull request: no comment

    head, event = open_pull_request(repo, github, TESTED_FEATURE)
    merge = repo.sha()
    result = act({"command": "check", "heroku-api-key": HEROKU_KEY}, event=event)

    assert result.exit_code == 0, result.log
    assert result.outputs == {
        **dict.fromkeys(OUTPUT_NAMES, ""),
        "passed": "true",
        "coverage": "100.00",
        "diff-coverage": "100.00",
    }
    assert "## ✅ mvp-process check passed" in result.summary
    for gate in GATE_NAMES:
        assert f"| `{gate}` | ✅ pass |" in result.summary
    # One status per gate on the PR's head, none on the merge commit checked out.
    assert states(github, head) == ALL_PASS
    assert states(github, merge) == {}
    seen = gfm.shown(result.summary)
    assert f"published 5 commit statuses on {head[:12]}" in seen
    assert "wrote the report comment on pull request #300" in seen
    assert {s["target_url"] for s in github.statuses(REPO, head)} == {RUN_URL}
    # The baseline came from the status recorded on main: nothing recomputed.
    assert f"baseline: 100.00% (status on {base[:12]})" in result.log
    assert not (repo.path / ".git" / "mvp-process" / "baselines.json").exists()
    (comment,) = github.comments(REPO, PR)
    assert comment.body.startswith(MARKER)
    assert "| `diff-coverage` | ✅ pass |" in comment.body
    assert f"baseline: 100.00% (status on {base[:12]})" in comment.body
    # main's recorded figure, then HEAD's, as a chart GitHub draws.
    assert f'x-axis ["{base[:7]}", "HEAD"]' in comment.body
    # The gates ran in the caller's interpreter; mvp-process in its own venv.
    assert result.step("run").env["MVP_PROCESS_PYTHON"] == str(PROJECT_PYTHON)
    assert f"gates run with {PROJECT_PYTHON};" in result.log
    assert result.steps[0].outcome == "skipped"  # no python-version: no setup-python
    assert_used_cache(result)
    # The runner was asked to mask both secrets; they appear nowhere else.
    assert {TOKEN, HEROKU_KEY} <= set(result.masks)
    for secret in (TOKEN, HEROKU_KEY):
        assert secret not in shown(result, github)

    rerun = act({"command": "check"}, event=event)

    assert rerun.exit_code == 0, rerun.log
    (again,) = github.comments(REPO, PR)
    assert again.id == comment.id  # edited, not duplicated
    assert len(github.requests("POST", f"/issues/{PR}/comments")) == 1
    assert len(github.requests("PATCH", "/issues/comments/")) == 1
    assert states(github, head) == ALL_PASS


def test_a_failing_pull_request_then_its_fix(
    repo: Repo, act: Act, github: FakeGitHub
) -> None:
    base = sample_project(repo)
    first_head, event = open_pull_request(repo, github, UNTESTED_FEATURE)

    result = act({"command": "check"}, event=event)

    assert result.exit_code == 1, result.log
    assert result.step("run").outcome == "failure"
    assert result.outputs["passed"] == "false"
    diff_coverage = float(result.outputs["diff-coverage"])
    coverage = float(result.outputs["coverage"])
    assert diff_coverage < 80 and coverage < 99  # the default thresholds: 80, 1.0
    assert "## ❌ mvp-process check failed" in result.summary
    assert "| `diff-coverage` | ❌ fail |" in result.summary
    assert "| `coverage` | ❌ fail |" in result.summary
    assert "### Uncovered changed lines" in result.summary
    assert states(github, first_head) == {
        **ALL_PASS,
        "mvp-process/coverage": "failure",
        "mvp-process/diff-coverage": "failure",
    }
    (comment,) = github.comments(REPO, PR)
    assert comment.body.startswith(MARKER)
    assert "| `diff-coverage` | ❌ fail |" in comment.body
    assert_used_cache(result)
    assert TOKEN not in shown(result, github)

    repo.switch(BRANCH)
    repo.commit("Test div and neg", FIX)
    repo.push(BRANCH)
    head, event = synchronize(repo, github, base)
    fixed = act({"command": "check"}, event=event)

    assert fixed.exit_code == 0, fixed.log
    assert fixed.outputs["passed"] == "true"
    assert fixed.outputs["diff-coverage"] == "100.00"
    assert states(github, head) == ALL_PASS
    assert states(github, first_head)["mvp-process/diff-coverage"] == "failure"
    (edited,) = github.comments(REPO, PR)
    assert edited.id == comment.id
    assert "❌" not in edited.body and "| `diff-coverage` | ✅ pass |" in edited.body


def test_threshold_inputs_reach_the_configuration(
    repo: Repo, act: Act, github: FakeGitHub
) -> None:
    sample_project(repo)
    head, event = open_pull_request(repo, github, UNTESTED_FEATURE)

    result = act(
        {"command": "check", "diff-coverage-min": "0", "coverage-drop-max": "100"},
        event=event,
    )

    assert result.exit_code == 0, result.log
    assert result.outputs["passed"] == "true"
    assert float(result.outputs["diff-coverage"]) < 80
    assert states(github, head) == ALL_PASS


def test_lint_scope_input_reaches_the_configuration(
    repo: Repo, act: Act, github: FakeGitHub
) -> None:
    sample_project(repo)
    repo.commit("old code", {"calc/old.py": "import os\n"})
    repo.push("main")
    _, event = open_pull_request(repo, github, TESTED_FEATURE)

    inputs = {"command": "check", "only": "flake8", "json": "report.json"}
    strict = act(inputs, event=event)
    adopting = act({**inputs, "lint-scope": "changed"}, event=event)

    assert strict.exit_code == 1, strict.log
    assert adopting.exit_code == 0, adopting.log
    report = json.loads((repo.path / "report.json").read_text(encoding="utf-8"))
    assert (
        report["gates"][0]["summary"] == "no findings on changed lines; 1 outside them"
    )


def test_only_and_json_inputs(repo: Repo, act: Act, github: FakeGitHub) -> None:
    sample_project(repo)
    head, event = open_pull_request(repo, github, TESTED_FEATURE)

    result = act(
        {"command": "check", "only": "flake8,black", "json": "report.json"},
        event=event,
    )

    assert result.exit_code == 0, result.log
    report = json.loads((repo.path / "report.json").read_text(encoding="utf-8"))
    assert [g["name"] for g in report["gates"]] == ["flake8", "black"]
    assert result.outputs["passed"] == "true"
    assert result.outputs["coverage"] == ""  # not measured: said as unknown
    assert states(github, head) == {
        "mvp-process/flake8": "success",
        "mvp-process/black": "success",
    }


def test_without_a_token_the_gates_still_decide(
    repo: Repo, act: Act, github: FakeGitHub
) -> None:
    sample_project(repo)
    feature_branch(repo, {"lint.py": "import os\n"}, BRANCH)
    event = pull_request_payload(PR, BRANCH, repo.sha(), repo.sha("origin/main"))

    result = act({"command": "check", "only": "flake8"}, event=event, token="")

    assert result.exit_code == 1, result.log
    assert "::notice title=mvp-process::GITHUB_TOKEN is not set" in result.log
    assert "::error file=lint.py,line=1,col=1,title=mvp-process flake8::F401" in (
        result.log
    )
    assert result.outputs["passed"] == "false"
    assert github.log == []  # nothing published, nothing asked
