"""The Markdown of a `CheckReport`, shared by the job summary and the PR comment.

Both show the same header, gate table and sections, in registry order (the
terminal's order too). A section is a gate's details: a line about one of
its findings becomes a list item whose location links to that line (`link`:
the pull request's diff view, or the commit's file), any other line (tool
output) goes in a code block; past `SHOWN` entries the rest collapses into
`<details>`. A failed gate ends with its fix. The coverage section carries
the chart of the base branch's recorded figures. Every text goes through
`mvp_process.markdown`; the chart holds only numbers and commit ids.

The job summary adds where diff-cover's HTML page of the changed lines went:
the folder `FOLDER` under the runner's temporary folder, which the workflow
template uploads as the artifact `ARTIFACT`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from mvp_process import markdown as md
from mvp_process.check import registry
from mvp_process.check.policy import plural
from mvp_process.results import CheckReport, Finding, GateResult
from mvp_process.style import markdown as outcome
from mvp_process.style import status

Link = Callable[[str, int, int | None], str | None]  # path, line, end -> URL
SHOWN = 10  # entries of a section shown before the rest collapses
MAX_LINE = 1000
FOLDER = ARTIFACT = "mvp-process-diff-coverage"
PAGE = "diff-coverage.html"
LIMIT = 65536  # as the comment: GitHub takes 1 MiB per step, people read far less


def no_link(path: str, line: int, end: int | None) -> str | None:
    return None


def header(report: CheckReport, run_url: str | None = None) -> str:
    verdict = "passed" if report.passed else "failed"
    icon = outcome(status(report.passed)).split()[0]
    run = f" · {md.link('workflow run', run_url)}" if run_url else ""
    project = f": {md.code(report.project)}" if report.project else ""
    return (
        f"## {icon} mvp-process check {verdict}{project}\n\n"
        f"{report.checked(md.code)}{run}"
        f"\n\n{gate_table(report)}\n"
    )


def gate_table(report: CheckReport) -> str:
    rows = ["| Gate | Result | Summary |", "| --- | --- | --- |"]
    for gate in report.gates:
        rows.append(
            f"| {md.code(gate.name, cell=True)} | {outcome(status(gate.passed))} | "
            f"{md.text(gate.summary)} |"
        )
    for name in report.skipped:
        rows.append(
            f"| {md.code(name, cell=True)} | {outcome('skip')} | not selected |"
        )
    return "\n".join(rows)


def chart(report: CheckReport) -> str:
    """Mermaid's line chart of the recorded figures, then HEAD's; "" without data."""
    points = [(r.sha[:7], r.percent) for r in report.history]
    now = report.metric("coverage", "after")
    if isinstance(now, (int, float)):
        points.append(("HEAD", float(now)))
    if len(points) < 2:  # one point is no line
        return ""
    values = [p for _, p in points]
    low = max(0, math.floor(min(values)) - 1)
    high = min(100, math.ceil(max(values)) + 1)
    labels = ", ".join(f'"{label}"' for label, _ in points)
    caption = (
        f"Project coverage recorded by mvp-process on the last commits of "
        f"{md.code(report.base_ref or 'the base branch')}, then HEAD:"
    )
    return (
        f"{caption}\n\n```mermaid\nxychart-beta\n"
        f'  y-axis "coverage (%)" {low} --> {high}\n'
        f"  x-axis [{labels}]\n"
        f"  line [{', '.join(f'{v:.2f}' for v in values)}]\n```\n"
    )


@dataclass(frozen=True)
class Section:
    """One gate's part: list items (linked findings), tool output, its fix."""

    title: str
    items: tuple[str, ...] = ()
    output: tuple[str, ...] = ()
    fix: str = ""
    extra: str = ""  # Markdown after the entries (the chart)

    @property
    def entries(self) -> int:
        return len(self.items) + len(self.output)

    def markdown(self, keep: int | None = None) -> str:
        """The section with its first `keep` entries (all by default)."""
        keep = self.entries if keep is None else keep
        items = list(self.items[:keep])
        output = list(self.output[: max(0, keep - len(self.items))])
        code = [md.block(output).rstrip("\n")] if output else []
        if len(items) + len(output) <= SHOWN:
            body = ["\n".join(items)] + code
        else:
            first, rest = items[: SHOWN // 2], items[SHOWN // 2 :]
            hidden = f"{len(rest) + len(output)} {'more' if first else 'lines'}"
            body = ["\n".join(first), f"<details><summary>{hidden}</summary>"]
            body += ["\n".join(rest), *code, "</details>"]
        parts = [f"### {md.text(self.title)}", *body, self.extra.rstrip("\n"), self.fix]
        return "\n\n".join(p for p in parts if p) + "\n"


def _line(text: str) -> str:
    return text if len(text) <= MAX_LINE else text[: MAX_LINE - 1] + "…"


def _item(line: str, finding: Finding, link: Link) -> str:
    """A detail line about one of the gate's findings, as a linked list item."""
    prefix = f"{finding.path}:{finding.line}:"
    if finding.col and line.startswith(f"{prefix}{finding.col}:"):
        prefix += f"{finding.col}:"
    where = md.code(finding.location())
    url = link(finding.path, finding.line, finding.end_line)
    label = md.link(where, url) if url else where
    return f"- {label}{md.text(':' + _line(line[len(prefix) :]))}"


def fix(gate: GateResult) -> str:
    if gate.passed or gate.hint is None:
        return ""
    if not gate.hint.command:
        return f"**Fix:** {md.text(gate.hint.text)}"
    return f"**Fix:** {md.code(gate.hint.command)} ({md.text(gate.hint.text)})"


def sections(report: CheckReport, link: Link = no_link) -> list[Section]:
    """What to fix, in gate order; a passing gate only when its details matter."""
    found = []
    for spec in registry.GATES:
        gate = report.gate(spec.name)
        if not spec.title or gate is None or not spec.details_shown(gate):
            continue
        items, output, about = [], [], gate.about()
        for line in gate.details:
            finding = about(line)
            if finding is None:
                output.append(_line(line))
            else:
                items.append(_item(line, finding, link))
        extra = chart(report) if spec.name == "coverage" else ""
        found.append(Section(spec.title, tuple(items), tuple(output), fix(gate), extra))
    if report.notes:
        notes = tuple(f"- {md.text(_line(n))}" for n in report.notes)
        found.append(Section("Notes", notes))
    return found


def size(text: str) -> int:
    return len(text.encode("utf-8"))


def _fit(section: Section, room: int) -> tuple[str, int]:
    """The section with as many entries as fit in `room` bytes, and how many."""
    # the bytes each entry adds, in the order `markdown` keeps them
    costs = [size(e) + 1 for e in (*section.items, *section.output)]
    keep, used = 0, size(section.markdown(0)) + 200  # <details>, fences, at most
    while keep < len(costs) and used + costs[keep] <= room:
        used += costs[keep]
        keep += 1
    text = section.markdown(keep)
    while keep and size(text) > room:  # a fence longer than foreseen
        keep -= 1
        text = section.markdown(keep)
    if (section.entries and not keep) or size(text) > room:
        return "", 0
    return text, keep


def fitted(report: CheckReport, link: Link, room: int) -> tuple[list[str], int]:
    """The sections within `room` bytes (UTF-8), and how many lines were left out."""
    parts, omitted = [], 0
    for section in sections(report, link):
        text, kept = _fit(section, room)
        omitted += section.entries - kept
        if text:
            parts.append(text)
            room -= size(text) + 1
    return parts, omitted


def left_out(omitted: int, why: str) -> str:
    return f"_{plural(omitted, 'more line')} left out {why}._\n"


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
