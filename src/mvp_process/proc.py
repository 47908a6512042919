"""The one way mvp-process runs another program.

`run` never raises for a non-zero exit unless asked (`check=True`), and then the
`CommandError` names the command, its exit code and its output, so a failure in
CI says everything needed to reproduce it.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from mvp_process.errors import CommandError, ToolMissing


@dataclass(frozen=True)
class Result:
    """What a finished command left behind."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        """Both streams, for messages."""
        return self.stdout + ("\n" if self.stdout and self.stderr else "") + self.stderr


def run(
    args: Sequence[str | os.PathLike[str]],
    *,
    cwd: Path | str | None = None,
    env: Mapping[str, str] | None = None,
    check: bool = False,
    input: str | bytes | None = None,
    timeout: float | None = None,
    hint: str = "",
    priority: int = 0,
) -> Result:
    """Run `args` (never through a shell) and capture its output as text;
    `priority` > 0 lowers the child's scheduling priority (POSIX nice), so work
    off the critical path yields the CPU to the work on it."""
    argv = tuple(os.fspath(a) for a in args)
    data = input.decode() if isinstance(input, bytes) else input
    try:
        child = subprocess.Popen(
            argv,
            cwd=cwd,
            env=dict(env) if env is not None else None,
            stdin=subprocess.PIPE if data is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            errors="replace",
        )
    except FileNotFoundError as exc:
        raise ToolMissing(
            f"{argv[0]} is not installed or not on PATH", hint=hint
        ) from exc
    with child:
        if priority:  # best effort: no nice on Windows, or the child already exited
            with contextlib.suppress(AttributeError, OSError):
                nice = os.getpriority(os.PRIO_PROCESS, 0) + priority
                os.setpriority(os.PRIO_PROCESS, child.pid, nice)
        try:
            stdout, stderr = child.communicate(data, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            child.kill()
            child.communicate()
            raise CommandError(
                argv, -1, f"timed out after {timeout} seconds", hint=hint
            ) from exc
    result = Result(argv, child.returncode, stdout, stderr)
    if check and child.returncode != 0:
        raise CommandError(argv, child.returncode, result.output, hint=hint)
    return result
