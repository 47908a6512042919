"""Check that this repository is set up for mvp-process and list what is missing:
configuration, workflow, fetch depth, Procfile release process, tokens (presence
only, never shown), git remote and the gates' tools. Exit 0 when complete, 1 when
something is missing."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from mvp_process.git import Git
from mvp_process import common, style
from mvp_process.setup.doctor import diagnose, render
from mvp_process.errors import GitError
from mvp_process.redact import redact


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """It looks at the repository around the current folder."""
    style.add_argument(parser)


def run(args: argparse.Namespace) -> int:
    for name in ("GITHUB_TOKEN", "HEROKU_API_KEY"):
        common.protect(os.environ.get(name))
    try:
        git: Git | None = Git.discover(Path.cwd())
    except GitError:
        git = None
    root = git.root if git is not None else Path.cwd()
    checks = diagnose(root, git, os.environ)
    paint = style.Style.for_stream(sys.stdout, args.color)
    sys.stdout.write(redact(render(root, checks, paint)))
    return 0 if all(c.ok for c in checks) else 1
