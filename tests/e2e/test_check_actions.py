"""`mvp-process check` in GitHub Actions: statuses, the sticky comment,
annotations, the coverage baseline recorded on main and read by the next PR,
and the faults (read-only fork token, bad token, no token)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import requests

from support.actions import REPO, TOKEN, Actions, payload
from support.cli import Outcome
from support.fake_github import FakeGitHub
from support.project import (
    PYPROJECT,
    TESTED_FEATURE,
    UNTESTED_FEATURE,
    feature_branch,
    sample_project,
)
from support.repo import Repo
from support import gfm

PR = 300
BRANCH = "254-add-mul"
GATES = ("flake8", "black", "tests", "coverage", "diff-coverage")
MARKER = "<!-- mvp-process:check -->"
LINT = "import os\nimport sys\n"  # two flake8 findings (F401)


@pytest.fixture
def actions(
    fake_github: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Actions:
    fake_github.add_repo(REPO)
    fake_github.add_token(TOKEN, "github-actions[bot]")
    fake_github.add_token("ghs_forkReadOnly0000", "github-actions[bot]", read_only=True)
    return Actions(tmp_path / "step", fake_github, monkeypatch)


def push_main(repo: Repo, actions: Actions, sha: str) -> None:
    event = payload("push", after=sha, ref="refs/heads/main", default_branch="main")
    actions.fake.add_commits(REPO, sha)
    actions.start("push", event, sha=sha, ref_name="main")


def open_pr(
    repo: Repo,
    actions: Actions,
    base: str,
    files: dict[str, str],
    token: str = TOKEN,
) -> str:
    """Commit `files` on a branch, push it, check out the merge as Actions does."""
    head = feature_branch(repo, files, BRANCH)
    repo.push(BRANCH)
    repo.git("switch", "-q", "--detach", "origin/main")
    repo.git("merge", "-q", "--no-ff", "-m", f"Merge {head} into {base}", head)
    merge = repo.sha()
    actions.fake.add_pull(
        REPO, PR, head_ref=BRANCH, head_sha=head, base_sha=base, body="Closes #254"
    )
    event = payload(
        "pull_request.synchronize",
        number=PR,
        head_ref=BRANCH,
        head_sha=head,
        base_ref="main",
        base_sha=base,
    )
    actions.start(
        "pull_request",
        event,
        sha=merge,
        token=token,
        ref_name=f"{PR}/merge",
        base_ref="main",
        head_ref=BRANCH,
    )
    return head


def contexts(fake: FakeGitHub, sha: str) -> dict[str, tuple[str, str]]:
    return {
        s["context"]: (s["state"], s["description"]) for s in fake.statuses(REPO, sha)
    }


def assert_no_secret(actions: Actions, outcome: Outcome) -> None:
    assert TOKEN not in actions.everything_written(outcome)


def test_push_records_the_baseline_the_next_pull_request_uses(
    repo: Repo, actions: Actions, capsys: pytest.CaptureFixture[str]
) -> None:
    base = sample_project(repo)
    push_main(repo, actions, base)
    pushed = actions.run(repo.path, ["check"], capsys)
    assert pushed.code == 0, pushed.out + pushed.err
    recorded = contexts(actions.fake, base)
    assert set(recorded) == {f"mvp-process/{g}" for g in GATES}
    assert recorded["mvp-process/coverage"][1].startswith("100.00% project coverage;")
    summary = gfm.shown(actions.summary.read_text())
    assert "recorded 100.00% as the coverage baseline" in summary
    assert actions.fake.requests("POST", "/comments") == []
    assert_no_secret(actions, pushed)

    head = open_pr(repo, actions, base, TESTED_FEATURE)
    first = actions.run(repo.path, ["check"], capsys)
    assert first.code == 0, first.out + first.err
    baseline = first.gate("coverage")["baseline"]
    assert baseline == {"sha": base, "source": "status", "note": ""}
    assert not (repo.path / ".git" / "mvp-process" / "baselines.json").exists()
    states = contexts(actions.fake, head)
    assert {k: v[0] for k, v in states.items()} == {
        f"mvp-process/{g}": "success" for g in GATES
    }
    assert contexts(actions.fake, repo.sha()) == {}  # not on the merge commit
    (comment,) = actions.fake.comments(REPO, PR)
    assert comment.body.startswith(MARKER)
    assert "| `diff-coverage` | ✅ pass |" in comment.body
    assert "**Coverage:**" not in comment.body  # the table's row says it
    assert f"baseline: 100.00% (status on {base[:12]})" in comment.body
    assert f'x-axis ["{base[:7]}", "HEAD"]' in comment.body
    outputs = actions.output.read_text()
    assert "passed=true" in outputs and "coverage=100.00" in outputs
    assert "diff-coverage=100.00" in outputs
    assert_no_secret(actions, first)

    rerun = actions.run(repo.path, ["check"], capsys)
    assert rerun.code == 0
    (again,) = actions.fake.comments(REPO, PR)
    assert again.id == comment.id
    assert len(actions.fake.requests("PATCH", "/issues/comments/")) == 1
    assert_no_secret(actions, rerun)


def forge_as_mallory(fake: FakeGitHub, base: str) -> None:
    """A collaborator, with their own token: a 0.00% baseline on the merge-base
    and a comment carrying the sticky comment's marker."""
    fake.add_token("ghp_malloryToken", "mallory")
    headers = {"Authorization": "token ghp_malloryToken"}
    status = {"state": "success", "context": "mvp-process/coverage"}
    status["description"] = "0.00% project coverage; forged"
    r = f"{fake.url}/repos/{REPO}"
    assert requests.post(f"{r}/statuses/{base}", json=status, headers=headers).ok
    body = {"body": f"{MARKER}\nall green, merge away"}
    assert requests.post(f"{r}/issues/{PR}/comments", json=body, headers=headers).ok


