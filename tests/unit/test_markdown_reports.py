"""Every Markdown view, rendered as GitHub renders it, holds hostile text as text.

File names, tool output, branch names, pull-request descriptions and
configuration values reach the gate table, the job summary, the sticky
comment and the pull-request report. None may add HTML, images, links,
@-mentions or #-references there.
"""

from __future__ import annotations

import pytest

from mvp_process.check import summary
from mvp_process.github import comment, pr_report
from mvp_process.github.policy import PolicyResult, Rule
from mvp_process.github.publish import notes_section
from mvp_process.results import CheckReport, GateResult
from support import gfm

RUN = "https://github.example/octo-org/hello-world/actions/runs/1"
BLOCKS = {"h2", "h3", "p", "pre", "code", "strong", "blockquote", "ul", "li", "hr"}
TABLES = {"table", "thead", "tbody", "tr", "th", "td"}
HOSTILE = gfm.HOSTILE + " " + " ".join(gfm.HOSTILE_LINES)


def hostile_report() -> CheckReport:
    coverage = GateResult(
        "coverage",
        False,
        HOSTILE,
        details=(HOSTILE, *gfm.HOSTILE_LINES),
        metrics={
            "before": 90.0,
            "after": 10.0,
            "baseline": {"sha": "2" * 40, "source": "status", "note": HOSTILE},
        },
    )
    tests = GateResult("tests", False, HOSTILE, details=gfm.HOSTILE_LINES)
    return CheckReport(
        passed=False,
        gates=(tests, coverage),
        head_sha="1" * 40,
        base_ref="origin/<b>main</b>`|@octocat",
        merge_base="2" * 40,
        skipped=("black",),
        notes=(HOSTILE, "one\n- [ ] two"),
    )


def assert_inert(markdown: str, allowed: set[str], links: tuple[str, ...] = ()) -> None:
    page = gfm.render(markdown)
    assert page.names <= allowed, sorted(page.names - allowed)
    assert page.mentions() == [], page.mentions()
    assert page.references() == [], page.references()
    assert page.links() == list(links)


def test_the_job_summary() -> None:
    assert_inert(summary.summary(hostile_report()), BLOCKS | TABLES)


def test_the_sticky_comment() -> None:
    body = comment.render(hostile_report(), RUN)
    assert_inert(body, BLOCKS | TABLES | {"a"}, (RUN,))


def test_the_pull_request_report() -> None:
    result = PolicyResult(
        (
            Rule("branch-name", "pass", "branch '254-@octocat' names #254"),
            Rule("closing-reference", "fail", f"found {HOSTILE!r}"),
        ),
        254,
    )
    text = pr_report.summary(result, "pull request #7, branch '7-<b>x</b>'", (HOSTILE,))
    assert_inert(text, BLOCKS | TABLES)


def test_the_notes_of_what_was_published() -> None:
    assert_inert(notes_section([HOSTILE, "published on `abc`"]), BLOCKS)


@pytest.mark.parametrize("line", gfm.HOSTILE_LINES)
def test_a_summary_cell_cannot_end_its_table(line: str) -> None:
    report = CheckReport(
        passed=True,
        gates=(GateResult("flake8", True, line),),
        head_sha="1" * 40,
        base_ref="main",
        merge_base="2" * 40,
    )
    page = gfm.render(summary.gate_table(report))
    assert page.names <= TABLES | {"code"}
    assert line in page.text.replace("\u200b", "")
