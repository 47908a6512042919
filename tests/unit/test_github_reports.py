"""What GitHub is shown: status descriptions, the sticky comment, annotations."""

from __future__ import annotations

import hashlib

import pytest

from mvp_process import redact
from mvp_process.github.policy import PolicyResult, Rule
from mvp_process import actions
from mvp_process.check import report_md as markdown
from mvp_process.check import report_md
from mvp_process.check.report_md import Section
from mvp_process.check import terminal
from mvp_process.github import links, publishing
from mvp_process.github import statuses
from mvp_process.github import command
from mvp_process.config import GitHubEnv
from mvp_process.github.event import Event
from mvp_process.results import CheckReport, Finding, GateResult, Hint, Recorded
from support import gfm


def report(*gates: GateResult, notes: tuple[str, ...] = ()) -> CheckReport:
    return CheckReport(
        passed=all(g.passed for g in gates),
        gates=gates,
        head_sha="1" * 40,
        base_ref="origin/main",
        merge_base="2" * 40,
        skipped=("black",),
        notes=notes,
    )


def coverage_gate(before: float | None, after: float | None, **base: str) -> GateResult:
    return GateResult(
        "coverage",
        True,
        "summary",
        details=("baseline: ...",),
        metrics={"before": before, "after": after, "baseline": base},
    )


def test_every_report_says_when_uncommitted_work_was_checked() -> None:
    clean = report(GateResult("tests", True, "1 passed"))
    dirty = CheckReport(**{**clean.__dict__, "dirty": True})
    plain = "HEAD 111111111111 against origin/main (merge-base 222222222222)"
    marked = "HEAD `111111111111` against `origin/main` (merge-base `222222222222`)"
    assert clean.checked() == plain and clean.to_json()["dirty"] is False
    assert plain in terminal.render(clean) and marked in markdown.summary(clean)
    assert marked in publishing.render_comment(clean)
    extra = " + uncommitted changes"
    assert dirty.to_json()["checked"] == plain.replace(" against", extra + " against")
    assert dirty.to_json()["dirty"] is True
    for text in (
        terminal.render(dirty),
        markdown.summary(dirty),
        publishing.render_comment(dirty),
    ):
        assert "+ uncommitted changes against" in text


# -- statuses ---------------------------------------------------------------
def test_descriptions_are_one_line_of_at_most_140_characters() -> None:
    assert statuses.one_line("a\n  b\tc") == "a b c"
    long = statuses.one_line("word " * 100)
    assert len(long) == 140 and long.endswith("…")
    gate = GateResult("flake8", False, "x" * 500)
    assert len(statuses.gate_description(gate)) == 140


@pytest.mark.parametrize("percent", [0.0, 7.5, 87.53, 100.0])
def test_coverage_figure_round_trips(percent: float) -> None:
    gate = GateResult("coverage", True, "a → b " * 40, metrics={"after": percent})
    text = statuses.gate_description(gate)
    assert len(text) <= 140
    assert statuses.coverage_figure(text) == round(percent, 2)


@pytest.mark.parametrize(
    "description",
    [None, "", "no coverage data", "coverage 87%", "187.00% project coverage", "87%"],
)
def test_descriptions_without_a_figure(description: str | None) -> None:
    assert statuses.coverage_figure(description) is None


def test_coverage_gate_without_figure_is_plain() -> None:
    gate = GateResult("coverage", False, "no coverage data", metrics={"after": None})
    assert statuses.gate_description(gate) == "no coverage data"
    assert statuses.context("pr") == "mvp-process/pr"


# -- sticky comment ---------------------------------------------------------
def test_comment_starts_with_the_marker_and_says_coverage_once() -> None:
    text = publishing.render_comment(
        report(coverage_gate(90.0, 91.5, source="status", sha="3" * 40, note="")),
        "https://run",
    )
    assert text.startswith(publishing.MARKER + "\n## ✅ mvp-process check passed")
    assert "[workflow run](https://run)" in text
    assert "**Coverage:**" not in text  # the table's row has the figures
    assert "| `coverage` | ✅ pass | summary |" in text
    assert "### Project coverage\n\n```text\nbaseline: ...\n```\n" in text
    assert "| `black` | ⏭ skip |" in text
    assert "**Fix:**" not in text  # nothing failed


