"""JSON objects shaped as GitHub's REST API returns them, for the fake server.

Field sets follow the response schemas of GitHub's OpenAPI description (see
`tests/data/github-openapi/`) and the example objects in GitHub's webhook
payloads; `test_fake_github_schema.py` validates every object served.
"""

from __future__ import annotations

from typing import Any

WEB = "https://github.example"
CREATED = "2026-01-01T00:00:00Z"

USER_URLS = (
    "followers",
    "following{/other_user}",
    "gists{/gist_id}",
    "starred{/owner}{/repo}",
    "subscriptions",
    "organizations",
    "repos",
    "events{/privacy}",
    "received_events",
)
REPO_URLS = {
    "archive_url": "{archive_format}{/ref}",
    "assignees_url": "assignees{/user}",
    "blobs_url": "git/blobs{/sha}",
    "branches_url": "branches{/branch}",
    "collaborators_url": "collaborators{/collaborator}",
    "comments_url": "comments{/number}",
    "commits_url": "commits{/sha}",
    "compare_url": "compare/{base}...{head}",
    "contents_url": "contents/{+path}",
    "contributors_url": "contributors",
    "deployments_url": "deployments",
    "downloads_url": "downloads",
    "events_url": "events",
    "forks_url": "forks",
    "git_commits_url": "git/commits{/sha}",
    "git_refs_url": "git/refs{/sha}",
    "git_tags_url": "git/tags{/sha}",
    "hooks_url": "hooks",
    "issue_comment_url": "issues/comments{/number}",
    "issue_events_url": "issues/events{/number}",
    "issues_url": "issues{/number}",
    "keys_url": "keys{/key_id}",
    "labels_url": "labels{/name}",
    "languages_url": "languages",
    "merges_url": "merges",
    "milestones_url": "milestones{/number}",
    "notifications_url": "notifications{?since,all,participating}",
    "pulls_url": "pulls{/number}",
    "releases_url": "releases{/id}",
    "stargazers_url": "stargazers",
    "statuses_url": "statuses/{sha}",
    "subscribers_url": "subscribers",
    "subscription_url": "subscription",
    "tags_url": "tags",
    "teams_url": "teams",
    "trees_url": "git/trees{/sha}",
}


def node_id(kind: str, number: int) -> str:
    return f"{kind}_kw{number:08d}"


def user(api: str, login: str, user_id: int, kind: str = "User") -> dict[str, Any]:
    url = f"{api}/users/{login}"
    obj: dict[str, Any] = {
        "login": login,
        "id": user_id,
        "node_id": node_id("U", user_id),
        "avatar_url": f"https://avatars.example/u/{user_id}?v=4",
        "gravatar_id": "",
        "url": url,
        "html_url": f"{WEB}/{login}",
        "type": kind,
        "site_admin": False,
        "user_view_type": "public",
    }
    for item in USER_URLS:
        name = item.split("{")[0]
        obj[f"{name}_url"] = f"{url}/{item}"
    return obj


def public_user(api: str, login: str, user_id: int) -> dict[str, Any]:
    """`GET /user` for a token without the `user` scope: the public profile."""
    return {
        **user(api, login, user_id),
        "name": login.title(),
        "company": None,
        "blog": "",
        "location": None,
        "email": None,
        "hireable": None,
        "bio": None,
        "public_repos": 1,
        "public_gists": 0,
        "followers": 0,
        "following": 0,
        "created_at": CREATED,
        "updated_at": CREATED,
    }


def repository(
    api: str, owner: dict[str, Any], name: str, repo_id: int, default_branch: str
) -> dict[str, Any]:
    full = f"{owner['login']}/{name}"
    url = f"{api}/repos/{full}"
    obj: dict[str, Any] = {
        "id": repo_id,
        "node_id": node_id("R", repo_id),
        "name": name,
        "full_name": full,
        "private": False,
        "owner": owner,
        "html_url": f"{WEB}/{full}",
        "description": None,
        "fork": False,
        "url": url,
        **{key: f"{url}/{rest}" for key, rest in REPO_URLS.items()},
        "git_url": f"git://github.example/{full}.git",
        "ssh_url": f"git@github.example:{full}.git",
        "clone_url": f"{WEB}/{full}.git",
        "svn_url": f"{WEB}/{full}",
        "mirror_url": None,
        "homepage": None,
        "language": "Python",
        "forks": 0,
        "forks_count": 0,
        "stargazers_count": 0,
        "watchers": 0,
        "watchers_count": 0,
        "size": 10,
        "default_branch": default_branch,
        "open_issues": 0,
        "open_issues_count": 0,
        "is_template": False,
        "topics": [],
        "has_issues": True,
        "has_projects": True,
        "has_wiki": True,
        "has_pages": False,
        "has_downloads": True,
        "has_discussions": False,
        "archived": False,
        "disabled": False,
        "visibility": "public",
        "license": None,
        "pushed_at": CREATED,
        "created_at": CREATED,
        "updated_at": CREATED,
        "network_count": 0,
        "subscribers_count": 0,
        "allow_forking": True,
        "web_commit_signoff_required": False,
    }
    return obj


