"""The sticky pull-request comment: one per PR, found again by a hidden marker.

It holds the gate table, coverage before → after (and where the baseline came
from), then what to fix, in gate order: flake8 findings, files black would
change, failing tests, uncovered changed lines. GitHub refuses comments
over 65,536 characters, so the text is cut to fit (counted in UTF-8 bytes,
never fewer than GitHub's characters) and says how many lines it left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from mvp_process import markdown as md
from mvp_process.check import registry
from mvp_process.redact import redact
from mvp_process.check.summary import gate_table
from mvp_process.results import CheckReport

MARKER = "<!-- mvp-process:check -->"
LIMIT = 65536
MAX_LINE = 1000


def marker(project: str | None = None) -> str:
    """The hidden first line the sticky comment is found by: one comment per
    sub-project (config `project`), so two in one pull request never meet."""
    return f"<!-- mvp-process:check:{project} -->" if project else MARKER


def size(text: str) -> int:
    return len(text.encode("utf-8"))


@dataclass(frozen=True)
class Section:
    title: str
    lines: tuple[str, ...]


def sections(report: CheckReport) -> list[Section]:
    """What to fix, in gate order; a passing gate only when its details matter."""
    found = []
    for spec in registry.GATES:
        gate = report.gate(spec.name)
        if not spec.title or gate is None or not gate.details:
            continue
        if gate.passed and not spec.details_when_passed:
            continue
        title = spec.title
        lines = tuple(
            line if len(line) <= MAX_LINE else line[: MAX_LINE - 1] + "…"
            for line in gate.details
        )
        found.append(Section(title, lines))
    if report.notes:
        found.append(Section("Notes", report.notes))
    return found


def _coverage_line(report: CheckReport) -> str:
    before = report.metric("coverage", "before")
    after = report.metric("coverage", "after")
    if after is None:
        return ""
    baseline = report.metric("coverage", "baseline") or {}
    if before is None:
        reason = md.text(str(baseline.get("reason", "no baseline")))
        return f"**Coverage:** {after:.2f}% (no baseline: {reason})"
    source = md.text(str(baseline.get("source", "")))
    sha = md.code(str(baseline.get("sha", ""))[:12])
    note = md.text(str(baseline.get("note", "")))
    where = f"{source} on {sha}" + (f", {note}" if note else "")
    return f"**Coverage:** {before:.2f}% → {after:.2f}% (baseline: {where})"


def header(report: CheckReport, run_url: str | None) -> str:
    verdict = (
        "✅ mvp-process check passed"
        if report.passed
        else "❌ mvp-process check failed"
    )
    run = f" · [workflow run]({run_url})" if run_url else ""
    project = f": {md.code(report.project)}" if report.project else ""
    lines = [
        marker(report.project),
        f"## {verdict}{project}",
        "",
        report.checked(md.code) + run,
        "",
        gate_table(report),
    ]
    coverage = _coverage_line(report)
    if coverage:
        lines += ["", coverage]
    return "\n".join(lines) + "\n"


def render(report: CheckReport, run_url: str | None = None, limit: int = LIMIT) -> str:
    """The comment's Markdown, at most `limit` bytes, marker first."""
    where = f" ([workflow run]({run_url}))" if run_url else ""
    reserve = 400 + size(where)
    parts = [header(report, run_url)]
    used = size(parts[0])
    omitted = 0
    for section in sections(report):
        heading = f"\n### {section.title}\n\n"
        frame = size(heading + md.block(section.lines).split("\n", 1)[0]) * 2
        used += frame  # the heading and both fences, at most
        kept: list[str] = []
        for line in section.lines:
            cost = size(line) + 1
            if used + cost > limit - reserve:
                break
            kept.append(line)
            used += cost
        omitted += len(section.lines) - len(kept)
        if kept:
            parts.append(heading + md.block(kept))
        else:
            used -= frame
    if omitted:
        parts.append(
            f"\n_{omitted} more line{'s' if omitted != 1 else ''} left out to stay "
            f"under GitHub's 65,536-character limit for comments{where}._\n"
        )
    return redact("".join(parts))
