"""Commit statuses: one line per gate, and the coverage figure read back from them.

GitHub shows a status's description beside the green check or red x and
refuses descriptions over 140 characters. A monorepo's sub-projects each
have their own contexts (`context`). A push to the default branch leaves the
`mvp-process/coverage` status on its commit, its description starting with
the project figure in a fixed form ("87.53% project coverage"). A pull
request's baseline is the figure on its merge-base or, when that commit has
none (its build failed or is still running), on the nearest first-parent
ancestor that has one; the report names that commit and how far back it is.
No coverage SaaS is needed.

Anyone who may write statuses can post one: only those written by the
identity this tool posts as count (the newest of them on a commit). Others
are ignored, and the report says whose and where.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from mvp_process.git import Git
from mvp_process.errors import ApiError
from mvp_process.check.coverage import Baseline, NoBaseline
from mvp_process.check.policy import plural
from mvp_process.results import GateResult, Recorded

if TYPE_CHECKING:  # PyGithub is imported only where a client is made
    from mvp_process.github.api import CommitStatus, GitHubRepo

PREFIX = "mvp-process/"
COVERAGE_CONTEXT = PREFIX + "coverage"
MAX_DESCRIPTION = 140
DEPTH = 25  # first-parent commits searched for a baseline
COMMITS = 10  # the chart's points
_FIGURE = re.compile(r"^(?P<percent>[0-9]{1,3}(?:\.[0-9]+)?)% project coverage\b")


def context(name: str, project: str | None = None) -> str:
    """The status context of a gate (or of `pr`): `mvp-process/<gate>`, or a
    sub-project's `mvp-process/<project>/<gate>` (config `project`)."""
    return f"{PREFIX}{project}/{name}" if project else PREFIX + name


def coverage_context(project: str | None = None) -> str:
    """Where a push to the default branch records the project's figure."""
    return context("coverage", project)


def one_line(text: str, limit: int = MAX_DESCRIPTION) -> str:
    """`text` on one line, at most `limit` characters (cut with an ellipsis)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def gate_description(gate: GateResult) -> str:
    """The status description of a gate; the coverage gate leads with its figure."""
    after = gate.metrics.get("after") if gate.name == "coverage" else None
    if isinstance(after, (int, float)):
        return one_line(f"{float(after):.2f}% project coverage; {gate.summary}")
    return one_line(gate.summary)


def coverage_figure(description: str | None) -> float | None:
    """The figure a coverage description recorded, or None if it holds none."""
    match = _FIGURE.match(description or "")
    if match is None:
        return None
    percent = float(match["percent"])
    return percent if 0.0 <= percent <= 100.0 else None


def recorded_figure(
    statuses: Sequence[CommitStatus], identity: str, context: str = COVERAGE_CONTEXT
) -> tuple[float | None, list[str]]:
    """The figure of the newest `context` status (`mvp-process/coverage`, or a
    sub-project's) `identity` wrote (statuses come newest first), and who else
    wrote one."""
    others = []
    for status in statuses:
        if status.context != context:
            continue
        if status.creator != identity:
            others.append(status.creator or "a deleted user")
            continue
        return coverage_figure(status.description), others
    return None, others


def _ignored(identity: str, others: list[str], context: str) -> str:
    if not others:
        return ""
    count = len(others)
    return (
        f"ignored {count} {context} status{'es' if count != 1 else ''} "
        f"not written by {identity} ({', '.join(others)})"
    )


class StatusBaseline:
    """`BaselineSource` reading commit statuses along the first-parent line."""

    def __init__(
        self, api: GitHubRepo, git: Git, depth: int = DEPTH, project: str | None = None
    ) -> None:
        self.api = api
        self.git = git
        self.depth = depth
        self.context = coverage_context(project)  # a sub-project's own figure

    def find(self, merge_base: str) -> Baseline | NoBaseline:
        commits = self.git.first_parent_ancestors(merge_base, self.depth)
        others: list[str] = []
        try:
            identity = self.api.identity()
            for distance, sha in enumerate(commits):
                statuses = self.api.statuses(sha)
                figure, by_others = recorded_figure(statuses, identity, self.context)
                others += [f"{login} on {sha[:12]}" for login in by_others]
                if figure is not None:
                    ignored = _ignored(identity, others, self.context)
                    notes = [_how_far(distance, merge_base), ignored]
                    note = "; ".join(n for n in notes if n)
                    return Baseline(figure, sha, "status", note)
        except ApiError as exc:
            return NoBaseline(f"could not read commit statuses: {exc.message}")
        reason = (
            f"no {self.context} status on the merge-base {merge_base[:12]} "
            f"or its {max(len(commits) - 1, 0)} first-parent ancestors checked "
            "(a push to the default branch records it)"
        )
        ignored = _ignored(identity, others, self.context)
        return NoBaseline(f"{reason}; {ignored}" if ignored else reason)


def _how_far(distance: int, merge_base: str) -> str:
    if not distance:
        return ""
    return (
        "the nearest first-parent ancestor with a figure, "
        f"{plural(distance, 'commit')} before the merge-base {merge_base[:12]}"
    )


class Unavailable:
    """A `BaselineSource` that can only say why it has nothing."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def find(self, merge_base: str) -> Baseline | NoBaseline:
        return NoBaseline(self.reason)


def coverage_history(
    api: GitHubRepo,
    git: Git,
    merge_base: str,
    head: str,
    context: str = COVERAGE_CONTEXT,
) -> tuple[Recorded, ...]:
    """The chart's points: the figures recorded on at most `COMMITS`
    first-parent commits from the merge-base, oldest first (HEAD excluded: its
    figure is this run's; `context`: a sub-project's own).

    One request per commit, none for a commit the baseline search already read
    (`GitHubRepo` keeps what it read). A commit without a figure (its build
    failed, or it predates mvp-process) is left out; an API error means no
    chart, never a wrong one: ().
    """
    shas = [s for s in git.first_parent_ancestors(merge_base, COMMITS + 1) if s != head]
    found = []
    try:
        identity = api.identity()
        for sha in shas[:COMMITS]:
            figure, _ = recorded_figure(api.statuses(sha), identity, context)
            if figure is not None:
                found.append(Recorded(sha, figure))
    except ApiError:
        return ()
    return tuple(reversed(found))
