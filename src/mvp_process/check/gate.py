"""What a gate is: a name, what it needs, and a function from a context to a result.

`check/run.py` schedules gates from these declarations alone, so adding a gate
is its module (ending in `GATE = Gate(...)`) plus its entry in `registry.py`.
A gate that needs nothing (a linter) runs beside the test run; one that needs
`tests` runs when the test run ends; one that also needs `baseline` when the
baseline figure is known as well.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from mvp_process.config import Config
from mvp_process.git import Git
from mvp_process.results import GateResult

if TYPE_CHECKING:
    from mvp_process.check.coverage import Baseline, NoBaseline
    from mvp_process.check.target import Target
    from mvp_process.check.tests import TestRun
    from mvp_process.check.toolenv import ToolEnv

Need = Literal["tests", "baseline"]


@dataclass(frozen=True)
class Context:
    """Everything a gate may read; `test_run`/`baseline` once they exist."""

    git: Git
    tools: ToolEnv
    config: Config
    target: Target
    workdir: Path
    lint_priority: int = 0  # niceness added to linters running beside the tests
    test_run: TestRun | None = None
    baseline: Baseline | NoBaseline | None = None


@dataclass(frozen=True)
class Gate:
    """One gate's declaration.

    `requires`: modules that must import in the project's interpreter.
    `title`: the heading of its details in the comment and the summary.
    `details_when_passed`: its details are worth showing even when it passes
    (uncovered changed lines, the coverage baseline).
    `show_source`: the terminal shows the source lines of its findings.
    `preload`: work to do early, off the critical path (imports).
    """

    name: str
    run: Callable[[Context], GateResult]
    needs: tuple[Need, ...] = ()
    requires: tuple[str, ...] = ()
    title: str = ""
    details_when_passed: bool = False
    show_source: bool = False
    preload: Callable[[], None] | None = None

    def details_shown(self, result: GateResult) -> bool:
        """Whether the reports show `result`'s details (the terminal, the summary
        and the comment alike): when it failed, or when they matter on a pass."""
        return bool(result.details) and (not result.passed or self.details_when_passed)
