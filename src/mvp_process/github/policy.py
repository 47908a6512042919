"""The pull-request rules, decided from facts: no I/O here.

A pull request complies when
1. its branch matches `branch-pattern` and so names an issue (`254-add-x`);
2. that issue exists, is open, and is an issue (not another pull request);
3. the description or a commit message closes that same issue with one of
   GitHub's nine closing keywords (`Closes #254`, `fixes: owner/repo#254`);
4. someone is asked to review it, or already did (unless `require-reviewer`
   is off).
Every broken rule gets its own message that says exactly what to fix. Facts the
caller could not gather (offline: no API) leave their rule "not checked".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

KEYWORDS = frozenset(
    ("close", "closes", "closed", "fix", "fixes", "fixed", "resolve")
    + ("resolves", "resolved")
)
EXAMPLE_BRANCH = "254-add-error-message-on-timeout"
MAX_SHOWN = 80

# keyword, optional colon, then `#N` or `owner/repo#N`. The keyword must start a
# word (not "disclose", "pre-fix") and the number must end one (`#2540` is not
# `#254`). Only ASCII letters and digits: Unicode case folding would let "ſ"
# stand for "s", and int() would read Arabic-Indic digits as a number.
_REFERENCE = re.compile(
    r"(?<![\w-])(?P<keyword>[A-Za-z]+)(?:[ \t]*:[ \t]*|[ \t]+)"
    r"(?P<repo>[A-Za-z0-9-]+/[A-Za-z0-9._-]+)?#(?P<number>[0-9]+)(?![\w-])"
)
# What GitHub does not read as text: HTML comments (PR templates keep their
# examples there), fenced code blocks and inline code.
_NOT_TEXT = re.compile(
    r"<!--.*?(?:-->|\Z)|^[ \t]*(?P<fence>`{3,}|~{3,}).*?(?:^[ \t]*(?P=fence)|\Z)"
    r"|(?P<ticks>`+)(?!`).+?(?<!`)(?P=ticks)(?!`)",
    re.DOTALL | re.MULTILINE,
)
_CONTROL = re.compile(r"[\x00-\x20\x7f]")

IssueState = Literal["open", "closed", "missing", "pull-request"]
Status = Literal["pass", "fail", "skip"]


@dataclass(frozen=True)
class ClosingRef:
    """`Closes owner/repo#254` as written in a description or commit message."""

    number: int
    repo: str | None
    text: str

    def targets(self, number: int, repository: str | None) -> bool:
        """True when this reference closes issue `number` of `repository`."""
        if self.number != number:
            return False
        if self.repo is None:
            return True
        return repository is not None and self.repo.lower() == repository.lower()


@dataclass(frozen=True)
class Reviewers:
    """Who is asked to review, and who already reviewed (author excluded)."""

    requested_users: tuple[str, ...] = ()
    requested_teams: tuple[str, ...] = ()
    reviewed_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class PrFacts:
    """Everything the rules look at; `None` means "not known" (not checked)."""

    branch: str
    body: str | None
    repository: str | None = None
    commit_messages: tuple[str, ...] = ()
    issue_state: IssueState | None = None
    reviewers: Reviewers | None = None


@dataclass(frozen=True)
class Rule:
    name: str  # branch-name | issue | closing-reference | reviewer
    status: Status
    message: str


@dataclass(frozen=True)
class PolicyResult:
    rules: tuple[Rule, ...]
    issue: int | None

    @property
    def passed(self) -> bool:
        return all(rule.status != "fail" for rule in self.rules)

    @property
    def failures(self) -> tuple[Rule, ...]:
        return tuple(rule for rule in self.rules if rule.status == "fail")

    def summary(self) -> str:
        """One line: what passed, or what to fix first."""
        failures = self.failures
        if not failures:
            checked = sum(rule.status == "pass" for rule in self.rules)
            skipped = len(self.rules) - checked
            text = f"{checked} pull-request rules pass"
            return text + (f", {skipped} not checked" if skipped else "")
        if len(failures) == 1:
            return failures[0].message
        names = ", ".join(rule.name for rule in failures)
        return f"{len(failures)} pull-request rules broken: {names}"


def shown(text: str) -> str:
    """A user-supplied string, quoted, escaped and shortened for messages."""
    quoted = repr(text[:MAX_SHOWN])
    return quoted + ("..." if len(text) > MAX_SHOWN else "")


def strip_non_text(markdown: str) -> str:
    """The Markdown minus comments and code, where GitHub sees no references."""
    return _NOT_TEXT.sub(" ", markdown)


def closing_refs(text: str | None, *, markdown: bool = True) -> list[ClosingRef]:
    """Every closing reference in `text` (a PR description when `markdown`)."""
    if markdown and text:
        text = strip_non_text(text)
    return [
        ClosingRef(int(match["number"]), match["repo"], match[0])
        for match in _REFERENCE.finditer(text or "")
        if match["keyword"].lower() in KEYWORDS
    ]


def branch_issue(branch: str, pattern: str) -> tuple[int | None, str]:
    """(issue number, "") when `branch` matches `pattern`, else (None, what to fix).

    The pattern is searched, as Python's `re.search` does: anchor it with `^`
    and `$` (the default is anchored). Its `issue` group (or its first group)
    holds the number.
    """
    fix = (
        f"name the branch after its issue, like {EXAMPLE_BRANCH!r} "
        "(issue number, dash, lowercase words joined by dashes)"
    )
    if not branch:
        return None, "no branch name: pass --branch NAME or run on a branch"
    if _CONTROL.search(branch):
        return None, (
            f"branch {shown(branch)} contains spaces or control characters, "
            f"which git branch names cannot: {fix}"
        )
    compiled = re.compile(pattern)
    match = compiled.search(branch)
    if match is None:
        return None, (
            f"branch {shown(branch)} does not match branch-pattern {pattern!r}: {fix}"
        )
    group = "issue" if "issue" in compiled.groupindex else 1
    number = match.group(group) or ""
    if not (number.isascii() and number.isdigit()) or int(number) == 0:
        return None, (
            f"branch {shown(branch)} matches branch-pattern but its issue part "
            f"{shown(number)} is not an issue number: {fix}"
        )
    return int(number), ""


def _issue_rule(number: int, state: IssueState | None, repository: str | None) -> Rule:
    where = repository or "this repository"
    if state is None:
        return Rule("issue", "skip", f"not checked offline: is #{number} open?")
    if state == "open":
        return Rule("issue", "pass", f"issue #{number} is open")
    if state == "closed":
        text = (
            f"issue #{number} is closed: reopen it, "
            "or rename the branch after an open issue"
        )
    elif state == "pull-request":
        text = (
            f"#{number} is a pull request, not an issue: rename the branch after "
            "the issue this work resolves"
        )
    else:
        text = (
            f"issue #{number} does not exist in {where}: open the issue first, "
            "or rename the branch after an existing one"
        )
    return Rule("issue", "fail", text)


def _closing_rule(
    number: int, body: str | None, messages: Sequence[str], repository: str | None
) -> Rule:
    in_body = closing_refs(body)
    if any(ref.targets(number, repository) for ref in in_body):
        return Rule("closing-reference", "pass", f"the description closes #{number}")
    in_commits = [ref for m in messages for ref in closing_refs(m, markdown=False)]
    if any(ref.targets(number, repository) for ref in in_commits):
        return Rule("closing-reference", "pass", f"a commit message closes #{number}")
    fix = f"add the line 'Closes #{number}' to the pull request description"
    others = list(dict.fromkeys(ref.text for ref in in_body + in_commits))
    if others:
        found = ", ".join(shown(text) for text in others[:5])
        text = (
            f"no closing reference to #{number} "
            f"(found {found}, which close another issue): {fix}"
        )
    elif not (body or "").strip():
        text = f"the description is empty, so nothing closes #{number}: {fix}"
    else:
        text = f"neither the description nor a commit message closes #{number}: {fix}"
    return Rule("closing-reference", "fail", text)


def _reviewer_rule(reviewers: Reviewers | None, required: bool) -> Rule:
    if not required:
        return Rule("reviewer", "skip", "not required (require-reviewer = false)")
    if reviewers is None:
        return Rule("reviewer", "skip", "not checked offline: is a reviewer assigned?")
    names = [f"@{u}" for u in reviewers.requested_users]
    names += [f"team {t}" for t in reviewers.requested_teams]
    names += [f"@{u} (reviewed)" for u in reviewers.reviewed_by]
    if names:
        return Rule("reviewer", "pass", f"reviewer: {', '.join(names)}")
    return Rule(
        "reviewer",
        "fail",
        "no reviewer assigned: request a review from a teammate or a team "
        "(Reviewers, in the pull request's sidebar)",
    )


def evaluate(facts: PrFacts, pattern: str, require_reviewer: bool) -> PolicyResult:
    """Apply every rule to `facts`; rules that need a valid branch wait for one."""
    number, problem = branch_issue(facts.branch, pattern)
    if number is None:
        waiting = "needs a branch named after an issue"
        rules = (
            Rule("branch-name", "fail", problem),
            Rule("issue", "skip", waiting),
            Rule("closing-reference", "skip", waiting),
        )
    else:
        rules = (
            Rule(
                "branch-name", "pass", f"branch {shown(facts.branch)} names #{number}"
            ),
            _issue_rule(number, facts.issue_state, facts.repository),
            _closing_rule(number, facts.body, facts.commit_messages, facts.repository),
        )
    reviewer = _reviewer_rule(facts.reviewers, require_reviewer)
    return PolicyResult((*rules, reviewer), number)
