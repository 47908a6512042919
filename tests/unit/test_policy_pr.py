"""The pull-request rules: branch names, closing references, reviewers."""

from __future__ import annotations

import pytest

from mvp_process.config_keys import DEFAULT_BRANCH_PATTERN as PATTERN
from mvp_process.github.policy import (
    PrFacts,
    Reviewers,
    branch_issue,
    closing_refs,
    evaluate,
    strip_non_text,
)

REPO = "octo-org/hello-world"


@pytest.mark.parametrize(
    ("branch", "issue"),
    [
        ("254-add-error-message-on-timeout", 254),
        ("1-x", 1),
        ("254-a", 254),
        ("254-add-2-things", 254),
        ("9999999-long-number", 9999999),
        ("254-x;rm -rf /", None),
        ("254-$(id)", None),
        ("254-`id`", None),
        ("254-x&&reboot", None),
        ("254-x|tee", None),
        ("254-x>out", None),
        ("254-${HOME}", None),
        ("254-'quoted'", None),
        ('254-"quoted"', None),
        ("254-x\n", None),
        ("254-x\nrm -rf /", None),
        ("254-caf\u00e9", None),
        ("254-\u65e5\u672c", None),
        ("\u0662\u0665\u0664-arabic-digits", None),
        ("254-add-emoji-\U0001f680", None),
        ("254-Add-Capital", None),
        ("254_underscore", None),
        ("254-", None),
        ("254--double-dash", None),
        ("254-trailing-", None),
        ("-254-leading-dash", None),
        ("0254-leading-zero", None),
        ("0-zero", None),
        ("add-feature", None),
        ("feature/254-add-x", None),
        ("main", None),
        ("254", None),
        ("", None),
        ("254-x y", None),
    ],
)
def test_branch_names(branch: str, issue: int | None) -> None:
    number, problem = branch_issue(branch, PATTERN)
    assert number == issue
    if issue is None:
        assert problem
        assert "254-add-error-message-on-timeout" in problem or "no branch" in problem
        assert "\n" not in problem
    else:
        assert problem == ""


def test_custom_pattern_with_unnamed_group_and_prefix() -> None:
    pattern = r"^feature/(\d+)-"
    assert branch_issue("feature/77-x", pattern) == (77, "")
    assert branch_issue("feature/77-x-y", pattern)[0] == 77
    number, problem = branch_issue("feature/\u0667\u0667-x", pattern)
    assert number is None and "not an issue number" in problem
    number, problem = branch_issue("feature/0-x", pattern)
    assert number is None


@pytest.mark.parametrize(
    ("body", "closes"),
    [
        ("Closes #254", True),
        ("closes #254", True),
        ("CLOSES: #254", True),
        ("Closes:#254", True),
        ("Closes  \t#254", True),
        ("close #254", True),
        ("closed #254", True),
        ("Fix #254", True),
        ("fixes #254", True),
        ("FIXED #254", True),
        ("Resolve #254", True),
        ("resolves: #254", True),
        ("Resolved #254", True),
        ("Some text.\n\nCloses #254\n", True),
        ("(Closes #254)", True),
        ("Closes #254.", True),
        ("Fixes #12, closes #254", True),
        ("Fixes octo-org/hello-world#254", True),
        ("Fixes Octo-Org/Hello-World#254", True),
        ("Fixes owner/other-repo#254", False),
        ("Fixes octo-org/hello-world-2#254", False),
        ("Closes #2540", False),
        ("Closes #25", False),
        ("Closes #254abc", False),
        ("Closes #254-2", False),
        ("Closes # 254", False),
        ("Closes#254", False),
        ("Encloses #254", False),
        ("disclose #254", False),
        ("pre-fix #254", False),
        ("Cloſes #254", False),
        ("Closes #\u0662\u0665\u0664", False),
        ("Closes\n#254", False),
        ("Refs #254", False),
        ("#254", False),
        ("See issue 254", False),
        ("`Closes #254`", False),
        ("```\nCloses #254\n```", False),
        ("<!-- Closes #254 -->", False),
        ("<!-- Closes #1 -->\nCloses #254", True),
        ("`code` and Closes #254 and `more`", True),
        ("Closes #254; rm -rf / $(id) `id`", True),
        ("Closes \u00e9 #254", False),
        ("", False),
        (None, False),
    ],
)
def test_closing_references(body: str | None, closes: bool) -> None:
    refs = closing_refs(body)
    assert any(ref.targets(254, REPO) for ref in refs) is closes


def test_repository_qualified_reference_needs_a_known_repository() -> None:
    (ref,) = closing_refs("Fixes octo-org/hello-world#254")
    assert ref.repo == "octo-org/hello-world"
    assert ref.targets(254, None) is False
    assert ref.targets(254, REPO) is True


