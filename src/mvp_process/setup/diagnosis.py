"""One line of doctor's diagnosis, and the report they make together."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mvp_process import style


@dataclass(frozen=True)
class Check:
    """One line of the diagnosis."""

    topic: str
    ok: bool
    message: str
    fix: str = ""


def render(root: Path, checks: list[Check], paint: style.Style | None = None) -> str:
    """The report: one line per check (the words every command uses), each
    failure with its fix."""
    words = paint or style.Style()
    lines = [f"mvp-process doctor: {root}"]
    for check in checks:
        mark = words.word(style.status(check.ok))
        lines.append(f"  {mark} {check.topic:<12} {check.message}")
        if not check.ok and check.fix:
            lines.append(f"       {'':<12} -> {check.fix}")
    missing = sum(1 for c in checks if not c.ok)
    if missing:
        lines.append(f"{missing} thing{'s' if missing != 1 else ''} to fix.")
    else:
        lines.append("Setup complete.")
    return "\n".join(lines) + "\n"
