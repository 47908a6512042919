"""Run the CI gates (flake8, black, tests, coverage, diff-coverage) on this repo.

`--json FILE` writes the machine-readable report (`-`: standard output). Also
its sharded forms: `check --shard K/N` runs one slice of the tests (cut by
pytest-split) on one matrix runner and writes a folder for
`actions/upload-artifact`; `check --from-shards DIR...` is the fan-in that
decides all five gates from those folders, as a single run would.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from pathlib import Path
from typing import Any, TextIO

from mvp_process import __version__, actions, common, style
from mvp_process.check import fanin, shards, terminal
from mvp_process.check import report_md as markdown
from mvp_process.check.policy import select_gates, split_names
from mvp_process.check.policy_shards import parse_shard
from mvp_process.check.registry import GATE_NAMES
from mvp_process.check.run import TestRunner, require_tools, run_check
from mvp_process.check.tests import TestRun
from mvp_process.check.toolenv import ToolEnv
from mvp_process.config import Config, replace
from mvp_process.errors import ConfigError
from mvp_process.git import Git
from mvp_process.github import publishing
from mvp_process.github.event import read_event
from mvp_process.redact import redact


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--base", metavar="REF", help="base branch or ref")
    for flag, what in (
        ("--only", f"run only these gates (comma-separated: {', '.join(GATE_NAMES)})"),
        ("--skip", "skip these gates (comma-separated)"),
    ):
        parser.add_argument(
            flag, action="append", default=[], metavar="NAMES", help=what
        )
    parser.add_argument(
        "--json",
        type=Path,
        metavar="FILE",
        help="write a JSON report (`-`: to standard output, the rest to stderr)",
    )
    parser.add_argument(
        "--html",
        type=Path,
        metavar="FILE",
        help="write diff-cover's HTML page of the changed lines (in GitHub "
        f"Actions: $RUNNER_TEMP/{markdown.FOLDER}/{markdown.PAGE} by default)",
    )
    style.add_argument(parser)
    parser.add_argument(
        "--coverage-drop-max",
        type=float,
        metavar="POINTS",
        help="allowed drop of project coverage, in percentage points",
    )
    parser.add_argument(
        "--diff-coverage-min",
        type=float,
        metavar="PERCENT",
        help="minimum coverage of changed lines",
    )
    parser.add_argument(
        "--baseline",
        choices=("auto", "status", "recompute", "none"),
        help="where the coverage baseline comes from",
    )
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


def to_stdout(path: Path | None) -> bool:
    """`--json -`: the report goes to standard output (and the rest to stderr)."""
    return path is not None and str(path) == "-"


def check_writable(path: Path, flag: str = "--json") -> None:
    """Fail before the gates run, not after, when a report cannot be written."""
    if flag == "--json" and to_stdout(path):
        return
    if path.is_dir():
        raise ConfigError(f"{flag} {path} is a folder; give a file name")
    folder = path.parent
    if not folder.is_dir():
        raise ConfigError(
            f"{flag} {path}: folder {folder} does not exist",
            hint="create it first or choose another path",
        )
    if not os.access(path if path.exists() else folder, os.W_OK):
        where = path if path.exists() else f"folder {folder}"
        other = ", or `--json -` for standard output" if flag == "--json" else ""
        raise ConfigError(
            f"{flag} {path}: {where} is not writable",
            hint=f"choose another path{other}",
        )


def write_json(path: Path, data: dict[str, Any], stdout: TextIO | None = None) -> None:
    """`--json`'s report, `version` (of mvp-process) first, secrets masked: into
    `path`, or onto `stdout` (default: the process's) for `-`."""
    report = {"version": __version__, **data}
    text = redact(json.dumps(report, indent=2, ensure_ascii=False, default=str)) + "\n"
    if to_stdout(path):
        stream = stdout or sys.stdout
        stream.write(text)
        stream.flush()
        return
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"could not write --json {path}: {exc.strerror}") from None


def _names(flag: str, values: list[str]) -> list[str]:
    """Gate names from `--only`/`--skip`; an empty value is a mistake, not "all"."""
    names = split_names(values)
    if values and not names:
        raise ConfigError(
            f"{flag} {values[0]!r} names no gate",
            hint=f"gate names are {', '.join(GATE_NAMES)}; leave {flag} out for none",
        )
    return names


def html_page(args: argparse.Namespace, in_actions: bool) -> Path | None:
    """Where diff-cover's page goes: --html, or in Actions the uploaded folder."""
    if args.html is not None:
        check_writable(args.html, "--html")
        return Path(args.html)
    temp = os.environ.get("RUNNER_TEMP")
    if not in_actions or not temp:
        return None
    return Path(temp) / markdown.FOLDER / markdown.PAGE


def _validate_shards(args: argparse.Namespace) -> None:
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


def _run_shard(args: argparse.Namespace) -> int:
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


def _fan_in(
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


def run(args: argparse.Namespace) -> int:
    """`--json -` keeps standard output for the report: all else goes to stderr."""
    if not to_stdout(args.json):
        return _run(args)
    stdout = sys.stdout
    with contextlib.redirect_stdout(sys.stderr):
        return _run(args, stdout)


def _run(args: argparse.Namespace, json_stream: TextIO | None = None) -> int:
    _validate_shards(args)
    if args.shard:
        return _run_shard(args)
    if args.base is not None and not args.base.strip():
        raise ConfigError(
            "--base is empty", hint="give a branch or ref, or leave --base out"
        )
    only, skip = _names("--only", args.only), _names("--skip", args.skip)
    gates = select_gates(GATE_NAMES, only, skip)
    if args.json:
        check_writable(args.json)
    flags = {
        "coverage-drop-max": args.coverage_drop_max,
        "diff-coverage-min": args.diff_coverage_min,
        "baseline": args.baseline,
    }
    git, config = common.load({k: v for k, v in flags.items() if v is not None})
    page = html_page(args, config.github.actions)
    config = replace(config, html=page)
    if page is not None:
        page.unlink(missing_ok=True)  # only this run's page may be linked
    tools = ToolEnv.resolve(config.python, os.environ)
    event = read_event(config.github)
    github = publishing.connect(config, sys.stdout)
    baselines = publishing.baseline_sources(config, git, tools, github)
    runner = _fan_in(args, git, tools, config) if args.from_shards else None
    paint = style.Style.for_stream(sys.stdout, args.color)
    with actions.commands_off(sys.stdout):  # what the tools said is echoed
        progress = terminal.TerminalProgress(
            sys.stdout, style=paint, order=gates, source=terminal.source_in(git.root)
        )
        try:
            report = run_check(
                git,
                tools,
                config,
                gates,
                baselines,
                observer=progress,
                base=args.base,
                test_runner=runner,
            )
        finally:
            progress.close()
        sys.stdout.write(terminal.verdict(report, paint))
    written = page is not None and page.is_file()
    if written and args.html is not None:
        print(f"diff-cover's HTML page of the changed lines: {page}")
    report = publishing.with_history(report, git, github)
    if args.json:
        write_json(args.json, report.to_json(), json_stream)
    link = publishing.links(config, git, event, report)
    run_url = config.github.run_url
    artifacts = f"{run_url}#artifacts" if written and run_url else None
    actions.write_outputs(config.github.output, markdown.outputs(report))
    actions.append_summary(
        config.github.step_summary, markdown.summary(report, link, artifacts)
    )
    publishing.publish(report, config, github, event, sys.stdout, link)
    return 0 if report.passed else 1
