"""Runs flake8 or black, in the project's interpreter, on the files named on stdin.

`check` starts it as `python -c <this file's text> MODULE ARGS...` and writes
the file names to its standard input, NUL-separated: a long list never meets
the command line's length limit, and `-c` (unlike running this file by its
path) leaves `sys.path` as `python -m` has it, where this file's folder (which
holds modules named `flake8` and `black`) is not. It imports nothing from
mvp-process, which the project's interpreter may lack, and keeps to Python 3.8.

flake8 matches a file it is given against `exclude` by the file's own name and
path only; folders are matched only as it walks them (`exclude = migrations`
keeps `app/migrations/0001.py` when that file is named). So a file is dropped
here when it or a folder above it matches flake8's own `exclude` and
`extend-exclude` (read through flake8's stable API, with the project's
configuration), and kept only if it matches flake8's `filename` patterns:
exactly the files `flake8 .` would lint. black applies `--force-exclude` to
named files itself, so its files pass through unchanged.
"""

from __future__ import annotations

import fnmatch
import functools
import importlib.util
import json
import os
import runpy
import sys

STATUS = "mvp-process-lint: "


def matches(path: str, patterns: list[str]) -> bool:
    """flake8's rule (`utils.matches_filename`): the base name or the absolute
    path matches one of the patterns."""
    base = os.path.basename(path)
    if base not in (".", "..") and any(fnmatch.fnmatch(base, p) for p in patterns):
        return True
    full = os.path.abspath(path)
    return any(fnmatch.fnmatch(full, p) for p in patterns)


def walked(names: list[str], exclude: list[str], patterns: list[str]) -> list[str]:
    """The `names` a walk of `.` would reach and lint (flake8's paths: `./a.py`)."""

    @functools.lru_cache(maxsize=None)  # not functools.cache: Python 3.8
    def excluded(path: str) -> bool:
        parent = os.path.dirname(path)
        return bool(parent) and excluded(parent) or matches(path, exclude)

    kept = []
    for name in names:
        path = "./" + name
        if excluded(path):
            continue
        if not patterns or any(fnmatch.fnmatch(path, p) for p in patterns):
            kept.append(name)
    return kept


def flake8_files(names: list[str]) -> list[str]:
    """The `names` that `flake8 .` would lint here, by the project's own config."""
    try:
        from flake8.api import legacy  # type: ignore[import-untyped]

        options = legacy.get_style_guide().options
    except Exception:  # a broken config: flake8 itself says so when it runs
        return names
    exclude = list(options.exclude) + list(getattr(options, "extend_exclude", []))
    return walked(names, exclude, list(options.filename))


def main(argv: list[str], names: list[str]) -> None:
    """Run `python -m MODULE ARGS... FILES...` in this process."""
    module, args = argv[0], argv[1:]
    files = [n for n in names if n]
    if module == "flake8":
        files = flake8_files(files)
    status = {"files": len(files), "flake8p": bool(importlib.util.find_spec("flake8p"))}
    sys.stderr.write(STATUS + json.dumps(status) + "\n")
    sys.stderr.flush()
    if not files:  # with no paths both tools would lint the current folder
        raise SystemExit(0)
    sys.argv = [module] + args + files
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":  # pragma: no cover - as `python -c` in a subprocess
    main(sys.argv[1:], sys.stdin.read().split("\0"))
