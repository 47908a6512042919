"""`check` in GitHub Actions: connect, choose baseline sources, publish.

Kept apart from `check/command.py` so the command stays a short list of steps.
Outside Actions every function here does nothing (or returns the local
defaults), so `check` on a laptop never needs a token.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, TextIO

from mvp_process.git import Git
from mvp_process.github.event import Event
from mvp_process.github.links import for_event
from mvp_process.config import Config
from mvp_process.check.baseline import BaselineSource, RecomputeBaseline
from mvp_process.check.report_md import Link, no_link
from mvp_process.check.run import suite_args
from mvp_process.github.statuses import (
    StatusBaseline,
    Unavailable,
    coverage_context,
    coverage_history,
)
from mvp_process.check.toolenv import ToolEnv
from mvp_process import actions
from mvp_process.results import CheckReport

if TYPE_CHECKING:
    from mvp_process.github.api import GitHubRepo

# PyGithub takes ~0.2 s to import; the modules that need it are imported only
# in Actions, so a local `check` never pays for it.


def connect(config: Config, stream: TextIO) -> GitHubRepo | None:
    """The GitHub adapter in Actions with a token (checked at once), else None."""
    if not config.github.actions:
        return None
    if not config.github.token:
        actions.command(
            stream,
            "notice",
            "GITHUB_TOKEN is not set: no commit statuses, no pull-request comment "
            "and no coverage baseline from GitHub (pass `GITHUB_TOKEN: "
            "${{ github.token }}` in the step's env)",
            title="mvp-process",
        )
        return None
    from mvp_process.github.connect import github_repo

    api = github_repo(config.github)
    api.default_branch()  # a bad token stops here (exit 2), before the gates run
    return api


def baseline_sources(
    config: Config, git: Git, tools: ToolEnv, api: GitHubRepo | None
) -> list[BaselineSource]:
    """`auto`: the recorded status first, then a recompute; or just one; or none."""
    sources: list[BaselineSource] = []
    if config.baseline in ("auto", "status"):
        if api is not None:
            sources.append(StatusBaseline(api, git, project=config.project))
        elif config.baseline == "status":
            sources.append(
                Unavailable("baseline = 'status' needs GitHub Actions and a token")
            )
    if config.baseline in ("auto", "recompute"):
        sources.append(RecomputeBaseline(git, tools, suite_args(config)))
    return sources


def with_history(report: CheckReport, git: Git, api: GitHubRepo | None) -> CheckReport:
    """The report with the base branch's recorded figures (in Actions, for the
    chart), when the coverage gate ran."""
    if api is None or report.gate("coverage") is None or not report.merge_base:
        return report
    context = coverage_context(report.project)
    history = coverage_history(api, git, report.merge_base, report.head_sha, context)
    return dataclasses.replace(report, history=history)


def links(config: Config, git: Git, event: Event, report: CheckReport) -> Link:
    """Where the reports link a finding's line (in Actions; none elsewhere)."""
    if not config.github.actions or not report.merge_base:
        return no_link
    names = git.run("diff", "--name-only", "-z", report.merge_base, report.head_sha)
    return for_event(config.github, event, frozenset(names.stdout.split("\0")))


def publish(
    report: CheckReport,
    config: Config,
    api: GitHubRepo | None,
    event: Event,
    stream: TextIO,
    link: Link = no_link,
) -> None:
    """Annotations, statuses, the sticky comment, and notes in the job summary."""
    if not config.github.actions:
        return
    from mvp_process.github.publish import Publisher, notes_section, publish_check

    findings = [
        (f"mvp-process {gate.name}", finding)
        for gate in report.gates
        for finding in gate.findings
    ]
    lines, left_out = actions.annotation_lines(findings)
    for line in lines:
        stream.write(line + "\n")
    publisher = Publisher(api, config.github.run_url, stream)
    notes = publish_check(report, publisher, event, link)
    if left_out:
        notes.append(
            f"{left_out} more finding{'s' if left_out != 1 else ''} not annotated: "
            f"GitHub shows {actions.ANNOTATIONS_PER_LEVEL} errors and "
            f"{actions.ANNOTATIONS_PER_LEVEL} warnings per step; see the gate "
            "details in this summary"
        )
    if notes:
        actions.append_summary(config.github.step_summary, notes_section(notes))
