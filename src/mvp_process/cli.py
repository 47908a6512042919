"""The thin command line: parse, build config and real clients, call the core.

Each command lives in its feature's folder (`COMMANDS`) with
`add_arguments(parser)` and `run(args) -> int`. Exit codes: 0 passed, 1 a
gate/policy/deploy failed, 2 a usage/config/environment error (one message, no
traceback), 3 a bug.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback
from collections.abc import Sequence
from typing import NoReturn

from mvp_process import __version__, actions
from mvp_process.errors import MvpError
from mvp_process.redact import redact

# Each command's module is imported only when that command runs: `deploy` pulls
# in heroku3 and `pr` PyGithub, which a local `check` should not pay for.
COMMANDS: dict[str, tuple[str, str]] = {
    "check": (
        "check.command",
        "run the CI gates against the merge-base with the base branch",
    ),
    "pr": (
        "github.command",
        "check the pull request's branch name, closing reference and reviewer",
    ),
    "publish": (
        "github.publish_command",
        "publish a fork's check report (a workflow_run artifact): statuses, comment",
    ),
    "deploy": (
        "deploy.command",
        "deploy to Heroku: backup, build, migrate, static, health, rollback",
    ),
    "init": (
        "setup.init_command",
        "write the workflow and a starter [tool.mvp-process] into this repository",
    ),
    "doctor": (
        "setup.doctor_command",
        "check this repository's mvp-process setup and list what is missing",
    ),
}


class UsageError(MvpError):
    """A command line argparse could not make sense of."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message}", hint=f"see `{self.prog} --help`")


def build_parser(argv: Sequence[str]) -> argparse.ArgumentParser:
    """The parser, with full arguments for the command `argv` names (its first
    word that is not an option), the others by name only."""
    command = next((a for a in argv if not a.startswith("-")), None)
    parser = _Parser(
        prog="mvp-process",
        description="CI gates, pull-request policy and Heroku deploys for small teams.",
    )
    parser.add_argument("--version", action="version", version=__version__)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (where, text) in COMMANDS.items():
        if name != command:
            commands.add_parser(name, help=text)
            continue
        module = importlib.import_module(f"mvp_process.{where}")
        sub = commands.add_parser(name, help=text, description=module.__doc__)
        module.add_arguments(sub)
        sub.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        words = sys.argv[1:] if argv is None else list(argv)
        args = build_parser(words).parse_args(words)
        return int(args.run(args))
    except MvpError as exc:  # one clear message, an annotation too in Actions
        text = redact(str(exc))
        with actions.commands_off(sys.stderr):  # the message may quote tool output
            print(f"mvp-process: error: {text}", file=sys.stderr)
        if actions.in_actions():
            actions.command(sys.stderr, "error", text, title="mvp-process")
        return exc.exit_code
    except SystemExit as exc:  # --help and --version
        return exc.code if isinstance(exc.code, int) else 0
    except KeyboardInterrupt:
        print("mvp-process: interrupted", file=sys.stderr)
        return 130
    except Exception:
        print(
            redact(traceback.format_exc())
            + "mvp-process: internal error (exit 3): please report this with the "
            "traceback above",
            file=sys.stderr,
        )
        return 3
