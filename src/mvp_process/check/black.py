"""black gate: any file black would change fails; `[tool.black]` applies.

black sees the Python files the repository holds (`lintfiles.py`), named one
by one. black applies its `exclude` and `extend-exclude` only to folders it
walks, and to named files only `--force-exclude`; so all three (or black's
default excludes, as when it walks `.`) go to it as one `--force-exclude`,
read from the pyproject.toml black itself will read. With `lint-scope =
"changed"` only changed files fail, and the others are counted.
"""

from __future__ import annotations

import os
import re
import shlex
import time
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from mvp_process.check import lintfiles
from mvp_process.check.gate import Context, Gate
from mvp_process.check.policy import Changes, outside_note, plural, split
from mvp_process.check.toolenv import ToolEnv
from mvp_process.results import Finding, GateResult, Hint

# black's own defaults (black/const.py): what `black .` skips and picks.
DEFAULT_EXCLUDES = (
    r"/(\.direnv|\.eggs|\.git|\.hg|\.ipynb_checkpoints|\.mypy_cache|\.nox"
    r"|\.pytest_cache|\.ruff_cache|\.tox|\.svn|\.venv|\.vscode|__pypackages__"
    r"|_build|buck-out|build|dist|venv)/"
)
DEFAULT_INCLUDES = r"(\.pyi?|\.ipynb)$"

_WOULD = re.compile(r"^would reformat (?P<path>.+)$")
_ERROR = re.compile(r"^error: cannot (?:format|parse):? (?P<rest>.+)$")


def _relative(path: str, root: Path) -> str:
    try:
        return os.path.relpath(path, root) if os.path.isabs(path) else path
    except ValueError:  # pragma: no cover - another drive on Windows
        return path


def parse(output: str, root: Path, prefix: str = "") -> tuple[list[str], list[str]]:
    """Files black (run in `root`) would reformat, and the errors it reported,
    their paths as `prefix` + the path in `root`."""
    files, errors = [], []
    for raw in output.splitlines():
        line = raw.strip()
        if match := _WOULD.match(line):
            files.append(prefix + _relative(match["path"], root))
        elif match := _ERROR.match(line.replace(str(root) + os.sep, "")):
            head = match.string[: match.start("rest")]
            errors.append(head + prefix + match["rest"])
    return files, errors


def compiled(regex: str) -> re.Pattern[str] | None:
    """As black compiles a setting (verbose when it spans lines); None if invalid."""
    try:
        return re.compile(f"(?x){regex}" if "\n" in regex else regex)
    except re.error:
        return None


def settings_folder(root: Path, files: Sequence[str]) -> Path:
    """The folder black takes as the project root for these Python files (and
    whose pyproject.toml it reads): the nearest one above all of them holding
    `.git`, `.hg` or a pyproject.toml with [tool.black]."""
    common = os.path.commonprefix([PurePosixPath(f).parent.parts for f in files])
    folder = root.joinpath(*common)
    while folder != root and root in folder.parents:
        if (
            (folder / ".git").exists()
            or (folder / ".hg").is_dir()
            or lintfiles.tool_table(folder, "black") is not None
        ):
            return folder
        folder = folder.parent
    return root


def selection(root: Path, files: Sequence[str]) -> tuple[list[str], list[str]]:
    """(the files `black .` would pick, black's arguments for its excludes)."""
    default = re.compile(DEFAULT_INCLUDES)
    folder = settings_folder(root, [f for f in files if default.search(f)])
    table = lintfiles.tool_table(folder, "black") or {}
    settings = {k.replace("-", "_"): v for k, v in table.items()}
    include = settings.get("include")
    picks = (compiled(include) if isinstance(include, str) else None) or default
    prefix = "" if folder == root else folder.relative_to(root).as_posix() + "/"
    chosen = [
        f
        for f in files
        if f.startswith(prefix) and picks.search("/" + f.removeprefix(prefix))
    ]
    exclude = settings.get("exclude", DEFAULT_EXCLUDES)
    parts = [exclude, settings.get("extend_exclude"), settings.get("force_exclude")]
    valid = [p for p in parts if isinstance(p, str) and p and compiled(p)]
    if len(valid) < len([p for p in parts if p]):
        return chosen, []  # black reports its own invalid setting
    joined = "|".join(f"(?x:{p}\n)" if "\n" in p else f"(?-x:{p})" for p in valid)
    return chosen, ["--force-exclude", joined] if joined else []


