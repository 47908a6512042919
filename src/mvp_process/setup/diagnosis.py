"""One line of doctor's diagnosis, and the report they make together."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Check:
    """One line of the diagnosis."""

    topic: str
    ok: bool
    message: str
    fix: str = ""


def render(root: Path, checks: list[Check]) -> str:
    """The report: one line per check, each failure with its fix."""
    lines = [f"mvp-process doctor: {root}"]
    for check in checks:
        mark = "ok " if check.ok else "FIX"
        lines.append(f"  {mark} {check.topic:<12} {check.message}")
        if not check.ok and check.fix:
            lines.append(f"      {'':<12} -> {check.fix}")
    missing = sum(1 for c in checks if not c.ok)
    if missing:
        lines.append(f"{missing} thing{'s' if missing != 1 else ''} to fix.")
    else:
        lines.append("Setup complete.")
    return "\n".join(lines) + "\n"
