"""The reports as people see them: golden files, and their HTML as GitHub renders it.

The terminal text (with and without colour), the PR comment and the job
summary of a failing and a passing `check`, and the `pr` verdict, are
compared with the files in `tests/golden/`. After a change that is meant to
alter them, regenerate them (then read the diff before committing):

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/unit/test_golden_reports.py

The Markdown is then rendered through cmark-gfm with GitHub's extensions
(`support.gfm`) and checked as HTML: the gate table is a table, long
sections collapse in `<details>`, findings link to their line in the pull
request's diff, and the chart is a Mermaid block.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from mvp_process.check import report_md, terminal
from mvp_process.github import command, policy_artifact, publishing
from mvp_process.results import CheckReport
from mvp_process.style import Style
from support import gfm, reports

GOLDEN = Path(__file__).parents[1] / "golden"
UPDATE = bool(os.environ.get("UPDATE_GOLDEN"))
RUN = f"{reports.SERVER}/{reports.REPOSITORY}/actions/runs/4242"
FILES = f"{reports.SERVER}/{reports.REPOSITORY}/pull/{reports.PR}/files"

RENDERINGS: dict[str, Callable[[], str]] = {
    "check-failing.txt": lambda: terminal.render(
        reports.failing_check(), Style(), reports.source
    ),
    "check-failing.color.txt": lambda: terminal.render(
        reports.failing_check(), Style(colour=True), reports.source
    ),
    "check-failing.comment.md": lambda: publishing.render_comment(
        reports.failing_check(), RUN, link=reports.LINK
    ),
    "check-failing.summary.md": lambda: report_md.summary(
        reports.failing_check(), reports.LINK, f"{RUN}#artifacts"
    ),
    "check-passing.txt": lambda: terminal.render(reports.passing_check()),
    "check-passing.comment.md": lambda: publishing.render_comment(
        reports.passing_check(), RUN, link=reports.LINK
    ),
    "check-passing.summary.md": lambda: report_md.summary(reports.passing_check()),
    "pr-failing.txt": lambda: command.render(
        reports.failing_pr(), "branch '254-add-div'"
    ),
    "pr-failing.color.txt": lambda: command.render(
        reports.failing_pr(), "branch '254-add-div'", style=Style(colour=True)
    ),
    "pr-failing.summary.md": lambda: command.summary(
        reports.failing_pr(), "branch '254-add-div'"
    ),
}


@pytest.mark.parametrize("name", sorted(RENDERINGS))
def test_the_rendering_matches_its_golden_file(name: str) -> None:
    text = RENDERINGS[name]()
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"regenerate: see {__doc__}"


def test_every_golden_file_is_rendered() -> None:
    assert {p.name for p in GOLDEN.iterdir()} - {"README.md"} == set(RENDERINGS)


def anchor(path: str, line: int, end: int | None = None) -> str:
    digest = hashlib.sha256(path.encode()).hexdigest()
    return f"{FILES}#diff-{digest}R{line}" + (f"-R{end}" if end else "")


@pytest.mark.parametrize(
    "name", ["check-failing.comment.md", "check-failing.summary.md"]
)
def test_the_failing_check_renders_as_github_shows_it(name: str) -> None:
    markdown = (GOLDEN / name).read_text(encoding="utf-8")
    page = gfm.render(markdown)
    html = gfm.html(markdown)
    # The gate table is a table: a header row and a row per gate.
    assert html.count("<table>") == 1 and html.count("<tr>") == 6
    # The long flake8 section shows five findings, then collapses the rest.
    flake8 = html[html.index("flake8 findings") : html.index("black would reformat")]
    shown, rest = flake8.split("<details>")
    hidden, after = rest.split("</details>")
    assert shown.count("<li>") == 5 and "<summary>7 more</summary>" in hidden
    assert hidden.count("<li>") == 7 and after.count("<li>") == 0
    assert "<strong>Fix:</strong> <code>flake8 calc/__init__.py" in after
    # Findings link to their line in the pull request's diff; a file the pull
    # request does not change, to its line at the commit.
    links = page.links()
    assert anchor("calc/__init__.py", 2) in links
    assert anchor("calc/__init__.py", 13, 14) in links  # an uncovered range
    assert anchor("tests/test_calc.py", 9) in links
    commit = f"{reports.SERVER}/{reports.REPOSITORY}/blob/{reports.PR_HEAD}"
    assert f"{commit}/setup.py#L3" in links
    assert all(
        re.fullmatch(r"https://github\.com/octo-org/hello-world/\S+", link)
        for link in links
    )
    # The chart is a Mermaid block GitHub draws, with numbers and commit ids only.
    assert '<pre><code class="language-mermaid">xychart-beta' in html
    assert "line [97.50, 98.25, 99.10, 100.00, 72.73]" in html
    # Nothing mentions anyone or references an issue.
    assert page.mentions() == [] and page.references() == []
    assert "Fix: python -m pytest tests/test_calc.py::test_div (reruns it)" in (
        page.text
    )


def test_the_comment_does_not_repeat_the_coverage_figures() -> None:
    body = (GOLDEN / "check-failing.comment.md").read_text(encoding="utf-8")
    shown = gfm.shown(body)
    assert shown.count("72.73") == 2  # the table's row, and the chart's last point
    assert shown.count("100.00%") == 2  # the table's row, and the baseline's source
    assert "**Coverage:**" not in body


def test_the_sections_come_in_gate_order_everywhere() -> None:
    titles = ["flake8", "black", "tests", "coverage", "diff-coverage"]
    marks = {
        "check-failing.txt": [f"FAIL {t}" for t in titles],
        "check-failing.comment.md": [
            "### flake8 findings",
            "### black would reformat",
            "### Failing tests",
            "### Project coverage",
            "### Uncovered changed lines",
        ],
    }
    marks["check-failing.summary.md"] = marks["check-failing.comment.md"]
    for name, order in marks.items():
        text = (GOLDEN / name).read_text(encoding="utf-8")
        places = [text.index(mark) for mark in order]
        assert places == sorted(places), name


def test_without_colour_the_coloured_text_is_the_same() -> None:
    plain = (GOLDEN / "check-failing.txt").read_text(encoding="utf-8")
    coloured = (GOLDEN / "check-failing.color.txt").read_text(encoding="utf-8")
    assert "\033[31;1mFAIL\033[0m" in coloured
    assert re.sub("\033\\[[0-9;]*m", "", coloured) == plain


@pytest.mark.parametrize("build", [reports.failing_check, reports.passing_check])
def test_a_report_rebuilt_from_its_json_renders_the_same(
    build: Callable[[], CheckReport],
) -> None:
    """The fork publisher renders the comment from the uploaded JSON report."""
    report = build()
    data = json.dumps({"version": "0.1.0", **report.to_json()}).encode()
    rebuilt = policy_artifact.report(data)
    assert publishing.render_comment(
        rebuilt, RUN, link=reports.LINK
    ) == publishing.render_comment(report, RUN, link=reports.LINK)
    assert report_md.summary(rebuilt) == report_md.summary(report)
