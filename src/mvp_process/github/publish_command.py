"""Publish the check report of a pull request from a fork: statuses and the comment.

A fork's pull request runs with a read-only token, so its `check` uploads the
JSON report and the pull request's number as an artifact; a second workflow
(`on: workflow_run`, workflows-templates/mvp-process-forks.yml) downloads it
and runs this command with a token that may write. It never checks out or
runs the pull request's code: it needs no repository at all, only the event
(`$GITHUB_EVENT_PATH`), the artifact folder and the API.

What it publishes must be the artifact of that run, for that pull request:
the run was a `pull_request` run; the report checked the run's head commit
(or the merge of it Actions checks out); the pull request's head is that
commit. Anything else, or a malformed artifact, is exit 2 and nothing is
published. A run that uploaded no report (its check job did not run) leaves
nothing to publish: a notice, exit 0.
"""

from __future__ import annotations

import argparse
import dataclasses
import errno
import os
import stat
import sys
from pathlib import Path

from mvp_process import actions, common
from mvp_process.config import GitHubEnv, github_env
from mvp_process.errors import ConfigError
from mvp_process.github import policy_artifact as policy
from mvp_process.github.api import GitHubRepo
from mvp_process.github.connect import github_repo
from mvp_process.github.event import Event, payload
from mvp_process.github.policy_artifact import ArtifactRejected, TriggeringRun
from mvp_process.github.links import for_event
from mvp_process.github.publishing import Publisher, notes_section, publish_check
from mvp_process.results import CheckReport

DEFAULT_FOLDER = "mvp-process-report"
FORK_NOTE = (
    "Published from the artifact of this pull request's own workflow run, which "
    "ran the fork's code and workflow file: the figures are that run's."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--artifact",
        type=Path,
        default=Path(DEFAULT_FOLDER),
        metavar="DIR",
        help=f"the downloaded artifact: {policy.REPORT_FILE} and "
        f"{policy.NUMBER_FILE} (default: {DEFAULT_FOLDER})",
    )


def read_capped(path: Path, limit: int) -> bytes | None:
    """At most `limit + 1` bytes of a regular file; None when there is none.

    Opened without following a symbolic link, and without blocking on a FIFO:
    the artifact's author chose what lies at this path.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError as exc:
        what = "a symbolic link" if exc.errno == errno.ELOOP else exc.strerror
        raise ArtifactRejected(f"{path.name} cannot be read: {what}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise ArtifactRejected(f"{path.name} is not a regular file")
    with os.fdopen(fd, "rb") as handle:
        return handle.read(limit + 1)


def run(args: argparse.Namespace) -> int:
    env = github_env(os.environ)
    common.protect(env.token)
    if not env.actions or not env.event_path:
        raise ConfigError(
            "publish runs in GitHub Actions, in a workflow started by "
            "`on: workflow_run` (GITHUB_ACTIONS or GITHUB_EVENT_PATH is not set)",
            hint="use workflows-templates/mvp-process-forks.yml",
        )
    triggered = policy.triggering_run(env.event_name, payload(env.event_path))
    folder: Path = args.artifact
    raw = read_capped(folder / policy.REPORT_FILE, policy.MAX_REPORT_BYTES)
    if raw is None:
        text = (
            f"nothing to publish: workflow run {triggered.id} uploaded no "
            f"{policy.REPORT_FILE} (its check job did not run or did not finish)"
        )
        actions.command(sys.stdout, "notice", text, title="mvp-process")
        return 0
    report = policy.report(raw)
    number_raw = read_capped(folder / policy.NUMBER_FILE, policy.MAX_NUMBER_BYTES)
    if number_raw is None:
        raise ArtifactRejected(f"it has no {policy.NUMBER_FILE} file")
    number = policy.pr_number(number_raw)
    api = github_repo(env)
    # The API's word: the pull request and the checked commit are the run's.
    policy.pull_is_the_runs(number, api.pull(number).head_sha, triggered.head_sha)
    if report.head_sha != triggered.head_sha:
        parents = api.parents(report.head_sha)
        policy.commit_is_the_runs(report.head_sha, triggered.head_sha, parents)
    return _publish(api, env, report, number, triggered)


def _publish(
    api: GitHubRepo,
    env: GitHubEnv,
    report: CheckReport,
    number: int,
    triggered: TriggeringRun,
) -> int:
    run_url = f"{env.server_url}/{env.repository}/actions/runs/{triggered.id}"
    publisher = Publisher(api, run_url, sys.stdout)
    shown = dataclasses.replace(report, notes=(*report.notes, FORK_NOTE))
    event = Event(name="pull_request", pr_number=number, head_sha=triggered.head_sha)
    uncovered = report.gate("diff-coverage")  # its files are in the diff
    changed = {f.path for f in uncovered.findings} if uncovered else set()
    link = for_event(env, event, changed)
    notes = publish_check(shown, publisher, event, link)
    if publisher.read_only:
        raise ConfigError(
            "the token may not write: nothing was published",
            hint="give the publishing job `permissions: {statuses: write, "
            "pull-requests: write, actions: read, contents: read}`",
        )
    notes.insert(
        0,
        f"validated the check report of workflow run {triggered.id} (pull request "
        f"#{number}, head {triggered.head_sha[:12]})",
    )
    actions.append_summary(env.step_summary, notes_section(notes))
    with actions.commands_off(sys.stdout):  # the notes name the report's folder
        print(f"mvp-process publish: {'; '.join(notes)}")
    return 0