def test_the_chart_needs_a_recorded_figure() -> None:
    gate = coverage_gate(90.0, 91.5)
    alone = report(gate)
    assert "mermaid" not in publishing.render_comment(alone)
    one = CheckReport(**{**alone.__dict__, "history": (Recorded("4" * 40, 90),)})
    assert 'x-axis ["4444444", "HEAD"]' in publishing.render_comment(one)
    assert "line [90.00, 91.50]" in publishing.render_comment(one)
    unknown = report(coverage_gate(90.0, None))
    two = (Recorded("4" * 40, 90), Recorded("5" * 40, 95.5))
    drawn = publishing.render_comment(
        CheckReport(**{**unknown.__dict__, "history": two})
    )
    assert 'x-axis ["4444444", "5555555"]' in drawn  # no figure now: no HEAD
    assert 'y-axis "coverage (%)" 89 --> 97' in drawn
    lone = CheckReport(**{**unknown.__dict__, "history": two[:1]})
    assert "mermaid" not in publishing.render_comment(lone)  # one point is no line


def test_comment_lists_what_to_fix_in_gate_order() -> None:
    """The same order as the gate table, the job summary and the terminal."""
    text = publishing.render_comment(
        report(
            GateResult("flake8", False, "1 finding", details=("a.py:1:1: F401 x",)),
            GateResult("tests", False, "1 failed", details=("FAILED t::x: boom",)),
            GateResult("diff-coverage", True, "90%", details=("a.py: 3-4",)),
            GateResult("black", True, "ok", details=("2 files outside",)),
            notes=("a note",),
        )
    )
    order = [text.index(t) for t in ("flake8 findings", "Failing tests", "Uncovered")]
    assert order == sorted(order)
    assert "### Notes" in text and "left out" not in text
    assert "2 files outside" in text  # lint-scope "changed": what it left out
    passing = publishing.render_comment(
        report(GateResult("tests", True, "ok", details=("x",)))
    )
    assert "```text\nx" not in passing


def test_a_finding_is_a_linked_item_and_its_fix_follows() -> None:
    flake8 = GateResult(
        "flake8",
        False,
        "2 findings",
        details=("a b.py:3:5: E1 bad", "flake8: a note"),
        findings=(Finding("a b.py", 3, "bad", "E1", col=5),),
        hint=Hint("rechecks", "flake8 'a b.py'"),
    )
    link = links.in_pull_request("https://gh", "o/r", 9, ["a b.py"], "f" * 40)
    text = publishing.render_comment(report(flake8), link=link)
    anchor = hashlib.sha256(b"a b.py").hexdigest()
    assert (
        f"- [`a b.py:3:5`](https://gh/o/r/pull/9/files#diff-{anchor}R3)\\: E1 bad\n"
        in text
    )
    assert "```text\nflake8: a note\n```" in text
    assert text.endswith("**Fix:** `flake8 'a b.py'` (rechecks)\n")
    assert "](" not in publishing.render_comment(report(flake8))  # no GitHub: no links


def test_fences_survive_backticks_in_details() -> None:
    text = publishing.render_comment(
        report(GateResult("tests", False, "1 failed", details=("assert '```' == ``",)))
    )
    assert "````text\nassert '```' == ``\n````" in text


def test_comment_stays_under_the_limit_and_says_what_it_left_out() -> None:
    lines = tuple(f"pkg/mod.py:{i}:1: E501 line too long é€😀" for i in range(5000))
    findings = tuple(Finding("pkg/mod.py", i, "x", "E501", col=1) for i in range(5000))
    huge = "x" * 5000
    link = links.in_pull_request("https://gh", "o/r", 9, ["pkg/mod.py"], "f" * 40)
    text = publishing.render_comment(
        report(
            GateResult(
                "flake8", False, "5001", details=(huge, *lines), findings=findings
            ),
            GateResult("diff-coverage", False, "10%", details=("a.py: 1-9",)),
        ),
        "https://run",
        link=link,
    )
    assert len(text.encode("utf-8")) <= publishing.COMMENT_LIMIT
    kept = text.count("E501")
    assert 100 < kept < 5000
    left = 5000 - kept + 1  # the long line did not fit either
    assert f"_{left} more lines left out to stay under GitHub's 65,536" in text
    assert "([workflow run](https://run))._" in text
    assert "### Uncovered changed lines" in text  # a later, short section fits
    assert "<details><summary>" in text and text.count("</details>") == 1


def test_a_long_line_is_cut() -> None:
    long = "x" * 5000
    text = publishing.render_comment(
        report(GateResult("tests", False, "1", details=(long,)))
    )
    assert "x" * 999 + "…" in text and "x" * 1001 not in text