def _about(error: str, files: Sequence[str]) -> str | None:
    """The file one of black's error lines is about."""
    match = _ERROR.match(error)
    rest = match["rest"] if match else ""
    return next((f for f in files if rest.startswith(f + ":")), None)


def reformat(files: Sequence[str], scope: Changes | None) -> Hint | None:
    """`black .`, or the files themselves when few or when only changed ones count."""
    if not files:
        return None
    named = scope is not None or len(files) <= 3
    command = shlex.join(["black", *files]) if named else "black ."
    return Hint("reformats " + ("them" if len(files) > 1 else "it"), command)


def run(
    tools: ToolEnv,
    root: Path,
    files: Sequence[str],
    *,
    show_diff: bool = False,
    priority: int = 0,
    scope: Changes | None = None,
    prefix: str = "",
) -> GateResult:
    """`black --check` in `root` on `files` (relative to it), plus the diff of
    the offending files when asked.

    `priority` lowers black's (beside the test run, which is the critical path);
    `scope` (lint-scope "changed") limits what fails to the changed files;
    `prefix` names `root` from the repository's top (a sub-project's folder),
    from which black looks for its settings as it does itself.
    """
    started = time.monotonic()
    top = root.parents[prefix.count("/") - 1] if prefix else root
    chosen, excludes = selection(top, [prefix + f for f in files])
    args = ["--check", *excludes]
    named = [f.removeprefix(prefix) for f in chosen]
    result, _ = lintfiles.run(tools, "black", args, named, root, priority=priority)
    found, errors = parse(result.stderr, root, prefix)
    inside, outside = split(found, lambda f: scope is None or scope.has_file(f))
    bad, bad_outside = split(
        errors, lambda e: scope is None or scope.has_file(_about(e, chosen) or e)
    )
    others = len(outside) + len(bad_outside)
    details = [f"{f}:1: would reformat" for f in inside] + bad
    if result.returncode == 0:
        summary = "no changes needed"
    elif not found and not errors:
        summary = f"black could not run (exit code {result.returncode})"
        details = result.output.strip().splitlines()[-20:]
    else:
        if show_diff and inside:
            again = [f.removeprefix(prefix) for f in inside]
            diff, _ = lintfiles.run(tools, "black", ["--diff", "--quiet"], again, root)
            details += diff.stdout.splitlines()
        which = " of the changed ones" if scope else ""
        summary = f"{plural(len(inside), 'file')}{which} would be reformatted"
        if bad:
            summary += f", {len(bad)} could not be parsed"
        if others:
            if not inside and not bad:
                summary = "no changes needed in the changed files"
            summary += f"; {plural(others, 'file')} outside them would not pass"
            details.append(outside_note(others, "file"))
    ran = result.returncode == 0 or bool(found or errors)  # else black failed
    return GateResult(
        "black",
        ran and not inside and not bad,
        summary,
        details=tuple(details),
        findings=tuple(
            Finding(f, 1, "black would reformat this file", code="black")
            for f in inside
        ),
        metrics={
            "files": inside,
            "scope": "changed" if scope else "all",
            "outside": others,
        },
        duration=time.monotonic() - started,
        hint=reformat(inside, scope),
    )


def _run(ctx: Context) -> GateResult:
    changed = ctx.config.lint_scope == "changed"
    return run(
        ctx.tools,
        ctx.git.project_dir,
        lintfiles.repository_files(ctx.git),
        show_diff=ctx.config.black_diff,
        priority=ctx.lint_priority,
        scope=lintfiles.changes(ctx.git, ctx.target.merge_base) if changed else None,
        prefix=ctx.git.prefix,
    )


GATE = Gate(
    "black",
    _run,
    requires=("black",),
    title="black would reformat",
    details_when_passed=True,
)
