"""Project coverage on the base branch's last commits: the chart's points.

Read back from the `mvp-process/coverage` statuses (a sub-project's
`mvp-process/<project>/coverage`) this tool's identity wrote
(as the baseline is: `status_baseline.recorded_figure`), on at most `COMMITS`
first-parent commits from the merge-base (HEAD excluded: its figure is this
run's). One request per commit, none for a commit the baseline search already
read (`GitHubRepo` keeps what it read); so at most `COMMITS` requests. A
commit without a figure (its build failed, or it predates mvp-process) is
left out; an API error means no chart, never a wrong one.
"""

from __future__ import annotations

from mvp_process.errors import ApiError
from mvp_process.git import Git
from mvp_process.github.status_baseline import StatusReader, recorded_figure
from mvp_process.github.statuses import COVERAGE_CONTEXT
from mvp_process.results import Recorded

COMMITS = 10


def coverage_history(
    api: StatusReader,
    git: Git,
    merge_base: str,
    head: str,
    context: str = COVERAGE_CONTEXT,
    commits: int = COMMITS,
) -> tuple[Recorded, ...]:
    """The recorded figures, oldest first ((): none, or GitHub would not say);
    `context`: a sub-project's own (`statuses.coverage_context`)."""
    shas = [s for s in git.first_parent_ancestors(merge_base, commits + 1) if s != head]
    found = []
    try:
        identity = api.identity()
        for sha in shas[:commits]:
            figure, _ = recorded_figure(api.statuses(sha), identity, context)
            if figure is not None:
                found.append(Recorded(sha, figure))
    except ApiError:
        return ()
    return tuple(reversed(found))
