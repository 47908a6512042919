"""diff-coverage gate: coverage of the changed lines, through diff-cover's library.

diff-cover parses the diff and matches it against the Cobertura XML, and
writes its HTML page of the same lines. Test files are left out
(`diff-coverage-exclude`). A changed file the XML does not list is asked
about through the project's own coverage.py (`measure.lookup`): its
executable changed lines count as uncovered, by name, unless the coverage
config omits the file on purpose. So "no data" never reads as a pass on real
code.

diff-cover's library is called in one place, `diffcover.py`.
"""

from __future__ import annotations

import os
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from mvp_process.check import measure
from mvp_process.check.gate import Context, Gate
from mvp_process.check.diffcover import Lines, Page, analyse, preload
from mvp_process.check.measure import Lookup, is_excluded
from mvp_process.check.policy import (
    decide_diff_coverage,
    format_ranges,
    line_ranges,
    names,
)
from mvp_process.check.tests import PYTEST_MODULES
from mvp_process.config_keys import DEFAULT_TEST_GLOBS
from mvp_process.results import Finding, GateResult, Hint

LookupFn = Callable[[Sequence[str]], Lookup]

WRITE_TESTS = Hint("write tests that run these lines")
SOURCE_FIX = (
    "add it to [tool.coverage.run] source, or to [tool.coverage.run] omit "
    "if no test is meant to cover it"
)


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


def why_unmeasured(path: str, measured: set[str]) -> str:
    """Why coverage has no data for `path`, and the fix."""
    if not measured:
        return (
            "the coverage report lists no files at all; set [tool.coverage.run] source"
        )
    name = path.rsplit("/", 1)[-1]
    other = next((m for m in sorted(measured) if m.rsplit("/", 1)[-1] == name), None)
    if other:
        return (
            f"the coverage data has '{other}' instead; check [tool.coverage.run] "
            "source / relative_files and [tool.coverage.paths]"
        )
    return f"coverage does not measure it: {SOURCE_FIX}"


@dataclass
class Tally:
    """Changed lines, file by file: measured, uncovered, and what was left out."""

    measured: int = 0
    uncovered: dict[str, list[int]] = field(default_factory=dict)
    unmeasured: dict[str, str] = field(default_factory=dict)  # path -> why
    omitted: tuple[str, ...] = ()
    unreadable: tuple[str, ...] = ()
    extra: Lines = field(default_factory=dict)

    def add(self, path: str, measured: set[int], missing: set[int]) -> None:
        self.measured += len(measured)
        if missing:
            self.uncovered[path] = sorted(missing)


def tally(
    stats: dict[str, Any],
    changed: dict[str, list[int]],
    xml: Path,
    root: Path,
    lookup: LookupFn,
    prefix: str = "",
) -> Tally:
    """Count diff-cover's figures, then ask coverage.py about the files it lacks;
    the files named from the repository's top (`prefix` + their path in `root`)."""
    found = Tally()
    for path, src in stats["src_stats"].items():
        if path in changed:
            lines = set(src["covered_lines"]) | set(src["violation_lines"])
            found.add(prefix + path, lines, set(src["violation_lines"]))
    known = coverage_files(xml, root)
    absent = sorted(p for p in changed if p not in known | set(stats["src_stats"]))
    answer = lookup(absent) if absent else Lookup({})
    for path, (ran, missing) in sorted(answer.lines.items()):
        lines = set(changed[path])
        found.add(prefix + path, lines & (ran | missing), lines & missing)
        if not ran and lines & missing:
            found.unmeasured[prefix + path] = why_unmeasured(path, known)
    found.omitted = tuple(prefix + path for path in answer.omitted)
    found.unreadable = tuple(prefix + path for path in answer.unreadable)
    found.extra = dict(answer.lines)  # named in `root`, as diff-cover names them
    return found


def _ranges(found: Tally) -> list[tuple[str, int, int, str]]:
    """(path, first, last, message) of each uncovered range, file by file."""
    return [
        (path, a, b, f"changed line{'' if a == b else f's {a}-{b}'} {what}")
        for path, lines in sorted(found.uncovered.items())
        for what in [
            (
                "coverage does not measure"
                if path in found.unmeasured
                else "not covered by tests"
            )
        ]
        for a, b in line_ranges(lines)
    ]


