"""A pull request from a fork, end to end: the real `check` with a read-only
token publishes nothing and leaves its report; `publish`, run as the
`workflow_run` workflow runs it (no checkout, a token that may write),
validates that artifact and posts the statuses and the sticky comment.
A forged artifact is rejected (exit 2) and nothing is published."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from support import gfm
from support.action import check_out_merge
from support.actions import REPO, TOKEN, Actions, payload
from support.cli import Outcome, run_cli
from support.fake_github import FakeGitHub
from support.fork import (
    BASE,
    HEAD,
    RUN_ID,
    sample_report,
    workflow_run_event,
    write_artifact,
)
from support.project import UNTESTED_FEATURE, feature_branch, sample_project
from support.repo import Repo

pytestmark = pytest.mark.slow

PR = 300
BRANCH = "254-add-div"
FORK_TOKEN = "ghs_forkReadOnly0000"
MARKER = "<!-- mvp-process:check -->"
GATES = ("flake8", "black", "tests", "coverage", "diff-coverage")
RUN_URL = f"https://github.example/{REPO}/actions/runs/{RUN_ID}"


@pytest.fixture
def actions(
    fake_github: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Actions:
    fake_github.add_repo(REPO)
    fake_github.add_token(TOKEN, "github-actions[bot]")
    fake_github.add_token(FORK_TOKEN, "github-actions[bot]", read_only=True)
    return Actions(tmp_path / "step", fake_github, monkeypatch)


def fork_pull_request(repo: Repo, actions: Actions) -> tuple[str, str, str]:
    """The fork's branch as a pull request, checked out as Actions does for a
    `pull_request` run from a fork: (base, head, merge)."""
    base = sample_project(repo)
    feature_branch(repo, UNTESTED_FEATURE, BRANCH)
    repo.push(BRANCH)
    head, merge = check_out_merge(repo, BRANCH)
    actions.fake.add_pull(
        REPO, PR, head_ref=BRANCH, head_sha=head, base_sha=base, body="Closes #254"
    )
    actions.fake.add_merge(REPO, merge, base, head)
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
        token=FORK_TOKEN,
        ref_name=f"{PR}/merge",
        base_ref="main",
        head_ref=BRANCH,
    )
    return base, head, merge


def check_in_the_fork(
    repo: Repo, actions: Actions, capsys: pytest.CaptureFixture[str]
) -> dict[str, Any]:
    """The first workflow's `check`; returns the report it uploads."""
    outcome = actions.run(repo.path, ["check"], capsys)
    assert outcome.code == 1, outcome.out + outcome.err  # diff-coverage fails
    assert outcome.out.count("Resource not accessible by integration") == 1
    assert outcome.report is not None
    return outcome.report


def publish(
    actions: Actions,
    folder: Path,
    head: str,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    event: str = "pull_request",
) -> Outcome:
    """The second workflow's step: no checkout, the workflow's own token."""
    actions.start(
        "workflow_run",
        workflow_run_event(head, event=event),
        sha="f" * 40,
        token=TOKEN,
    )
    empty = tmp_path / "workspace"  # no repository here
    empty.mkdir(exist_ok=True)
    return run_cli(
        empty, ["publish", "--artifact", str(folder)], actions.monkeypatch, capsys
    )


def published(fake: FakeGitHub, sha: str) -> dict[str, dict[str, Any]]:
    return {s["context"]: s for s in fake.statuses(REPO, sha)}


def writes(fake: FakeGitHub) -> list[str]:
    """What the publisher's token tried to write."""
    return [
        f"{r.method} {r.path}"
        for r in fake.requests()
        if r.token == TOKEN and r.method != "GET"
    ]


def forge_a_marker_as_mallory(fake: FakeGitHub) -> None:
    fake.add_token("ghp_malloryToken", "mallory")
    body = {"body": f"{MARKER}\nall green, merge away"}
    response = requests.post(
        f"{fake.url}/repos/{REPO}/issues/{PR}/comments",
        json=body,
        headers={"Authorization": "token ghp_malloryToken"},
        timeout=5,
    )
    assert response.ok


