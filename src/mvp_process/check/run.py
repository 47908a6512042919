"""The `check` core: run the selected gates concurrently and gather a report.

flake8, black, the test run and (when needed) the baseline recompute start at
once; coverage and diff-coverage are decided as soon as the figures they need
exist. Collaborators are passed in, so tests drive this with real repositories
and whatever baseline sources they like.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any, Protocol

from mvp_process import GATE_NAMES
from mvp_process.git import Git
from mvp_process.config import Config
from mvp_process.check.baseline import BaselineSource, find_baseline
from mvp_process.check.target import Target, resolve
from mvp_process.errors import ToolMissing
from mvp_process.check import black
from mvp_process.check import coverage
from mvp_process.check import diff_coverage
from mvp_process.check import flake8
from mvp_process.check import tests
from mvp_process.check.coverage import Baseline, NoBaseline
from mvp_process.check.toolenv import ToolEnv
from mvp_process.check.policy import overall_passed
from mvp_process.results import CheckReport, GateResult

TEST_GATES = ("tests", "coverage", "diff-coverage")


class Observer(Protocol):
    """Told as gates start and finish (the live progress display)."""

    def started(self, name: str) -> None: ...

    def finished(self, result: GateResult) -> None: ...

    def note(self, text: str) -> None: ...


class Silent:
    """An observer that says nothing."""

    def started(self, name: str) -> None:
        pass

    def finished(self, result: GateResult) -> None:
        pass

    def note(self, text: str) -> None:
        pass


TestRunner = Callable[[Path], tests.TestRun]


def suite_args(config: Config) -> tuple[str, ...]:
    """pytest's arguments: the configured ones, plus `-n auto` for `parallel`."""
    args = config.pytest_args
    chosen = any(
        a in ("-n", "--numprocesses") or a.startswith(("-n", "--numprocesses="))
        for a in args
    )
    return args if not config.parallel or chosen else ("-n", "auto", *args)


def require_tools(
    tools: ToolEnv, config: Config, gates: Sequence[str], root: Path
) -> None:
    """The gates' tools, and pytest-xdist when `parallel = true` runs the tests."""
    tools.require(gates, root)
    if not config.parallel or not any(g in TEST_GATES for g in gates):
        return
    try:
        tools.require((), root, extra=("xdist",))
    except ToolMissing as exc:
        raise ToolMissing(
            f"parallel = true runs the tests with pytest-xdist, but {exc.message}",
            hint=f"{exc.hint}; or set parallel = false in [tool.mvp-process]",
        ) from None


def in_order(run: tests.TestRun) -> tests.TestRun:
    """xdist reports tests as workers finish; sort failures so reports are stable."""
    ordered = sorted(run.failures, key=lambda f: (f.path or "", f.line or 0, f.id))
    return dataclasses.replace(run, failures=tuple(ordered))


def default_runner(tools: ToolEnv, root: Path, config: Config) -> TestRunner:
    """One pytest run of the whole suite in `root`."""

    def run(out: Path) -> tests.TestRun:
        result = tests.run_pytest(tools, root, out, pytest_args=suite_args(config))
        return in_order(result) if config.parallel else result

    return run


def run_check(
    git: Git,
    tools: ToolEnv,
    config: Config,
    gates: Sequence[str] = GATE_NAMES,
    baselines: Sequence[BaselineSource] = (),
    observer: Observer | None = None,
    base: str | None = None,
    test_runner: TestRunner | None = None,
) -> CheckReport:
    """Resolve the target, run `gates`, and return the report (nothing printed)."""
    watcher = observer or Silent()
    notes: list[str] = []

    def note(text: str) -> None:
        notes.append(text)
        watcher.note(text)

    target = resolve(git, config, base, note)
    require_tools(tools, config, gates, git.root)
    runner = test_runner or default_runner(tools, git.root, config)
    with tempfile.TemporaryDirectory(prefix="mvp-process-") as tmp:
        results = _run_gates(
            git, tools, config, gates, baselines, watcher, target, runner, Path(tmp)
        )
    ordered = tuple(results[name] for name in GATE_NAMES if name in results)
    return CheckReport(
        passed=overall_passed(r.passed for r in ordered),
        gates=ordered,
        head_sha=target.head,
        base_ref=target.base_ref,
        merge_base=target.merge_base,
        skipped=tuple(g for g in GATE_NAMES if g not in gates),
        notes=tuple(notes),
    )