def _details(found: Tally, excluded: list[str]) -> list[str]:
    """A line per uncovered range (`path:line:`, as editors jump), then the rest."""
    details = [f"{path}:{a}: {message}" for path, a, _, message in _ranges(found)]
    details += [
        f"{path} is not measured: {why}"
        for path, why in sorted(found.unmeasured.items())
    ]
    if found.omitted:
        details.append(
            f"left out, omitted by the coverage config: {names(found.omitted)}"
        )
    if found.unreadable:
        details.append(f"not Python coverage can read: {names(found.unreadable)}")
    if excluded:
        details.append(
            f"left out as tests (diff-coverage-exclude): {names(tuple(excluded))}"
        )
    return details


def run(
    diff_text: str,
    xml_path: Path,
    root: Path,
    minimum: float,
    lookup: LookupFn,
    exclude: Sequence[str] = DEFAULT_TEST_GLOBS,
    prefix: str = "",
    html: Page | None = None,
) -> GateResult:
    """`prefix` names `root` from the repository's top; `html`: where
    diff-cover's HTML page of the same changed lines goes."""
    started = time.monotonic()
    if not xml_path.is_file():
        return GateResult(
            "diff-coverage",
            False,
            "no coverage data: the test run wrote no coverage report",
            duration=time.monotonic() - started,
        )
    diff_file = xml_path.with_name("changes.diff")
    diff_file.write_text(diff_text, encoding="utf-8")
    stats = analyse(diff_file, xml_path, root)
    added = {p: v for p, v in stats["changed"].items() if v}  # not only deletions
    changed = {p: v for p, v in added.items() if not is_excluded(p, exclude)}
    tests = sorted(set(added) - set(changed))
    excluded = [prefix + path for path in tests]
    found = tally(stats, changed, xml_path, root, lookup, prefix)
    if html is not None:
        html.write(diff_file, xml_path, root, tests, found.extra)
    uncovered = sum(len(v) for v in found.uncovered.values())
    changed_lines = sum(len(v) for v in changed.values())
    unmeasured = sum(len(found.uncovered.get(p, ())) for p in found.unmeasured)
    decision = decide_diff_coverage(
        changed_lines,
        found.measured,
        found.measured - uncovered,
        minimum,
        tuple(sorted(found.unmeasured)),
        found.omitted,
        unmeasured,
    )
    measured = found.measured
    percent = 100.0 * (measured - uncovered) / measured if measured else None
    return GateResult(
        "diff-coverage",
        decision.passed,
        decision.summary,
        details=tuple(_details(found, excluded)),
        findings=tuple(
            Finding(path, a, message, "diff-coverage", end_line=b, level="warning")
            for path, a, b, message in _ranges(found)
        ),
        metrics={
            "percent": None if percent is None else round(percent, 2),
            "changed_lines": changed_lines,
            "executable_lines": measured,
            "covered_lines": measured - uncovered,
            "uncovered_lines": uncovered,
            "unmeasured_lines": unmeasured,
            "minimum": minimum,
            "uncovered": {
                p: format_ranges(line_ranges(v)) for p, v in found.uncovered.items()
            },
            "not_measured": sorted(found.unmeasured),
            "omitted": list(found.omitted),
            "unreadable": list(found.unreadable),
            "excluded": excluded,
        },
        duration=time.monotonic() - started,
        hint=None if decision.passed else WRITE_TESTS,
    )


def _run(ctx: Context) -> GateResult:
    assert ctx.test_run is not None
    outdir = ctx.test_run.outdir
    diff = ctx.git.diff_against(ctx.target.merge_base, ctx.target.untracked)
    lookup = partial(
        measure.lookup,
        ctx.tools,
        ctx.git.project_dir,
        ctx.config.pytest_args,
        outdir / ".coverage",
        ctx.workdir,
    )
    page = ctx.config.html
    return run(
        diff,
        ctx.test_run.coverage_xml,
        ctx.git.project_dir,
        ctx.config.diff_coverage_min,
        lookup,
        ctx.config.diff_coverage_exclude,
        prefix=ctx.git.prefix,
        html=None if page is None else Page(page, ctx.target.merge_base),
    )


GATE = Gate(
    "diff-coverage",
    _run,
    needs=("tests",),
    requires=PYTEST_MODULES,
    title="Uncovered changed lines",
    details_when_passed=True,
    show_source=True,
    preload=preload,
)
