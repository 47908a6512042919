"""The `check` core: run the selected gates concurrently and gather a report.

flake8, black, the test run and (when needed) the baseline recompute start at
once; coverage and diff-coverage are decided as soon as the figures they need
exist. Collaborators are passed in, so tests drive this with real repositories
and whatever baseline sources they like.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

from mvp_process.check import registry, tests
from mvp_process.check.baseline import BaselineSource, find_baseline
from mvp_process.check.gate import Context, Gate
from mvp_process.check.policy import overall_passed
from mvp_process.check.registry import GATE_NAMES
from mvp_process.check.target import resolve
from mvp_process.check.toolenv import ToolEnv
from mvp_process.config import Config
from mvp_process.errors import ToolMissing
from mvp_process.git import Git
from mvp_process.results import CheckReport, GateResult


class Observer:
    """Told as gates start and finish (the live progress display); this one
    says nothing."""

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
    tools: ToolEnv,
    config: Config,
    gates: Sequence[str],
    root: Path,
    *,
    shard: bool = False,
) -> None:
    """The gates' tools; pytest-xdist when `parallel = true` runs the tests, and
    pytest-split for `check --shard` (both plugins of the project's pytest)."""
    tools.require(registry.required_modules(gates), root)
    testing = any("tests" in g.needs for g in registry.chosen(gates))
    plugins = [
        (
            "xdist",
            "parallel = true runs the tests with pytest-xdist",
            "; or set parallel = false in [tool.mvp-process]",
            config.parallel and testing,
        ),
        ("pytest_split", "check --shard cuts the tests with pytest-split", "", shard),
    ]
    for module, why, instead, needed in plugins:
        if not needed:
            continue
        try:
            tools.require((module,), root)
        except ToolMissing as exc:
            raise ToolMissing(
                f"{why}, but {exc.message}", hint=f"{exc.hint}{instead}"
            ) from None


def default_runner(tools: ToolEnv, root: Path, config: Config) -> TestRunner:
    """One pytest run of the whole suite in `root`."""

    def run(out: Path) -> tests.TestRun:
        result = tests.run_pytest(tools, root, out, pytest_args=suite_args(config))
        if not config.parallel:
            return result
        # xdist reports tests as workers finish; sorted, the reports are stable.
        ordered = sorted(
            result.failures, key=lambda f: (f.path or "", f.line or 0, f.id)
        )
        return dataclasses.replace(result, failures=tuple(ordered))

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
    watcher = observer or Observer()
    notes: list[str] = []

    def note(text: str) -> None:
        notes.append(text)
        watcher.note(text)

    for text in config.policy_notes:  # a pull request's change to the policy
        note(text)
    target = resolve(git, config, base, note)
    require_tools(tools, config, gates, git.project_dir)
    runner = test_runner or default_runner(tools, git.project_dir, config)
    with tempfile.TemporaryDirectory(prefix="mvp-process-") as tmp:
        context = Context(git, tools, config, target, Path(tmp))
        results = _run_gates(
            registry.chosen(gates), context, watcher, runner, baselines
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
        dirty=target.dirty,
        project=config.project,
        folder=git.project,
    )


BESIDE_TESTS = 19  # lint beside the test run: only the CPU the tests leave idle


def _run_gates(
    gates: Sequence[Gate],
    context: Context,
    watcher: Observer,
    runner: TestRunner,
    baselines: Sequence[BaselineSource],
) -> dict[str, GateResult]:
    """Run gates as soon as what they need exists.

    The test run starts first (it is the critical path), with the baseline
    beside it; gates that need nothing start at once beside it, at the lowest
    priority (they get what the test run leaves idle) but with all the
    processes they want. Capping them to one process, or one gate at a time,
    made check 25-35% slower than the tools by hand on black-bound projects
    (more-itertools, idna in benchmarks/real_projects.py); niceness 5 instead
    of 19 cost 10% beside `parallel = true` workers. The others run as soon as
    the test run and, if they need it, the baseline are in.
    """
    results: dict[str, GateResult] = {}
    testing = any("tests" in g.needs for g in gates)
    target = context.target
    want_baseline = any("baseline" in g.needs for g in gates) and (
        target.merge_base != target.head
    )
    have: dict[str, Any] = {} if want_baseline else {"baseline": None}
    waiting = [g for g in gates if g.needs]

    def finish(result: GateResult) -> None:
        results[result.name] = result
        watcher.finished(result)

    def run_ready() -> None:
        for gate in [g for g in waiting if all(n in have for n in g.needs)]:
            waiting.remove(gate)
            if gate.name != "tests":  # announced when the test run started
                watcher.started(gate.name)
            ready = dataclasses.replace(
                context, test_run=have.get("tests"), baseline=have.get("baseline")
            )
            finish(gate.run(ready))

    lint = dataclasses.replace(context, lint_priority=BESIDE_TESTS if testing else 0)
    with ThreadPoolExecutor(max_workers=8, thread_name_prefix="gate") as pool:
        running: dict[Future[Any], str] = {}
        if testing:
            if any(g.name == "tests" for g in gates):  # else only pytest runs
                watcher.started("tests")
            running[pool.submit(runner, context.workdir / "head")] = "tests"
        if want_baseline:
            job = pool.submit(find_baseline, baselines, target.merge_base)
            running[job] = "baseline"
        for gate in waiting:
            if gate.preload is not None:
                running[pool.submit(gate.preload)] = "preload"
        for gate in gates:
            if not gate.needs:
                watcher.started(gate.name)
                running[pool.submit(gate.run, lint)] = "gate"
        while running:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                kind = running.pop(future)
                value = future.result()  # a job's exception stops the check
                if kind == "gate":
                    finish(value)
                elif kind in ("tests", "baseline"):
                    have[kind] = value
                    run_ready()
    return results
