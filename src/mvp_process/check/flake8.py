"""flake8 gate: any warning or error fails; the repo's own flake8 config applies."""

from __future__ import annotations

import re
import time
from pathlib import Path

from mvp_process.check.gate import Gate
from mvp_process.check.toolenv import ToolEnv
from mvp_process.results import Finding, GateResult

# flake8's default format: path:row:col: CODE text
_LINE = re.compile(
    r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d*) (?P<msg>.*)$"
)


def parse(output: str) -> list[Finding]:
    """Findings from flake8's default output; other lines are ignored."""
    findings = []
    for raw in output.splitlines():
        match = _LINE.match(raw.strip())
        if match:
            path = match["path"].removeprefix("./")
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


def run(tools: ToolEnv, root: Path, *, jobs: int | None = None) -> GateResult:
    """Run flake8 over the repository as its config says.

    `jobs` caps flake8's worker processes when the test run needs a core too.
    """
    started = time.monotonic()
    args = ["--format=default", *([f"--jobs={jobs}"] if jobs else []), "."]
    result = tools.module("flake8", args, cwd=root, priority=5 if jobs else 0)
    findings = parse(result.stdout)
    duration = time.monotonic() - started
    if result.returncode == 0 and not findings:
        return GateResult("flake8", True, "no findings", duration=duration)
    if not findings:
        tail = result.output.strip().splitlines()[-20:]
        return GateResult(
            "flake8",
            False,
            f"flake8 could not run (exit code {result.returncode})",
            details=tuple(tail),
            duration=duration,
        )
    files = len({f.path for f in findings})
    noun = "finding" if len(findings) == 1 else "findings"
    return GateResult(
        "flake8",
        False,
        f"{len(findings)} {noun} in {files} file{'s' if files != 1 else ''}",
        details=tuple(f"{f.location()} {f.code} {f.message}" for f in findings),
        findings=tuple(findings),
        metrics={"count": len(findings)},
        duration=duration,
    )


GATE = Gate(
    "flake8",
    lambda ctx: run(ctx.tools, ctx.git.root, jobs=ctx.workers),
    requires=("flake8",),
    title="flake8 findings",
)