def test_a_forged_baseline_and_a_borrowed_marker_are_ignored(
    repo: Repo, actions: Actions, capsys: pytest.CaptureFixture[str]
) -> None:
    base = sample_project(repo)
    push_main(repo, actions, base)
    assert actions.run(repo.path, ["check"], capsys).code == 0  # records 100%
    head = open_pr(repo, actions, base, UNTESTED_FEATURE)
    forge_as_mallory(actions.fake, base)
    outcome = actions.run(repo.path, ["check", "--only", "coverage"], capsys)
    assert outcome.code == 1, outcome.out  # 100% → 50%, not 0% → 50%
    coverage = outcome.gate("coverage")
    assert coverage["before"] == 100.0
    assert coverage["baseline"]["note"] == (
        "ignored 1 mvp-process/coverage status not written by "
        f"github-actions[bot] (mallory on {base[:12]})"
    )
    assert contexts(actions.fake, head)["mvp-process/coverage"][0] == "failure"
    mallorys, ours = actions.fake.comments(REPO, PR)
    assert (mallorys.author, mallorys.body) == (
        "mallory",
        f"{MARKER}\nall green, merge away",
    )
    assert ours.author == "github-actions[bot]"
    assert "ignored 1 mvp" in ours.body and "mallory on" in ours.body


def test_a_pull_request_cannot_lower_its_own_thresholds(
    repo: Repo, actions: Actions, capsys: pytest.CaptureFixture[str]
) -> None:
    strict = PYPROJECT + "\n[tool.mvp-process]\ndiff-coverage-min = 90\n"
    base = repo.commit("Set the policy", {"pyproject.toml": strict})
    repo.push("main")
    lowered = strict.replace("= 90", "= 0") + "coverage-drop-max = 100\n"
    head = open_pr(repo, actions, base, {**UNTESTED_FEATURE, "pyproject.toml": lowered})
    outcome = actions.run(repo.path, ["check", "--baseline", "none"], capsys)
    assert outcome.code == 1, outcome.out
    diff = outcome.gate("diff-coverage")
    assert not diff["passed"] and "the 90% required" in diff["summary"]
    said = [
        "this pull request changes coverage-drop-max 1 → 100 in "
        "[tool.mvp-process]; it applies after merge",
        "this pull request changes diff-coverage-min 90 → 0 in "
        "[tool.mvp-process]; it applies after merge",
    ]
    assert outcome.report is not None
    assert outcome.report["notes"][:2] == said
    assert all(text in outcome.out for text in said)
    (comment,) = actions.fake.comments(REPO, PR)
    assert said[1] in gfm.shown(comment.body)  # in the comment's notes
    assert contexts(actions.fake, head)["mvp-process/diff-coverage"][0] == "failure"


def test_status_baseline_only_says_plainly_when_there_is_none(
    repo: Repo, actions: Actions, capsys: pytest.CaptureFixture[str]
) -> None:
    base = sample_project(repo)
    open_pr(repo, actions, base, TESTED_FEATURE)
    outcome = actions.run(repo.path, ["check", "--baseline", "status"], capsys)
    assert outcome.code == 0, outcome.out
    coverage = outcome.gate("coverage")
    assert coverage["before"] is None
    assert "no mvp-process/coverage status on the merge-base" in coverage["summary"]
    assert not (repo.path / ".git" / "mvp-process" / "baselines.json").exists()
    (comment,) = actions.fake.comments(REPO, PR)
    assert "no baseline: no mvp-process/coverage status" in gfm.shown(comment.body)
    assert "mermaid" not in comment.body  # no figure recorded: no chart


