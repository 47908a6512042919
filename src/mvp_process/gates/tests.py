"""tests gate: pytest with pytest-cov in the project's environment.

`run_pytest` is shared by the gate, the baseline recompute and the shards: one
pytest invocation yields the JUnit XML (who failed, and where) and the Cobertura
XML report, which serves diff-cover and also carries the totals from which the
exact `coverage report` figure follows (one report, not two, on the hot path).
Coverage data goes to our own folder so the user's `.coverage` is untouched.
"""

from __future__ import annotations

import os
import time
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from mvp_process.gates.toolenv import ToolEnv
from mvp_process.policy.gates import decide_tests
from mvp_process.results import Finding, GateResult


@dataclass(frozen=True)
class TestFailure:
    """A failed or errored test and the first line that explains it."""

    __test__ = False  # not a pytest test class

    id: str
    kind: str  # "failed" | "error" | "collection error"
    message: str
    path: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class TestRun:
    """What one pytest run produced."""

    __test__ = False

    exit_code: int
    total: int
    failed: int
    errors: int
    skipped: int
    failures: tuple[TestFailure, ...]
    coverage_percent: float | None
    outdir: Path
    output_tail: tuple[str, ...]
    duration: float

    @property
    def coverage_xml(self) -> Path:
        return self.outdir / "coverage.xml"

    @property
    def junit_xml(self) -> Path:
        return self.outdir / "junit.xml"

    @property
    def collection_errors(self) -> int:
        return sum(1 for f in self.failures if f.kind == "collection error")


def pytest_command(
    outdir: Path, pytest_args: Sequence[str], reports: bool = True
) -> list[str]:
    """The arguments after `python -m pytest` (`reports=False`: coverage data only)."""
    cov = [] if any(a.startswith("--cov=") for a in pytest_args) else ["--cov"]
    report = (
        f"--cov-report=xml:{outdir / 'coverage.xml'}" if reports else "--cov-report="
    )
    return [
        *cov,
        report,
        "--cov-fail-under=0",
        f"--junitxml={outdir / 'junit.xml'}",
        "-o",
        "junit_family=xunit1",
        "-q",
        *pytest_args,
    ]


def run_pytest(
    tools: ToolEnv,
    cwd: Path,
    outdir: Path,
    *,
    pytest_args: Sequence[str] = (),
    extra_env: Mapping[str, str] | None = None,
    reports: bool = True,
) -> TestRun:
    """Run the suite once, writing coverage and JUnit files into `outdir`."""
    outdir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    env = {"COVERAGE_FILE": str(outdir / ".coverage"), **(extra_env or {})}
    result = tools.module(
        "pytest", pytest_command(outdir, pytest_args, reports), cwd=cwd, extra_env=env
    )
    counts, failures = parse_junit(outdir / "junit.xml", cwd)
    return TestRun(
        exit_code=result.returncode,
        total=counts[0],
        failed=counts[1],
        errors=counts[2],
        skipped=counts[3],
        failures=tuple(failures),
        coverage_percent=read_total(outdir / "coverage.xml"),
        outdir=outdir,
        output_tail=tuple(result.output.strip().splitlines()[-30:]),
        duration=time.monotonic() - started,
    )


def read_total(path: Path) -> float | None:
    """The exact total `coverage report` prints, from the Cobertura XML totals.

    coverage.py's total is (statements run + branches taken) / (statements +
    branches); its XML report records those four counts on the root element.
    """
    try:
        root = ET.parse(path).getroot()
        counts = [
            int(root.get(name, "0"))
            for name in (
                "lines-covered",
                "branches-covered",
                "lines-valid",
                "branches-valid",
            )
        ]
    except (OSError, ET.ParseError, ValueError):
        return None
    if root.tag != "coverage" or "lines-valid" not in root.attrib:
        return None
    covered, total = counts[0] + counts[1], counts[2] + counts[3]
    return 100.0 * covered / total if total else None


def _first_reason(case: ET.Element, outcome: ET.Element) -> str:
    for line in (outcome.text or "").splitlines():
        if line.startswith("E "):
            return line[1:].strip()
    message = (outcome.get("message") or "").strip()
    return message.splitlines()[0] if message else "(no message)"


def node_id(case: ET.Element, cwd: Path) -> tuple[str, str | None]:
    """The pytest node id and file of an xunit1 testcase (as `-q` would list it)."""
    name = case.get("name", "?")
    path = case.get("file")
    classname = case.get("classname", "")
    if not path:
        return name, None
    module = path.removesuffix(".py").replace("/", ".").replace(os.sep, ".")
    klass = classname[len(module) + 1 :] if classname.startswith(module + ".") else ""
    parts = [path, klass, name] if klass else [path, name]
    return "::".join(parts), path


def parse_junit(
    path: Path, cwd: Path
) -> tuple[tuple[int, int, int, int], list[TestFailure]]:
    """(total, failed, errors, skipped) and the failures, from xunit1 XML."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return (0, 0, 0, 0), []
    total = failed = errors = skipped = 0
    failures: list[TestFailure] = []
    for case in root.iter("testcase"):
        total += 1
        test_id, file = node_id(case, cwd)
        line = case.get("line")
        for tag in ("failure", "error"):
            outcome = case.find(tag)
            if outcome is None:
                continue
            collection = (
                tag == "error" and outcome.get("message") == "collection failure"
            )
            kind = (
                "collection error"
                if collection
                else ("failed" if tag == "failure" else "error")
            )
            failed += tag == "failure"
            errors += tag == "error"
            failures.append(
                TestFailure(
                    id=test_id,
                    kind=kind,
                    message=_first_reason(case, outcome),
                    path=file,
                    line=int(line) + 1 if line and line.isdigit() else None,
                )
            )
            break
        else:
            skipped += case.find("skipped") is not None
    return (total, failed, errors, skipped), failures


def gate_result(run: TestRun) -> GateResult:
    """The `tests` gate, decided from one `TestRun`."""
    decision = decide_tests(
        run.exit_code,
        run.total,
        run.failed,
        run.errors,
        run.collection_errors,
        run.skipped,
    )
    details = [f"{f.kind.upper()} {f.id}: {f.message}" for f in run.failures]
    if not decision.passed and not run.failures:
        details += list(run.output_tail)
    return GateResult(
        "tests",
        decision.passed,
        decision.summary,
        details=tuple(details),
        findings=tuple(
            Finding(
                path=f.path,
                line=f.line or 1,
                code=f.kind,
                message=f"{f.id}: {f.message}",
            )
            for f in run.failures
            if f.path
        ),
        metrics={
            "total": run.total,
            "failed": run.failed,
            "errors": run.errors,
            "skipped": run.skipped,
            "failures": [
                {"id": f.id, "kind": f.kind, "message": f.message} for f in run.failures
            ],
        },
        duration=run.duration,
    )
