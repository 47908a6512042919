"""`--json FILE`: the machine-readable report of `check` (`-`: standard output)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, TextIO

from mvp_process import __version__
from mvp_process.errors import ConfigError
from mvp_process.redact import redact


def to_stdout(path: Path | None) -> bool:
    """`--json -`: the report goes to standard output (and the rest to stderr)."""
    return path is not None and str(path) == "-"


def check_writable(path: Path, flag: str = "--json") -> None:
    """Fail before the gates run, not after, when a report cannot be written."""
    if flag == "--json" and to_stdout(path):
        return
    if path.is_dir():
        raise ConfigError(f"{flag} {path} is a folder; give a file name")
    folder = path.parent
    if not folder.is_dir():
        raise ConfigError(
            f"{flag} {path}: folder {folder} does not exist",
            hint="create it first or choose another path",
        )
    if not os.access(path if path.exists() else folder, os.W_OK):
        where = path if path.exists() else f"folder {folder}"
        other = ", or `--json -` for standard output" if flag == "--json" else ""
        raise ConfigError(
            f"{flag} {path}: {where} is not writable",
            hint=f"choose another path{other}",
        )


def dumps(data: dict[str, Any]) -> str:
    """The report's text: `version` (of mvp-process) first, secrets masked."""
    report = {"version": __version__, **data}
    return redact(json.dumps(report, indent=2, ensure_ascii=False, default=str)) + "\n"


def write(path: Path, data: dict[str, Any], stdout: TextIO | None = None) -> None:
    """Into `path`, or onto `stdout` (default: the process's) for `-`."""
    if to_stdout(path):
        stream = stdout or sys.stdout
        stream.write(dumps(data))
        stream.flush()
        return
    try:
        path.write_text(dumps(data), encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"could not write --json {path}: {exc.strerror}") from None
