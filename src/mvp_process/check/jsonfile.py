"""`--json FILE`: the machine-readable report of `check`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mvp_process.errors import ConfigError
from mvp_process.redact import redact


def check_writable(path: Path) -> None:
    """Fail before the gates run, not after, when the report cannot be written."""
    if path.is_dir():
        raise ConfigError(f"--json {path} is a folder; give a file name")
    if not path.parent.is_dir():
        raise ConfigError(
            f"--json {path}: folder {path.parent} does not exist",
            hint="create it first or choose another path",
        )


def write(path: Path, data: dict[str, Any]) -> None:
    text = redact(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    try:
        path.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"could not write --json {path}: {exc.strerror}") from None
