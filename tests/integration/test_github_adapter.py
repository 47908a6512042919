"""The GitHub adapter, through the real PyGithub, against the fake GitHub."""

from __future__ import annotations

import pytest

from mvp_process.github.api import CommitStatus, GitHubRepo
from mvp_process.github.connect import github_repo, retry
from mvp_process.config import GitHubEnv
from mvp_process.errors import ApiError, ConfigError, ReadOnlyToken
from support.fake_github import FakeGitHub

REPO = "octo-org/hello-world"
TOKEN = "ghs_adapterTestToken0123456789"
HEAD = "a" * 40
BASE = "b" * 40


@pytest.fixture
def gh(fake_github: FakeGitHub) -> FakeGitHub:
    fake_github.add_repo(REPO)
    fake_github.add_token(TOKEN, "github-actions[bot]")
    return fake_github


def adapter(
    fake: FakeGitHub, token: str = TOKEN, timeout: int = 5, total: int = 3
) -> GitHubRepo:
    env = GitHubEnv(token=token, api_url=fake.url, repository=REPO)
    return github_repo(env, timeout=timeout, retries=retry(total=total, backoff=0.05))


def test_pull_request_is_read_fresh(gh: FakeGitHub) -> None:
    gh.add_pull(REPO, 7, head_ref="7-x", head_sha=HEAD, base_sha=BASE, body=None)
    pr = adapter(gh).pull(7)
    assert (pr.number, pr.head_ref, pr.head_sha, pr.base_ref) == (
        7,
        "7-x",
        HEAD,
        "main",
    )
    assert pr.body == "" and pr.author == "octocat" and pr.state == "open"
    assert [r.path for r in gh.log] == [f"/repos/{REPO}/pulls/7"]


def test_missing_pull_request_is_an_api_error(gh: FakeGitHub) -> None:
    with pytest.raises(ApiError, match="pull request #9 not found in octo-org"):
        adapter(gh).pull(9)


def test_the_parents_of_a_commit(gh: FakeGitHub) -> None:
    merge = "c" * 40
    gh.add_merge(REPO, merge, BASE, HEAD)
    api = adapter(gh)
    assert api.parents(merge) == (BASE, HEAD)
    assert api.parents(HEAD) == ()  # known, without parents recorded
    assert api.parents("d" * 40) is None  # GitHub's 422: no such commit
    assert [r.path for r in gh.log] == [
        f"/repos/{REPO}/commits/{s}" for s in (merge, HEAD, "d" * 40)
    ]
    gh.fail("server-error", status=500, times=10, path="/commits/")
    with pytest.raises(
        ApiError, match=f"GitHub failed while reading commit {merge[:12]}"
    ):
        adapter(gh, total=0).parents(merge)


def test_issue_states(gh: FakeGitHub) -> None:
    gh.add_issue(REPO, 1)
    gh.add_issue(REPO, 2, state="closed")
    gh.add_issue(REPO, 3, deleted=True)
    gh.add_pull(REPO, 4, head_ref="4-x", head_sha=HEAD, base_sha=BASE)
    api = adapter(gh)
    assert [api.issue_state(n) for n in (1, 2, 3, 4, 5)] == [
        "open",
        "closed",
        "missing",
        "pull-request",
        "missing",
    ]


def test_commit_messages_follow_pagination(gh: FakeGitHub) -> None:
    commits = [(f"{i:040x}", f"commit {i}") for i in range(1, 36)]
    gh.add_pull(REPO, 5, head_ref="5-x", head_sha=HEAD, base_sha=BASE, commits=commits)
    messages = adapter(gh).commit_messages(5)
    assert messages == [m for _, m in commits]
    assert len(gh.requests("GET", "/pulls/5/commits")) == 2


def test_reviewers_exclude_the_author_and_pending(gh: FakeGitHub) -> None:
    gh.add_pull(
        REPO,
        6,
        head_ref="6-x",
        head_sha=HEAD,
        base_sha=BASE,
        author="dev",
        reviewers=("alice",),
        teams=("backend",),
        reviews=(("dev", "COMMENTED"), ("bob", "APPROVED"), ("carol", "PENDING")),
    )
    found = adapter(gh).reviewers(6, "dev")
    assert found.requested_users == ("alice",)
    assert found.requested_teams == ("backend",)
    assert found.reviewed_by == ("bob",)


def test_statuses_round_trip_newest_first_with_their_writer(gh: FakeGitHub) -> None:
    gh.add_commits(REPO, HEAD)
    api = adapter(gh)
    assert api.statuses(HEAD) == []
    api.create_status(HEAD, "mvp-process/tests", "failure", "1 failed", "https://run")
    api.create_status(HEAD, "mvp-process/tests", "success", "2 passed", None)
    api.create_status(HEAD, "mvp-process/black", "success", "clean", None)
    bot = "github-actions[bot]"
    assert api.statuses(HEAD) == [
        CommitStatus("mvp-process/black", "success", "clean", bot),
        CommitStatus("mvp-process/tests", "success", "2 passed", bot),
        CommitStatus("mvp-process/tests", "failure", "1 failed", bot),
    ]
    assert api.statuses("c" * 40) == []


