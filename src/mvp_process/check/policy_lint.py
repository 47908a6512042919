"""`lint-scope`: which flake8 and black findings fail the build (pure).

"all" (the default): every finding fails. "changed": flake8 findings on lines
changed since the merge-base and black's verdict on changed files, the way
diff-quality works, so a team can adopt the gates on an old codebase and
ratchet; the findings outside are counted and said, never hidden.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from mvp_process.check.policy import plural

T = TypeVar("T")

_HUNK = re.compile(r"^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


@dataclass(frozen=True)
class Changes:
    """Changed lines per file since the merge-base (None: every line, a new file)."""

    lines: Mapping[str, frozenset[int] | None]

    def has_file(self, path: str) -> bool:
        return path in self.lines

    def has_line(self, path: str, line: int) -> bool:
        changed = self.lines.get(path, frozenset())
        return changed is None or line in changed


def unquote(path: str) -> str:
    """A path as git prints it in a diff header: C-quoted when it holds a tab,
    a newline, a quote, a backslash or (with `core.quotePath`) a byte above
    127, else as it is, followed by a tab when it holds a space."""
    if not path.startswith('"'):
        return path.removesuffix("\t")
    raw = path[1:-1].encode("ascii", "backslashreplace").decode("unicode_escape")
    return raw.encode("latin-1").decode("utf-8", "replace")


def parse_diff(text: str) -> dict[str, set[int]]:
    """Added or changed line numbers per file of a zero-context (`-U0`) diff with
    `a/` and `b/` prefixes; a file whose change only deleted lines has none."""
    files: dict[str, set[int]] = {}
    current: set[int] | None = None
    pending = 0  # lines still to come in the current hunk
    for line in text.split("\n"):
        if pending:
            if not line.startswith("\\"):  # "\ No newline at end of file"
                pending -= 1
        elif line.startswith("+++ "):
            target = unquote(line[4:])
            current = None if target == "/dev/null" else set()
            if current is not None:
                files[target.removeprefix("b/")] = current
        elif match := _HUNK.match(line):
            old, start, new = (int(g) if g else 1 for g in match.groups())
            pending = old + new
            if current is not None:
                current.update(range(start, start + new))
    return files


def split(items: Iterable[T], inside: Callable[[T], bool]) -> tuple[list[T], list[T]]:
    """(the items in scope, the ones outside it), each in their order."""
    ins: list[T] = []
    outs: list[T] = []
    for item in items:
        (ins if inside(item) else outs).append(item)
    return ins, outs


def outside_note(count: int, noun: str) -> str:
    """The line that says what `lint-scope = "changed"` left out."""
    where = "lines" if noun == "finding" else "files"
    return (
        f'{plural(count, noun)} outside the changed {where} (lint-scope = "changed"): '
        "they do not fail the build; fix them as you touch the code"
    )
