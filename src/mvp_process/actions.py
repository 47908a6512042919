"""The GitHub Actions workflow-command surface: annotations, outputs, job summary.

These are files and stdout lines the runner reads, documented at
https://docs.github.com/actions/reference/workflow-commands-for-github-actions.
Everything written here passes through `redact`. Text mvp-process did not
write (tool output, file names, pull-request values) is echoed inside
`commands_off`, so the runner carries out no command it holds.
"""

from __future__ import annotations

import os
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import TextIO

from mvp_process.redact import redact
from mvp_process.results import Finding


def in_actions(env: Mapping[str, str] | None = None) -> bool:
    """Whether we run as a GitHub Actions step: the one place that decides it."""
    return (os.environ if env is None else env).get("GITHUB_ACTIONS") == "true"


@contextmanager
def commands_off(stream: TextIO) -> Iterator[None]:
    """In Actions, the runner carries out no workflow command written meanwhile.

    The runner reads every line of a step's output for commands: `::name::`
    at the start of a line and the legacy `##[name]` anywhere in one. A test
    that prints `::stop-commands::x` or `##[set-output name=passed;]true`
    would otherwise command it through our echo. `::stop-commands::<token>`
    pauses command processing until `::<token>::`; the token is random, so
    the text in between cannot resume it.
    """
    if not in_actions():
        yield
        return
    token = uuid.uuid4().hex
    stream.write(f"::stop-commands::{token}\n")
    stream.flush()
    try:
        yield
    finally:
        stream.write(f"::{token}::\n")
        stream.flush()


def escape_data(text: str) -> str:
    """Escape a workflow-command message (the part after `::`)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow-command property value (file=, title=...)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding, title: str = "") -> str:
    """`::error file=...,line=...::message` for one finding."""
    props = [f"file={escape_property(finding.path)}", f"line={finding.line}"]
    if finding.end_line and finding.end_line != finding.line:
        props.append(f"endLine={finding.end_line}")
    elif finding.col:
        props.append(f"col={finding.col}")
    if title:
        props.append(f"title={escape_property(title)}")
    message = f"{finding.code} {finding.message}".strip()
    return redact(f"::{finding.level} {','.join(props)}::{escape_data(message)}")


def write_outputs(path: str | None, outputs: Mapping[str, str]) -> None:
    """Append step outputs to `$GITHUB_OUTPUT` (multi-line safe)."""
    if not path:
        return
    with open(path, "a", encoding="utf-8") as handle:
        for name, value in outputs.items():
            value = redact(str(value))
            if "\n" in value:
                delimiter = f"ghadelimiter_{uuid.uuid4()}"
                handle.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
            else:
                handle.write(f"{name}={value}\n")


def append_summary(path: str | None, markdown: str) -> None:
    """Append Markdown to `$GITHUB_STEP_SUMMARY`."""
    if not path:
        return
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(redact(markdown).rstrip("\n") + "\n\n")


def command(stream: TextIO, name: str, message: str = "", **props: str) -> None:
    """Print any workflow command (`warning`, `notice`, `group`...)."""
    text = ",".join(f"{k}={escape_property(v)}" for k, v in props.items())
    head = f"::{name} {text}" if text else f"::{name}"
    stream.write(redact(f"{head}::{escape_data(message)}") + "\n")


# GitHub shows at most 10 error, 10 warning and 10 notice annotations per step
# (and 50 per job); the rest are silently dropped, so we choose which to show.
ANNOTATIONS_PER_LEVEL = 10
_LEVEL_ORDER = {"error": 0, "warning": 1, "notice": 2}


def annotation_lines(findings: Iterable[tuple[str, Finding]]) -> tuple[list[str], int]:
    """Workflow commands for `(title, finding)` pairs, errors first, within
    GitHub's per-step limits; and how many findings were left out."""
    ordered = sorted(findings, key=lambda pair: _LEVEL_ORDER[pair[1].level])
    shown: Counter[str] = Counter()
    lines = []
    for title, finding in ordered:
        shown[finding.level] += 1
        if shown[finding.level] <= ANNOTATIONS_PER_LEVEL:
            lines.append(annotation(finding, title))
    return lines, len(ordered) - len(lines)
