"""The chart's points: our identity's recorded figures on the base branch's last
commits, read with a bounded number of requests (real PyGithub, fake GitHub)."""

from __future__ import annotations

import pytest

from mvp_process.config import GitHubEnv
from mvp_process.git import Git
from mvp_process.github.api import GitHubRepo
from mvp_process.github.connect import github_repo, retry
from mvp_process.github.statuses import COMMITS, StatusBaseline, coverage_history
from mvp_process.results import Recorded
from support.fake_github import FakeGitHub
from support.repo import Repo

REPO = "octo-org/hello-world"


def connect(fake: FakeGitHub, token: str, login: str) -> GitHubRepo:
    fake.add_token(token, login)
    env = GitHubEnv(token=token, api_url=fake.url, repository=REPO)
    return github_repo(env, retries=retry(total=0))


@pytest.fixture
def api(fake_github: FakeGitHub) -> GitHubRepo:
    fake_github.add_repo(REPO)
    return connect(fake_github, "ghs_historyToken", "github-actions[bot]")


def history(repo: Repo, fake: FakeGitHub, count: int) -> list[str]:
    shas = [repo.commit(f"c{i}", {"f.txt": f"{i}\n"}) for i in range(count)]
    fake.add_commits(REPO, *shas)
    return shas


def record(api: GitHubRepo, sha: str, description: str) -> None:
    api.create_status(sha, "mvp-process/coverage", "success", description, None)


STATUSES = "/statuses/"


def test_the_figures_our_identity_recorded_oldest_first(
    repo: Repo, fake_github: FakeGitHub, api: GitHubRepo
) -> None:
    shas = history(repo, fake_github, 5)
    record(api, shas[0], "91.00% project coverage; oldest")
    record(api, shas[1], "no coverage data from the test run")  # failed build
    record(api, shas[2], "93.50% project coverage; recorded")
    mallory = connect(fake_github, "ghp_malloryToken", "mallory")
    record(mallory, shas[3], "0.00% project coverage; forged")  # not ours
    record(api, shas[4], "94.25% project coverage; the merge-base")
    head = repo.commit("the pull request", {"g.txt": "x\n"})
    found = coverage_history(api, Git(repo.path), shas[4], head)
    assert found == (
        Recorded(shas[0], 91.0),
        Recorded(shas[2], 93.5),
        Recorded(shas[4], 94.25),
    )


def test_at_most_commits_requests_and_none_twice(
    repo: Repo, fake_github: FakeGitHub, api: GitHubRepo
) -> None:
    shas = history(repo, fake_github, COMMITS + 5)
    for sha in shas:
        record(api, sha, "80.00% project coverage; x")
    merge_base = shas[-1]
    git = Git(repo.path)
    StatusBaseline(api, git).find(merge_base)  # the baseline reads the merge-base
    before = len(fake_github.requests("GET", STATUSES))
    found = coverage_history(api, git, merge_base, "f" * 40)
    assert len(found) == COMMITS and found[-1].sha == merge_base
    # One request per commit, and none for the one the baseline already read.
    assert len(fake_github.requests("GET", STATUSES)) - before == COMMITS - 1


def test_on_a_push_head_is_left_out_and_an_api_error_is_no_chart(
    repo: Repo, fake_github: FakeGitHub, api: GitHubRepo
) -> None:
    shas = history(repo, fake_github, 3)
    for sha in shas:
        record(api, sha, "70.00% project coverage; x")
    git = Git(repo.path)
    found = coverage_history(api, git, shas[2], shas[2])  # HEAD is the merge-base
    assert [r.sha for r in found] == shas[:2]
    fresh = GitHubRepo(api.repo, api.full_name, api.api_url, lambda: "someone")
    fake_github.fail("server-error", status=500, times=5)
    assert coverage_history(fresh, git, shas[2], "f" * 40) == ()


def test_a_sub_project_reads_its_own_context(
    repo: Repo, fake_github: FakeGitHub, api: GitHubRepo
) -> None:
    shas = history(repo, fake_github, 2)
    api.create_status(
        shas[0],
        "mvp-process/api/coverage",
        "success",
        "60.00% project coverage; api",
        None,
    )
    record(api, shas[1], "90.00% project coverage; the whole repository's")
    git = Git(repo.path)
    mine = coverage_history(api, git, shas[1], "f" * 40, "mvp-process/api/coverage")
    assert mine == (Recorded(shas[0], 60.0),)
