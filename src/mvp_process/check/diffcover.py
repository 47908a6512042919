"""diff-cover's library, used in one place: the figures and the HTML page.

The diff is read from a file through diff-cover's public `GitDiffFileTool`
(its `--diff-file` option: the diff comes from our git wrapper, which runs
in the repository we were given and includes untracked files). The page is
diff-cover's own HTML report of the same changed lines, with the same files
left out as tests, and the files the Cobertura XML does not list added from
what the project's coverage.py said of them; so its figures are the gate's.
"""

from __future__ import annotations

import glob
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
