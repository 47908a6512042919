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
    """The repository around the current folder and its merged configuration
    (in a pull request, with the merge-base's policy: `config_policy`)."""
    environ = os.environ if env is None else env
    for name in ("GITHUB_TOKEN", "HEROKU_API_KEY"):
        protect(environ.get(name))
    git = Git.discover(Path.cwd())
    config = config_policy.load(git, environ, overrides, deploy_overrides)
    return git, config


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
