"""The sticky pull-request comment: one per PR, found again by a hidden marker.

It is the job summary's Markdown (`check/report_md.py`): the verdict, what
was checked, the gate table, then each gate's section in gate order, its
findings linked to their lines in the pull request's diff (`links.py`).
GitHub refuses comments over 65,536 characters, so sections are cut to fit
(counted in UTF-8 bytes, never fewer than GitHub's characters) and the text
says how many lines it left out. It reads only the `CheckReport`, so a
report rebuilt from the JSON file renders the same comment.
"""

from __future__ import annotations

from mvp_process import markdown as md
from mvp_process.check.report_md import Link, fitted, header, left_out, no_link, size
from mvp_process.redact import redact
from mvp_process.results import CheckReport

MARKER = "<!-- mvp-process:check -->"
LIMIT = 65536


def marker(project: str | None = None) -> str:
    """The hidden first line the sticky comment is found by: one comment per
    sub-project (config `project`), so two in one pull request never meet."""
    return f"<!-- mvp-process:check:{project} -->" if project else MARKER


def render(
    report: CheckReport,
    run_url: str | None = None,
    limit: int = LIMIT,
    link: Link = no_link,
) -> str:
    """The comment's Markdown, at most `limit` bytes, marker first."""
    where = f" ({md.link('workflow run', run_url)})" if run_url else ""
    head = f"{marker(report.project)}\n{header(report, run_url)}"
    room = limit - 400 - size(where) - size(head)
    parts, omitted = fitted(report, link, room)
    if omitted:
        why = f"to stay under GitHub's 65,536-character limit for comments{where}"
        parts.append(left_out(omitted, why))
    return redact("\n".join([head, *parts]))
