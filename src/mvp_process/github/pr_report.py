"""Views of a pull-request policy result: terminal lines and job-summary Markdown."""

from __future__ import annotations

from collections.abc import Sequence

from mvp_process import markdown as md
from mvp_process.github.policy import PolicyResult
from mvp_process.redact import redact

MARKS = {"pass": "PASS", "fail": "FAIL", "skip": "skip"}
ICONS = {"pass": "✅ pass", "fail": "❌ fail", "skip": "⏭ not checked"}


def _title(result: PolicyResult, where: str) -> str:
    verdict = "PASSED" if result.passed else "FAILED"
    return f"mvp-process pr: {verdict}" + (f" ({where})" if where else "")


def render(result: PolicyResult, where: str = "", notes: Sequence[str] = ()) -> str:
    """One line per rule (each message says what to fix), then the notes."""
    lines = ["", _title(result, where)]
    lines += [
        f"  {MARKS[rule.status]} {rule.name:<18} {rule.message}"
        for rule in result.rules
    ]
    lines += [f"  note: {note}" for note in notes]
    return redact("\n".join(lines) + "\n")


def summary(result: PolicyResult, where: str = "", notes: Sequence[str] = ()) -> str:
    verdict = "passed" if result.passed else "failed"
    lines = [
        f"## mvp-process pr {verdict}" + (f" ({md.text(where)})" if where else ""),
        "",
        "| Rule | Result | What to do |",
        "| --- | --- | --- |",
    ]
    lines += [
        f"| {md.code(rule.name, cell=True)} | {ICONS[rule.status]} | "
        f"{md.text(rule.message)} |"
        for rule in result.rules
    ]
    lines += [f"\n> {md.text(note)}" for note in notes]
    return redact("\n".join(lines) + "\n")
