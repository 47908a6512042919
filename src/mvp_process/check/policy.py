"""Pass/fail decisions of the gates, from figures the gates measured.

`lint-scope` says which flake8 and black findings fail the build. "all" (the
default): every finding fails. "changed": flake8 findings on lines changed
since the merge-base and black's verdict on changed files, the way
diff-quality works, so a team can adopt the gates on an old codebase and
ratchet; the findings outside are counted and said, never hidden.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from mvp_process.errors import ConfigError

# pytest's documented exit codes.
PYTEST_EXIT = {
    0: "all tests passed",
    1: "tests failed",
    2: "interrupted",
    3: "internal error",
    4: "usage error",
    5: "no tests collected",
}
EPSILON = 1e-9


@dataclass(frozen=True)
class Decision:
    passed: bool
    summary: str


def overall_passed(results: Iterable[bool]) -> bool:
    """A check passes when every gate it ran passed (and it ran at least one)."""
    outcomes = list(results)
    return bool(outcomes) and all(outcomes)


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def decide_tests(
    exit_code: int,
    total: int,
    failed: int,
    errors: int,
    collection_errors: int,
    skipped: int = 0,
    results: bool = True,
) -> Decision:
    """Never a silent pass: nothing collected, or a crash, is a failure.

    `results=False`: pytest left no results file (it died before its session
    ended, or something removed the file), so the counts are unknown.
    """
    if exit_code == 5 or (exit_code == 0 and total == 0 and results):
        return Decision(False, "no tests collected: pytest found no tests to run")
    if collection_errors:
        return Decision(
            False, f"{plural(collection_errors, 'collection error')}: tests did not run"
        )
    if failed or errors:
        parts = [f"{failed} failed"] if failed else []
        parts += [plural(errors, "error")] if errors else []
        return Decision(False, f"{', '.join(parts)} of {plural(total, 'test')}")
    if not results and exit_code in (0, 1):
        return Decision(
            False,
            f"pytest exited with code {exit_code} but left no test results "
            "(see its output)",
        )
    if exit_code != 0:
        meaning = PYTEST_EXIT.get(exit_code, "unexpected exit")
        return Decision(
            False, f"pytest could not complete (exit code {exit_code}: {meaning})"
        )
    passed = total - skipped
    summary = f"{passed} passed"
    if skipped:
        summary += f", {skipped} skipped"
    return Decision(True, summary)


def decide_coverage(
    current: float | None,
    baseline: float | None,
    max_drop: float,
    baseline_note: str = "",
) -> Decision:
    """Project coverage may drop by at most `max_drop` percentage points."""
    if current is None:
        return Decision(False, "no coverage data from the test run")
    if baseline is None:
        why = f" ({baseline_note})" if baseline_note else ""
        return Decision(True, f"{current:.2f}%; no baseline to compare with{why}")
    change = current - baseline
    text = f"{baseline:.2f}% → {current:.2f}% ({change:+.2f} points"
    if -change > max_drop + EPSILON:
        return Decision(False, f"{text}, more than the {max_drop:g} allowed)")
    return Decision(True, f"{text}, max drop {max_drop:g})")


def names(files: tuple[str, ...], most: int = 3) -> str:
    """`a.py, b.py and 4 more`."""
    more = len(files) - most
    return ", ".join(files[:most]) + (f" and {more} more" if more > 0 else "")


def decide_diff_coverage(
    changed_lines: int,
    executable: int,
    covered: int,
    minimum: float,
    unmeasured_files: tuple[str, ...] = (),
    omitted_files: tuple[str, ...] = (),
    unmeasured_lines: int = 0,
) -> Decision:
    """Coverage of the executable changed lines; no data is said, never 100%.

    `changed_lines`: every added or edited line of the Python files that count;
    `executable`: those coverage counts. The executable changed lines of files
    coverage does not measure count as uncovered; files the coverage config
    omits on purpose are left out.
    """
    if changed_lines == 0:
        return Decision(True, "no Python lines changed")
    changed = plural(changed_lines, "changed line")
    if executable == 0:
        if omitted_files:
            return Decision(
                True,
                f"no executable changed lines to measure ({changed}; omitted by the"
                f" coverage config: {names(omitted_files)})",
            )
        return Decision(
            True,
            f"no executable changed lines ({changed}: comments, docstrings or"
            " blank lines)",
        )
    percent = 100.0 * covered / executable
    text = f"{percent:.2f}% of {plural(executable, 'executable changed line')} covered"
    if changed_lines != executable:
        text += f" ({changed} in all)"
    if unmeasured_files:
        text += (
            f"; coverage does not measure {names(unmeasured_files)}"
            f" ({plural(unmeasured_lines, 'executable changed line')} there, counted"
            " as uncovered)"
        )
    if percent + EPSILON < minimum:
        return Decision(False, f"{text}, below the {minimum:g}% required")
    return Decision(True, f"{text} (min {minimum:g}%)")


def line_ranges(lines: Iterable[int]) -> list[tuple[int, int]]:
    """[1, 2, 3, 7, 9, 10] -> [(1, 3), (7, 7), (9, 10)]."""
    ranges: list[tuple[int, int]] = []
    for line in sorted(set(lines)):
        if ranges and line == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], line)
        else:
            ranges.append((line, line))
    return ranges


def format_ranges(ranges: Iterable[tuple[int, int]]) -> str:
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in ranges)


def select_gates(
    all_gates: tuple[str, ...], only: Iterable[str] = (), skip: Iterable[str] = ()
) -> tuple[str, ...]:
    """The gates to run, in contract order; unknown names are a usage error."""
    only, skip = list(only), list(skip)
    unknown = sorted(set(only + skip) - set(all_gates))
    if unknown:
        raise ConfigError(
            f"unknown gate name(s): {', '.join(unknown)}",
            hint=f"gate names are {', '.join(all_gates)}",
        )
    chosen = tuple(g for g in all_gates if (not only or g in only) and g not in skip)
    if not chosen:
        raise ConfigError("--only/--skip leave no gate to run")
    return chosen


def split_names(values: Iterable[str]) -> list[str]:
    """`--only flake8,black --only tests` -> ['flake8', 'black', 'tests']."""
    return [p.strip() for v in values for p in v.split(",") if p.strip()]


# -- lint-scope ------------------------------------------------------------------
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