def issue(
    repo: dict[str, Any],
    number: int,
    *,
    title: str,
    body: str | None,
    state: str,
    author: dict[str, Any],
    is_pull: bool,
) -> dict[str, Any]:
    url = f"{repo['url']}/issues/{number}"
    obj: dict[str, Any] = {
        "id": 1000 + number,
        "node_id": node_id("I", number),
        "url": url,
        "repository_url": repo["url"],
        "labels_url": f"{url}/labels{{/name}}",
        "comments_url": f"{url}/comments",
        "events_url": f"{url}/events",
        "html_url": f"{repo['html_url']}/{'pull' if is_pull else 'issues'}/{number}",
        "number": number,
        "state": state,
        "state_reason": "completed" if state == "closed" else None,
        "title": title,
        "body": body,
        "user": author,
        "labels": [],
        "assignee": None,
        "assignees": [],
        "milestone": None,
        "locked": False,
        "active_lock_reason": None,
        "comments": 0,
        "closed_at": CREATED if state == "closed" else None,
        "created_at": CREATED,
        "updated_at": CREATED,
        "author_association": "MEMBER",
    }
    if is_pull:
        pulls = f"{repo['url']}/pulls/{number}"
        obj["pull_request"] = {
            "url": pulls,
            "html_url": f"{repo['html_url']}/pull/{number}",
            "diff_url": f"{repo['html_url']}/pull/{number}.diff",
            "patch_url": f"{repo['html_url']}/pull/{number}.patch",
            "merged_at": None,
        }
    return obj


def branch_end(
    repo: dict[str, Any], ref: str, sha: str, owner: dict[str, Any]
) -> dict[str, Any]:
    return {
        "label": f"{owner['login']}:{ref}",
        "ref": ref,
        "sha": sha,
        "user": owner,
        "repo": repo,
    }


def pull(
    repo: dict[str, Any],
    number: int,
    *,
    title: str,
    body: str | None,
    state: str,
    author: dict[str, Any],
    head: dict[str, Any],
    base: dict[str, Any],
    draft: bool,
    commits: int,
) -> dict[str, Any]:
    url = f"{repo['url']}/pulls/{number}"
    html = f"{repo['html_url']}/pull/{number}"
    issue_url = f"{repo['url']}/issues/{number}"
    statuses = f"{repo['url']}/statuses/{head['sha']}"
    links = {
        "self": url,
        "html": html,
        "issue": issue_url,
        "comments": f"{issue_url}/comments",
        "review_comments": f"{url}/comments",
        "review_comment": f"{repo['url']}/pulls/comments{{/number}}",
        "commits": f"{url}/commits",
        "statuses": statuses,
    }
    return {
        "url": url,
        "id": 2000 + number,
        "node_id": node_id("PR", number),
        "html_url": html,
        "diff_url": f"{html}.diff",
        "patch_url": f"{html}.patch",
        "issue_url": issue_url,
        "commits_url": links["commits"],
        "review_comments_url": links["review_comments"],
        "review_comment_url": links["review_comment"],
        "comments_url": links["comments"],
        "statuses_url": statuses,
        "number": number,
        "state": state,
        "locked": False,
        "title": title,
        "user": author,
        "body": body,
        "labels": [],
        "milestone": None,
        "active_lock_reason": None,
        "created_at": CREATED,
        "updated_at": CREATED,
        "closed_at": None,
        "merged_at": None,
        "merge_commit_sha": None,
        "assignee": None,
        "assignees": [],
        "requested_reviewers": [],
        "requested_teams": [],
        "head": head,
        "base": base,
        "_links": {key: {"href": href} for key, href in links.items()},
        "author_association": "MEMBER",
        "auto_merge": None,
        "draft": draft,
        "merged": False,
        "mergeable": True,
        "rebaseable": True,
        "mergeable_state": "clean",
        "merged_by": None,
        "comments": 0,
        "review_comments": 0,
        "maintainer_can_modify": False,
        "commits": commits,
        "additions": 1,
        "deletions": 0,
        "changed_files": 1,
    }


def pull_commit(
    repo: dict[str, Any], sha: str, message: str, parent: str
) -> dict[str, Any]:
    return commit(repo, sha, message, (parent,))


