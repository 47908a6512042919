"""The fake GitHub answers as GitHub's OpenAPI description says it does.

Every answer of the fake, in every test, is validated by the `fake_github`
fixture; this test makes sure each operation the fake serves is exercised
(successes and errors), and that the validator does catch a wrong answer.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests

from support import github_schema
from support.fake_github import FakeGitHub

REPO = "octo-org/hello-world"
TOKEN = "ghs_schemaTestToken"
SHA = "c" * 40


def call(
    fake: FakeGitHub, method: str, path: str, body: Any = None, token: str = TOKEN
) -> requests.Response:
    headers = {
        "Authorization": f"token {token}",
        "Accept": "application/vnd.github+json",
    }
    return requests.request(
        method, fake.url + path, json=body, headers=headers, timeout=5
    )


def test_every_operation_answers_to_its_schema(fake_github: FakeGitHub) -> None:
    fake = fake_github
    fake.add_repo(REPO)
    fake.add_token(TOKEN, "github-actions[bot]")
    fake.add_issue(REPO, 1, body=None)
    fake.add_issue(REPO, 2, deleted=True)
    fake.add_pull(
        REPO,
        3,
        head_ref="1-x",
        head_sha=SHA,
        base_sha="d" * 40,
        reviewers=("alice",),
        teams=("core",),
        reviews=(("bob", "APPROVED"),),
    )
    r = f"/repos/{REPO}"
    answers = [
        call(fake, "GET", r),
        call(fake, "GET", "/repos/octo-org/missing"),
        call(fake, "GET", f"{r}/issues/1"),
        call(fake, "GET", f"{r}/issues/2"),
        call(fake, "GET", f"{r}/issues/3"),
        call(fake, "GET", f"{r}/issues/9"),
        call(fake, "GET", f"{r}/pulls/3"),
        call(fake, "GET", f"{r}/pulls/1"),
        call(fake, "GET", f"{r}/pulls/3/commits"),
        call(fake, "GET", f"{r}/pulls/3/requested_reviewers"),
        call(fake, "GET", f"{r}/pulls/3/reviews"),
        call(fake, "POST", f"{r}/statuses/{SHA}", {"state": "success", "context": "a"}),
        call(fake, "POST", f"{r}/statuses/{SHA}", {"state": "pending"}),
        call(fake, "POST", f"{r}/statuses/{SHA}", {"state": "great"}),
        call(
            fake,
            "POST",
            f"{r}/statuses/{SHA}",
            {"state": "error", "description": "x" * 141},
        ),
        call(fake, "POST", f"{r}/statuses/{'e' * 40}", {"state": "success"}),
        call(fake, "GET", f"{r}/commits/{SHA}/status"),
        call(fake, "GET", f"{r}/commits/{'e' * 40}/status"),
        call(fake, "GET", f"{r}/commits/{SHA}/statuses"),
        call(fake, "POST", f"{r}/issues/3/comments", {"body": "hello"}),
        call(fake, "POST", f"{r}/issues/3/comments", {"body": "x" * 65537}),
        call(fake, "POST", f"{r}/issues/9/comments", {"body": "hello"}),
        call(fake, "GET", f"{r}/issues/3/comments"),
        call(fake, "GET", f"{r}/issues/9/comments"),
        call(fake, "PATCH", f"{r}/issues/comments/999", {"body": "edited"}),
        call(fake, "GET", "/nowhere"),
        call(fake, "GET", r, token="ghp_unknown"),
    ]
    comment_id = answers[19].json()["id"]
    answers.append(
        call(fake, "PATCH", f"{r}/issues/comments/{comment_id}", {"body": "ok"})
    )
    answers.append(
        call(fake, "PATCH", f"{r}/issues/comments/{comment_id}", {"body": ""})
    )
    fake.add_token("ghp_aliceToken", "alice")
    answers += [
        call(fake, "GET", "/user"),
        call(fake, "GET", "/user", token="ghp_aliceToken"),
    ]
    fake.add_merge(REPO, "a" * 40, "d" * 40, SHA)
    answers += [
        call(fake, "GET", f"{r}/commits/{'a' * 40}"),
        call(fake, "GET", f"{r}/commits/{'e' * 40}"),
    ]
    assert [a.status_code for a in answers] == [
        200, 404, 200, 410, 200, 404, 200, 404, 200, 200, 200,
        201, 201, 422, 422, 422, 200, 404, 200,
        201, 422, 404, 200, 404, 404, 404, 401, 200, 422, 403, 200,
        200, 422,
    ]  # fmt: skip
    parents = [p["sha"] for p in answers[31].json()["parents"]]
    assert parents == ["d" * 40, SHA]
    served = {op for op, _ in fake.checked if op}
    assert served == set(github_schema.operations())
    assert answers[0].headers["Content-Type"] == "application/json; charset=utf-8"
    assert answers[0].headers["X-RateLimit-Remaining"] == "4999"
    assert answers[11].headers["Location"].endswith(f"/statuses/{SHA}")
    combined = answers[16].json()
    assert combined["state"] == "pending"
    assert {s["context"] for s in combined["statuses"]} == {"a", "default"}
    # Who wrote what: the installation token writes as its bot, which may not
    # read GET /user; a personal access token reads its own user.
    assert answers[11].json()["creator"]["login"] == "github-actions[bot]"
    assert answers[19].json()["user"]["type"] == "Bot"
    assert answers[29].json()["message"] == "Resource not accessible by integration"
    assert answers[30].json()["login"] == "alice"


def test_faults_answer_as_github_does(fake_github: FakeGitHub) -> None:
    fake = fake_github
    fake.add_repo(REPO)
    fake.add_token(TOKEN, "bot")
    path = f"/repos/{REPO}"
    for kind, options in [
        ("unauthorized", {}),
        ("read-only", {}),
        ("forbidden", {}),
        ("rate-limit", {"reset_in": 60}),
        ("secondary", {"retry_after": 7}),
        ("too-many", {"retry_after": 3}),
        ("server-error", {"status": 503}),
    ]:
        fake.fail(kind, **options)
    answers = [call(fake, "GET", path) for _ in range(7)]
    assert [a.status_code for a in answers] == [401, 403, 403, 403, 403, 429, 503]
    assert answers[3].headers["X-RateLimit-Remaining"] == "0"
    assert answers[3].json()["message"].startswith("API rate limit exceeded")
    assert answers[4].headers["Retry-After"] == "7"
    assert answers[5].headers["Retry-After"] == "3"
    assert call(fake, "GET", path).status_code == 200
    with pytest.raises(AssertionError, match="unknown fault"):
        fake._fault_answer(fake.faults[0].__class__("nope", 1, None, None, {}))


def test_the_validator_catches_a_wrong_answer() -> None:
    good = {
        "id": 1,
        "node_id": "IC_1",
        "url": "https://api.example/repos/o/r/issues/comments/1",
        "html_url": "https://github.example/o/r/pull/3#issuecomment-1",
        "issue_url": "https://api.example/repos/o/r/issues/3",
        "body": "hi",
        "user": None,
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z",
        "author_association": "MEMBER",
    }
    operation = "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}"
    assert github_schema.check(operation, 200, good) == []
    bad = {**good, "id": "1", "created_at": "yesterday", "url": "relative/path"}
    del bad["node_id"]
    problems = github_schema.check(operation, 200, bad)
    assert len(problems) == 4, problems
    assert github_schema.check(operation, 500, {"message": 3}) != []
    assert "never answers 200" in github_schema.check("GET /nowhere", 200, {})[0]
