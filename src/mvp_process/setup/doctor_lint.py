"""doctor's count of the lint the repository already holds.

With `lint-scope = "all"` (the default) every flake8 finding and every file
black would reformat fails every pull request, in files nobody touched too; an
old codebase holds hundreds. So doctor runs both gates on the whole repository
and says how many there are, suggesting `lint-scope = "changed"` when fixing
them all first would be a project of its own.
"""

from __future__ import annotations

from collections.abc import Mapping

from mvp_process.check import black, flake8, lintfiles
from mvp_process.check.toolenv import ToolEnv
from mvp_process.config import Config
from mvp_process.errors import MvpError
from mvp_process.git import Git

# From this many, fixing everything before adopting the gates is a project.
LARGE = 20


def lint_verdict(
    git: Git, config: Config, env: Mapping[str, str]
) -> tuple[bool, str, str] | None:
    """(ok, message, fix) about the repository's lint; None when the tools
    cannot run (the tools check says why)."""
    try:
        tools = ToolEnv.resolve(config.python, env)
        tools.require(("flake8", "black"), git.root)
    except MvpError:
        return None
    files = lintfiles.repository_files(git)
    findings = flake8.run(tools, git.root, files).metrics.get("count") or 0
    formatted = len(black.run(tools, git.root, files).metrics.get("files") or [])
    if not findings and not formatted:
        return True, "flake8 and black find nothing to fix in the repository", ""
    count = (
        f"{findings} flake8 finding{'s' if findings != 1 else ''} and {formatted} "
        f"file{'s' if formatted != 1 else ''} black would reformat in the repository"
    )
    if config.lint_scope == "changed":
        return True, f'{count}; lint-scope = "changed" holds only changes to them', ""
    changed = 'set lint-scope = "changed" in [tool.mvp-process]'
    if findings + formatted >= LARGE:
        fix = f"{changed}: only changed lines must be clean; fix the rest as you go"
    else:
        fix = f"fix them (`black .`, then flake8), or {changed}"
    return False, f"{count}: every pull request fails until they are fixed", fix
