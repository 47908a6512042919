"""A monorepo's sub-projects checked one by one, as the action's
`working-directory` runs them: each with its own pyproject.toml, tools and
tests, its own statuses (`mvp-process/<project>/<gate>`), baseline and sticky
comment, and neither sees the other's files; a single-project repository run
from a subfolder behaves as from its top."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from support.actions import REPO, TOKEN, Actions, payload
from support.cli import Outcome
from support.fake_github import FakeGitHub
from support.monorepo import API_CHANGE, WEB_CHANGE, monorepo
from support.project import feature_branch, sample_project
from support.repo import Repo
from support import gfm

PR = 300
BRANCH = "254-monorepo-change"
GATES = ("flake8", "black", "tests", "coverage", "diff-coverage")
API_MARKER = "<!-- mvp-process:check:api -->"
WEB_MARKER = "<!-- mvp-process:check:web -->"


@pytest.fixture
def actions(
    fake_github: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Actions:
    fake_github.add_repo(REPO)
    fake_github.add_token(TOKEN, "github-actions[bot]")
    return Actions(tmp_path / "step", fake_github, monkeypatch)


def push_main(actions: Actions, sha: str) -> None:
    event = payload("push", after=sha, ref="refs/heads/main", default_branch="main")
    actions.fake.add_commits(REPO, sha)
    actions.start("push", event, sha=sha, ref_name="main")


def open_pr(repo: Repo, actions: Actions, base: str, files: dict[str, str]) -> str:
    """Commit `files` on a branch, push it, check out the merge as Actions does."""
    head = feature_branch(repo, files, BRANCH)
    repo.push(BRANCH)
    repo.git("switch", "-q", "--detach", "origin/main")
    repo.git("merge", "-q", "--no-ff", "-m", f"Merge {head}", head)
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
        sha=repo.sha(),
        ref_name=f"{PR}/merge",
        base_ref="main",
        head_ref=BRANCH,
    )
    return head


def check_in(
    actions: Actions,
    folder: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    project: str = "",
    args: tuple[str, ...] = (),
) -> Outcome:
    """`check` with `folder` as the working directory (`project`: the action's
    input, MVP_PROCESS_PROJECT)."""
    monkeypatch.setenv("MVP_PROCESS_PROJECT", project)
    return actions.run(folder, ["check", *args], capsys)


def states(fake: FakeGitHub, sha: str) -> dict[str, tuple[str, str]]:
    return {
        s["context"]: (s["state"], s["description"]) for s in fake.statuses(REPO, sha)
    }


def figure(fake: FakeGitHub, sha: str, context: str) -> float:
    return float(states(fake, sha)[context][1].split("%")[0])


def test_two_sub_projects_publish_apart_and_see_only_their_own_files(
    repo: Repo,
    actions: Actions,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base = monorepo(repo)
    api, web = repo.path / "api", repo.path / "web"
    push_main(actions, base)
    recorded_api = check_in(actions, api, capsys, monkeypatch)  # `project` in api's
    assert recorded_api.code == 0, recorded_api.out + recorded_api.err
    recorded_web = check_in(actions, web, capsys, monkeypatch, "web")  # the input's
    assert recorded_web.code == 0, recorded_web.out + recorded_web.err
    on_main = states(actions.fake, base)
    assert set(on_main) == {
        f"mvp-process/{p}/{g}" for p in ("api", "web") for g in GATES
    }
    api_figure = figure(actions.fake, base, "mvp-process/api/coverage")
    web_figure = figure(actions.fake, base, "mvp-process/web/coverage")
    assert api_figure == 100.0 and web_figure < 100.0

    head = open_pr(repo, actions, base, {**API_CHANGE, **WEB_CHANGE})
    first = check_in(actions, api, capsys, monkeypatch)
    assert first.code == 0, first.out + first.err
    assert_api_saw_only_the_api(first, base)
    second = check_in(actions, web, capsys, monkeypatch, "web")
    assert second.code == 1, second.out + second.err
    assert_web_saw_only_the_web(second, base, web_figure)

    published = states(actions.fake, head)
    assert {k: v[0] for k, v in published.items()} == {
        **{f"mvp-process/api/{g}": "success" for g in GATES},
        **{f"mvp-process/web/{g}": "success" for g in ("black", "tests")},
        **{f"mvp-process/web/{g}": "failure" for g in ("flake8", "diff-coverage")},
        "mvp-process/web/coverage": "failure",  # the untested function
    }
    comments = actions.fake.comments(REPO, PR)
    assert [c.body.splitlines()[:2] for c in comments] == [
        [API_MARKER, "## ✅ mvp-process check passed: `api`"],
        [WEB_MARKER, "## ❌ mvp-process check failed: `web`"],
    ]
    assert "`api/` at HEAD" in comments[0].body
    assert "web/site_pkg/__init__.py:3:1: F401" in gfm.shown(comments[1].body)

    rerun = check_in(actions, api, capsys, monkeypatch)
    assert rerun.code == 0
    again = actions.fake.comments(REPO, PR)
    assert [c.id for c in again] == [c.id for c in comments]
    assert again[1].body == comments[1].body  # the web's comment is left alone
    (edit,) = actions.fake.requests("PATCH", "/issues/comments/")
    assert edit.path.endswith(f"/{comments[0].id}")


def assert_api_saw_only_the_api(outcome: Outcome, base: str) -> None:
    assert outcome.report is not None
    assert (outcome.report["project"], outcome.report["folder"]) == ("api", "api")
    assert outcome.report["checked"].startswith("api/ at HEAD ")
    assert outcome.gate("flake8")["summary"] == "no findings"  # not scripts/, web/
    assert outcome.gate("black")["summary"] == "no changes needed"
    diff = outcome.gate("diff-coverage")
    assert (diff["executable_lines"], diff["percent"]) == (2, 100.0)  # api's 2 lines
    assert diff["excluded"] == ["api/tests/test_mul.py"]
    coverage = outcome.gate("coverage")
    assert coverage["before"] == 100.0
    assert coverage["baseline"] == {"sha": base, "source": "status", "note": ""}
    assert "::error" not in outcome.out and "::warning file=" not in outcome.out


def assert_web_saw_only_the_web(outcome: Outcome, base: str, before: float) -> None:
    flake8 = outcome.gate("flake8")
    # web/legacy.py's finding is outside the changed lines; scripts/ is not web's
    assert flake8["summary"] == "1 finding in 1 file on changed lines; 1 outside them"
    assert [(f["path"], f["line"]) for f in flake8["findings"]] == [
        ("web/site_pkg/__init__.py", 3)
    ]
    assert outcome.gate("black")["passed"]  # web's line-length = 100 applies
    diff = outcome.gate("diff-coverage")
    assert diff["uncovered"] == {"web/site_pkg/__init__.py": "15"}
    assert diff["executable_lines"] == 3  # the web's lines, none of the api's
    coverage: dict[str, Any] = outcome.gate("coverage")
    assert coverage["before"] == before
    assert coverage["baseline"] == {"sha": base, "source": "status", "note": ""}
    assert (
        "::error file=web/site_pkg/__init__.py,line=3,col=1,"
        "title=mvp-process flake8::F401" in outcome.out
    )
    assert "::warning file=web/site_pkg/__init__.py,line=15," in outcome.out


def test_from_the_top_the_whole_repository_is_the_project(
    repo: Repo,
    actions: Actions,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No pyproject.toml at the top: the top is the project, every file in it,
    under the plain contexts (what the sub-projects above did not see)."""
    base = monorepo(repo)
    head = open_pr(repo, actions, base, WEB_CHANGE)
    outcome = check_in(actions, repo.path, capsys, monkeypatch, args=("--only=flake8",))
    assert outcome.code == 1
    found = {(f["path"], f["line"]) for f in outcome.gate("flake8")["findings"]}
    assert ("scripts/release.py", 1) in found and ("web/legacy.py", 1) in found
    assert set(states(actions.fake, head)) == {"mvp-process/flake8"}


