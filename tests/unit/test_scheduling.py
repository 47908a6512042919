"""How check shares the CPU between lint and the test run."""

from __future__ import annotations

import os
import sys

import pytest

from mvp_process import proc
from mvp_process.check.run import lint_jobs


@pytest.mark.parametrize(("cpus", "jobs"), [(None, 1), (1, 1), (2, 1), (8, 7)])
def test_lint_leaves_a_core_for_the_tests(cpus: int | None, jobs: int) -> None:
    assert lint_jobs(cpus) == jobs


@pytest.mark.skipif(not hasattr(os, "getpriority"), reason="POSIX nice only")
def test_priority_lowers_the_child_niceness() -> None:
    script = (
        "import os, time; time.sleep(0.2); print(os.getpriority(os.PRIO_PROCESS, 0))"
    )
    base = int(proc.run([sys.executable, "-c", script]).stdout)
    lowered = int(proc.run([sys.executable, "-c", script], priority=5).stdout)
    assert lowered == min(base + 5, 19)
