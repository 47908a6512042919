"""The template, fitted to one project: its install lines, its deploy jobs.

One template is published (complete: checks and both deploy jobs) and `init`
cuts it down, as text, so the comments stay and no YAML exists twice: the
install step's `run:` block is replaced, and the deploy jobs a project has no
Heroku app for are left out. A template that lost what these edits look for
is a bug of ours (the tests render every variant), hence AssertionError.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

INSTALL_STEP = "- name: Install the project and its test tools"
_JOB = re.compile(r"^  (?P<name>[\w-]+):\s*$")
_NO_STAGING = (
    "    # No staging app: production is built from the commit that passed the gates."
)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def with_install(text: str, steps: Sequence[str]) -> str:
    """`text` whose install step runs `steps` (one line each)."""
    lines = text.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.strip() == INSTALL_STEP]
    assert len(starts) == 1, f"the template has {len(starts)} install steps"
    at = starts[0] + 1
    assert lines[at].strip() == "run: |", "the install step's run: must follow"
    inside = _indent(lines[at])
    end = at + 1
    while end < len(lines) and (not lines[end].strip() or _indent(lines[end]) > inside):
        end += 1
    while end > at + 1 and not lines[end - 1].strip():
        end -= 1  # blank lines after the block stay where they were
    body = [" " * (inside + 2) + step + "\n" for step in steps]
    return "".join(lines[: at + 1] + body + lines[end:])


def _job(lines: list[str], name: str) -> slice:
    """The lines of job `name`: its key up to the next job or the end."""
    start = next(i for i, line in enumerate(lines) if line.rstrip() == f"  {name}:")
    end = start + 1
    while end < len(lines) and not (
        _JOB.match(lines[end]) or (lines[end].strip() and _indent(lines[end]) < 2)
    ):
        end += 1
    return slice(start, end)


def with_deploys(text: str, staging: bool, production: bool) -> str:
    """`text` with the deploy jobs for these apps only; without a staging app,
    production needs the gates directly (deploy then builds from the commit)."""
    lines = text.splitlines(keepends=True)
    for name, wanted in (
        ("deploy-production", production),
        ("deploy-staging", staging),
    ):
        if not wanted:
            del lines[_job(lines, name)]
    if production and not staging:
        job = _job(lines, "deploy-production")
        at = job.start + next(
            i for i, line in enumerate(lines[job]) if line.strip().startswith("needs:")
        )
        after = at + 1
        while lines[after].lstrip().startswith("#"):
            after += 1  # the comment about staging's slug no longer holds
        lines[at:after] = ["    needs: check\n", _NO_STAGING + "\n"]
    while lines and not lines[-1].strip():
        lines.pop()  # a cut job leaves no blank lines at the end
    return "".join(lines)
