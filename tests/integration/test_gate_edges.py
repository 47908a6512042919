"""Gates when their tools misbehave or their inputs are missing."""

from __future__ import annotations

import sys
from functools import partial
from pathlib import Path

from mvp_process.git import Git
from mvp_process.config import Config
from mvp_process.check.run import run_check
from mvp_process.check import black
from mvp_process.check import coverage
from mvp_process.check import diff_coverage, measure
from mvp_process.check import flake8
from mvp_process.check.coverage import Baseline, NoBaseline
from mvp_process.check.toolenv import ToolEnv
from mvp_process.check import report_md as markdown
from support.project import TESTED_FEATURE, feature_branch, sample_project
from support.repo import Repo

TOOLS = ToolEnv(python=sys.executable, env={"PATH": str(Path(sys.executable).parent)})


def test_black_reports_files_it_cannot_parse(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("def f(:\n")
    (tmp_path / "ugly.py").write_text("x=1\n")
    result = black.run(TOOLS, tmp_path, ["broken.py", "ugly.py"], show_diff=True)
    assert not result.passed
    assert result.summary == "1 file would be reformatted, 1 could not be parsed"
    assert any(
        d.startswith("error: cannot") and "broken.py" in d for d in result.details
    )
    assert any(d.startswith("+x = 1") for d in result.details)


def test_black_failure_without_file_lines(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.black]\nline-length = 'x'\n")
    (tmp_path / "a.py").write_text("A = 1\n")
    result = black.run(TOOLS, tmp_path, ["a.py"])
    assert not result.passed
    assert result.summary == "black could not run (exit code 2)"
    assert result.details  # black's own message, shown as it is


def test_flake8_that_cannot_run(tmp_path: Path) -> None:
    (tmp_path / ".flake8").write_text("[flake8]\nselect = ???\nmax-line-length = x\n")
    (tmp_path / "a.py").write_text("A = 1\n")
    result = flake8.run(TOOLS, tmp_path, ["a.py"])
    assert not result.passed
    assert result.summary.startswith("flake8 could not run (exit code")
    assert result.details


def lookup_in(root: Path, data: Path | None = None) -> diff_coverage.LookupFn:
    return partial(measure.lookup, TOOLS, root, (), data, root)


def test_diff_coverage_without_a_report(tmp_path: Path) -> None:
    result = diff_coverage.run(
        "", tmp_path / "missing.xml", tmp_path, 80.0, lookup_in(tmp_path)
    )
    assert not result.passed
    assert result.summary.startswith("no coverage data")


def test_diff_coverage_with_an_empty_report(tmp_path: Path) -> None:
    """A report of no files: the changed file is not measured, and counts."""
    xml = tmp_path / "coverage.xml"
    xml.write_text("<coverage><sources/><packages/></coverage>")
    (tmp_path / "a.py").write_text("A = 1\nB = 2\n")
    diff = (
        "diff --git a/a.py b/a.py\nnew file mode 100644\n--- /dev/null\n+++ b/a.py\n"
        "@@ -0,0 +1,2 @@\n+A = 1\n+B = 2\n"
    )
    result = diff_coverage.run(diff, xml, tmp_path, 80.0, lookup_in(tmp_path))
    assert not result.passed
    assert result.summary.startswith(
        "0.00% of 2 executable changed lines covered; coverage does not measure a.py"
    )
    assert result.details == (
        "a.py:1: changed lines 1-2 coverage does not measure",
        "a.py is not measured: the coverage report lists no files at all; "
        "set [tool.coverage.run] source",
    )


def test_coverage_files_resolves_sources(tmp_path: Path) -> None:
    xml = tmp_path / "coverage.xml"
    xml.write_text(f"""<coverage><sources><source>{tmp_path / 'src'}</source></sources>
        <packages><package><classes>
        <class filename="pkg/a.py"/><class filename="/elsewhere/b.py"/><class/>
        </classes></package></packages></coverage>""")
    assert diff_coverage.coverage_files(xml, tmp_path) == {
        "src/pkg/a.py",
        "/elsewhere/b.py",
    }


def test_coverage_gate_without_baseline() -> None:
    result = coverage.gate_result(81.234, NoBaseline("first run"), 1.0)
    assert result.passed
    assert result.metrics["before"] is None and result.metrics["after"] == 81.23
    assert result.details == ("no baseline: first run",)
    with_base = coverage.gate_result(None, Baseline(80, "a" * 40, "status"), 1.0)
    assert not with_base.passed and with_base.metrics["after"] is None


def test_run_check_with_silent_observer_and_summary(repo: Repo) -> None:
    sample_project(repo)
    feature_branch(repo, TESTED_FEATURE)
    report = run_check(Git(repo.path), TOOLS, Config(), ("flake8", "coverage"))
    assert report.passed
    assert [g.name for g in report.gates] == ["flake8", "coverage"]
    assert report.gate("coverage").metrics["baseline"]["reason"]
    text = markdown.summary(report)
    assert "## ✅ mvp-process check passed" in text
    assert "| `black` | ⏭ skip | not selected |" in text
    assert markdown.outputs(report) == {
        "passed": "true",
        "coverage": "100.00",
        "diff-coverage": "",
    }


def test_diff_coverage_names_files_coverage_cannot_read(tmp_path: Path) -> None:
    xml = tmp_path / "coverage.xml"
    xml.write_text(
        f"<coverage><sources><source>{tmp_path}</source></sources><packages>"
        '<package><classes><class filename="ok.py"><lines><line number="1" hits="1"/>'
        "</lines></class></classes></package></packages></coverage>"
    )
    (tmp_path / "ok.py").write_text("A = 1\n")
    (tmp_path / "broken.py").write_text("def f(:\n")
    diff = "".join(
        f"diff --git a/{name} b/{name}\nnew file mode 100644\n--- /dev/null\n"
        f"+++ b/{name}\n@@ -0,0 +1 @@\n+{text}"
        for name, text in (("broken.py", "def f(:\n"), ("ok.py", "A = 1\n"))
    )
    result = diff_coverage.run(diff, xml, tmp_path, 80.0, lookup_in(tmp_path))
    assert result.passed
    assert result.summary == (
        "100.00% of 1 executable changed line covered (2 changed lines in all)"
        " (min 80%)"
    )
    assert result.metrics["unreadable"] == ["broken.py"]
    assert result.details == ("not Python coverage can read: broken.py",)