def test_tiny_limit_keeps_the_header_only() -> None:
    text = publishing.render_comment(
        report(GateResult("flake8", False, "1", details=("a.py:1:1: F401 x",))),
        limit=650,
    )
    assert "### flake8" not in text
    assert "_1 more line left out" in text


def test_comment_masks_secrets() -> None:
    redact.register("s3cr3t-value")
    text = publishing.render_comment(
        report(GateResult("tests", False, "1 failed", details=("token=s3cr3t-value",)))
    )
    assert "s3cr3t-value" not in text and "token=***" in text


def test_links_to_a_line_at_the_commit_outside_a_pull_request() -> None:
    at = links.at_commit("https://gh", "o/r", "abc")
    assert at("d/é f.py", 3, 5) == "https://gh/o/r/blob/abc/d/%C3%A9%20f.py#L3-L5"
    assert at("a.py", 3, 3) == "https://gh/o/r/blob/abc/a.py#L3"
    env = GitHubEnv(repository="o/r", server_url="https://gh")
    push = Event(name="push", head_sha="abc")
    assert links.for_event(env, push, [])("a.py", 1, None) == (
        "https://gh/o/r/blob/abc/a.py#L1"
    )
    pull = Event(name="pull_request", pr_number=4, head_sha="abc")
    digest = hashlib.sha256(b"a.py").hexdigest()
    assert links.for_event(env, pull, ["a.py"])("a.py", 2, 4) == (
        f"https://gh/o/r/pull/4/files#diff-{digest}R2-R4"
    )
    assert links.for_event(GitHubEnv(), pull, [])("a.py", 1, None) is None
    assert links.for_event(env, Event(name="push"), [])("a.py", 1, None) is None


# -- annotations ------------------------------------------------------------
def test_annotations_errors_first_within_limits() -> None:
    warnings = [
        ("cov", Finding("a.py", i, "uncovered", level="warning")) for i in range(12)
    ]
    errors = [("lint", Finding("b.py", i, "bad", code="E1")) for i in range(11)]
    notices = [("n", Finding("c.py", 1, "fyi", level="notice"))]
    lines, left = actions.annotation_lines(warnings + errors + notices)
    levels = [line.split(" ", 1)[0] for line in lines]
    assert levels == ["::error"] * 10 + ["::warning"] * 10 + ["::notice"]
    assert left == 3
    assert lines[0] == "::error file=b.py,line=0,title=lint::E1 bad"
    assert actions.annotation_lines([]) == ([], 0)


# -- pr policy views --------------------------------------------------------
def test_pr_views_escape_user_text() -> None:
    result = PolicyResult(
        (
            Rule("branch-name", "fail", "branch '1-`id`|<b>' is bad"),
            Rule("reviewer", "skip", "not checked"),
        ),
        None,
    )
    text = command.render(result, "branch 'x'")
    assert "mvp-process pr: FAILED (branch 'x')" in text
    assert "  FAIL branch-name" in text and "  SKIP reviewer" in text
    md = command.summary(result)
    assert "## ❌ mvp-process pr failed\n" in md
    assert "| ⏭ skip |" in md
    page = gfm.render(md)
    assert "branch '1-`id`|<b>' is bad" in page.text and "b" not in page.names


def test_a_fence_longer_than_foreseen_still_fits() -> None:
    """A line of backticks lengthens both fences past the room left for them."""
    ticks = Section("Failing tests", output=("`" * 500, "x"))
    empty = report_md.size(ticks.markdown(0))
    room = empty + 200 + 503  # what the estimate needs for both lines
    text, kept = report_md._fit(ticks, room)
    assert (text, kept) == ("", 0)  # with its fences, not even one line fits
    text, kept = report_md._fit(ticks, room + 1100)
    assert kept == 2 and report_md.size(text) <= room + 1100
    assert "`" * 501 + "text\n" in text


def test_the_job_summary_is_bounded_too() -> None:
    lines = tuple(f"t.py:{i}: FAILED test_{i}: assert 0" for i in range(1, 4001))
    findings = tuple(Finding("t.py", i, "x") for i in range(1, 4001))
    big = report(GateResult("tests", False, "4000", details=lines, findings=findings))
    text = markdown.summary(big)
    assert report_md.size(text) <= markdown.LIMIT + 1000
    kept = text.count(": FAILED test")
    assert 100 < kept < 4000
    assert f"_{4000 - kept} more lines left out to keep this summary short._" in text
