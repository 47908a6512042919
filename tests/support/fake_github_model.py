"""The state of the fake GitHub: repositories, issues, pulls, comments, faults."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Body = Any
Answer = tuple[int, Body, dict[str, str]]
Checker = Callable[[str, int, Body], list[str]]
REPO = r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)"
STATES = ("error", "failure", "pending", "success")


@dataclass(frozen=True)
class Token:
    """Who a token acts as. An installation token (the workflow's GITHUB_TOKEN,
    a GitHub App's token) acts as the app's bot and may not read `GET /user`."""

    login: str
    read_only: bool = False
    installation: bool = False


@dataclass
class Fault:
    kind: str
    times: int
    method: str | None
    path: str | None
    options: dict[str, Any]

    def matches(self, method: str, path: str) -> bool:
        return (
            self.times > 0
            and (self.method is None or self.method == method)
            and (self.path is None or re.search(self.path, path) is not None)
        )


@dataclass
class Pull:
    number: int
    head_ref: str
    head_sha: str
    base_ref: str
    base_sha: str
    author: str
    draft: bool = False
    commits: list[tuple[str, str]] = field(default_factory=list)
    requested_users: list[str] = field(default_factory=list)
    requested_teams: list[str] = field(default_factory=list)
    reviews: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Issue:
    number: int
    title: str
    body: str | None
    state: str
    author: str
    pull: Pull | None = None
    deleted: bool = False


@dataclass
class Comment:
    id: int
    number: int
    body: str
    author: str
    created: str
    updated: str


@dataclass
class Repo:
    owner: str
    name: str
    id: int
    default_branch: str
    issues: dict[int, Issue] = field(default_factory=dict)
    statuses: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    comments: dict[int, Comment] = field(default_factory=dict)
    commits: set[str] = field(default_factory=set)
    parents: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    status: int
    token: str | None
