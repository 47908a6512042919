"""Commit-status texts: one line per gate, and the recorded coverage figure.

GitHub shows a status's description beside the green check or red x and
refuses descriptions over 140 characters. A monorepo's sub-projects each
have their own contexts (`context`). The `mvp-process/coverage`
description starts with the project figure in a fixed form ("87.53% project
coverage"), so a later pull request can read it back as its baseline.
"""

from __future__ import annotations

import re

from mvp_process.results import GateResult

PREFIX = "mvp-process/"
COVERAGE_CONTEXT = PREFIX + "coverage"
MAX_DESCRIPTION = 140
_FIGURE = re.compile(r"^(?P<percent>[0-9]{1,3}(?:\.[0-9]+)?)% project coverage\b")


def context(name: str, project: str | None = None) -> str:
    """The status context of a gate (or of `pr`): `mvp-process/<gate>`, or a
    sub-project's `mvp-process/<project>/<gate>` (config `project`)."""
    return f"{PREFIX}{project}/{name}" if project else PREFIX + name


def coverage_context(project: str | None = None) -> str:
    """Where a push to the default branch records the project's figure."""
    return context("coverage", project)


def one_line(text: str, limit: int = MAX_DESCRIPTION) -> str:
    """`text` on one line, at most `limit` characters (cut with an ellipsis)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def gate_description(gate: GateResult) -> str:
    """The status description of a gate; the coverage gate leads with its figure."""
    after = gate.metrics.get("after") if gate.name == "coverage" else None
    if isinstance(after, (int, float)):
        return one_line(f"{float(after):.2f}% project coverage; {gate.summary}")
    return one_line(gate.summary)


def coverage_figure(description: str | None) -> float | None:
    """The figure a coverage description recorded, or None if it holds none."""
    match = _FIGURE.match(description or "")
    if match is None:
        return None
    percent = float(match["percent"])
    return percent if 0.0 <= percent <= 100.0 else None
