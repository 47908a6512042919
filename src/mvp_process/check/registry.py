"""The gates, in the order of the contract. A new gate is one module plus one
line here: its name in `MODULES` (the module ends in `GATE = Gate(...)`)."""

from __future__ import annotations

import importlib
from collections.abc import Iterable

from mvp_process.check.gate import Gate

MODULES = ("flake8", "black", "tests", "coverage", "diff_coverage")

GATES: tuple[Gate, ...] = tuple(
    importlib.import_module(f"{__package__}.{name}").GATE for name in MODULES
)
GATE_NAMES: tuple[str, ...] = tuple(gate.name for gate in GATES)
BY_NAME: dict[str, Gate] = {gate.name: gate for gate in GATES}


def chosen(names: Iterable[str]) -> tuple[Gate, ...]:
    """The gates named, in registry order."""
    wanted = set(names)
    return tuple(gate for gate in GATES if gate.name in wanted)


def required_modules(names: Iterable[str]) -> tuple[str, ...]:
    """What the named gates need importable where the project is installed."""
    return tuple(sorted({m for gate in chosen(names) for m in gate.requires}))
