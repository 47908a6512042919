"""The coverage baseline read from commit statuses along the first-parent line."""

from __future__ import annotations

import pytest

from mvp_process.git import Git
from mvp_process.github.api import GitHubRepo
from mvp_process.github.connect import github_repo, retry
from mvp_process.config import GitHubEnv
from mvp_process.github.statuses import StatusBaseline, Unavailable
from mvp_process.check.coverage import Baseline, NoBaseline
from support.fake_github import FakeGitHub
from support.repo import Repo

REPO = "octo-org/hello-world"
TOKEN = "ghs_baselineToken"


@pytest.fixture
def api(fake_github: FakeGitHub) -> GitHubRepo:
    fake_github.add_repo(REPO)
    fake_github.add_token(TOKEN, "github-actions[bot]")
    env = GitHubEnv(token=TOKEN, api_url=fake_github.url, repository=REPO)
    return github_repo(env, retries=retry(total=0))


def history(repo: Repo, fake: FakeGitHub, count: int) -> list[str]:
    shas = [repo.commit(f"c{i}", {"f.txt": f"{i}\n"}) for i in range(count)]
    fake.add_commits(REPO, *shas)
    return shas


def record(api: GitHubRepo, sha: str, description: str) -> None:
    api.create_status(sha, "mvp-process/coverage", "success", description, None)


def test_figure_on_the_merge_base(
    repo: Repo, fake_github: FakeGitHub, api: GitHubRepo
) -> None:
    shas = history(repo, fake_github, 2)
    record(api, shas[1], "87.53% project coverage; 87.00% → 87.53%")
    api.create_status(
        shas[1], "mvp-process/tests", "success", "99.00% project coverage", None
    )
    found = StatusBaseline(api, Git(repo.path)).find(shas[1])
    assert found == Baseline(87.53, shas[1], "status", "")


def test_nearest_first_parent_ancestor_is_named(
    repo: Repo, fake_github: FakeGitHub, api: GitHubRepo
) -> None:
    shas = history(repo, fake_github, 4)
    record(api, shas[0], "50.00% project coverage; old")
    record(api, shas[1], "75.25% project coverage; newer")
    record(api, shas[2], "no coverage data from the test run")
    found = StatusBaseline(api, Git(repo.path)).find(shas[3])
    assert isinstance(found, Baseline)
    assert (found.percent, found.sha, found.source) == (75.25, shas[1], "status")
    assert found.note == (
        "the nearest first-parent ancestor with a figure, 2 commits before "
        f"the merge-base {shas[3][:12]}"
    )
    one = StatusBaseline(api, Git(repo.path)).find(shas[2])
    assert isinstance(one, Baseline) and "1 commit before" in one.note


def test_second_parents_are_not_walked(
    repo: Repo, fake_github: FakeGitHub, api: GitHubRepo
) -> None:
    base = repo.commit("base", {"f.txt": "0\n"})
    repo.switch("side", create=True)
    side = repo.commit("side", {"g.txt": "1\n"})
    repo.switch("main")
    repo.git("merge", "-q", "--no-ff", "-m", "merge side", "side")
    merge = repo.sha()
    fake_github.add_commits(REPO, base, side, merge)
    record(api, side, "99.00% project coverage; on a side branch")
    record(api, base, "60.00% project coverage; main")
    found = StatusBaseline(api, Git(repo.path)).find(merge)
    assert isinstance(found, Baseline) and found.sha == base


def test_depth_limit_and_plain_reason(
    repo: Repo, fake_github: FakeGitHub, api: GitHubRepo
) -> None:
    shas = history(repo, fake_github, 4)
    record(api, shas[0], "50.00% project coverage; too far back")
    found = StatusBaseline(api, Git(repo.path), depth=3).find(shas[3])
    assert found == NoBaseline(
        f"no mvp-process/coverage status on the merge-base {shas[3][:12]} or its "
        "2 first-parent ancestors checked (a push to the default branch records it)"
    )
    assert len(fake_github.requests("GET", "/statuses/")) == 3


def test_api_failure_gives_way_to_the_next_source(
    repo: Repo, fake_github: FakeGitHub, api: GitHubRepo
) -> None:
    shas = history(repo, fake_github, 1)
    fake_github.fail("server-error", status=500, times=5)
    found = StatusBaseline(api, Git(repo.path)).find(shas[0])
    assert isinstance(found, NoBaseline)
    assert found.reason.startswith("could not read commit statuses: GitHub failed")


def test_unavailable_says_why() -> None:
    assert Unavailable("no token").find("a" * 40) == NoBaseline("no token")


MALLORY = "ghp_malloryPersonalToken"


def forge(fake: FakeGitHub, sha: str, description: str) -> None:
    """Another user, with a personal access token, posts the coverage status."""
    fake.add_token(MALLORY, "mallory")
    env = GitHubEnv(token=MALLORY, api_url=fake.url, repository=REPO)
    record(github_repo(env, retries=retry(total=0)), sha, description)


def test_a_forged_status_on_the_merge_base_is_ignored_and_said(
    repo: Repo, fake_github: FakeGitHub, api: GitHubRepo
) -> None:
    shas = history(repo, fake_github, 1)
    record(api, shas[0], "87.53% project coverage; recorded by the push build")
    forge(fake_github, shas[0], "0.00% project coverage; forged")
    found = StatusBaseline(api, Git(repo.path)).find(shas[0])
    assert isinstance(found, Baseline)
    assert (found.percent, found.sha) == (87.53, shas[0])
    assert found.note == (
        "ignored 1 mvp-process/coverage status not written by "
        f"github-actions[bot] (mallory on {shas[0][:12]})"
    )


def test_only_forged_statuses_give_no_baseline(
    repo: Repo, fake_github: FakeGitHub, api: GitHubRepo
) -> None:
    shas = history(repo, fake_github, 2)
    forge(fake_github, shas[1], "0.00% project coverage; forged")
    forge(fake_github, shas[0], "1.00% project coverage; forged too")
    found = StatusBaseline(api, Git(repo.path)).find(shas[1])
    assert isinstance(found, NoBaseline)
    assert found.reason.endswith(
        "; ignored 2 mvp-process/coverage statuses not written by "
        f"github-actions[bot] (mallory on {shas[1][:12]}, mallory on "
        f"{shas[0][:12]})"
    )


def test_with_a_personal_access_token_its_user_is_the_writer(
    repo: Repo, fake_github: FakeGitHub
) -> None:
    fake_github.add_repo(REPO)
    fake_github.add_token("ghp_ciUserToken", "ci-user")
    env = GitHubEnv(token="ghp_ciUserToken", api_url=fake_github.url, repository=REPO)
    ours = github_repo(env, retries=retry(total=0))
    shas = history(repo, fake_github, 1)
    record(ours, shas[0], "70.00% project coverage; by ci-user")
    forge(fake_github, shas[0], "0.00% project coverage; forged")
    found = StatusBaseline(ours, Git(repo.path)).find(shas[0])
    assert isinstance(found, Baseline) and found.percent == 70.0
    assert ours.identity() == "ci-user"
    assert len(fake_github.requests("GET", "^/user$")) == 1  # asked once
