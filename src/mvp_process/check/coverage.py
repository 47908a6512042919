"""coverage gate: project coverage may not drop more than allowed below the baseline."""

from __future__ import annotations

from dataclasses import dataclass

from mvp_process.check.gate import Context, Gate
from mvp_process.check.policy import decide_coverage
from mvp_process.check.tests import PYTEST_MODULES
from mvp_process.results import GateResult, Hint

MISSED = Hint(
    "lists every line the tests miss",
    "python -m pytest --cov --cov-report=term-missing:skip-covered",
)


@dataclass(frozen=True)
class Baseline:
    """The project coverage of a commit the current work is compared with."""

    percent: float
    sha: str
    source: str  # "recomputed", "cache", "status", "head"
    note: str = ""

    def describe(self) -> str:
        text = f"{self.source} on {self.sha[:12]}"
        return f"{text}, {self.note}" if self.note else text


@dataclass(frozen=True)
class NoBaseline:
    """Why there is no figure to compare with (said plainly in the report)."""

    reason: str


def gate_result(
    current: float | None,
    baseline: Baseline | NoBaseline,
    max_drop: float,
) -> GateResult:
    if isinstance(baseline, Baseline):
        decision = decide_coverage(current, baseline.percent, max_drop)
        details = (f"baseline: {baseline.percent:.2f}% ({baseline.describe()})",)
        before: float | None = round(baseline.percent, 2)
        base_info: dict[str, object] = {
            "sha": baseline.sha,
            "source": baseline.source,
            "note": baseline.note,
        }
    else:
        decision = decide_coverage(current, None, max_drop, baseline.reason)
        details = (f"no baseline: {baseline.reason}",)
        before, base_info = None, {"reason": baseline.reason}
    return GateResult(
        "coverage",
        decision.passed,
        decision.summary,
        details=details,
        metrics={
            "before": before,
            "after": None if current is None else round(current, 2),
            "after_exact": current,
            "max_drop": max_drop,
            "baseline": base_info,
        },
        hint=None if decision.passed or current is None else MISSED,
    )


def _run(ctx: Context) -> GateResult:
    """Against the baseline; when HEAD is the merge-base, against itself."""
    assert ctx.test_run is not None
    current = ctx.test_run.coverage_percent
    baseline = ctx.baseline
    if baseline is None:
        baseline = Baseline(
            current or 0.0, ctx.target.head, "head", "HEAD is the merge-base"
        )
    return gate_result(current, baseline, ctx.config.coverage_drop_max)


GATE = Gate(
    "coverage",
    _run,
    needs=("tests", "baseline"),
    requires=PYTEST_MODULES,
    title="Project coverage",
    details_when_passed=True,
)
