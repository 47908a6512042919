"""What every command does first: find the repo, read config, register secrets."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from mvp_process import actions, config_policy, redact
from mvp_process.git import Git
from mvp_process.config import Config


def load(
    overrides: Mapping[str, object] | None = None,
    deploy_overrides: Mapping[str, object] | None = None,
    env: Mapping[str, str] | None = None,
) -> tuple[Git, Config]:
    """The repository around the current folder, the project in it
    (`project_folder`), and the project's merged configuration (in a pull
    request, with the merge-base's policy: `config_policy`)."""
    environ = os.environ if env is None else env
    for name in ("GITHUB_TOKEN", "HEROKU_API_KEY"):
        protect(environ.get(name))
    cwd = Path.cwd()
    top = Git.discover(cwd).root
    git = Git(top, project_folder(top, cwd))
    return git, config_policy.load(git, environ, overrides, deploy_overrides)


def project_folder(root: Path, cwd: Path) -> str:
    """The nearest folder from `cwd` up to the top `root` with a pyproject.toml,
    relative to the top ("" for none): so a monorepo's sub-project is checked
    on its own when the command runs in it (the action's `working-directory`),
    and a single-project repository is checked whole from any of its folders."""
    top, here = root.resolve(), cwd.resolve()
    below = [folder for folder in (here, *here.parents) if top in folder.parents]
    found = next((f for f in below if (f / config_policy.PYPROJECT).is_file()), None)
    return found.relative_to(top).as_posix() if found else ""


def protect(secret: str | None) -> None:
    """Never print `secret`; in Actions also ask the runner to mask it.

    Flushed at once: stdout is a pipe on the runner (block-buffered), and the
    runner masks only what it reads after the request, so without the flush a
    message on stderr (an error, a traceback) would reach the log first.
    """
    if not secret:
        return
    redact.register(secret)
    if actions.in_actions():
        print(f"::add-mask::{secret}", flush=True)
