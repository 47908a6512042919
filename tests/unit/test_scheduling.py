"""How check shares the CPU between lint and the test run."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from mvp_process import proc
from mvp_process.check.gate import Context, Gate
from mvp_process.check.run import Observer, _run_gates
from mvp_process.results import GateResult


@pytest.mark.skipif(not hasattr(os, "getpriority"), reason="POSIX nice only")
def test_priority_lowers_the_child_niceness() -> None:
    script = (
        "import os, time; time.sleep(0.2); print(os.getpriority(os.PRIO_PROCESS, 0))"
    )
    base = int(proc.run([sys.executable, "-c", script]).stdout)
    lowered = int(proc.run([sys.executable, "-c", script], priority=5).stdout)
    assert lowered == min(base + 5, 19)


def _schedule(with_tests: bool) -> dict[str, int]:
    """Which priority each lint gate was handed, with or without a test run."""
    seen: dict[str, int] = {}

    def lint(name: str) -> Gate:
        def run(ctx: Context) -> GateResult:
            seen[name] = ctx.lint_priority
            return GateResult(name, True, "ok")

        return Gate(name, run)

    gates = [lint("flake8"), lint("black")]
    if with_tests:
        gates.append(Gate("tests", lambda c: GateResult("tests", True, ""), ("tests",)))
    target = SimpleNamespace(merge_base="a", head="a")
    context = Context(None, None, None, target, Path("."))  # type: ignore[arg-type]
    _run_gates(gates, context, Observer(), lambda _: None, [])  # type: ignore
    return seen


@pytest.mark.parametrize(("with_tests", "priority"), [(True, 19), (False, 0)])
def test_lint_yields_the_cpu_to_a_running_test_suite(
    with_tests: bool, priority: int
) -> None:
    assert _schedule(with_tests) == {"flake8": priority, "black": priority}