def test_a_subfolder_of_a_single_project_checks_the_whole_project(
    repo: Repo,
    actions: Actions,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base = sample_project(repo)
    lint = {"calc/extra.py": "import os\n", "lint.py": "import sys\n"}
    head = open_pr(repo, actions, base, lint)
    top = actions.run(repo.path, ["check", "--baseline=recompute"], capsys)
    inside = actions.run(repo.path / "calc", ["check", "--baseline=recompute"], capsys)
    assert top.report is not None and inside.report is not None
    assert inside.code == top.code == 1
    assert (inside.report["folder"], inside.report["project"]) == ("", None)
    assert inside.report["checked"] == top.report["checked"]
    for name in GATES:
        ours, theirs = inside.gate(name), top.gate(name)
        assert (ours["passed"], ours["summary"], ours["findings"]) == (
            theirs["passed"],
            theirs["summary"],
            theirs["findings"],
        ), name
    paths = [f["path"] for f in inside.gate("flake8")["findings"]]
    assert paths == ["calc/extra.py", "lint.py"]
    assert set(states(actions.fake, head)) == {f"mvp-process/{g}" for g in GATES}
    (comment,) = actions.fake.comments(REPO, PR)
    assert comment.body.startswith("<!-- mvp-process:check -->\n")


@pytest.mark.parametrize(
    "name", ["my api", "api/", "/api", "a//b", "x-->", "-api", "a" * 65]
)
def test_a_project_name_that_would_break_a_context_is_refused(
    repo: Repo,
    actions: Actions,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    name: str,
) -> None:
    base = monorepo(repo)
    head = open_pr(repo, actions, base, API_CHANGE)
    outcome = check_in(actions, repo.path / "api", capsys, monkeypatch, name)
    assert outcome.code == 2
    assert "'project' must be letters, digits" in outcome.err
    assert "Traceback" not in outcome.err
    assert actions.fake.statuses(REPO, head) == []


def test_a_pull_request_cannot_rename_its_sub_project(
    repo: Repo,
    actions: Actions,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`project` is policy: a pull request writing `project = "web"` into the
    api's pyproject.toml would publish the api's results over the web's."""
    base = monorepo(repo)
    api = (repo.path / "api" / "pyproject.toml").read_text()
    renamed = {"api/pyproject.toml": api.replace('"api"', '"web"')}
    head = open_pr(repo, actions, base, {**API_CHANGE, **renamed})
    outcome = check_in(actions, repo.path / "api", capsys, monkeypatch)
    assert outcome.code == 0, outcome.out + outcome.err
    assert set(states(actions.fake, head)) == {f"mvp-process/api/{g}" for g in GATES}
    assert outcome.report is not None
    assert outcome.report["notes"][0] == (
        'this pull request changes project "api" → "web" in [tool.mvp-process]; '
        "it applies after merge"
    )


def test_pr_is_one_verdict_per_pull_request_under_its_plain_context(
    repo: Repo,
    actions: Actions,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The rules of `pr` (branch, issue, reviewer) are the pull request's, not a
    folder's: with a `project` its status is still `mvp-process/pr`. Its keys
    come from the pyproject.toml of the folder it runs in, as check's do."""
    monorepo(repo)
    api = (repo.path / "api" / "pyproject.toml").read_text()
    relaxed = {"api/pyproject.toml": api + "require-reviewer = false\n"}
    base = repo.commit("The api needs no reviewer", relaxed)
    repo.push("main")
    head = open_pr(repo, actions, base, API_CHANGE)
    actions.fake.add_issue(REPO, 254, title="Change both")
    monkeypatch.setenv("MVP_PROCESS_PROJECT", "api")
    in_api = actions.run(repo.path / "api", ["pr"], capsys)
    assert in_api.code == 0, in_api.out + in_api.err
    assert [s["context"] for s in actions.fake.statuses(REPO, head)] == [
        "mvp-process/pr"
    ]
    at_top = actions.run(repo.path, ["pr"], capsys)
    assert at_top.code == 1  # the top's defaults require a reviewer
    assert "no reviewer assigned" in at_top.out
    contexts = {s["context"] for s in actions.fake.statuses(REPO, head)}
    assert contexts == {"mvp-process/pr"}


def test_a_sub_project_without_a_name_says_whose_names_it_used(
    repo: Repo,
    actions: Actions,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base = monorepo(repo)
    head = open_pr(repo, actions, base, WEB_CHANGE)
    outcome = check_in(
        actions, repo.path / "web", capsys, monkeypatch, "", ("--only=black",)
    )
    assert outcome.code == 0, outcome.out + outcome.err
    assert set(states(actions.fake, head)) == {"mvp-process/black"}
    (comment,) = actions.fake.comments(REPO, PR)
    assert comment.body.startswith("<!-- mvp-process:check -->\n")
    assert (
        "the sub-project web/ published under the repository's names "
        "(mvp-process/<gate>, one comment)" in gfm.shown(actions.summary.read_text())
    )
