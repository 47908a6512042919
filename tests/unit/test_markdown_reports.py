"""Every Markdown view, rendered as GitHub renders it, holds hostile text as text.

File names, tool output, branch names, pull-request descriptions and
configuration values reach the gate table, the job summary, the sticky
comment and the pull-request report. None may add HTML, images, links,
@-mentions or #-references there.
"""

from __future__ import annotations

import re

import pytest

from mvp_process.check import report_md
from mvp_process.check.report_md import gate_table
from mvp_process.github import command, links, publishing
from mvp_process.github.policy import PolicyResult, Rule
from mvp_process.github.publishing import notes_section
from mvp_process.results import CheckReport, Finding, GateResult, Recorded
from support import gfm

RUN = "https://github.example/octo-org/hello-world/actions/runs/1"
BLOCKS = {"h2", "h3", "p", "pre", "code", "strong", "blockquote", "ul", "li", "hr"}
TABLES = {"table", "thead", "tbody", "tr", "th", "td"}
COLLAPSED = {"details", "summary"}
HOSTILE = gfm.HOSTILE + " " + " ".join(gfm.HOSTILE_LINES)
# A file name that would close a link, add markup and mention someone.
EVIL = "a](https://evil.example) <b>x</b> @octocat #1 `b` (c).py"
LINK = links.in_pull_request("https://github.example", "o/r", 7, [], "f" * 40)
EVIL_URL = "https://github.example/o/r/blob/" + "f" * 40 + "/"
EVIL_URL += "a%5D%28https%3A//evil.example%29%20%3Cb%3Ex%3C/b%3E%20%40octocat%20%231"
EVIL_URL += "%20%60b%60%20%28c%29.py#L1"


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
    flake8 = GateResult(
        "flake8",
        False,
        HOSTILE,
        details=(f"{EVIL}:1:1: E1 {HOSTILE}",),
        findings=(Finding(EVIL, 1, HOSTILE, "E1", col=1),),
    )
    return CheckReport(
        passed=False,
        gates=(flake8, tests, coverage),
        head_sha="1" * 40,
        base_ref="origin/<b>main</b>`|@octocat",
        merge_base="2" * 40,
        skipped=("black",),
        notes=(HOSTILE, "one\n- [ ] two"),
        history=(Recorded("3" * 40, 80.0),),
    )


def assert_inert(markdown: str, allowed: set[str], links: tuple[str, ...] = ()) -> None:
    page = gfm.render(markdown)
    assert page.names <= allowed, sorted(page.names - allowed)
    assert page.mentions() == [], page.mentions()
    assert page.references() == [], page.references()
    assert page.links() == list(links)
    # The only <details> are ours: a hostile line's stays text in a code block.
    summaries = [m.group(1) for m in SUMMARY.finditer(gfm.html(markdown))]
    assert all(re.fullmatch(r"\d+ (more|lines)", s) for s in summaries), summaries


SUMMARY = re.compile("<summary>(.*?)</summary>")


def test_the_job_summary() -> None:
    text = report_md.summary(hostile_report(), LINK, RUN)
    assert_inert(text, BLOCKS | TABLES | COLLAPSED | {"a"}, (EVIL_URL, RUN))
    assert f"{EVIL}:1:1" in gfm.render(text).codes  # the name, as it reads


def test_the_sticky_comment() -> None:
    body = publishing.render_comment(hostile_report(), RUN, link=LINK)
    assert_inert(body, BLOCKS | TABLES | COLLAPSED | {"a"}, (RUN, EVIL_URL))


def test_the_pull_request_report() -> None:
    result = PolicyResult(
        (
            Rule("branch-name", "pass", "branch '254-@octocat' names #254"),
            Rule("closing-reference", "fail", f"found {HOSTILE!r}"),
        ),
        254,
    )
    text = command.summary(result, "pull request #7, branch '7-<b>x</b>'", (HOSTILE,))
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
    page = gfm.render(gate_table(report))
    assert page.names <= TABLES | {"code"}
    assert line in page.text.replace("\u200b", "")
