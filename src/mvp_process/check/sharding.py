"""The sharded forms of `check` (not a command of its own).

`check --shard K/N` runs one slice of the tests (cut by pytest-split) on one
matrix runner and writes a folder for `actions/upload-artifact`; `check
--from-shards DIR...` is the fan-in that decides all five gates from those
folders, as a single run would.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from mvp_process.git import Git
from mvp_process import common
from mvp_process.config import Config
from mvp_process.check import fanin
from mvp_process.check import shards
from mvp_process.check.run import TestRunner, require_tools
from mvp_process.errors import ConfigError
from mvp_process.check.tests import TestRun
from mvp_process.check.toolenv import ToolEnv
from mvp_process.check.policy_shards import parse_shard
from mvp_process.redact import redact


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("test shards (a CI matrix, see docs/shards.md)")
    mode = group.add_mutually_exclusive_group()
    mode.add_argument(
        "--shard",
        metavar="K/N",
        help="run only the K-th of N slices of the tests and write a shard folder "
        "(no gate is decided here)",
    )
    mode.add_argument(
        "--from-shards",
        nargs="+",
        type=Path,
        metavar="DIR",
        help="decide the gates from shard folders (or folders holding them) "
        "instead of running the tests",
    )
    group.add_argument(
        "--shard-dir",
        type=Path,
        metavar="DIR",
        help=f"with --shard: the folder to write "
        f"(default {shards.DEFAULT_PARENT}/shard-K-of-N)",
    )
    group.add_argument(
        "--store-durations",
        action="store_true",
        help=f"with --from-shards: write the tests' durations to "
        f"{shards.DURATIONS_FILE}, which later slicing balances by",
    )


def validate(args: argparse.Namespace) -> None:
    """Flags that only make sense together, said before anything runs."""
    if args.shard_dir and not args.shard:
        raise ConfigError("--shard-dir needs --shard K/N")
    if args.store_durations and not args.from_shards:
        raise ConfigError("--store-durations needs --from-shards")
    used = [f for f, v in (("--only", args.only), ("--skip", args.skip)) if v]
    used += ["--json"] if args.json else []
    if args.shard and used:
        raise ConfigError(
            f"--shard runs only tests and decides no gate, so {', '.join(used)} "
            "does not apply",
            hint="pass gate options to the fan-in, `check --from-shards DIR...`",
        )


def run_shard(args: argparse.Namespace) -> int:
    """Run this runner's slice; exit 0 once the folder is complete."""
    spec = parse_shard(args.shard)
    git, config = common.load()
    tools = ToolEnv.resolve(config.python, os.environ)
    require_tools(tools, config, ("tests",), git.project_dir, shard=True)
    dest = args.shard_dir or git.project_dir / shards.DEFAULT_PARENT / spec.folder
    manifest, run = shards.run_shard(
        git.project_dir, git.head_sha(), tools, config, spec, dest
    )
    cut = "recorded durations" if manifest.durations_sha256 else "test count"
    lines = [
        f"shard {spec.label}: {run.total} tests (cut by pytest-split by {cut}), "
        f"pytest exit code {manifest.exit_code} -> {dest}",
        "the gates are decided by `check --from-shards` over all shard folders",
    ]
    print(redact("\n".join(lines)))
    return 0


def fan_in(
    args: argparse.Namespace, git: Git, tools: ToolEnv, config: Config
) -> TestRunner:
    """Verify the shard folders now; the runner combines them when the check asks."""
    found = fanin.load_shards(args.from_shards, git.head_sha(), git.project_dir)
    ran = sum(len(s.results.ran) for s in found if s.results)
    print(redact(f"combining {len(found)} test shards ({ran} tests ran)"))

    def runner(out: Path) -> TestRun:
        run = fanin.combine(found, tools, git.project_dir, out, config.pytest_args)
        if args.store_durations:
            print(redact(f"wrote {fanin.store_durations(found, git.project_dir)}"))
        return run

    return runner
