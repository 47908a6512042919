"""flake8 gate: any warning or error fails; the repo's own flake8 config applies.

flake8 sees the Python files the repository holds (`lintfiles.py`), with its
`exclude` applied as a walk of `.` would; with `lint-scope = "changed"` only
findings on changed lines fail, and the others are counted.
"""

from __future__ import annotations

import re
import shlex
import time
from collections.abc import Sequence
from pathlib import Path

from mvp_process.check import lintfiles
from mvp_process.check.gate import Context, Gate
from mvp_process.check.policy import Changes, outside_note, plural, split
from mvp_process.check.toolenv import ToolEnv
from mvp_process.results import Finding, GateResult, Hint

# flake8's default format: path:row:col: CODE text
_LINE = re.compile(
    r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d*) (?P<msg>.*)$"
)
UNREAD_TABLE = (
    "[tool.flake8] in pyproject.toml is not read: flake8 reads only .flake8, "
    "setup.cfg and tox.ini, unless flake8-pyproject is installed where the "
    "gates run; these findings follow flake8's defaults and those files"
)


def parse(output: str, prefix: str = "") -> list[Finding]:
    """Findings from flake8's default output (paths as `prefix` + flake8's);
    other lines are ignored."""
    findings = []
    for raw in output.splitlines():
        match = _LINE.match(raw.strip())
        if match:
            path = prefix + match["path"].removeprefix("./")
            findings.append(
                Finding(
                    path=path,
                    line=int(match["line"]),
                    col=int(match["col"]),
                    code=match["code"],
                    message=match["msg"],
                )
            )
    return findings


def recheck(findings: Sequence[Finding]) -> Hint:
    """flake8 on the files it found fault with (on everything, past three)."""
    files = sorted({f.path for f in findings})
    command = shlex.join(["flake8", *files]) if len(files) <= 3 else "flake8"
    return Hint("rechecks, once each line above is fixed", command)


def run(
    tools: ToolEnv,
    root: Path,
    files: Sequence[str],
    *,
    priority: int = 0,
    scope: Changes | None = None,
    prefix: str = "",
) -> GateResult:
    """Run flake8 in `root` on `files` (relative to it) as its config says.

    `priority` lowers flake8's (beside the test run, which is the critical path);
    `scope` (lint-scope "changed") limits what fails to the changed lines;
    `prefix` names `root` from the repository's top (a sub-project's folder).
    """
    started = time.monotonic()
    args = ["--format=default"]
    result, status = lintfiles.run(
        tools, "flake8", args, files, root, priority=priority
    )
    findings = parse(result.stdout, prefix)
    notes = []
    if lintfiles.tool_table(root, "flake8") is not None and not status.get("flake8p"):
        notes.append(UNREAD_TABLE)
    metrics = {"files": status.get("files"), "scope": "changed" if scope else "all"}
    if result.returncode != 0 and not findings:
        return GateResult(
            "flake8",
            False,
            f"flake8 could not run (exit code {result.returncode})",
            details=(*result.output.strip().splitlines()[-20:], *notes),
            metrics=metrics,
            duration=time.monotonic() - started,
        )
    inside, outside = split(
        findings, lambda f: scope is None or scope.has_line(f.path, f.line)
    )
    where = " on changed lines" if scope else ""
    files = plural(len({f.path for f in inside}), "file")
    summary = (
        f"{plural(len(inside), 'finding')} in {files}" if inside else "no findings"
    )
    summary += where
    details = [f"{f.location()}: {f.code} {f.message}" for f in inside]
    if outside:
        summary += f"; {len(outside)} outside them"
        details.append(outside_note(len(outside), "finding"))
    return GateResult(
        "flake8",
        not inside,
        summary,
        details=(*details, *notes),
        findings=tuple(inside),
        metrics={**metrics, "count": len(inside), "outside": len(outside)},
        duration=time.monotonic() - started,
        hint=recheck(inside) if inside else None,
    )


def _run(ctx: Context) -> GateResult:
    changed = ctx.config.lint_scope == "changed"
    return run(
        ctx.tools,
        ctx.git.project_dir,
        lintfiles.repository_files(ctx.git),
        priority=ctx.lint_priority,
        scope=lintfiles.changes(ctx.git, ctx.target.merge_base) if changed else None,
        prefix=ctx.git.prefix,
    )


GATE = Gate(
    "flake8",
    _run,
    requires=("flake8",),
    title="flake8 findings",
    details_when_passed=True,
)
