"""Check the pull request against the team's rules and say exactly what to fix.

The branch is named after an open issue (`254-add-error-message-on-timeout`),
the description (or a commit message) closes that issue (`Closes #254`), and a
reviewer is assigned. In GitHub Actions (a pull_request event) the pull request
is read fresh from the API and the verdict is published as the commit status
`mvp-process/pr`; with --offline only the branch name and the description
given here are checked, without any API or token.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from mvp_process.git import Git
from mvp_process.github.api import GitHubRepo, PullRequest
from mvp_process.github.event import read_event
from mvp_process import common
from mvp_process.github.connect import github_repo
from mvp_process.config import Config
from mvp_process.github.policy import (
    IssueState,
    PolicyResult,
    PrFacts,
    branch_issue,
    closing_refs,
    evaluate,
)
from mvp_process.github.publishing import Publisher, notes_section
from mvp_process.errors import ConfigError
from mvp_process import actions, style
from mvp_process import markdown as md
from mvp_process.redact import redact
from mvp_process.style import Style, markdown, status

OFFLINE_HINT = (
    "locally, run `mvp-process pr --offline --body-file FILE` "
    "(branch: the current one, or --branch NAME)"
)
# `https://host/owner/name(.git)`, `ssh://git@host/owner/name`, `git@host:owner/name`
_REMOTE = re.compile(
    r"^(?:[a-z+]+://[^/]+/|[\w.-]+@[\w.-]+:)"
    r"(?P<repo>[A-Za-z0-9-]+/[A-Za-z0-9._-]+?)(?:\.git)?/?$"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--branch", metavar="NAME", help="branch name to check (default: the PR's)"
    )
    body = parser.add_mutually_exclusive_group()
    body.add_argument("--body", metavar="TEXT", help="pull request description")
    body.add_argument(
        "--body-file", type=Path, metavar="FILE", help="read the description from FILE"
    )
    parser.add_argument(
        "--offline",
        action="store_true",
        help="check branch name and description only: no API, no token",
    )
    style.add_argument(parser)


def read_body(args: argparse.Namespace) -> str | None:
    """The description from --body or --body-file; None when neither is given."""
    if args.body_file is None:
        return str(args.body) if args.body is not None else None
    try:
        return str(args.body_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ConfigError(f"--body-file {args.body_file}: {reason}") from None


def repository_from_remote(url: str | None) -> str | None:
    """`owner/name` from a remote URL (https or ssh; not a local path)."""
    match = _REMOTE.search(url or "")
    return match["repo"] if match else None


def offline(
    args: argparse.Namespace, git: Git, config: Config, body: str | None
) -> int:
    branch = args.branch
    if branch is None:
        branch = git.current_branch() or config.github.head_ref
    if branch is None:
        raise ConfigError(
            "HEAD is detached, so there is no branch name to check",
            hint="pass --branch NAME",
        )
    repository = config.github.repository or repository_from_remote(git.remote_url())
    facts = PrFacts(branch=branch, body=body, repository=repository)
    result = evaluate(facts, config.branch_pattern, config.require_reviewer)
    show(result, f"branch {branch!r}", config, args.color)
    return 0 if result.passed else 1


def online_facts(
    api: GitHubRepo,
    pull: PullRequest,
    config: Config,
    branch: str | None,
    body: str | None,
) -> PrFacts:
    """What the rules need about `pull`: the issue, the commit messages and the
    reviewers are only fetched when a rule needs them."""
    branch = pull.head_ref if branch is None else branch
    body = pull.body if body is None else body
    issue, _ = branch_issue(branch, config.branch_pattern)
    state: IssueState | None = None
    messages: tuple[str, ...] = ()
    if issue is not None:
        state = api.issue_state(issue)
        closed = any(r.targets(issue, api.full_name) for r in closing_refs(body))
        if not closed:
            messages = tuple(api.commit_messages(pull.number))
    reviewers = (
        api.reviewers(pull.number, pull.author) if config.require_reviewer else None
    )
    return PrFacts(
        branch=branch,
        body=body,
        repository=api.full_name,
        commit_messages=messages,
        issue_state=state,
        reviewers=reviewers,
    )


def online(config: Config, args: argparse.Namespace, body: str | None) -> int:
    """Check and publish in Actions; nothing to do off pull requests."""
    if not config.github.actions:
        raise ConfigError(
            "pr reads the pull request from GitHub Actions' pull_request event",
            hint=OFFLINE_HINT,
        )
    event = read_event(config.github)
    if event.pr_number is None:
        name = event.name or "current"
        print(
            f"mvp-process pr: nothing to check: the {name} event is not a pull request"
        )
        return 0
    api = github_repo(config.github)
    # Read fresh by number: a re-run of a job reuses the event payload of its
    # first run, and a description fixed since then must count.
    pull = api.pull(event.pr_number)
    facts = online_facts(api, pull, config, args.branch, body)
    result = evaluate(facts, config.branch_pattern, config.require_reviewer)
    where = f"pull request #{pull.number}, branch {facts.branch!r}"
    show(result, where, config, args.color)
    publisher = Publisher(api, config.github.run_url, sys.stdout)
    # One `mvp-process/pr` status per pull request, whatever sub-project (config
    # `project`) `pr` runs in: its rules (branch, issue, reviewer) are the pull
    # request's, not a folder's.
    publisher.status(pull.head_sha, "pr", result.passed, result.summary())
    if publisher.notes:
        actions.append_summary(
            config.github.step_summary, notes_section(publisher.notes)
        )
    return 0 if result.passed else 1


def show(result: PolicyResult, where: str, config: Config, color: str) -> None:
    """The verdict on the terminal; in Actions also as errors and job summary."""
    notes = config.policy_notes
    paint = Style.for_stream(sys.stdout, color)
    with actions.commands_off(sys.stdout):  # branch names, descriptions, values
        sys.stdout.write(render(result, where, notes, paint))
    if not config.github.actions:
        return
    for rule in result.failures:
        title = f"mvp-process pr: {rule.name}"
        actions.command(sys.stdout, "error", rule.message, title=title)
    actions.append_summary(config.github.step_summary, summary(result, where, notes))


def render(
    result: PolicyResult,
    where: str = "",
    notes: Sequence[str] = (),
    style: Style = Style(),
) -> str:
    """One line per rule (each message says what to fix), then the notes; the
    words (PASS, FAIL, SKIP) and colour are `check`'s (`mvp_process.style`)."""
    title = f"mvp-process pr: {style.verdict(result.passed)}"
    lines = ["", title + (f" ({where})" if where else "")]
    lines += [
        f"  {style.word(rule.status)} {rule.name:<18} {rule.message}"
        for rule in result.rules
    ]
    lines += [f"  note: {note}" for note in notes]
    return redact("\n".join(lines) + "\n")


def summary(result: PolicyResult, where: str = "", notes: Sequence[str] = ()) -> str:
    """The verdict as job-summary Markdown: a table of the rules."""
    verdict = "passed" if result.passed else "failed"
    icon = markdown(status(result.passed)).split()[0]
    lines = [
        f"## {icon} mvp-process pr {verdict}"
        + (f" ({md.text(where)})" if where else ""),
        "",
        "| Rule | Result | What to do |",
        "| --- | --- | --- |",
    ]
    lines += [
        f"| {md.code(rule.name, cell=True)} | {markdown(rule.status)} | "
        f"{md.text(rule.message)} |"
        for rule in result.rules
    ]
    lines += [f"\n> {md.text(note)}" for note in notes]
    return redact("\n".join(lines) + "\n")


def run(args: argparse.Namespace) -> int:
    body = read_body(args)
    git, config = common.load()
    if args.offline:
        return offline(args, git, config, body)
    return online(config, args, body)
