"""Views of a pull-request policy result: terminal lines and job-summary Markdown.

The words (PASS, FAIL, SKIP) and colour are `check`'s (`mvp_process.style`).
"""

from __future__ import annotations

from collections.abc import Sequence

from mvp_process import markdown as md
from mvp_process.github.policy import PolicyResult
from mvp_process.redact import redact
from mvp_process.style import Style, markdown, status


def render(
    result: PolicyResult,
    where: str = "",
    notes: Sequence[str] = (),
    style: Style = Style(),
) -> str:
    """One line per rule (each message says what to fix), then the notes."""
    title = f"mvp-process pr: {style.verdict(result.passed)}"
    lines = ["", title + (f" ({where})" if where else "")]
    lines += [
        f"  {style.word(rule.status)} {rule.name:<18} {rule.message}"
        for rule in result.rules
    ]
    lines += [f"  note: {note}" for note in notes]
    return redact("\n".join(lines) + "\n")


def summary(result: PolicyResult, where: str = "", notes: Sequence[str] = ()) -> str:
    verdict = "passed" if result.passed else "failed"
    icon = markdown(status(result.passed)).split()[0]
    lines = [
        f"## {icon} mvp-process pr {verdict}"
        + (f" ({md.text(where)})" if where else ""),
        "",
        "| Rule | Result | What to do |",
        "| --- | --- | --- |",
    ]
    lines += [
        f"| {md.code(rule.name, cell=True)} | {markdown(rule.status)} | "
        f"{md.text(rule.message)} |"
        for rule in result.rules
    ]
    lines += [f"\n> {md.text(note)}" for note in notes]
    return redact("\n".join(lines) + "\n")
