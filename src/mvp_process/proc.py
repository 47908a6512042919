"""The one way mvp-process runs another program.

`run` never raises for a non-zero exit unless asked (`check=True`), and then the
`CommandError` names the command, its exit code and its output, so a failure in
CI says everything needed to reproduce it.
"""

from __future__ import annotations

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
) -> Result:
    """Run `args` (never through a shell) and capture its output as text."""
    argv = tuple(os.fspath(a) for a in args)
    try:
        done = subprocess.run(
            argv,
            cwd=cwd,
            env=dict(env) if env is not None else None,
            input=input.decode() if isinstance(input, bytes) else input,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError as exc:
        raise ToolMissing(
            f"{argv[0]} is not installed or not on PATH", hint=hint
        ) from exc
    except subprocess.TimeoutExpired as exc:
        raise CommandError(
            argv, -1, f"timed out after {timeout} seconds", hint=hint
        ) from exc
    result = Result(argv, done.returncode, done.stdout, done.stderr)
    if check and done.returncode != 0:
        raise CommandError(argv, done.returncode, result.output, hint=hint)
    return result
