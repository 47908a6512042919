"""`check` in GitHub Actions: connect, baseline sources, links, publish.

Kept apart from `check/command.py` so the command stays a short list of steps.
Outside Actions every function here does nothing (or returns the local
defaults), so `check` on a laptop never needs a token.

One status per gate (`mvp-process/<gate>`, a sub-project's
`mvp-process/<project>/<gate>`; success or failure, a one-line description, a
link to the run) on the commit that was checked: the pull request's head, not
the merge commit Actions builds. On pull requests the sticky comment (one per
sub-project) is created once and then edited. The coverage status always
leads with the project figure, so on a push to the default branch it is the
recorded baseline for later pull requests.

A read-only token (pull requests from forks) cannot write: the first refusal
becomes one warning, later writes are skipped, and the exit code stays the
gates' alone. Other API errors propagate (exit 2) after the local reports
(terminal, JSON, job summary) were already written.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TextIO

from mvp_process.git import Git
from mvp_process.github.event import Event
from mvp_process.config import Config
from mvp_process.check.baseline import BaselineSource, RecomputeBaseline
from mvp_process.check.report_md import Link, fitted, header, left_out, no_link, size
from mvp_process.check.policy import plural
from mvp_process.check.run import suite_args
from mvp_process.github import statuses
from mvp_process.github.links import for_event
from mvp_process.github.statuses import StatusBaseline, Unavailable, coverage_history
from mvp_process.check.toolenv import ToolEnv
from mvp_process import actions
from mvp_process import markdown as md
from mvp_process.errors import ReadOnlyToken
from mvp_process.redact import redact
from mvp_process.results import CheckReport

if TYPE_CHECKING:
    from mvp_process.github.api import GitHubRepo

# PyGithub takes ~0.2 s to import; the modules that need it are imported only
# in Actions, so a local `check` never pays for it.

MARKER = "<!-- mvp-process:check -->"
COMMENT_LIMIT = 65536


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
    context = statuses.coverage_context(report.project)
    history = coverage_history(api, git, report.merge_base, report.head_sha, context)
    return dataclasses.replace(report, history=history)


def links(config: Config, git: Git, event: Event, report: CheckReport) -> Link:
    """Where the reports link a finding's line (in Actions; none elsewhere)."""
    if not config.github.actions or not report.merge_base:
        return no_link
    names = git.run("diff", "--name-only", "-z", report.merge_base, report.head_sha)
    return for_event(config.github, event, frozenset(names.stdout.split("\0")))


def marker(project: str | None = None) -> str:
    """The hidden first line the sticky comment is found by: one comment per
    sub-project (config `project`), so two in one pull request never meet."""
    return f"<!-- mvp-process:check:{project} -->" if project else MARKER


def render_comment(
    report: CheckReport,
    run_url: str | None = None,
    limit: int = COMMENT_LIMIT,
    link: Link = no_link,
) -> str:
    """The sticky comment's Markdown, at most `limit` bytes, marker first.

    It is the job summary's Markdown (`check/report_md.py`), its findings
    linked to their lines in the pull request's diff. GitHub refuses comments
    over 65,536 characters, so sections are cut to fit (counted in UTF-8
    bytes, never fewer than GitHub's characters) and the text says how many
    lines it left out. It reads only the `CheckReport`, so a report rebuilt
    from the JSON file renders the same comment.
    """
    where = f" ({md.link('workflow run', run_url)})" if run_url else ""
    head = f"{marker(report.project)}\n{header(report, run_url)}"
    room = limit - 400 - size(where) - size(head)
    parts, omitted = fitted(report, link, room)
    if omitted:
        why = f"to stay under GitHub's 65,536-character limit for comments{where}"
        parts.append(left_out(omitted, why))
    return redact("\n".join([head, *parts]))


@dataclass
class Publisher:
    """Writes statuses and the comment; a read-only token turns writes off."""

    api: GitHubRepo | None
    target_url: str | None
    stream: TextIO  # where the warning goes
    read_only: bool = False
    notes: list[str] = field(default_factory=list)

    def _write(self, action: Callable[[GitHubRepo], object]) -> bool:
        if self.api is None or self.read_only:
            return False
        try:
            action(self.api)
        except ReadOnlyToken as exc:
            self.read_only = True
            text = (
                f"{exc.message}: commit statuses and the pull-request comment are "
                f"not published; this job summary has the full report ({exc.hint})"
            )
            actions.command(self.stream, "warning", text, title="mvp-process")
            self.notes.append(text)
            return False
        return True

    def status(
        self,
        sha: str,
        name: str,
        passed: bool,
        description: str,
        project: str | None = None,
    ) -> bool:
        state = "success" if passed else "failure"
        text = statuses.one_line(redact(description))
        where = statuses.context(name, project)
        return self._write(
            lambda api: api.create_status(sha, where, state, text, self.target_url)
        )

    def comment(self, number: int, body: str, project: str | None = None) -> bool:
        text, mark = redact(body), marker(project)
        return self._write(lambda api: api.upsert_comment(number, mark, text))


def notes_section(notes: list[str]) -> str:
    """The job summary's account of what was published (and what was not)."""
    return "### GitHub\n\n" + "\n".join(f"- {md.text(note)}" for note in notes)


def publish_check(
    report: CheckReport, publisher: Publisher, event: Event, link: Link = no_link
) -> list[str]:
    """Statuses per gate and (on a PR) the sticky comment; returns notes."""
    sha, notes = event.head_sha, publisher.notes
    if sha is None or publisher.api is None:
        return notes
    project = report.project
    published = [
        publisher.status(
            sha, gate.name, gate.passed, statuses.gate_description(gate), project
        )
        for gate in report.gates
    ]
    if published and all(published):
        notes.append(f"published {len(published)} commit statuses on {sha[:12]}")
        if report.folder and not project:
            notes.append(
                f"the sub-project {report.folder}/ published under the repository's "
                f"names ({statuses.context('<gate>')}, one comment): set `project` "
                "if another sub-project publishes too"
            )
        figure = report.metric("coverage", "after")
        if event.is_default_branch_push and figure is not None:
            notes.append(
                f"recorded {figure:.2f}% as the coverage baseline "
                f"({statuses.coverage_context(project)}) of {sha[:12]}"
            )
    if event.pr_number is not None:
        body = render_comment(report, publisher.target_url, link=link)
        if publisher.comment(event.pr_number, body, project):
            notes.append(f"wrote the report comment on pull request #{event.pr_number}")
    return notes


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
    findings = [
        (f"mvp-process {gate.name}", finding)
        for gate in report.gates
        for finding in gate.findings
    ]
    lines, rest = actions.annotation_lines(findings)
    for line in lines:
        stream.write(line + "\n")
    publisher = Publisher(api, config.github.run_url, stream)
    notes = publish_check(report, publisher, event, link)
    if rest:
        notes.append(
            f"{plural(rest, 'more finding')} not annotated: "
            f"GitHub shows {actions.ANNOTATIONS_PER_LEVEL} errors and "
            f"{actions.ANNOTATIONS_PER_LEVEL} warnings per step; see the gate "
            "details in this summary"
        )
    if notes:
        actions.append_summary(config.github.step_summary, notes_section(notes))
