"""Set a repository up for mvp-process: write the CI workflow into
.github/workflows/ and a starter [tool.mvp-process] table into pyproject.toml.
Nothing is overwritten without --force; pyproject.toml is only appended to."""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

from mvp_process.check.registry import GATE_NAMES
from mvp_process.git import Git
from mvp_process.setup.init import init_repository, starter_config, template_text

NEXT_STEPS = """
Next:
  1. Review and commit both files.
  2. Add the HEROKU_API_KEY secret and the `staging` and `production` environments
     (Settings > Secrets and variables > Actions; Settings > Environments).
  3. Require these statuses in branch protection for your default branch:
     {statuses}
  4. Run `mvp-process doctor` to see what is still missing.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--force", action="store_true", help="replace a workflow that differs"
    )
    parser.add_argument("--staging-app", metavar="APP", help="Heroku staging app")
    parser.add_argument("--production-app", metavar="APP", help="Heroku production app")
    show = parser.add_mutually_exclusive_group()
    show.add_argument(
        "--print-workflow",
        action="store_true",
        help="print the workflow template and write nothing",
    )
    show.add_argument(
        "--print-config",
        action="store_true",
        help="print the starter [tool.mvp-process] table and write nothing",
    )


def run(args: argparse.Namespace) -> int:
    if args.print_workflow:
        sys.stdout.write(template_text())
        return 0
    if args.print_config:
        sys.stdout.write(starter_config(args.staging_app, args.production_app))
        return 0
    root = Git.discover(Path.cwd()).root
    changes = init_repository(
        root,
        force=args.force,
        staging_app=args.staging_app,
        production_app=args.production_app,
    )
    print(f"mvp-process init: {root}")
    for change in changes:
        print(f"  {change.action:<9} {change.path}: {change.detail}")
    names = [f"mvp-process/{name}" for name in (*GATE_NAMES, "pr")]
    statuses = textwrap.fill(f"{', '.join(names)}", width=80, subsequent_indent="     ")
    sys.stdout.write(NEXT_STEPS.format(statuses=statuses))
    return 0