def test_the_publisher_posts_a_fork_pull_requests_statuses_and_comment(
    repo: Repo,
    actions: Actions,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    _, head, merge = fork_pull_request(repo, actions)
    report = check_in_the_fork(repo, actions, capsys)
    assert report["head"] == merge  # the merge Actions checked out, not the head
    assert actions.fake.statuses(REPO, head) == []
    assert actions.fake.comments(REPO, PR) == []
    forge_a_marker_as_mallory(actions.fake)

    folder = write_artifact(tmp_path / "artifact", report, PR)
    outcome = publish(actions, folder, head, capsys, tmp_path)

    assert outcome.code == 0, outcome.out + outcome.err
    statuses = published(actions.fake, head)
    assert set(statuses) == {f"mvp-process/{g}" for g in GATES}
    for gate in report["gates"]:
        status = statuses[f"mvp-process/{gate['name']}"]
        assert status["state"] == ("success" if gate["passed"] else "failure")
        assert status["creator"]["login"] == "github-actions[bot]"
        assert status["target_url"] == RUN_URL
    assert statuses["mvp-process/diff-coverage"]["state"] == "failure"
    assert actions.fake.statuses(REPO, merge) == []
    mallorys, ours = actions.fake.comments(REPO, PR)
    assert mallorys.body == f"{MARKER}\nall green, merge away"  # left alone
    assert ours.author == "github-actions[bot]" and ours.body.startswith(MARKER)
    shown = gfm.shown(ours.body)
    assert "❌ mvp-process check failed" in shown
    assert "ran the fork's code and workflow file" in shown
    assert f"[workflow run]({RUN_URL})" in ours.body
    summary = gfm.shown(actions.summary.read_text())
    assert f"workflow run {RUN_ID} (pull request #{PR}" in summary
    assert f"published 5 commit statuses on {head[:12]}" in summary
    everything = actions.everything_written(outcome)
    assert TOKEN not in everything and FORK_TOKEN not in everything

    again = publish(actions, folder, head, capsys, tmp_path)
    assert again.code == 0, again.err
    assert [c.id for c in actions.fake.comments(REPO, PR)] == [mallorys.id, ours.id]
    assert len(actions.fake.requests("PATCH", "/issues/comments/")) == 1


Forgery = Callable[[dict[str, Any]], tuple[Any, Any]]


def _set(key: str, value: Any) -> Forgery:
    return lambda report: ({**report, key: value}, PR)


FORGERIES: dict[str, tuple[Forgery, str]] = {
    "another pull request's number": (
        lambda report: (report, PR + 1),
        f"names pull request #{PR + 1}, whose head is",
    ),
    "a report of another commit": (
        lambda report: ({**report, "head": report["merge_base"]}, PR),
        "another commit: neither the run's head",
    ),
    "a report of an unknown commit": (
        _set("head", "0" * 40),
        "no commit of this repository",
    ),
    "an unknown key": (_set("approved", True), "$ holds 'approved'"),
    "a wrong type": (_set("dirty", "no"), "$.dirty must be true or false"),
    "a gate that is not ours": (
        lambda report: (
            {**report, "gates": [{**report["gates"][0], "name": "security"}]},
            PR,
        ),
        "$.gates[0].name must be one of flake8, black",
    ),
    "not JSON": (lambda report: (b"<html>", PR), "report.json is not JSON"),
    "no number": (lambda report: (report, None), "it has no pr-number file"),
}


def test_forged_artifacts_are_rejected_and_nothing_is_published(
    repo: Repo,
    actions: Actions,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    _, head, _ = fork_pull_request(repo, actions)
    actions.fake.add_pull(
        REPO, PR + 1, head_ref="255-other", head_sha="b" * 40, base_sha="c" * 40
    )
    report = check_in_the_fork(repo, actions, capsys)
    for name, (forge, said) in FORGERIES.items():
        folder = tmp_path / "forged" / name.replace(" ", "-").replace("'", "")
        forged, number = forge(report)
        write_artifact(folder, forged, number)
        outcome = publish(actions, folder, head, capsys, tmp_path)
        assert outcome.code == 2, (name, outcome.out, outcome.err)
        assert "the report artifact was rejected" in outcome.err, name
        assert said in outcome.err, (name, outcome.err)
        assert outcome.err.count("mvp-process: error:") == 1
    assert actions.fake.statuses(REPO, head) == []
    assert actions.fake.comments(REPO, PR) == []
    assert writes(actions.fake) == []


def test_only_a_pull_request_runs_artifact_is_published(
    repo: Repo,
    actions: Actions,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    _, head, _ = fork_pull_request(repo, actions)
    report = check_in_the_fork(repo, actions, capsys)
    folder = write_artifact(tmp_path / "artifact", report, PR)
    outcome = publish(actions, folder, head, capsys, tmp_path, event="push")
    assert outcome.code == 2
    assert "started by 'push', not by a pull_request event" in outcome.err
    assert writes(actions.fake) == []


def test_hostile_text_in_an_artifact_stays_text(
    repo: Repo,
    actions: Actions,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    _, head, _ = fork_pull_request(repo, actions)
    report = check_in_the_fork(repo, actions, capsys)
    hostile = json.loads(json.dumps(report))
    for gate in hostile["gates"]:
        gate["summary"] = gfm.HOSTILE
        gate["details"] = [gfm.HOSTILE, *gfm.HOSTILE_LINES]
    hostile["notes"] = [gfm.HOSTILE, "::set-output name=passed::true"]
    hostile["base"] = gfm.HOSTILE[:200]
    coverage = next(g for g in hostile["gates"] if g["name"] == "coverage")
    coverage["baseline"] = {"reason": gfm.HOSTILE}
    coverage["before"] = None
    folder = write_artifact(tmp_path / "artifact", hostile, PR)

    outcome = publish(actions, folder, head, capsys, tmp_path)

    assert outcome.code == 0, outcome.err
    (comment,) = actions.fake.comments(REPO, PR)
    page = gfm.render(comment.body)
    assert page.mentions() == [] and page.references() == []
    assert page.links() == [RUN_URL]
    assert page.names <= {"h2", "h3", "p", "table", "thead", "tbody", "tr", "th"} | {
        "td",
        "code",
        "pre",
        "strong",
        "a",
        "em",
        "ul",  # the notes, as list items
        "li",
        "details",  # a long section's rest, collapsed
        "summary",
    }
    assert "<summary>11 lines</summary>" in gfm.html(comment.body)  # ours only
    assert "<b>bold</b> <img src=x onerror=alert(1)>" in gfm.shown(comment.body)
    assert "::set-output" not in outcome.out
    description = published(actions.fake, head)["mvp-process/flake8"]["description"]
    assert description.startswith("<b>bold</b>") and len(description) <= 140


def _link(folder: Path) -> None:
    (folder / "report.json").symlink_to("/etc/hostname")


def _fifo(folder: Path) -> None:
    os.mkfifo(folder / "report.json")  # opening it must not wait for a writer


def _folder(folder: Path) -> None:
    (folder / "report.json").mkdir()


def _oversized(folder: Path) -> None:
    with (folder / "report.json").open("wb") as handle:
        handle.truncate(64 * 1024 * 1024)  # sparse: read only to the cap


def _linked_number(folder: Path) -> None:
    write_artifact(folder, sample_report(), None)
    (folder / "pr-number").symlink_to("/etc/hostname")


@pytest.mark.parametrize(
    ("lay_out", "said"),
    [
        (_link, "report.json cannot be read: a symbolic link"),
        (_fifo, "report.json is not a regular file"),
        (_folder, "report.json is not a regular file"),
        (_oversized, "report.json has 8,388,609 bytes, more than 8,388,608"),
        (_linked_number, "pr-number cannot be read: a symbolic link"),
    ],
)
def test_artifact_files_are_regular_files_within_the_cap(
    actions: Actions,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    lay_out: Callable[[Path], None],
    said: str,
) -> None:
    folder = tmp_path / "artifact"
    folder.mkdir()
    lay_out(folder)
    outcome = publish(actions, folder, "a" * 40, capsys, tmp_path)
    assert outcome.code == 2
    assert f"the report artifact was rejected: {said}" in outcome.err
    assert actions.fake.requests() == []


def test_a_report_of_the_head_itself_needs_no_merge(
    actions: Actions, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A run that checked out the pull request's head (not the merge) reports it."""
    actions.fake.add_pull(REPO, PR, head_ref="7-x", head_sha=HEAD, base_sha=BASE)
    folder = write_artifact(
        tmp_path / "artifact", {**sample_report(), "head": HEAD}, PR
    )
    outcome = publish(actions, folder, HEAD, capsys, tmp_path)
    assert outcome.code == 0, outcome.err
    assert len(actions.fake.statuses(REPO, HEAD)) == 5
    assert actions.fake.requests("GET", "/commits/") == []


def test_a_sub_projects_report_publishes_under_its_name(
    actions: Actions, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A monorepo's sub-project (config `project`) has its own contexts and
    comment, as its own run would have written them."""
    actions.fake.add_pull(REPO, PR, head_ref="7-x", head_sha=HEAD, base_sha=BASE)
    report = {**sample_report(), "head": HEAD, "project": "api", "folder": "api"}
    folder = write_artifact(tmp_path / "artifact", report, PR)
    outcome = publish(actions, folder, HEAD, capsys, tmp_path)
    assert outcome.code == 0, outcome.err
    assert set(published(actions.fake, HEAD)) == {f"mvp-process/api/{g}" for g in GATES}
    (comment,) = actions.fake.comments(REPO, PR)
    assert comment.body.startswith("<!-- mvp-process:check:api -->\n")


def test_a_token_that_may_not_write_publishes_nothing(
    actions: Actions, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    actions.fake.add_pull(REPO, PR, head_ref="7-x", head_sha=HEAD, base_sha=BASE)
    folder = write_artifact(
        tmp_path / "artifact", {**sample_report(), "head": HEAD}, PR
    )
    actions.start(
        "workflow_run", workflow_run_event(HEAD), sha="f" * 40, token=FORK_TOKEN
    )
    outcome = run_cli(
        tmp_path, ["publish", "--artifact", str(folder)], actions.monkeypatch, capsys
    )
    assert outcome.code == 2
    assert outcome.out.count("Resource not accessible by integration") == 1
    assert "the token may not write: nothing was published" in outcome.err
    assert "pull-requests: write" in outcome.err
    assert actions.fake.statuses(REPO, HEAD) == []


def test_a_run_that_uploaded_no_report_publishes_nothing(
    actions: Actions, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    outcome = publish(actions, tmp_path / "not-downloaded", "a" * 40, capsys, tmp_path)
    assert outcome.code == 0, outcome.err
    assert f"::notice title=mvp-process::nothing to publish: workflow run {RUN_ID}" in (
        outcome.out
    )
    assert actions.fake.requests() == []


def test_publish_outside_a_workflow_run_says_where_it_belongs(
    actions: Actions, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = tmp_path / "artifact"
    outcome = run_cli(
        tmp_path, ["publish", "--artifact", str(folder)], actions.monkeypatch, capsys
    )
    assert outcome.code == 2
    assert "publish runs in GitHub Actions, in a workflow started by" in outcome.err
    actions.start("pull_request", {}, sha="a" * 40)
    outcome = run_cli(tmp_path, ["publish"], actions.monkeypatch, capsys)
    assert outcome.code == 2
    assert "not by 'pull_request'" in outcome.err
    shutil.rmtree(folder, ignore_errors=True)
