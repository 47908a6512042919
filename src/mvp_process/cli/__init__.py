"""The thin command line: parse, build config and real clients, call the core.

Each command lives in `mvp_process.cli.<name>` with `add_arguments(parser)` and
`run(args) -> int`. Exit codes: 0 passed, 1 a gate/policy/deploy failed,
2 a usage/config/environment error (one message, no traceback), 3 a bug.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Sequence
from typing import NoReturn

from mvp_process import __version__
from mvp_process.errors import MvpError
from mvp_process.redact import redact

COMMANDS = ("check", "pr", "deploy", "init", "doctor")


class UsageError(MvpError):
    """A command line argparse could not make sense of."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message}", hint=f"see `{self.prog} --help`")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="mvp-process",
        description="CI gates, pull-request policy and Heroku deploys for small teams.",
    )
    parser.add_argument("--version", action="version", version=__version__)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        module = importlib.import_module(f"mvp_process.cli.{name}")
        sub = commands.add_parser(name, help=module.HELP, description=module.__doc__)
        module.add_arguments(sub)
        sub.set_defaults(run=module.run)
    return parser


def report_error(exc: MvpError) -> None:
    """One clear message (as an Actions annotation too, when in Actions)."""
    text = redact(str(exc))
    print(f"mvp-process: error: {text}", file=sys.stderr)
    if os.environ.get("GITHUB_ACTIONS") == "true":
        escaped = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        print(f"::error title=mvp-process::{escaped}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return int(args.run(args))
    except MvpError as exc:
        report_error(exc)
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
