"""black gate: any file black would change fails; `[tool.black]` applies."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

from mvp_process.check.gate import Context, Gate
from mvp_process.check.toolenv import ToolEnv
from mvp_process.results import Finding, GateResult

_WOULD = re.compile(r"^would reformat (?P<path>.+)$")
_ERROR = re.compile(r"^error: cannot (?:format|parse):? (?P<rest>.+)$")


def _relative(path: str, root: Path) -> str:
    try:
        return os.path.relpath(path, root) if os.path.isabs(path) else path
    except ValueError:  # pragma: no cover - another drive on Windows
        return path


def parse(output: str, root: Path) -> tuple[list[str], list[str]]:
    """Files black would reformat, and the errors it reported."""
    files, errors = [], []
    for raw in output.splitlines():
        line = raw.strip()
        if match := _WOULD.match(line):
            files.append(_relative(match["path"], root))
        elif match := _ERROR.match(line):
            errors.append(line.replace(str(root) + os.sep, ""))
    return files, errors


def run(
    tools: ToolEnv, root: Path, *, show_diff: bool = False, workers: int | None = None
) -> GateResult:
    """`black --check .`, plus the diff of the offending files when asked.

    `workers` caps black's processes when the test run needs a core too.
    """
    started = time.monotonic()
    args = ["--check", *([f"--workers={workers}"] if workers else []), "."]
    result = tools.module("black", args, cwd=root, priority=5 if workers else 0)
    files, errors = parse(result.stderr, root)
    if result.returncode == 0:
        return GateResult(
            "black", True, "no changes needed", duration=time.monotonic() - started
        )
    details = [f"would reformat {f}" for f in files] + errors
    if not details:
        details = result.output.strip().splitlines()[-20:]
    if show_diff and files:
        diff = tools.module("black", ["--diff", "--quiet", *files], cwd=root)
        details += diff.stdout.splitlines()
    summary = f"{len(files)} file{'s' if len(files) != 1 else ''} would be reformatted"
    if errors:
        summary += f", {len(errors)} could not be parsed"
    return GateResult(
        "black",
        False,
        summary,
        details=tuple(details),
        findings=tuple(
            Finding(
                path=f, line=1, code="black", message="black would reformat this file"
            )
            for f in files
        ),
        metrics={"files": files},
        duration=time.monotonic() - started,
    )


def _run(ctx: Context) -> GateResult:
    return run(
        ctx.tools, ctx.git.root, show_diff=ctx.config.black_diff, workers=ctx.workers
    )


GATE = Gate("black", _run, requires=("black",), title="black would reformat")
