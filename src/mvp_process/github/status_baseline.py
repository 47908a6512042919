"""The coverage baseline read back from GitHub: no coverage SaaS needed.

A push to the default branch leaves the `mvp-process/coverage` status on its
commit, its description starting with the project figure. A pull request's
baseline is the figure on its merge-base or, when that commit has none (its
build failed or is still running), on the nearest first-parent ancestor that
has one; the report names that commit and how far back it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from mvp_process.git import Git
from mvp_process.errors import ApiError
from mvp_process.check.coverage import Baseline, NoBaseline
from mvp_process.github.statuses import COVERAGE_CONTEXT, coverage_figure

DEPTH = 25


class StatusLike(Protocol):
    @property
    def context(self) -> str: ...

    @property
    def description(self) -> str: ...


class StatusReader(Protocol):
    def statuses(self, sha: str) -> Sequence[StatusLike]: ...


def recorded_figure(statuses: Sequence[StatusLike]) -> float | None:
    """The figure of the `mvp-process/coverage` status, if there is one."""
    for status in statuses:
        if status.context == COVERAGE_CONTEXT:
            return coverage_figure(status.description)
    return None


class StatusBaseline:
    """`BaselineSource` reading commit statuses along the first-parent line."""

    def __init__(self, api: StatusReader, git: Git, depth: int = DEPTH) -> None:
        self.api = api
        self.git = git
        self.depth = depth

    def find(self, merge_base: str) -> Baseline | NoBaseline:
        commits = self.git.first_parent_ancestors(merge_base, self.depth)
        for distance, sha in enumerate(commits):
            try:
                figure = recorded_figure(self.api.statuses(sha))
            except ApiError as exc:
                return NoBaseline(f"could not read commit statuses: {exc.message}")
            if figure is None:
                continue
            note = (
                ""
                if distance == 0
                else (
                    f"the nearest first-parent ancestor with a figure, {distance} "
                    f"commit{'s' if distance != 1 else ''} before the merge-base "
                    f"{merge_base[:12]}"
                )
            )
            return Baseline(figure, sha, "status", note)
        return NoBaseline(
            f"no {COVERAGE_CONTEXT} status on the merge-base {merge_base[:12]} "
            f"or its {max(len(commits) - 1, 0)} first-parent ancestors checked "
            "(a push to the default branch records it)"
        )


class Unavailable:
    """A `BaselineSource` that can only say why it has nothing."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def find(self, merge_base: str) -> Baseline | NoBaseline:
        return NoBaseline(self.reason)
