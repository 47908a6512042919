"""`mvp-process pr` in Actions (real payloads, PyGithub, fake GitHub) and offline."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.actions import REPO, TOKEN, Actions, payload
from support.cli import Outcome, run_cli
from support.fake_github import FakeGitHub
from support.repo import Repo
from support import gfm

PR = 300
ISSUE = 254
BRANCH = "254-add-error-message-on-timeout"
BODY = "Shows a message when the request times out.\n\nCloses #254"


@pytest.fixture
def setup(
    repo: Repo, fake_github: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Repo, Actions, str, str]:
    base = repo.commit("Initial", {"README.md": "hello\n"})
    repo.push("main")
    repo.switch(BRANCH, create=True)
    head = repo.commit("Add the timeout message", {"msg.txt": "timeout\n"})
    fake_github.add_repo(REPO)
    fake_github.add_token(TOKEN, "github-actions[bot]")
    fake_github.add_issue(REPO, ISSUE, title="Say when it times out")
    return repo, Actions(tmp_path / "step", fake_github, monkeypatch), base, head


def seed_pull(fake: FakeGitHub, base: str, head: str, **changes: object) -> None:
    options: dict[str, object] = {
        "head_ref": BRANCH,
        "head_sha": head,
        "base_sha": base,
        "body": BODY,
        "author": "dev",
        "reviewers": ("alice",),
        "commits": [(head, "Add the timeout message")],
    }
    options.update(changes)
    fake.add_pull(REPO, PR, **options)  # type: ignore[arg-type]


def run_pr(
    setup: tuple[Repo, Actions, str, str],
    capsys: pytest.CaptureFixture[str],
    event: str = "pull_request.opened",
    *args: str,
    token: str | None = TOKEN,
    body: object = "Old description",
) -> Outcome:
    repo, actions, base, head = setup
    event_payload = payload(
        event,
        number=PR,
        head_ref=BRANCH,
        head_sha=head,
        base_ref="main",
        base_sha=base,
        body=body,
    )
    actions.start(
        "pull_request",
        event_payload,
        sha="f" * 40,
        token=token,
        base_ref="main",
        head_ref=BRANCH,
    )
    return actions.run(repo.path, ["pr", *args], capsys)


def pr_status(fake: FakeGitHub, head: str) -> dict[str, object]:
    (status,) = [
        s for s in fake.statuses(REPO, head) if s["context"] == "mvp-process/pr"
    ]
    return status


@pytest.mark.parametrize(
    "event",
    [
        "pull_request.opened",
        "pull_request.synchronize",
        "pull_request.reopened",
        "pull_request.ready_for_review",
        "pull_request.review_requested",
    ],
)
def test_compliant_pull_request_passes(
    setup: tuple[Repo, Actions, str, str],
    capsys: pytest.CaptureFixture[str],
    event: str,
) -> None:
    _, actions, base, head = setup
    seed_pull(actions.fake, base, head)
    outcome = run_pr(setup, capsys, event)
    assert outcome.code == 0, outcome.out + outcome.err
    assert "mvp-process pr: PASSED (pull request #300" in outcome.out
    status = pr_status(actions.fake, head)
    assert status["state"] == "success"
    assert status["target_url"] == (f"https://github.example/{REPO}/actions/runs/4242")
    summary = actions.summary.read_text()
    assert "## ✅ mvp-process pr passed" in summary
    assert TOKEN not in actions.everything_written(outcome)


def test_the_pull_request_is_read_fresh_not_from_the_payload(
    setup: tuple[Repo, Actions, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    _, actions, base, head = setup
    seed_pull(actions.fake, base, head, body="Fixed since: closes #254")
    outcome = run_pr(setup, capsys, body="Forgot the reference")
    assert outcome.code == 0, outcome.out
    seed_pull(actions.fake, base, head, body="Reference removed again")
    outcome = run_pr(setup, capsys, body="Closes #254")
    assert outcome.code == 1
    assert "neither the description nor a commit message closes #254" in outcome.out


def test_null_body_is_an_empty_description(
    setup: tuple[Repo, Actions, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    _, actions, base, head = setup
    seed_pull(actions.fake, base, head, body=None)
    outcome = run_pr(setup, capsys, "pull_request.opened-null-body", body=None)
    assert outcome.code == 1
    assert "the description is empty, so nothing closes #254" in outcome.out
    assert "::error title=mvp-process pr%3A closing-reference::" in outcome.out
    assert pr_status(actions.fake, head)["state"] == "failure"


def test_a_commit_message_may_close_the_issue(
    setup: tuple[Repo, Actions, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    _, actions, base, head = setup
    commits = [(base[:-1] + "1", "Start"), (head, "Finish\n\nFixes #254")]
    seed_pull(actions.fake, base, head, body=None, commits=commits)
    outcome = run_pr(setup, capsys, "pull_request.opened-null-body", body=None)
    assert outcome.code == 0, outcome.out
    assert "a commit message closes #254" in outcome.out


@pytest.mark.parametrize(
    ("changes", "issue", "message"),
    [
        ({"head_ref": "add-timeout-message"}, {}, "does not match"),
        ({"head_ref": "254-x;rm -rf /"}, {}, "control characters"),
        (
            {"head_ref": "255-other-issue", "body": "Closes #255"},
            {},
            "issue #255 does not exist in octo-org",
        ),
        ({}, {"state": "closed"}, "issue #254 is closed: reopen it"),
        ({"body": "Closes #2540"}, {}, "found 'Closes #2540', which close another"),
        ({"body": "Fixes owner/other-repo#254"}, {}, "which close another issue"),
        ({"body": "Nothing here"}, {}, "add the line 'Closes #254'"),
        ({"reviewers": ()}, {}, "no reviewer assigned: request a review"),
    ],
)
def test_each_broken_rule_fails_with_its_own_message(
    setup: tuple[Repo, Actions, str, str],
    capsys: pytest.CaptureFixture[str],
    changes: dict[str, object],
    issue: dict[str, str],
    message: str,
) -> None:
    _, actions, base, head = setup
    if issue:
        actions.fake.add_issue(REPO, ISSUE, **issue)
    seed_pull(actions.fake, base, head, **changes)
    outcome = run_pr(setup, capsys)
    assert outcome.code == 1, outcome.out
    (failure,) = [
        line for line in outcome.out.splitlines() if line.startswith("  FAIL")
    ]
    assert message in failure
    status = pr_status(actions.fake, head)
    assert status["state"] == "failure"
    assert len(str(status["description"])) <= 140
    assert message.split(":")[0][:40] in gfm.shown(actions.summary.read_text())


def test_branch_named_after_a_pull_request(
    setup: tuple[Repo, Actions, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    _, actions, base, head = setup
    actions.fake.add_pull(
        REPO, 254, head_ref="x", head_sha=head, base_sha=base, title="Other PR"
    )
    seed_pull(actions.fake, base, head)
    outcome = run_pr(setup, capsys)
    assert outcome.code == 1
    assert "#254 is a pull request, not an issue" in outcome.out


def test_reviewer_rule_can_be_turned_off(
    setup: tuple[Repo, Actions, str, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, actions, base, head = setup
    seed_pull(actions.fake, base, head, reviewers=())
    monkeypatch.setenv("MVP_PROCESS_REQUIRE_REVIEWER", "false")
    outcome = run_pr(setup, capsys)
    assert outcome.code == 0, outcome.out
    assert not actions.fake.requests("GET", "requested_reviewers")


def test_a_pull_request_cannot_turn_the_reviewer_rule_off(
    setup: tuple[Repo, Actions, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    repo, actions, base, _ = setup
    turned_off = "[tool.mvp-process]\nrequire-reviewer = false\n"
    head = repo.commit("No reviewer needed", {"pyproject.toml": turned_off})
    seed_pull(actions.fake, base, head, reviewers=())
    outcome = run_pr(setup, capsys)
    assert outcome.code == 1, outcome.out
    assert "FAIL reviewer" in outcome.out
    said = (
        "this pull request changes require-reviewer true → false in "
        "[tool.mvp-process]; it applies after merge"
    )
    assert said in outcome.out
    assert said in gfm.shown(actions.summary.read_text())
    assert pr_status(actions.fake, head)["state"] == "failure"


def test_read_only_token_warns_once_and_policy_decides(
    setup: tuple[Repo, Actions, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    _, actions, base, head = setup
    actions.fake.add_token(
        "ghs_forkReadOnlyToken", "github-actions[bot]", read_only=True
    )
    seed_pull(actions.fake, base, head)
    outcome = run_pr(setup, capsys, token="ghs_forkReadOnlyToken")
    assert outcome.code == 0, outcome.out + outcome.err
    assert outcome.out.count("::warning") == 1
    assert "not published" in actions.summary.read_text()
    assert actions.fake.statuses(REPO, head) == []


def test_bad_token_is_exit_2_with_a_clear_message(
    setup: tuple[Repo, Actions, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    _, actions, base, head = setup
    seed_pull(actions.fake, base, head)
    outcome = run_pr(setup, capsys, token="ghp_expiredTokenValue42")
    assert outcome.code == 2
    assert "GitHub rejected the token" in outcome.err
    assert "invalid or expired" in outcome.err
    assert "Traceback" not in outcome.err
    assert "ghp_expiredTokenValue42" not in actions.everything_written(outcome)


def test_missing_token_in_actions_is_exit_2(
    setup: tuple[Repo, Actions, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    outcome = run_pr(setup, capsys, token=None)
    assert outcome.code == 2
    assert "GITHUB_TOKEN is not set" in outcome.err
    assert "github.token" in outcome.err


def test_rate_limits_are_waited_out(
    setup: tuple[Repo, Actions, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    _, actions, base, head = setup
    seed_pull(actions.fake, base, head)
    actions.fake.fail("too-many", retry_after=0, path="/pulls/300$")
    actions.fake.fail("rate-limit", reset_in=-1, path="/issues/254$")
    actions.fake.fail("server-error", status=502, method="POST")
    outcome = run_pr(setup, capsys)
    assert outcome.code == 0, outcome.out + outcome.err
    assert pr_status(actions.fake, head)["state"] == "success"


def test_gateway_errors_that_persist_are_exit_2(
    setup: tuple[Repo, Actions, str, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, actions, base, head = setup
    seed_pull(actions.fake, base, head)
    monkeypatch.setattr("mvp_process.github.connect.BACKOFF", 0.01)
    actions.fake.fail("server-error", status=503, times=10, method="POST")
    outcome = run_pr(setup, capsys)
    assert outcome.code == 2
    assert "GitHub failed while setting status mvp-process/pr" in outcome.err
    assert "## ✅ mvp-process pr passed" in actions.summary.read_text()


def test_not_a_pull_request_event_has_nothing_to_check(
    setup: tuple[Repo, Actions, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    repo, actions, base, head = setup
    actions.start("push", payload("push", after=head), sha=head)
    outcome = actions.run(repo.path, ["pr"], capsys)
    assert outcome.code == 0
    assert "nothing to check: the push event is not a pull request" in outcome.out
    assert actions.fake.log == []


def test_malformed_event_payload_is_exit_2(
    setup: tuple[Repo, Actions, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    repo, actions, base, head = setup
    actions.start("pull_request", {}, sha=head)
    (actions.root / "event.json").write_text("{not json")
    outcome = actions.run(repo.path, ["pr"], capsys)
    assert outcome.code == 2
    assert "is not valid JSON" in outcome.err


# -- locally ---------------------------------------------------------------
def local(
    repo: Repo,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *args: str,
) -> Outcome:
    return run_cli(repo.path, ["pr", *args], monkeypatch, capsys)


def test_offline_checks_branch_and_description_without_any_api(
    setup: tuple[Repo, Actions, str, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo = setup[0]
    outcome = local(repo, monkeypatch, capsys, "--offline", "--body", BODY)
    assert outcome.code == 0, outcome.out
    assert f"branch {BRANCH!r} names #254" in outcome.out
    assert "SKIP issue" in outcome.out and "not checked offline" in outcome.out
    outcome = local(repo, monkeypatch, capsys, "--offline", "--branch", "main")
    assert outcome.code == 1
    assert "FAIL branch-name" in outcome.out
    # check's words, in check's colours, when asked.
    coloured = local(repo, monkeypatch, capsys, "--offline", "--color", "always")
    assert "mvp-process pr: \033[31;1mFAILED\033[0m" in coloured.out
    assert "  \033[33;1mSKIP\033[0m reviewer" in coloured.out


def test_offline_reads_the_body_file_and_this_repository(
    setup: tuple[Repo, Actions, str, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    repo = setup[0]
    repo.git("remote", "set-url", "origin", f"git@github.com:{REPO}.git")
    body = tmp_path / "body.md"
    body.write_text(f"Closes {REPO.upper()}#254\n", encoding="utf-8")
    outcome = local(repo, monkeypatch, capsys, "--offline", "--body-file", str(body))
    assert outcome.code == 0, outcome.out
    outcome = local(repo, monkeypatch, capsys, "--offline", "--body-file", "nope.md")
    assert outcome.code == 2
    assert "--body-file nope.md" in outcome.err


def test_offline_on_a_detached_head_needs_a_branch(
    setup: tuple[Repo, Actions, str, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo = setup[0]
    repo.git("switch", "-q", "--detach")
    outcome = local(repo, monkeypatch, capsys, "--offline", "--body", BODY)
    assert outcome.code == 2
    assert "pass --branch NAME" in outcome.err


def test_without_actions_pr_needs_offline(
    setup: tuple[Repo, Actions, str, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    outcome = local(setup[0], monkeypatch, capsys, "--body", BODY)
    assert outcome.code == 2
    assert "--offline" in outcome.err


def test_body_and_body_file_exclude_each_other(
    setup: tuple[Repo, Actions, str, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    outcome = local(setup[0], monkeypatch, capsys, "--body", "x", "--body-file", "y")
    assert outcome.code == 2
    assert "not allowed with argument" in outcome.err