def test_identity_of_an_installation_token_is_the_actions_bot(gh: FakeGitHub) -> None:
    api = adapter(gh)  # a `ghs_` token: known without asking
    assert api.identity() == "github-actions[bot]"
    assert gh.requests("GET", "^/user$") == []
    gh.add_token("v1.0123456789abcdef", "github-actions[bot]")  # an older format
    older = adapter(gh, token="v1.0123456789abcdef")
    assert older.identity() == "github-actions[bot]" == older.identity()
    assert [(r.path, r.status) for r in gh.requests("GET", "^/user$")] == [
        ("/user", 403)
    ]


def test_identity_of_a_personal_access_token_is_its_user(gh: FakeGitHub) -> None:
    gh.add_token("ghp_ciUserToken", "ci-user")
    assert adapter(gh, token="ghp_ciUserToken").identity() == "ci-user"
    gh.fail("unauthorized", path="^/user$")
    with pytest.raises(ApiError, match="GitHub rejected the token while reading"):
        adapter(gh, token="ghp_ciUserToken").identity()


def test_sticky_comment_is_found_again_and_edited(gh: FakeGitHub) -> None:
    gh.add_pull(REPO, 8, head_ref="8-x", head_sha=HEAD, base_sha=BASE)
    api = adapter(gh)
    for i in range(31):  # the marker's comment lands on page 2
        api.upsert_comment(8, f"<!-- other {i} -->", f"<!-- other {i} --> hi")
    assert api.upsert_comment(8, "<!-- m -->", "<!-- m --> one") == "created"
    assert api.upsert_comment(8, "<!-- m -->", "<!-- m --> two") == "updated"
    bodies = [c.body for c in gh.comments(REPO, 8)]
    assert bodies.count("<!-- m --> two") == 1 and len(bodies) == 32


def test_default_branch(gh: FakeGitHub) -> None:
    assert adapter(gh).default_branch() == "main"


def test_unknown_repository(gh: FakeGitHub) -> None:
    env = GitHubEnv(token=TOKEN, api_url=gh.url, repository="octo-org/nope")
    with pytest.raises(ApiError, match="repository octo-org/nope not found"):
        github_repo(env).default_branch()


def test_bad_token_is_401_with_a_clear_hint(gh: FakeGitHub) -> None:
    with pytest.raises(ApiError) as info:
        adapter(gh, token="ghp_wrong").default_branch()
    assert "rejected the token" in str(info.value)
    assert "invalid or expired" in str(info.value)
    assert not isinstance(info.value, ReadOnlyToken)


def test_read_only_token_is_its_own_signal(gh: FakeGitHub) -> None:
    gh.add_token("ghs_readonly", "github-actions[bot]", read_only=True)
    gh.add_commits(REPO, HEAD)
    api = adapter(gh, token="ghs_readonly")
    assert api.statuses(HEAD) == []
    with pytest.raises(ReadOnlyToken, match="may not write"):
        api.create_status(HEAD, "mvp-process/tests", "success", "ok", None)


def test_other_403_says_which_permission(gh: FakeGitHub) -> None:
    gh.add_commits(REPO, HEAD)
    gh.fail("forbidden", method="POST")
    with pytest.raises(ApiError, match="refused") as info:
        adapter(gh).create_status(HEAD, "c", "success", "ok", None)
    assert "permissions" in info.value.hint


@pytest.mark.parametrize(
    ("kind", "options"),
    [
        ("server-error", {"status": 502}),
        ("server-error", {"status": 503}),
        ("too-many", {"retry_after": 0}),
        ("rate-limit", {"reset_in": -2}),
        ("secondary", {"retry_after": 0}),
        ("slow", {"seconds": 1.5}),
    ],
)
def test_transient_faults_are_retried(
    gh: FakeGitHub, kind: str, options: dict[str, float]
) -> None:
    times = 1 if kind == "slow" else 2  # each slow answer costs the 1 s timeout
    gh.fail(kind, times=times, path="/repos/", **options)
    assert adapter(gh, timeout=1).default_branch() == "main"
    assert len(gh.requests("GET", f"/repos/{REPO}$")) >= 1


