"""One line of doctor's diagnosis: what every check returns."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    """One line of the diagnosis."""

    topic: str
    ok: bool
    message: str
    fix: str = ""
