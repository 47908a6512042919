"""One vocabulary of outcomes for every report, and colour where it helps.

`check`, `pr`, `deploy` and `doctor` say an outcome with the same words:
PASS, FAIL, SKIP, PLAN (and STOP for a step a cancellation interrupted) on a
terminal, and the same words behind an icon in Markdown. Colour is decided
once per stream, as CPython 3.13 and pytest decide it: `--color
always|never` first, then `NO_COLOR` (any non-empty value: no colour), then
`FORCE_COLOR` (any non-empty value: colour), then `TERM=dumb` (none), else
colour only on a terminal. Colour is added to text that was already redacted
and escaped, and never changes the words.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from typing import Literal, TextIO

Status = Literal["pass", "fail", "skip", "plan", "stop"]

ICONS: dict[Status, str] = {"pass": "✅", "fail": "❌", "skip": "⏭", "plan": "📝"}
ICONS["stop"] = "⏹"
VERDICTS = {True: "PASSED", False: "FAILED"}
_SGR = {
    "red": "31",
    "green": "32",
    "yellow": "33",
    "cyan": "36",
    "bold": "1",
    "dim": "2",
}
_COLOURS: dict[Status, str] = {"pass": "green", "fail": "red", "skip": "yellow"}
_COLOURS |= {"plan": "cyan", "stop": "yellow"}


def status(passed: bool) -> Status:
    return "pass" if passed else "fail"


def markdown(outcome: Status) -> str:
    """`✅ pass`: the icon GitHub shows, then the word (screen readers, search)."""
    return f"{ICONS[outcome]} {outcome}"


def add_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the report: auto (on a terminal, unless NO_COLOR is set; "
        "FORCE_COLOR forces it), always or never",
    )


def wanted(
    stream: TextIO, choice: str = "auto", env: Mapping[str, str] | None = None
) -> bool:
    """Whether to colour what goes to `stream` (see the module's docstring)."""
    if choice != "auto":
        return choice == "always"
    environ = os.environ if env is None else env
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    if environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class Style:
    """Paints text for one stream; with colour off it returns the text as is."""

    def __init__(self, colour: bool = False) -> None:
        self.colour = colour

    @classmethod
    def for_stream(
        cls, stream: TextIO, choice: str = "auto", env: Mapping[str, str] | None = None
    ) -> Style:
        return cls(wanted(stream, choice, env))

    def paint(self, text: str, *names: str) -> str:
        if not self.colour or not text or not names:
            return text
        codes = ";".join(_SGR[name] for name in names)
        return f"\033[{codes}m{text}\033[0m"

    def word(self, outcome: Status) -> str:
        """PASS / FAIL / SKIP / PLAN, in the outcome's colour."""
        return self.paint(outcome.upper(), _COLOURS[outcome], "bold")

    def verdict(self, passed: bool) -> str:
        return self.paint(VERDICTS[passed], _COLOURS[status(passed)], "bold")
