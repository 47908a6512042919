"""Where a line of a file is on GitHub: the pull request's diff, or the commit.

GitHub's diff view anchors a file at `#diff-` and the SHA-256 of its path
(in hex; it was MD5 years ago), a line of the new side at `R<line>` and a
range at `R<first>-R<last>`. GitHub does not document the form; a link
whose anchor it no longer knows still opens the pull request's files.
A file the pull request does not change, or any file outside a pull
request, links to its line at the checked commit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from urllib.parse import quote

from mvp_process.github.event import Event
from mvp_process.config import GitHubEnv
from mvp_process.check.report_md import Link, no_link


def in_pull_request(
    server: str, repository: str, number: int, changed: Collection[str], sha: str
) -> Link:
    """The diff view for the files the pull request changes, else the commit."""
    elsewhere = at_commit(server, repository, sha)

    def link(path: str, line: int, end: int | None) -> str | None:
        if path not in changed:
            return elsewhere(path, line, end)
        anchor = f"diff-{hashlib.sha256(path.encode('utf-8')).hexdigest()}R{line}"
        span = f"-R{end}" if end and end != line else ""
        return f"{server}/{repository}/pull/{number}/files#{anchor}{span}"

    return link


def at_commit(server: str, repository: str, sha: str) -> Link:
    """A line at the checked commit: a file the pull request does not change,
    or any file outside a pull request."""

    def link(path: str, line: int, end: int | None) -> str:
        span = f"L{line}" + (f"-L{end}" if end and end != line else "")
        return f"{server}/{repository}/blob/{sha}/{quote(path)}#{span}"

    return link


def for_event(env: GitHubEnv, event: Event, changed: Collection[str]) -> Link:
    """Links for this run's report (`changed`: the files the diff changes)."""
    if not env.repository or not event.head_sha:
        return no_link
    if event.pr_number is not None:
        return in_pull_request(
            env.server_url, env.repository, event.pr_number, changed, event.head_sha
        )
    return at_commit(env.server_url, env.repository, event.head_sha)
