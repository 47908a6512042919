"""Set a repository up for mvp-process: write the CI workflow into
.github/workflows/ (installing the project's test dependencies, with deploy jobs
for the Heroku apps named) and a starter [tool.mvp-process] table into
pyproject.toml. Nothing is overwritten without --force; pyproject.toml is only
appended to."""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

from mvp_process.check.registry import GATE_NAMES
from mvp_process.errors import GitError
from mvp_process.git import Git
from mvp_process.setup.init import Fitted, fit, init_repository, starter_config

NEXT_STEPS = """
Next:
  1. Review and commit the files above.
  2. Require these statuses in branch protection for your default branch:
     {statuses}
{deploys}  {last}. Run `mvp-process doctor` to see what is still missing.
"""
DEPLOYS = """  3. Add the HEROKU_API_KEY secret and the {environments} environment{s}
     (Settings > Secrets and variables > Actions; Settings > Environments).
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--force", action="store_true", help="replace a workflow that differs"
    )
    parser.add_argument("--staging-app", metavar="APP", help="Heroku staging app")
    parser.add_argument("--production-app", metavar="APP", help="Heroku production app")
    parser.add_argument(
        "--forks",
        action="store_true",
        help="also write mvp-process-forks.yml, which publishes the reports of "
        "pull requests from forks (a public repository)",
    )
    show = parser.add_mutually_exclusive_group()
    show.add_argument(
        "--print-workflow",
        action="store_true",
        help="print the workflow init would write here, and write nothing",
    )
    show.add_argument(
        "--print-config",
        action="store_true",
        help="print the starter [tool.mvp-process] table and write nothing",
    )


def describe(fitted: Fitted) -> list[str]:
    """What the workflow installs and deploys, for the maintainer to check."""
    install = fitted.install
    if install.steps is None:
        found = "no test dependencies declared: the template's generic step"
        installs = f"{found} (check it installs what your tests import)"
    else:
        installs = f"{install.command()} (from {install.source})"
    deploys = ", ".join(fitted.deploys) or (
        "none (no Heroku app named: --staging-app / --production-app add them)"
    )
    return [f"  {'install':<9} {installs}", f"  {'deploys':<9} {deploys}"]


def next_steps(fitted: Fitted) -> str:
    names = [f"mvp-process/{name}" for name in (*GATE_NAMES, "pr")]
    statuses = textwrap.fill(f"{', '.join(names)}", width=80, subsequent_indent="     ")
    deploys = ""
    if fitted.deploys:
        environments = " and ".join(f"`{target}`" for target in fitted.deploys)
        s = "s" if len(fitted.deploys) > 1 else ""
        deploys = DEPLOYS.format(environments=environments, s=s)
    last = 4 if deploys else 3
    return NEXT_STEPS.format(statuses=statuses, deploys=deploys, last=last)


def run(args: argparse.Namespace) -> int:
    if args.print_config:
        sys.stdout.write(starter_config(args.staging_app, args.production_app))
        return 0
    try:
        root = Git.discover(Path.cwd()).root
    except GitError:
        if not args.print_workflow:
            raise
        root = Path.cwd()  # the workflow can be printed outside a repository
    fitted = fit(root, args.staging_app, args.production_app)
    if args.print_workflow:
        sys.stdout.write(fitted.text)
        return 0
    changes = init_repository(
        root,
        force=args.force,
        staging_app=args.staging_app,
        production_app=args.production_app,
        forks=args.forks,
        fitted=fitted,
    )
    print(f"mvp-process init: {root}")
    for change in changes:
        print(f"  {change.action:<9} {change.path}: {change.detail}")
    print("\n".join(describe(fitted)))
    sys.stdout.write(next_steps(fitted))
    return 0