def commit(
    repo: dict[str, Any], sha: str, message: str, parents: tuple[str, ...]
) -> dict[str, Any]:
    person = {"name": "Test Author", "email": "author@example.com", "date": CREATED}
    return {
        "url": f"{repo['url']}/commits/{sha}",
        "sha": sha,
        "node_id": node_id("C", int(sha[:6], 16)),
        "html_url": f"{repo['html_url']}/commit/{sha}",
        "comments_url": f"{repo['url']}/commits/{sha}/comments",
        "commit": {
            "url": f"{repo['url']}/git/commits/{sha}",
            "author": person,
            "committer": person,
            "message": message,
            "tree": {"sha": "f" * 40, "url": f"{repo['url']}/git/trees/{'f' * 40}"},
            "comment_count": 0,
            "verification": {
                "verified": False,
                "reason": "unsigned",
                "signature": None,
                "payload": None,
                "verified_at": None,
            },
        },
        "author": None,
        "committer": None,
        "parents": [
            {
                "sha": parent,
                "url": f"{repo['url']}/commits/{parent}",
                "html_url": f"{repo['html_url']}/commit/{parent}",
            }
            for parent in parents
        ],
    }


def team(api: str, org: str, slug: str, team_id: int) -> dict[str, Any]:
    url = f"{api}/organizations/1/team/{team_id}"
    return {
        "id": team_id,
        "node_id": node_id("T", team_id),
        "url": url,
        "html_url": f"{WEB}/orgs/{org}/teams/{slug}",
        "name": slug,
        "slug": slug,
        "description": None,
        "privacy": "closed",
        "notification_setting": "notifications_enabled",
        "permission": "pull",
        "members_url": f"{url}/members{{/member}}",
        "repositories_url": f"{url}/repos",
        "parent": None,
        "type": "organization",
    }


def review(
    repo: dict[str, Any],
    number: int,
    review_id: int,
    reviewer: dict[str, Any],
    state: str,
    commit: str,
) -> dict[str, Any]:
    html = f"{repo['html_url']}/pull/{number}#pullrequestreview-{review_id}"
    pull_url = f"{repo['url']}/pulls/{number}"
    return {
        "id": review_id,
        "node_id": node_id("PRR", review_id),
        "user": reviewer,
        "body": "",
        "state": state,
        "html_url": html,
        "pull_request_url": pull_url,
        "_links": {"html": {"href": html}, "pull_request": {"href": pull_url}},
        "submitted_at": CREATED,
        "commit_id": commit,
        "author_association": "MEMBER",
    }


def status(
    repo: dict[str, Any],
    status_id: int,
    sha: str,
    creator: dict[str, Any],
    fields: dict[str, Any],
    when: str,
) -> dict[str, Any]:
    return {
        "url": f"{repo['url']}/statuses/{sha}",
        "avatar_url": creator["avatar_url"],
        "id": status_id,
        "node_id": node_id("SC", status_id),
        "state": fields["state"],
        "description": fields.get("description"),
        "target_url": fields.get("target_url"),
        "context": fields.get("context") or "default",
        "created_at": when,
        "updated_at": when,
        "creator": creator,
    }


def combined_status(
    repo: dict[str, Any], sha: str, latest: list[dict[str, Any]]
) -> dict[str, Any]:
    states = {s["state"] for s in latest}
    if states & {"error", "failure"}:
        state = "failure"
    elif not latest or "pending" in states:
        state = "pending"
    else:
        state = "success"
    return {
        "state": state,
        "statuses": [{k: v for k, v in s.items() if k != "creator"} for s in latest],
        "sha": sha,
        "total_count": len(latest),
        "repository": repo,
        "commit_url": f"{repo['url']}/commits/{sha}",
        "url": f"{repo['url']}/commits/{sha}/status",
    }


def comment(
    repo: dict[str, Any],
    comment_id: int,
    number: int,
    body: str,
    author: dict[str, Any],
    created: str,
    updated: str,
) -> dict[str, Any]:
    return {
        "id": comment_id,
        "node_id": node_id("IC", comment_id),
        "url": f"{repo['url']}/issues/comments/{comment_id}",
        "html_url": f"{repo['html_url']}/pull/{number}#issuecomment-{comment_id}",
        "issue_url": f"{repo['url']}/issues/{number}",
        "body": body,
        "user": author,
        "created_at": created,
        "updated_at": updated,
        "author_association": "MEMBER",
        "reactions": {
            "url": f"{repo['url']}/issues/comments/{comment_id}/reactions",
            "total_count": 0,
            "+1": 0,
            "-1": 0,
            "laugh": 0,
            "hooray": 0,
            "confused": 0,
            "heart": 0,
            "rocket": 0,
            "eyes": 0,
        },
    }


def error(message: str, status: int, docs: str = "rest") -> dict[str, Any]:
    return {
        "message": message,
        "documentation_url": f"https://docs.github.com/{docs}",
        "status": str(status),
    }
