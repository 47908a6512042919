"""tests gate: pytest with pytest-cov in the project's environment.

`run_pytest` is shared by the gate, the baseline recompute and the shards: one
pytest invocation yields pytest's own JUnit report (counts, and who failed
where) and the Cobertura XML report, which serves diff-cover and also carries
the totals from which the exact `coverage report` figure follows (one report,
not two, on the hot path). Coverage data goes to our own folder so the user's
`.coverage` is untouched.

The JUnit report is read by `pytest_results.py`.
"""

from __future__ import annotations

import shlex
import time
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from mvp_process.check import measure
from mvp_process.check.gate import Context, Gate
from mvp_process.check.toolenv import ToolEnv
from mvp_process.check.policy import decide_tests
from mvp_process.check.pytest_results import (
    COLLECTION,
    ERROR,
    FAILED,
    FILE,
    SKIPPED,
    Results,
    TestFailure,
    junit_args,
    read_junit,
)
from mvp_process.git import Git
from mvp_process.results import Finding, GateResult, Hint

PYTEST_MODULES = ("pytest", "pytest_cov")


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
    has_results: bool = True  # False: pytest left no (readable) JUnit report

    @property
    def coverage_xml(self) -> Path:
        return self.outdir / "coverage.xml"

    @property
    def junit_xml(self) -> Path:
        return self.outdir / FILE

    @property
    def collection_errors(self) -> int:
        return sum(1 for f in self.failures if f.kind == COLLECTION)


def from_results(
    results: Results | None,
    exit_code: int,
    outdir: Path,
    output_tail: Sequence[str],
    duration: float,
) -> TestRun:
    """The `TestRun` of a finished run: its JUnit report (if any) read, coverage
    figure from `outdir/coverage.xml`."""
    found = results or Results({})
    return TestRun(
        exit_code=exit_code,
        total=found.total,
        failed=found.count(FAILED),
        errors=found.count(ERROR, COLLECTION),
        skipped=found.count(SKIPPED),
        failures=found.failures,
        coverage_percent=read_total(outdir / "coverage.xml"),
        outdir=outdir,
        output_tail=tuple(output_tail),
        duration=duration,
        has_results=results is not None,
    )


def pytest_command(
    outdir: Path,
    pytest_args: Sequence[str],
    reports: bool = True,
    cov: Sequence[str] = ("--cov",),
) -> list[str]:
    """The arguments after `python -m pytest` that measure `cov` (`measure.plan`);
    `reports=False`: coverage data only."""
    report = (
        f"--cov-report=xml:{outdir / 'coverage.xml'}" if reports else "--cov-report="
    )
    return [
        *cov,
        report,
        "--cov-fail-under=0",
        "-q",
        *pytest_args,
        *junit_args(outdir / FILE),
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
    """Run the suite once, measuring the project's own code in `cwd`
    (`measure.plan`), and write coverage and JUnit reports into `outdir`."""
    cov = measure.plan(tools, cwd, pytest_args)
    outdir.mkdir(parents=True, exist_ok=True)
    (outdir / FILE).unlink(missing_ok=True)  # only this run's report may count
    started = time.monotonic()
    env = {"COVERAGE_FILE": str(outdir / ".coverage"), **(extra_env or {})}
    command = pytest_command(outdir, pytest_args, reports, cov)
    result = tools.run("-m", "pytest", *command, cwd=cwd, extra_env=env)
    return from_results(
        read_junit(outdir / FILE, cwd),
        result.returncode,
        outdir,
        result.output.strip().splitlines()[-30:],
        time.monotonic() - started,
    )


def read_total(path: Path) -> float | None:
    """The exact total `coverage report` prints, from the Cobertura XML totals.

    coverage.py's total is (statements run + branches taken) / (statements +
    branches); its XML report records those four counts on the root element.
    """
    try:
        root = ET.parse(path).getroot()
        covered, total = (
            sum(int(root.get(f"{kind}-{count}", "0")) for kind in ("lines", "branches"))
            for count in ("covered", "valid")
        )
    except (OSError, ET.ParseError, ValueError):
        return None
    if root.tag != "coverage" or "lines-valid" not in root.attrib:
        return None
    return 100.0 * covered / total if total else None


def failure_line(failure: TestFailure) -> str:
    """`path:line: FAILED name: message`, which editors jump to; else by node id."""
    kind = failure.kind.upper()
    if not failure.path:
        return f"{kind} {failure.id}: {failure.message}"
    name = failure.id.removeprefix(failure.path).removeprefix("::")
    where = f"{failure.path}:{failure.line or 1}:"
    return f"{where} {kind}{' ' + name if name else ''}: {failure.message}"


def rerun(failures: Sequence[TestFailure]) -> Hint:
    """The failing tests by node id (pytest's `--lf` past three); a failure
    outside any file (pytest's internal error) has no id to rerun."""
    ids = list(dict.fromkeys(f.id for f in failures if f.path))
    if not ids:
        return Hint("shows what pytest says", "python -m pytest")
    if len(ids) > 3:
        return Hint(f"reruns the {len(ids)} that failed", "python -m pytest --lf")
    return Hint(
        "reruns " + ("them" if len(ids) > 1 else "it"),
        shlex.join(["python", "-m", "pytest", *ids]),
    )


def gate_result(run: TestRun) -> GateResult:
    """The `tests` gate, decided from one `TestRun`."""
    decision = decide_tests(
        run.exit_code,
        run.total,
        run.failed,
        run.errors,
        run.collection_errors,
        run.skipped,
        run.has_results,
    )
    details = [failure_line(f) for f in run.failures]
    if not decision.passed and not (run.failures and run.has_results):
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
        hint=None if decision.passed else rerun(run.failures),
    )


def named_from_top(result: GateResult, git: Git) -> GateResult:
    """The failures' files, and their detail lines, as the repository names them
    (for annotations and links; the gates' other paths are named so too).

    pytest names them from its rootdir: a sub-project's folder, unless a
    configuration file above it made another folder the rootdir.
    """
    if not git.prefix:
        return result
    moved = {
        f: replace(f, path=git.prefix + f.path)
        for f in result.findings
        if (git.project_dir / f.path).is_file()
    }
    about = result.about()
    return replace(
        result,
        findings=tuple(moved.get(f, f) for f in result.findings),
        details=tuple(
            git.prefix + line if about(line) in moved else line
            for line in result.details
        ),
    )


def _run(ctx: Context) -> GateResult:
    assert ctx.test_run is not None
    return named_from_top(gate_result(ctx.test_run), ctx.git)


GATE = Gate(
    "tests", _run, needs=("tests",), requires=PYTEST_MODULES, title="Failing tests"
)