def test_the_report_links_each_uncovered_range_to_the_diff(
    repo: Repo, actions: Actions, capsys: pytest.CaptureFixture[str]
) -> None:
    base = sample_project(repo)
    head = open_pr(repo, actions, base, {**UNTESTED_FEATURE, "lint.py": LINT})
    outcome = actions.run(repo.path, ["check", "--baseline", "none"], capsys)
    assert outcome.code == 1
    files = f"https://github.example/{REPO}/pull/{PR}/files#diff-"
    calc = files + hashlib.sha256(b"calc/__init__.py").hexdigest()
    lint = files + hashlib.sha256(b"lint.py").hexdigest()
    (comment,) = actions.fake.comments(REPO, PR)
    summary = actions.summary.read_text()
    for text in (comment.body, summary):
        links = gfm.render(text).links()
        assert f"{calc}R13-R15" in links and f"{calc}R19" in links
        assert f"{lint}R1" in links and f"{lint}R2" in links
        assert "**Fix:** `black lint.py`" not in text  # black passed
        assert "**Fix:** `flake8 lint.py` (rechecks" in text
    # diff-cover's page went where the template's step uploads it from.
    page = actions.temp / "mvp-process-diff-coverage" / "diff-coverage.html"
    missing = outcome.gate("diff-coverage")["uncovered_lines"]
    assert missing == 6  # calc: 4, and lint.py, which coverage does not measure: 2
    assert f"<b>Missing</b>: {missing} lines" in page.read_text(encoding="utf-8")
    run = f"https://github.example/{REPO}/actions/runs/4242#artifacts"
    assert run in gfm.render(summary).links()
    assert "artifact mvp-process-diff-coverage of this workflow run" in gfm.shown(
        summary
    )
    assert contexts(actions.fake, head)["mvp-process/diff-coverage"][0] == "failure"


def test_fork_token_warns_once_and_the_gates_decide(
    repo: Repo, actions: Actions, capsys: pytest.CaptureFixture[str]
) -> None:
    base = sample_project(repo)
    head = open_pr(repo, actions, base, {"lint.py": LINT}, token="ghs_forkReadOnly0000")
    outcome = actions.run(repo.path, ["check", "--only", "flake8"], capsys)
    assert outcome.code == 1  # flake8 failed; publishing did not change that
    assert outcome.out.count("::warning") == 1
    assert "Resource not accessible by integration" in outcome.out
    assert "::error file=lint.py,line=1,col=1,title=mvp-process flake8::F401" in (
        outcome.out
    )
    summary = actions.summary.read_text()
    assert "lint.py:1:1: F401" in gfm.shown(summary) and "not published" in summary
    assert actions.fake.statuses(REPO, head) == []
    assert actions.fake.comments(REPO, PR) == []
    assert len(actions.fake.requests("POST")) == 1  # tried once, then stopped


def test_annotations_stay_within_githubs_limits(
    repo: Repo, actions: Actions, capsys: pytest.CaptureFixture[str]
) -> None:
    base = sample_project(repo)
    lint = "".join(f"import mod{i}\n" for i in range(13))
    head = open_pr(repo, actions, base, {"lint.py": lint})
    outcome = actions.run(repo.path, ["check", "--only", "flake8"], capsys)
    assert outcome.code == 1
    assert outcome.out.count("::error file=") == 10
    assert "3 more findings not annotated" in actions.summary.read_text()
    assert contexts(actions.fake, head)["mvp-process/flake8"] == (
        "failure",
        "13 findings in 1 file",
    )
    (comment,) = actions.fake.comments(REPO, PR)
    assert "### flake8 findings" in comment.body
    assert "lint.py:13:1: F401 'mod12' imported but unused" in gfm.shown(comment.body)


def test_bad_token_stops_before_the_gates_run(
    repo: Repo, actions: Actions, capsys: pytest.CaptureFixture[str]
) -> None:
    base = sample_project(repo)
    open_pr(repo, actions, base, TESTED_FEATURE, token="ghp_revokedToken1234")
    outcome = actions.run(repo.path, ["check"], capsys)
    assert outcome.code == 2
    assert "GitHub rejected the token" in outcome.err
    assert "Traceback" not in outcome.err
    assert outcome.report is None
    assert "ghp_revokedToken1234" not in actions.everything_written(outcome)


def test_without_a_token_check_still_reports_locally(
    repo: Repo,
    actions: Actions,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base = sample_project(repo)
    open_pr(repo, actions, base, {"lint.py": LINT})
    monkeypatch.delenv("GITHUB_TOKEN")
    outcome = actions.run(repo.path, ["check", "--only", "flake8"], capsys)
    assert outcome.code == 1
    assert "::notice title=mvp-process::GITHUB_TOKEN is not set" in outcome.out
    assert "::error file=lint.py" in outcome.out
    assert actions.fake.log == []
    assert "## ❌ mvp-process check failed" in actions.summary.read_text()
