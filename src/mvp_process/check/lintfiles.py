"""What flake8 and black look at: the Python files the repository holds.

`flake8 .` and `black .` walk the folder, so a virtualenv inside the checkout
(what our own README's "Try it" creates) was linted as if it were the project:
tens of thousands of findings and a minute lost. Git knows what the project
holds: the tracked files plus the untracked ones it does not ignore. The tools
get exactly those, through `lint_launcher.py` (their names on standard input,
their own configuration and excludes still applied), never a folder that is a
virtualenv (one with `pyvenv.cfg` or `conda-meta`) even when git does not
ignore it. `changes` tells `lint-scope = "changed"` what changed.
"""

from __future__ import annotations

import functools
import json
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mvp_process import proc
from mvp_process.check import lint_launcher
from mvp_process.check.policy import Changes, parse_diff
from mvp_process.check.toolenv import ToolEnv
from mvp_process.git import Git

_LAUNCHER = Path(lint_launcher.__file__).read_text(encoding="utf-8")
_VENV_MARKERS = ("pyvenv.cfg", "conda-meta")


def repository_files(git: Git) -> list[str]:
    """The files the project holds that exist, outside any virtualenv, relative
    to its folder (where the tools run); each tool then picks its own (flake8's
    `filename`, black's `include`)."""

    @functools.cache
    def in_virtualenv(folder: str) -> bool:
        """Whether `folder`, or one above it, is a virtualenv ("": the root)."""
        if not folder:
            return False
        return in_virtualenv(folder.rpartition("/")[0]) or any(
            (git.root / folder / marker).exists() for marker in _VENV_MARKERS
        )

    listed = git.ls_files("--cached", "--others", "--exclude-standard")
    return [
        path.removeprefix(git.prefix)
        for path in dict.fromkeys(listed)  # a conflicted file is listed per stage
        if path.startswith(git.prefix)
        and not in_virtualenv(path.rpartition("/")[0])
        and (git.root / path).is_file()
    ]


def run(
    tools: ToolEnv,
    module: str,
    args: Sequence[str],
    files: Sequence[str],
    root: Path,
    priority: int = 0,
) -> tuple[proc.Result, dict[str, Any]]:
    """`python -m <module> <args> <files>` in the project's interpreter, and what
    the launcher said (`files`: how many it handed on; `flake8p`: importable)."""
    result = tools.run(
        "-c",
        _LAUNCHER,
        module,
        *args,
        cwd=root,
        input="\0".join(files),
        priority=priority,
    )
    status: dict[str, Any] = {}
    kept = []
    for line in result.stderr.splitlines(keepends=True):
        if line.startswith(lint_launcher.STATUS):
            status = json.loads(line.removeprefix(lint_launcher.STATUS))
        else:
            kept.append(line)
    return (
        proc.Result(result.args, result.returncode, result.stdout, "".join(kept)),
        status,
    )


def tool_table(root: Path, tool: str) -> dict[str, Any] | None:
    """`[tool.<tool>]` of `root/pyproject.toml`, or None (no file, no table, or a
    file the tool itself will complain about)."""
    try:
        data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    table = (
        data.get("tool", {}).get(tool) if isinstance(data.get("tool"), dict) else None
    )
    return table if isinstance(table, dict) else None


def changes(git: Git, merge_base: str) -> Changes:
    """The working tree against the merge-base: commits, uncommitted edits, and
    untracked files (every line of those counts as changed)."""
    diff = git.run(
        "-c",
        "core.quotePath=true",
        "diff",
        "-U0",
        "--no-color",
        "--no-ext-diff",
        "--no-renames",
        "--src-prefix=a/",
        "--dst-prefix=b/",
        merge_base,
        "--",
    ).stdout
    lines: dict[str, frozenset[int] | None] = {
        path: frozenset(numbers) for path, numbers in parse_diff(diff).items()
    }
    lines.update(dict.fromkeys(git.ls_files("--others", "--exclude-standard")))
    return Changes(lines)
