"""The job summary and step outputs of `check` in GitHub Actions.

The summary is the PR comment's Markdown (`report_md.py`: header, gate
table, sections in gate order, the coverage chart), plus where diff-cover's
HTML page of the changed lines went: the folder `FOLDER` under the runner's
temporary folder, which the workflow template uploads as the artifact
`ARTIFACT`.
"""

from __future__ import annotations

from mvp_process import markdown as md
from mvp_process.check.report_md import Link, fitted, header, left_out, no_link
from mvp_process.results import CheckReport

FOLDER = ARTIFACT = "mvp-process-diff-coverage"
PAGE = "diff-coverage.html"
LIMIT = 65536  # as the comment: GitHub takes 1 MiB per step, people read far less


def summary(
    report: CheckReport, link: Link = no_link, artifacts: str | None = None
) -> str:
    """`artifacts`: the run's page, when diff-cover's HTML page was written."""
    parts, omitted = fitted(report, link, LIMIT)
    parts.insert(0, header(report))
    if omitted:
        parts.append(left_out(omitted, "to keep this summary short"))
    if artifacts:
        parts.append(
            f"The changed lines with their source, in diff-cover's HTML page: "
            f"{md.code(PAGE)} in the artifact {md.code(ARTIFACT)} of "
            f"{md.link('this workflow run', artifacts)} (the workflow template "
            "uploads it).\n"
        )
    return "\n".join(parts)


def outputs(report: CheckReport) -> dict[str, str]:
    """Step outputs: `passed`, `coverage`, `diff-coverage` (empty when unknown)."""
    cov = report.metric("coverage", "after")
    diff = report.metric("diff-coverage", "percent")
    return {
        "passed": "true" if report.passed else "false",
        "coverage": "" if cov is None else f"{cov:.2f}",
        "diff-coverage": "" if diff is None else f"{diff:.2f}",
    }
