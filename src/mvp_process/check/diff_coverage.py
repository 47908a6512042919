"""diff-coverage gate: coverage of the changed lines, through diff-cover's library.

diff-cover's `GitDiffTool` runs git in the process's current folder; ours runs in
the repository we were given, so we hand diff-cover the diff text ourselves and
let it do the parsing and the matching against the coverage XML.
"""

from __future__ import annotations

import os
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mvp_process.check.gate import Context, Gate
from mvp_process.check.policy import decide_diff_coverage, format_ranges, line_ranges
from mvp_process.check.tests import PYTEST_MODULES
from mvp_process.results import Finding, GateResult

# GitPathTool keeps the repository root in class attributes; one diff at a time.
_PATH_TOOL_LOCK = threading.Lock()


@dataclass
class _FixedDiff:
    """The interface GitDiffReporter expects, answering with a precomputed diff."""

    text: str
    range_notation: str = "..."

    def diff_committed(self, compare_branch: str = "") -> str:
        return self.text

    def diff_staged(self) -> str:
        return ""

    def diff_unstaged(self) -> str:
        return ""

    def untracked(self) -> list[str]:
        return []


def coverage_files(xml_path: Path, root: Path) -> set[str]:
    """Repository-relative paths of every file in a Cobertura report."""
    tree = ET.parse(xml_path).getroot()
    sources = [s.text.strip() for s in tree.iter("source") if s.text]
    found = set()
    for clazz in tree.iter("class"):
        name = clazz.get("filename")
        if not name:
            continue
        for base in sources or [str(root)]:
            full = os.path.normpath(os.path.join(base, name))
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            if not rel.startswith(".."):
                found.add(rel)
                break
        else:
            found.add(name.replace(os.sep, "/"))
    return found


def _mismatch(changed: list[str], measured: set[str]) -> str:
    """Name a likely path mismatch between the diff and the coverage data."""
    if not measured:
        return (
            "the coverage report lists no files at all; set [tool.coverage.run] source"
        )
    by_name: dict[str, str] = {}
    for path in sorted(measured):
        by_name.setdefault(path.rsplit("/", 1)[-1], path)
    for path in changed:
        other = by_name.get(path.rsplit("/", 1)[-1])
        if other and other != path:
            return (
                f"the diff has '{path}' but the coverage data has '{other}'; "
                "check [tool.coverage.run] source / relative_files "
                "and [tool.coverage.paths]"
            )
    return ""


def preload() -> None:
    """Import diff-cover (jinja2 and all, ~50 ms) while the tests still run."""
    import diff_cover.report_generator  # noqa: F401
    import diff_cover.violationsreporters.violations_reporter  # noqa: F401


def analyse(diff_text: str, xml_path: Path, root: Path) -> dict[str, Any]:
    """diff-cover's report dict for `diff_text` against `xml_path`."""
    from diff_cover.diff_reporter import GitDiffReporter
    from diff_cover.git_path import GitPathTool
    from diff_cover.report_generator import JsonReportGenerator
    from diff_cover.violationsreporters.violations_reporter import XmlCoverageReporter

    with _PATH_TOOL_LOCK:
        GitPathTool._cwd = str(root)
        GitPathTool._root = str(root)
        try:
            diff = GitDiffReporter(
                "merge-base",
                git_diff=_FixedDiff(diff_text),
                ignore_staged=True,
                ignore_unstaged=True,
                supported_extensions=["py"],
            )
            coverage = XmlCoverageReporter([ET.parse(xml_path)])
            report = JsonReportGenerator(coverage, diff, total_percent_float=True)
            stats: dict[str, Any] = report.report_dict()
            stats["changed"] = {
                p: diff.lines_changed(p) for p in diff.src_paths_changed()
            }
            return stats
        finally:
            GitPathTool._cwd = GitPathTool._root = None


def run(diff_text: str, xml_path: Path, root: Path, minimum: float) -> GateResult:
    started = time.monotonic()
    if not xml_path.is_file():
        return GateResult(
            "diff-coverage",
            False,
            "no coverage data: the test run wrote no coverage report",
            duration=time.monotonic() - started,
        )
    stats = analyse(diff_text, xml_path, root)
    changed: dict[str, list[int]] = stats["changed"]
    changed_lines = sum(len(v) for v in changed.values())
    measured = int(stats["total_num_lines"])
    uncovered = int(stats["total_num_violations"])
    mismatch_text = ""
    unmeasured: tuple[str, ...] = ()
    if changed_lines and not measured:
        known = coverage_files(xml_path, root)
        mismatch_text = _mismatch(sorted(changed), known)
        unmeasured = tuple(p for p in sorted(changed) if p not in known)
    decision = decide_diff_coverage(
        changed_lines,
        measured,
        measured - uncovered,
        minimum,
        mismatch_text,
        unmeasured,
    )
    findings, details, per_file = [], [], {}
    for path, src in sorted(stats["src_stats"].items()):
        ranges = line_ranges(src["violation_lines"])
        if not ranges:
            continue
        per_file[path] = format_ranges(ranges)
        details.append(f"{path}: {per_file[path]}")
        findings += [
            Finding(
                path=path,
                line=a,
                end_line=b,
                code="diff-coverage",
                message=(
                    "changed line not covered by tests"
                    if a == b
                    else "changed lines not covered by tests"
                ),
                level="warning",
            )
            for a, b in ranges
        ]
    percent = 100.0 * (measured - uncovered) / measured if measured else None
    return GateResult(
        "diff-coverage",
        decision.passed,
        decision.summary,
        details=tuple(details),
        findings=tuple(findings),
        metrics={
            "percent": None if percent is None else round(percent, 2),
            "changed_lines": changed_lines,
            "measured_lines": measured,
            "uncovered_lines": uncovered,
            "minimum": minimum,
            "uncovered": per_file,
        },
        duration=time.monotonic() - started,
    )


def _run(ctx: Context) -> GateResult:
    assert ctx.test_run is not None
    diff = ctx.git.diff_against(ctx.target.merge_base)
    return run(
        diff, ctx.test_run.coverage_xml, ctx.git.root, ctx.config.diff_coverage_min
    )


GATE = Gate(
    "diff-coverage",
    _run,
    needs=("tests",),
    requires=PYTEST_MODULES,
    title="Uncovered changed lines",
    details_when_passed=True,
    preload=preload,
)
