"""Markdown views of a `CheckReport`: the job summary, and the gate table the
PR comment shares. What tools said is escaped by `mvp_process.markdown`."""

from __future__ import annotations

from mvp_process import markdown as md
from mvp_process.results import CheckReport


def gate_table(report: CheckReport) -> str:
    rows = ["| Gate | Result | Summary |", "| --- | --- | --- |"]
    for gate in report.gates:
        mark = "✅ pass" if gate.passed else "❌ fail"
        rows.append(
            f"| {md.code(gate.name, cell=True)} | {mark} | {md.text(gate.summary)} |"
        )
    for name in report.skipped:
        rows.append(f"| {md.code(name, cell=True)} | ⏭ skipped | not selected |")
    return "\n".join(rows)


def summary(report: CheckReport, max_details: int = 30) -> str:
    """The job summary: verdict, gate table, then each failure's details."""
    verdict = "passed" if report.passed else "failed"
    lines = [
        f"## mvp-process check {verdict}",
        "",
        report.checked(md.code),
        "",
        gate_table(report),
    ]
    for note in report.notes:
        lines += ["", f"> {md.text(note)}"]
    for gate in report.gates:
        if gate.passed or not gate.details:
            continue
        shown = gate.details[:max_details]
        lines += ["", f"### {gate.name}", "", md.block(shown).rstrip("\n")]
        if len(gate.details) > len(shown):
            lines.append(f"... and {len(gate.details) - len(shown)} more")
    return "\n".join(lines) + "\n"


def outputs(report: CheckReport) -> dict[str, str]:
    """Step outputs: `passed`, `coverage`, `diff-coverage` (empty when unknown)."""
    cov = report.metric("coverage", "after")
    diff = report.metric("diff-coverage", "percent")
    return {
        "passed": "true" if report.passed else "false",
        "coverage": "" if cov is None else f"{cov:.2f}",
        "diff-coverage": "" if diff is None else f"{diff:.2f}",
    }
