"""tests gate: pytest with pytest-cov in the project's environment.

`run_pytest` is shared by the gate, the baseline recompute and the shards: one
pytest invocation yields pytest's own JUnit report (counts, and who failed
where) and the Cobertura XML report, which serves diff-cover and also carries
the totals from which the exact `coverage report` figure follows (one report,
not two, on the hot path). Coverage data goes to our own folder so the user's
`.coverage` is untouched.

pytest's `xunit1` flavour of the JUnit report gives each test's file and line,
so a failure can be annotated where it is. What pytest writes, the gates count
this way: a test counts once and its first bad outcome wins (pytest writes a
second test case for a teardown error after a failed call, and under
pytest-xdist every worker reports the same collection error); a collection
error counts as one test of kind `collection error`; xfail counts as skipped,
a strict xpass as failed. A report that is missing or unreadable is no results
at all: the caller then fails the tests gate with pytest's own last words,
never a silent pass.
"""

from __future__ import annotations

import itertools
import shlex
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from mvp_process.check import measure
from mvp_process.check.gate import Context, Gate
from mvp_process.check.toolenv import ToolEnv
from mvp_process.check.policy import decide_tests
from mvp_process.git import Git
from mvp_process.results import Finding, GateResult, Hint

FILE = "junit.xml"
FAILED, ERROR, COLLECTION = "failed", "error", "collection error"
PASSED, SKIPPED = "passed", "skipped"
BAD = (FAILED, ERROR, COLLECTION)


def junit_args(path: Path) -> list[str]:
    """pytest's options writing the report: after the project's own, so they win."""
    return [f"--junitxml={path}", "-o", "junit_family=xunit1", "-o", "junit_logging=no"]


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
class Results:
    """Each test's outcome (by node id, in report order) and the bad ones.

    `session` holds the ids reported by the session rather than by a test run
    (collection errors and skips, pytest's internal error): every shard of a
    suite reports those, as each collects the whole suite.
    """

    outcomes: Mapping[str, str]
    failures: tuple[TestFailure, ...] = ()
    session: frozenset[str] = frozenset()

    @property
    def ran(self) -> list[str]:
        return [test for test in self.outcomes if test not in self.session]

    def count(self, *kinds: str) -> int:
        return sum(1 for outcome in self.outcomes.values() if outcome in kinds)

    @property
    def total(self) -> int:
        return len(self.outcomes)


def first_reason(text: str, message: str) -> str:
    """The first `E ` line of pytest's report (what failed), else its message's."""
    for line in text.splitlines():
        if line.startswith("E "):
            return line[1:].strip()
    message = message.strip()
    return message.splitlines()[0] if message else "(no message)"


def node_id(classname: str, name: str, file: str | None, root: Path) -> str:
    """The node id behind a test case: pytest writes the id's file as a dotted
    module name with the classes after it, and the test's own file (which,
    for a test inherited from another module, is not the id's) apart."""
    if file is None:
        return name  # pytest's internal error
    if not classname:
        return file  # a collection error or skip: the file is the node
    parts = classname.split(".")
    own = (file.removesuffix(".py").replace("/", "."), file)
    prefixes = (
        (".".join(parts[:end]), "/".join(parts[:end]) + ".py")
        for end in range(len(parts), 0, -1)
    )
    for module, path in itertools.chain([own], prefixes):
        if classname != module and not classname.startswith(module + "."):
            continue
        if path == file or (root / path).is_file():  # the disk only when unsure
            classes = (
                classname[len(module) + 1 :].split(".") if module != classname else []
            )
            return "::".join([path, *classes, name])
    return "::".join([classname, name])


def _outcome(case: ET.Element) -> tuple[str, ET.Element | None, bool]:
    """(kind, the element explaining a bad one, reported at collection?)"""
    for child in case:
        if child.tag == "failure":
            return FAILED, child, False
        if child.tag == "error":
            collection = child.get("message") == "collection failure"
            return (COLLECTION if collection else ERROR), child, collection
    skip = case.find("skipped")
    if skip is None:
        return PASSED, None, False
    return SKIPPED, None, skip.get("message") == "collection skipped"


def read_junit(path: Path, root: Path) -> Results | None:
    """The results in pytest's report at `path`, or None when there is none."""
    try:
        cases = list(ET.parse(path).getroot().iter("testcase"))
    except (OSError, ET.ParseError):
        return None
    outcomes: dict[str, str] = {}
    failures: list[TestFailure] = []
    session: set[str] = set()
    for case in cases:
        file = case.get("file")
        test = node_id(case.get("classname", ""), case.get("name", "?"), file, root)
        kind, element, collection = _outcome(case)
        if collection or file is None:
            session.add(test)
        if outcomes.get(test) in BAD:
            continue  # the first bad outcome of a test wins
        if element is not None:
            line = case.get("line", "")
            if kind == COLLECTION and file and not (root / file).is_file():
                file = None
            reason = first_reason(element.text or "", element.get("message", ""))
            at = int(line) + 1 if line.isdigit() else None
            failures.append(TestFailure(test, kind, reason, file, at))
        if element is not None or outcomes.get(test, PASSED) == PASSED:
            outcomes[test] = kind
    return Results(outcomes, tuple(failures), frozenset(session))


def merge(parts: Iterable[Results]) -> Results:
    """Several runs' results as one run's: the first word on each test wins
    (shards each collect the suite, so each reports its collection errors)."""
    outcomes: dict[str, str] = {}
    failures: dict[str, TestFailure] = {}
    session: set[str] = set()
    for part in parts:
        outcomes.update((k, v) for k, v in part.outcomes.items() if k not in outcomes)
        failures.update((f.id, f) for f in part.failures if f.id not in failures)
        session |= part.session
    return Results(outcomes, tuple(failures.values()), frozenset(session))


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
    result = tools.module(
        "pytest",
        pytest_command(outdir, pytest_args, reports, cov),
        cwd=cwd,
        extra_env=env,
    )
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
