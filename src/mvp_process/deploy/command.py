"""Deploy a commit to Heroku: backup, build, migrate, static assets, health check.

A push to the staging branch deploys to the staging app; a push to a
production branch (main, master) deploys to staging and then, if staging came
up healthy, the same slug to production. `--target production` alone releases
the slug staging runs, if it was built from the commit (`--build` builds
production from the commit instead). Any failure after the build rolls the
app back once to the release it ran before. Other branches: nothing to deploy.
The whole deploy has `deploy-timeout` seconds; the runner's cancel (SIGINT,
then SIGTERM) stops it between requests; the report, the outputs and the job
summary are written however it ends.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import heroku3

from mvp_process import actions, common, style
from mvp_process.config import Config
from mvp_process.deploy.heroku import HerokuPlatform
from mvp_process.deploy.heroku_http import ACCEPT, HerokuSession, probe
from mvp_process.deploy.policy import select_targets
from mvp_process.deploy.rendezvous import attach
from mvp_process.deploy.report import (
    DeployResult,
    TerminalDeploy,
    outputs,
    render,
    summary,
)
from mvp_process.deploy.run import deploy
from mvp_process.deploy.runtime import Runtime
from mvp_process.errors import ConfigError, GitError, MvpError
from mvp_process.git import Git

# Time, as seams: tests and the benchmark swap in virtual time.
CLOCK: Callable[[], float] = time.monotonic
SLEEP: Callable[[float], None] = time.sleep


def add_arguments(parser: argparse.ArgumentParser) -> None:
    which = parser.add_mutually_exclusive_group()
    which.add_argument(
        "--branch",
        metavar="NAME",
        help="deploy as a push to this branch would (default: GITHUB_REF_NAME "
        "in Actions, else the current branch)",
    )
    which.add_argument(
        "--target",
        choices=("staging", "production"),
        help="deploy to this one app, whatever the branch",
    )
    parser.add_argument(
        "--sha",
        metavar="SHA",
        help="the commit to deploy (default: GITHUB_SHA in Actions, else HEAD)",
    )
    parser.add_argument(
        "--build",
        action="store_true",
        help="with --target production: build production from the commit instead "
        "of releasing the slug staging runs (needed with no staging app anyway)",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="print the plan (apps, steps, commands, URLs); change nothing",
    )
    style.add_argument(parser)


def branch_and_sha(
    git: Git, config: Config, args: argparse.Namespace
) -> tuple[str | None, str]:
    """Flags first; then GitHub's variables in Actions; then the local checkout."""
    github = config.github
    branch = args.branch or (github.ref_name if github.actions else None)
    if branch is None and args.target is None:
        branch = git.current_branch()
    wanted = args.sha or (github.sha if github.actions else None) or "HEAD"
    sha = git.rev_parse(wanted)
    if sha is None:
        raise GitError(
            f"commit {wanted} is not in this clone",
            hint="fetch it, or check out the commit to deploy (actions/checkout)",
        )
    return branch, sha


def build_platform(config: Config, notify: Callable[[str], None]) -> HerokuPlatform:
    """The real clients: heroku3 on our session, the data API, a keyless session."""
    heroku = config.heroku
    session = HerokuSession(
        heroku.api_key,
        (heroku.api_url, heroku.data_api_url),
        sleep=SLEEP,
        notify=notify,
    )
    # Not heroku3.from_key(): it calls api.heroku.com before the URL can be set.
    client = heroku3.api.Heroku(session=session)
    client._heroku_url = heroku.api_url  # heroku3 has no public setting for it
    session.headers["Accept"] = ACCEPT  # heroku3 sets its own variant
    # Uploads and output streams go to other hosts: no key there.
    files = HerokuSession(None, sleep=SLEEP, notify=notify)
    return HerokuPlatform(client, session, files, heroku.api_url, heroku.data_api_url)


@contextmanager
def signals(rt: Runtime) -> Iterator[None]:
    """SIGINT and SIGTERM go to `rt` while the deploy runs (the runner's
    cancel sequence: SIGINT, SIGTERM a few seconds later, then a kill)."""
    previous = {
        sig: signal.signal(sig, lambda n, _: rt.on_signal(signal.Signals(n).name))
        for sig in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run(args: argparse.Namespace) -> int:
    git, config = common.load()
    branch, sha = branch_and_sha(git, config, args)
    selection = select_targets(branch, args.target, config.deploy, args.build)
    paint = style.Style.for_stream(sys.stdout, args.color)
    terminal = TerminalDeploy(sys.stdout, paint)
    platform = None
    if config.heroku.api_key:
        platform = build_platform(config, terminal.note)
    elif selection.targets and not args.dry_run:
        raise ConfigError(
            "HEROKU_API_KEY is not set",
            hint="add it as a repository secret and pass it to the step's env",
        )
    health = HerokuSession(None, sleep=SLEEP, retry=False)
    # The CA bundle requests/OpenSSL users already point at, if any.
    ca_file = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("SSL_CERT_FILE")
    runtime = Runtime(
        clock=CLOCK,
        sleep=SLEEP,
        probe=lambda url, timeout: probe(health, url, timeout),
        attach=lambda url, seconds: attach(url, seconds, ca_file=ca_file),
        budget=config.deploy.deploy_timeout,
    )
    result = DeployResult(branch, sha, selection.reason, dry_run=args.dry_run)
    with signals(runtime):
        try:
            deploy(platform, git, config.deploy, selection, terminal, runtime, result)
        except BaseException as exc:
            if not (isinstance(exc, MvpError) and not result.apps):
                result.crash = f"{type(exc).__name__}: {exc}"
                finish(config, result, runtime)
            raise  # exit 2 before anything changed; else exit 3
        finish(config, result, runtime)
    return result.exit_code


def finish(config: Config, result: DeployResult, rt: Runtime) -> None:
    """The report, the outputs and the job summary: on every way out."""
    result.signal = rt.signal
    with actions.commands_off(sys.stdout):  # states and notes quote Heroku
        sys.stdout.write(render(result))
    actions.write_outputs(config.github.output, outputs(result))
    actions.append_summary(config.github.step_summary, summary(result))
    notices = [a.superseded for a in result.apps if a.superseded]
    if actions.in_actions():
        for text in notices:
            actions.command(sys.stdout, "notice", text, title="mvp-process")