@pytest.mark.parametrize(
    ("kind", "options", "words"),
    [
        ("server-error", {"status": 500}, "GitHub failed while reading repository"),
        ("too-many", {"retry_after": 0}, "rate limit"),
        ("rate-limit", {"reset_in": 3600}, "the limit resets at"),
        ("slow", {"seconds": 1.5}, "could not reach GitHub"),
    ],
)
def test_persistent_faults_end_in_a_clear_error(
    gh: FakeGitHub, kind: str, options: dict[str, float], words: str
) -> None:
    gh.fail(kind, times=10, **options)
    with pytest.raises(ApiError, match=words):
        adapter(gh, timeout=1, total=0).default_branch()


def test_missing_token_or_repository_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="GITHUB_TOKEN is not set"):
        github_repo(GitHubEnv(repository=REPO))
    with pytest.raises(ConfigError, match="owner/name"):
        github_repo(GitHubEnv(token=TOKEN, repository="just-a-name"))


def test_unreachable_api(gh: FakeGitHub) -> None:
    env = GitHubEnv(token=TOKEN, api_url="http://127.0.0.1:9", repository=REPO)
    with pytest.raises(ApiError, match="could not reach GitHub at http://127.0.0.1:9"):
        github_repo(env, retries=retry(total=0)).default_branch()


def test_token_never_in_errors(gh: FakeGitHub) -> None:
    gh.fail("server-error", times=10)
    with pytest.raises(ApiError) as info:
        adapter(gh, total=0).default_branch()
    assert TOKEN not in str(info.value) and TOKEN not in repr(info.value)


def test_html_error_pages_are_reported_too(gh: FakeGitHub) -> None:
    gh.fail("unicorn", times=10)
    with pytest.raises(ApiError, match="GitHub failed while reading repository"):
        adapter(gh, total=0).default_branch()


def test_other_errors_name_githubs_answer(gh: FakeGitHub) -> None:
    with pytest.raises(ApiError, match="GitHub answered 422 No commit found for SHA"):
        adapter(gh).create_status("e" * 40, "c", "success", "ok", None)
    gh.add_issue(REPO, 1)
    gh.fail("server-error", status=500, times=10, path="/issues/1$")
    with pytest.raises(ApiError, match="GitHub failed while reading issue #1"):
        adapter(gh, total=0).issue_state(1)


def test_rate_limit_without_reset_header() -> None:
    from github.GithubException import GithubException

    from mvp_process.github.api_errors import raise_for

    with pytest.raises(ApiError) as info:
        raise_for(GithubException(429, None, {"retry-after": "5"}), "testing")
    assert "rate limit" in str(info.value) and "resets at" not in str(info.value)


def test_the_largest_comment_we_render_is_accepted(gh: FakeGitHub) -> None:
    from mvp_process.github import publishing
    from mvp_process.results import CheckReport, GateResult

    details = tuple(f"a.py:{i}:1 E501 line too long ✓ 😀 é" for i in range(20000))
    report = CheckReport(
        False,
        (GateResult("flake8", False, "many", details=details),),
        "1" * 40,
        "m",
        "2" * 40,
    )
    body = publishing.render_comment(report, "https://run")
    assert 60000 < len(body.encode()) <= 65536
    gh.add_pull(REPO, 9, head_ref="9-x", head_sha=HEAD, base_sha=BASE)
    assert adapter(gh).upsert_comment(9, publishing.MARKER, body) == "created"
    with pytest.raises(ApiError, match="422"):
        adapter(gh).upsert_comment(9, publishing.MARKER, body + "x" * 66000)


def test_rate_limit_reset_too_far_away_is_not_waited_for(gh: FakeGitHub) -> None:
    gh.fail("rate-limit", reset_in=3600, times=10)
    with pytest.raises(ApiError, match="the limit resets at") as info:
        adapter(gh).default_branch()
    assert "retries with backoff" not in info.value.hint
    assert len(gh.log) == 1  # no pointless waiting: one request, then the error


def test_secondary_limit_that_persists(gh: FakeGitHub) -> None:
    gh.fail("secondary", retry_after=0, times=10)
    with pytest.raises(ApiError, match="rate limit"):
        adapter(gh, total=1).default_branch()


def test_another_users_comment_with_the_marker_is_left_alone(gh: FakeGitHub) -> None:
    gh.add_pull(REPO, 8, head_ref="8-x", head_sha=HEAD, base_sha=BASE)
    gh.add_token("ghp_mallory", "mallory")
    mallory = adapter(gh, token="ghp_mallory")
    assert mallory.upsert_comment(8, "<!-- m -->", "<!-- m --> mallory's") == "created"
    api = adapter(gh)
    assert api.upsert_comment(8, "<!-- m -->", "<!-- m --> ours") == "created"
    assert api.upsert_comment(8, "<!-- m -->", "<!-- m --> ours again") == "updated"
    written = [(c.author, c.body) for c in gh.comments(REPO, 8)]
    assert written == [
        ("mallory", "<!-- m --> mallory's"),
        ("github-actions[bot]", "<!-- m --> ours again"),
    ]