class _Jobs:
    """Futures by name, yielded as they complete (including ones added meanwhile)."""

    def __init__(self, pool: ThreadPoolExecutor, watcher: Observer) -> None:
        self.pool = pool
        self.watcher = watcher
        self.running: dict[Future[Any], str] = {}

    def submit(self, name: str, fn: Callable[..., Any], *args: Any) -> None:
        if name in GATE_NAMES:
            self.watcher.started(name)
        self.running[self.pool.submit(fn, *args)] = name

    def completed(self) -> Iterator[tuple[str, Any]]:
        while self.running:
            done, _ = wait(self.running, return_when=FIRST_COMPLETED)
            for future in done:
                yield self.running.pop(future), future.result()


def _run_gates(
    git: Git,
    tools: ToolEnv,
    config: Config,
    gates: Sequence[str],
    baselines: Sequence[BaselineSource],
    watcher: Observer,
    target: Target,
    runner: TestRunner,
    tmp: Path,
) -> dict[str, GateResult]:
    results: dict[str, GateResult] = {}

    def finish(result: GateResult) -> None:
        results[result.name] = result
        watcher.finished(result)

    testing = any(g in gates for g in TEST_GATES)
    want_baseline = "coverage" in gates and target.merge_base != target.head
    lint = _lint_jobs(gates, tools, git.root, config, testing)
    run: tests.TestRun | None = None
    found: Baseline | NoBaseline | None = None
    with ThreadPoolExecutor(max_workers=4, thread_name_prefix="gate") as pool:
        jobs = _Jobs(pool, watcher)
        if testing:  # first: the test run is the critical path
            jobs.submit("tests" if "tests" in gates else "pytest", runner, tmp / "head")
        if want_baseline:
            jobs.submit("baseline", find_baseline, baselines, target.merge_base)
        if "diff-coverage" in gates:
            jobs.submit("preload", diff_coverage.preload)
        # Beside a test run, lint runs one gate at a time on the core pytest
        # leaves free (at a lower priority); alone, every lint gate at once.
        for _ in range(1 if testing else len(lint)):
            if lint:
                jobs.submit(*lint.pop(0))
        for name, value in jobs.completed():
            if name in ("flake8", "black"):
                finish(value)
                if lint:
                    jobs.submit(*lint.pop(0))
            elif name == "baseline":
                found = value
            elif name in ("tests", "pytest"):
                run = value
                _after_tests(run, gates, git, target, config, watcher, finish)
                if not want_baseline:
                    found = Baseline(
                        run.coverage_percent or 0.0,
                        target.head,
                        "head",
                        "HEAD is the merge-base",
                    )
            if run is not None and found is not None and "coverage" in gates:
                if "coverage" not in results:
                    finish(
                        coverage.gate_result(
                            run.coverage_percent, found, config.coverage_drop_max
                        )
                    )
    return results


def _lint_jobs(
    gates: Sequence[str], tools: ToolEnv, root: Path, config: Config, testing: bool
) -> list[tuple[str, Callable[[], GateResult]]]:
    """The selected lint gates, black first (short), ready to submit."""
    jobs = lint_jobs(os.cpu_count()) if testing else None
    calls: list[tuple[str, Callable[[], GateResult]]] = []
    if "black" in gates:
        calls.append(
            (
                "black",
                lambda: black.run(
                    tools, root, show_diff=config.black_diff, workers=jobs
                ),
            )
        )
    if "flake8" in gates:
        calls.append(("flake8", lambda: flake8.run(tools, root, jobs=jobs)))
    return calls


def lint_jobs(cpus: int | None) -> int:
    """Processes flake8 and black may use beside a running test suite."""
    return max(1, (cpus or 1) - 1)


def _after_tests(
    run: tests.TestRun,
    gates: Sequence[str],
    git: Git,
    target: Target,
    config: Config,
    watcher: Observer,
    finish: Callable[[GateResult], None],
) -> None:
    if "tests" in gates:
        finish(tests.gate_result(run))
    if "coverage" in gates:
        watcher.started("coverage")
    if "diff-coverage" in gates:
        watcher.started("diff-coverage")
        diff = git.diff_against(target.merge_base)
        finish(
            diff_coverage.run(
                diff, run.coverage_xml, git.root, config.diff_coverage_min
            )
        )
