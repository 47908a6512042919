"""Publish results where GitHub shows them: commit statuses and the PR comment.

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

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

from mvp_process import actions
from mvp_process import markdown as md
from mvp_process.check.report_md import Link, no_link
from mvp_process.errors import ReadOnlyToken
from mvp_process.github.api import GitHubRepo
from mvp_process.github.event import Event
from mvp_process.redact import redact
from mvp_process.github import comment
from mvp_process.github import statuses
from mvp_process.results import CheckReport


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
        text, mark = redact(body), comment.marker(project)
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
        body = comment.render(report, publisher.target_url, link=link)
        if publisher.comment(event.pr_number, body, project):
            notes.append(f"wrote the report comment on pull request #{event.pr_number}")
    return notes