def test_commit_messages_are_plain_text() -> None:
    assert closing_refs("`Closes #254`", markdown=False)[0].number == 254


def test_strip_non_text_keeps_text_around_code() -> None:
    text = strip_non_text("a `b` c\n~~~\nd\n~~~\ne <!-- f")
    assert "a" in text and "c" in text and "e" in text
    assert "b" not in text and "d" not in text and "f" not in text


def facts(**changes: object) -> PrFacts:
    base: dict[str, object] = {
        "branch": "254-add-error-message-on-timeout",
        "body": "Adds a message.\n\nCloses #254",
        "repository": REPO,
        "commit_messages": (),
        "issue_state": "open",
        "reviewers": Reviewers(requested_users=("alice",)),
    }
    base.update(changes)
    return PrFacts(**base)  # type: ignore[arg-type]


def test_compliant_pull_request_passes() -> None:
    result = evaluate(facts(), PATTERN, require_reviewer=True)
    assert result.passed
    assert result.issue == 254
    assert [r.status for r in result.rules] == ["pass"] * 4
    assert result.summary() == "4 pull-request rules pass"
    assert "@alice" in result.rules[3].message


@pytest.mark.parametrize(
    ("changes", "rule", "words"),
    [
        ({"branch": "fix-things"}, "branch-name", "does not match"),
        ({"branch": "254-x;rm -rf /"}, "branch-name", "control characters"),
        ({"branch": ""}, "branch-name", "no branch name"),
        ({"issue_state": "closed"}, "issue", "is closed: reopen it"),
        ({"issue_state": "missing"}, "issue", "does not exist in octo-org"),
        ({"issue_state": "pull-request"}, "issue", "is a pull request, not an issue"),
        ({"body": None}, "closing-reference", "the description is empty"),
        ({"body": "  "}, "closing-reference", "the description is empty"),
        ({"body": "Nice work"}, "closing-reference", "neither the description"),
        ({"body": "Closes #2540"}, "closing-reference", "'Closes #2540'"),
        (
            {"body": "Fixes owner/other-repo#254"},
            "closing-reference",
            "which close another issue",
        ),
        ({"reviewers": Reviewers()}, "reviewer", "no reviewer assigned"),
    ],
)
def test_each_broken_rule_says_what_to_fix(
    changes: dict[str, object], rule: str, words: str
) -> None:
    result = evaluate(facts(**changes), PATTERN, require_reviewer=True)
    assert not result.passed
    (failure,) = result.failures
    assert failure.name == rule
    assert words in failure.message
    assert result.summary() == failure.message


def test_commit_message_can_close_the_issue() -> None:
    result = evaluate(
        facts(body=None, commit_messages=("Work\n\nFixes #254",)), PATTERN, True
    )
    assert result.passed
    assert result.rules[2].message == "a commit message closes #254"


def test_broken_branch_skips_the_rules_that_need_its_issue() -> None:
    result = evaluate(facts(branch="main", reviewers=Reviewers()), PATTERN, True)
    assert [r.status for r in result.rules] == ["fail", "skip", "skip", "fail"]
    assert result.summary() == "2 pull-request rules broken: branch-name, reviewer"
    assert result.issue is None


def test_offline_facts_leave_rules_unchecked() -> None:
    result = evaluate(
        facts(issue_state=None, reviewers=None, repository=None), PATTERN, True
    )
    assert result.passed
    assert [r.status for r in result.rules] == ["pass", "skip", "pass", "skip"]
    assert result.summary() == "2 pull-request rules pass, 2 not checked"
    assert "this repository" not in result.rules[1].message


def test_missing_issue_without_repository_says_this_repository() -> None:
    result = evaluate(facts(issue_state="missing", repository=None), PATTERN, True)
    assert "does not exist in this repository" in result.failures[0].message


def test_reviewer_not_required() -> None:
    result = evaluate(facts(reviewers=Reviewers()), PATTERN, require_reviewer=False)
    assert result.passed
    assert result.rules[3].status == "skip"


@pytest.mark.parametrize(
    "reviewers",
    [
        Reviewers(requested_teams=("backend",)),
        Reviewers(reviewed_by=("bob",)),
    ],
)
def test_team_or_past_review_counts(reviewers: Reviewers) -> None:
    assert evaluate(facts(reviewers=reviewers), PATTERN, True).passed


def test_long_branch_names_are_shortened_in_messages() -> None:
    result = evaluate(facts(branch="x" * 500), PATTERN, True)
    assert len(result.failures[0].message) < 400
