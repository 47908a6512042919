"""diff-coverage gate: coverage of the changed lines, through diff-cover's library.

diff-cover parses the diff and matches it against the Cobertura XML, and
writes its HTML page of the same lines. Test files are left out
(`diff-coverage-exclude`). A changed file the XML does not list is asked
about through the project's own coverage.py (`measure.lookup`): its
executable changed lines count as uncovered, by name, unless the coverage
config omits the file on purpose. So "no data" never reads as a pass on real
code.

The diff is read from a file through diff-cover's public `GitDiffFileTool`
(its `--diff-file` option: the diff comes from our git wrapper, which runs
in the repository we were given and includes untracked files). The page is
diff-cover's own HTML report of the same changed lines, with the same files
left out as tests, and the files the Cobertura XML does not list added from
what the project's coverage.py said of them; so its figures are the gate's.
"""

from __future__ import annotations

import glob
import os
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from mvp_process.check import measure
from mvp_process.check.gate import Context, Gate
from mvp_process.check.measure import TEST_GLOBS, Lookup, is_excluded
from mvp_process.check.policy import (
    decide_diff_coverage,
    format_ranges,
    line_ranges,
    names,
)
from mvp_process.check.tests import PYTEST_MODULES
from mvp_process.results import Finding, GateResult, Hint

LookupFn = Callable[[Sequence[str]], Lookup]

# GitPathTool keeps the repository root in class attributes; one diff at a time.
_PATH_TOOL_LOCK = threading.Lock()

Lines = Mapping[str, tuple[frozenset[int], frozenset[int]]]  # path: (ran, missing)


def preload() -> None:
    """Import diff-cover (jinja2 and all, ~50 ms) while the tests still run."""
    import diff_cover.report_generator  # noqa: F401
    import diff_cover.violationsreporters.violations_reporter  # noqa: F401


@contextmanager
def _repository(root: Path) -> Iterator[None]:
    """diff-cover's reporters find files through GitPathTool's class attributes.

    Its only public setter, set_cwd(), asks git for the top folder of the
    *process's* current folder, not of `root` (diff-cover 11.0.1), so the two
    attributes are set here directly: the one private use left.
    """
    from diff_cover.git_path import GitPathTool

    with _PATH_TOOL_LOCK:
        GitPathTool._cwd = GitPathTool._root = str(root)
        try:
            yield
        finally:
            GitPathTool._cwd = GitPathTool._root = None


def _diff(diff_file: Path, base: str = "", exclude: Sequence[str] = ()) -> Any:
    from diff_cover.diff_reporter import GitDiffReporter
    from diff_cover.git_diff import GitDiffFileTool

    return GitDiffReporter(
        compare_branch=base or "origin/main",
        git_diff=GitDiffFileTool(str(diff_file)),
        ignore_staged=True,
        ignore_unstaged=True,
        supported_extensions=["py"],
        exclude=list(exclude) or None,
    )


def analyse(diff_file: Path, xml_path: Path, root: Path) -> dict[str, Any]:
    """diff-cover's report dict for the diff in `diff_file` against `xml_path`."""
    from diff_cover.report_generator import JsonReportGenerator
    from diff_cover.violationsreporters.violations_reporter import XmlCoverageReporter

    with _repository(root):
        diff = _diff(diff_file)
        coverage = XmlCoverageReporter([ET.parse(xml_path)])
        report = JsonReportGenerator(coverage, diff, total_percent_float=True)
        stats: dict[str, Any] = report.report_dict()
        stats["changed"] = {p: diff.lines_changed(p) for p in diff.src_paths_changed()}
        return stats


def cobertura(lines: Lines) -> ET.ElementTree:
    """A Cobertura report of the files only the project's coverage.py knew."""
    classes = ET.Element("classes")
    for path, (ran, missing) in sorted(lines.items()):
        found = ET.SubElement(ET.SubElement(classes, "class", filename=path), "lines")
        for number in sorted(ran | missing):
            hits = "0" if number in missing else "1"
            ET.SubElement(found, "line", number=str(number), hits=hits)
    package = ET.Element("package")
    package.append(classes)
    root = ET.Element("coverage")
    ET.SubElement(root, "packages").append(package)
    return ET.ElementTree(root)


@dataclass(frozen=True)
class Page:
    """Where diff-cover's HTML page goes, and the commit the diff starts from."""

    path: Path
    base: str

    def write(
        self, diff_file: Path, xml: Path, root: Path, tests: Sequence[str], more: Lines
    ) -> None:
        """The page of the changed lines; `tests` (exact paths) are left out."""
        from diff_cover.report_generator import HtmlReportGenerator
        from diff_cover.violationsreporters.violations_reporter import (
            XmlCoverageReporter,
        )

        exclude = [glob.escape(path) for path in tests]
        with _repository(root):
            diff = _diff(diff_file, self.base[:12], exclude)
            coverage = XmlCoverageReporter([ET.parse(xml), cobertura(more)])
            page = HtmlReportGenerator(coverage, diff, show_covered=True)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "wb") as handle:
                page.generate_report(handle)


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
    exclude: Sequence[str] = TEST_GLOBS,
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
