"""A fork's report artifact, read strictly: a table of forged artifacts, each
rejected with one message that says what was wrong and quotes nothing unsafe;
and the checks of the run, the commit and the pull request."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from mvp_process.check.registry import GATE_NAMES
from mvp_process.errors import ConfigError
from mvp_process.github import artifact_schema, publishing, statuses
from mvp_process.github import policy_artifact as policy
from mvp_process.github.policy_artifact import ArtifactRejected
from mvp_process.results import Hint, Recorded
from support import gfm
from support.fork import BASE, FINDING, HEAD, MERGE, gate
from support.fork import sample_report as valid


def encode(data: Any) -> bytes:
    return json.dumps(data).encode()


def test_a_real_report_is_read_back_as_it_was_written() -> None:
    data = valid()
    report = policy.report(encode(data))
    assert report.to_json() == {k: v for k, v in data.items() if k != "version"}
    assert report.metric("coverage", "after") == 99.5
    assert report.gates[0].findings[0].location() == "calc/x.py:1:8"
    assert report.gates[0].hint == Hint("rechecks", "flake8 calc/x.py")
    assert report.history == (Recorded(BASE, 100.0),)


def test_every_gate_of_the_registry_has_its_metrics() -> None:
    assert set(artifact_schema.METRICS) == set(GATE_NAMES)


Edit = Callable[[dict[str, Any]], Any]


def setting(*path: str | int, value: Any) -> Edit:
    def edit(data: dict[str, Any]) -> Any:
        target: Any = data
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value
        return data

    return edit


def dropping(key: str) -> Edit:
    return lambda data: {k: v for k, v in data.items() if k != key}


def raw(text: str | bytes) -> Edit:
    return lambda data: text.encode() if isinstance(text, str) else text


LONG = "x" * (artifact_schema.MAX_TEXT + 1)
MANY = [FINDING] * (artifact_schema.MAX_ITEMS + 1)
FORGED: list[tuple[str, Edit, str]] = [
    # the commit and the verdict
    ("a short head", setting("head", value="abc123"), "$.head must be a commit SHA"),
    ("an upper-case head", setting("head", value="A" * 40), "must be a commit SHA"),
    ("a head and a newline", setting("head", value=HEAD + "\n"), "a commit SHA"),
    (
        "a project that ends the marker",
        setting("project", value="api --> <img src=x>"),
        "$.project must be a project name as config `project` takes it",
    ),
    ("a project and a newline", setting("project", value="api\n"), "project name"),
    (
        "a folder that starts a workflow command",
        setting("folder", value="api\n::set-output name=passed::true"),
        "$.folder must be a folder (letters, digits",
    ),
    (
        "a merge-base that is text",
        setting("merge_base", value="main; rm -rf /"),
        "$.merge_base must be a commit SHA (40 lowercase hex digits)",
    ),
    (
        "passed while a gate failed",
        setting("passed", value=True),
        "says the check passed, which its gates contradict",
    ),
    (
        "failed while every gate passed",
        setting("gates", 0, "passed", value=True),
        "says the check failed, which its gates contradict",
    ),
    ("no gates", setting("gates", value=[]), "$.gates is empty"),
    # keys that are not ours
    ("an unknown key", setting("approved", value=True), "$ holds 'approved'"),
    (
        "an unknown gate key",
        setting("gates", 1, "override", value=1),
        "$.gates[1] holds 'override'",
    ),
    (
        "another gate's metric",
        setting("gates", 0, "percent", value=100),
        "$.gates[0] holds 'percent'",
    ),
    (
        "an unknown finding key",
        setting("gates", 0, "findings", 0, "url", value="https://x"),
        "$.gates[0].findings[0] holds 'url'",
    ),
    ("a missing key", dropping("head"), "$ lacks 'head'"),
    # gate names
    (
        "a gate that is not ours",
        setting("gates", 1, "name", value="security"),
        "$.gates[1].name must be one of flake8, black, tests, coverage",
    ),
    (
        "a skipped gate that is not ours",
        setting("skipped", value=["approval"]),
        "$.skipped[0] must be one of",
    ),
    (
        "a gate twice",
        setting("gates", 1, value=gate("flake8", False)),
        "names gate flake8 twice",
    ),
    ("a gate run and skipped", setting("skipped", value=["black"]), "black twice"),
    (
        "six gates",
        lambda data: {**data, "gates": data["gates"] + [gate("black")]},
        "$.gates has more than 5 entries",
    ),
    # types
    ("a string for a boolean", setting("dirty", value="no"), "$.dirty must be true"),
    (
        "true for a line number",
        setting("gates", 0, "findings", 0, "line", value=True),
        "line must be an integer",
    ),
    (
        "a float for a count",
        setting("gates", 2, "total", value=2.5),
        "$.gates[2].total must be an integer",
    ),
    (
        "a negative count",
        setting("gates", 2, "failed", value=-1),
        "$.gates[2].failed must be at least 0",
    ),
    (
        "a figure over 100",
        setting("gates", 3, "after", value=101),
        "$.gates[3].after must be at most 100",
    ),
    (
        "an unknown failure kind",
        setting("gates", 2, "failures", 0, "kind", value="flaky"),
        "kind must be one of failed, error, collection error",
    ),
    (
        "a duration no float holds",
        setting("gates", 0, "duration", value=10**400),
        "$.gates[0].duration must be at most 10000000",
    ),
    ("a list for the report", lambda data: [data], "$ must be an object"),
    ("a number for the notes", setting("notes", value=3), "$.notes must be a list"),
    ("a bad version", setting("version", value="1.0 <b>"), "must be a version"),
    # sizes
    ("a long summary", setting("gates", 1, "summary", value=LONG), "longer than 10000"),
    (
        "too many findings",
        setting("gates", 0, "findings", value=MANY),
        "$.gates[0].findings has more than 10000 entries",
    ),
    (
        "too many uncovered files",
        setting(
            "gates",
            4,
            "uncovered",
            value={f"f{i}.py": "1" for i in range(artifact_schema.MAX_ITEMS + 1)},
        ),
        "uncovered has more than 10000 entries",
    ),
    (
        "a file over the cap",
        raw(b" " * (policy.MAX_REPORT_BYTES + 1)),
        "report.json has 8,388,609 bytes, more than 8,388,608",
    ),
    # not JSON we read
    ("not JSON", raw("<html>"), "report.json is not JSON: Expecting value"),
    ("not UTF-8", raw(b'{"a": "\xff"}'), "report.json is not UTF-8 text"),
    ("NaN", raw('{"passed": NaN}'), "NaN is not a number"),
    ("an infinity", raw('{"duration": 1e999}'), "'1e999' is not a finite number"),
    ("a duplicate key", raw('{"passed": true, "passed": false}'), "appears twice"),
    ("deep nesting", raw("[" * 100_000 + "]" * 100_000), "it nests too deep"),
    ("a huge integer", raw('{"n": ' + "9" * 5000 + "}"), "not JSON we read: Exceeds"),
]


@pytest.mark.parametrize(
    ("edit", "said"),
    [(edit, said) for _, edit, said in FORGED],
    ids=[name for name, _, _ in FORGED],
)
def test_a_forged_report_is_rejected_with_one_message(edit: Edit, said: str) -> None:
    forged = edit(copy.deepcopy(valid()))
    text = forged if isinstance(forged, bytes) else encode(forged)
    with pytest.raises(ArtifactRejected) as caught:
        policy.report(text)
    assert caught.value.exit_code == 2
    message = caught.value.message
    assert message.startswith("the report artifact was rejected: ")
    assert said in message
    assert "\n" not in message and len(message) < 300


HOSTILE_KEY = "::set-output name=passed::true\n@octocat <img src=x> ##[error]x"


def test_what_a_message_quotes_of_the_artifact_is_inert() -> None:
    forged = setting("gates", 0, HOSTILE_KEY, value=1)(valid())
    with pytest.raises(ArtifactRejected) as caught:
        policy.report(encode(forged))
    message = caught.value.message
    assert "holds '??set-output name=passed??true??octocat…'" in message
    for unsafe in ("::", "\n", "@", "<", "#"):
        assert unsafe not in message
    assert len(policy.safe("x" * 100)) == 42  # 40 characters and the quotes


def test_hostile_text_is_accepted_as_text() -> None:
    """Values are the fork's words: accepted here, escaped where shown."""
    data = valid()
    data["gates"][0]["summary"] = gfm.HOSTILE
    data["gates"][0]["details"] = list(gfm.HOSTILE_LINES)
    data["notes"] = [gfm.HOSTILE]
    report = policy.report(encode(data))
    assert report.gates[0].summary == gfm.HOSTILE
    assert report.notes == (gfm.HOSTILE,)


@pytest.mark.parametrize("text", [b"300", b"300\n", b" 7 \n"])
def test_a_pull_request_number(text: bytes) -> None:
    assert policy.pr_number(text) in (300, 7)


@pytest.mark.parametrize(
    "text",
    [b"", b"0", b"-1", b"3e2", b"300 301", b"0300", b"\xff", "１２".encode(), b"9" * 11]
    + [b" " * 31 + b"1\n"],
)
def test_anything_else_is_no_pull_request_number(text: bytes) -> None:
    with pytest.raises(ArtifactRejected, match="pr-number does not hold"):
        policy.pr_number(text)


def run_event(**changes: Any) -> dict[str, Any]:
    run = {"id": 42, "head_sha": HEAD, "event": "pull_request", **changes}
    return {"workflow_run": run}


def test_the_triggering_run() -> None:
    run = policy.triggering_run("workflow_run", run_event())
    assert (run.id, run.head_sha) == (42, HEAD)


@pytest.mark.parametrize(
    ("name", "payload", "error", "said"),
    [
        ("pull_request", run_event(), ConfigError, "not by 'pull_request'"),
        (None, run_event(), ConfigError, "not by 'no event'"),
        ("workflow_run", {}, ConfigError, "no workflow_run with an id"),
        ("workflow_run", run_event(id=True), ConfigError, "no workflow_run"),
        ("workflow_run", run_event(head_sha="main"), ConfigError, "no workflow_run"),
        ("workflow_run", run_event(event="push"), ArtifactRejected, "by 'push', not"),
        (
            "workflow_run",
            run_event(event="pull_request_target"),
            ArtifactRejected,
            "started by 'pull_request_target'",
        ),
    ],
)
def test_only_a_pull_request_run_is_published(
    name: str | None, payload: dict[str, Any], error: type[Exception], said: str
) -> None:
    with pytest.raises(error, match=said):
        policy.triggering_run(name, payload)


@pytest.mark.parametrize(
    ("report_head", "parents"),
    [(HEAD, None), (MERGE, (BASE, HEAD))],
)
def test_the_report_checked_the_run_head_or_its_merge(
    report_head: str, parents: tuple[str, ...] | None
) -> None:
    policy.commit_is_the_runs(report_head, HEAD, parents)


@pytest.mark.parametrize(
    ("parents", "said"),
    [
        (None, "no commit of this repository"),
        ((HEAD, BASE), "another commit"),  # the head is the second parent
        ((BASE,), "another commit"),
        ((BASE, "d" * 40, HEAD), "another commit"),
    ],
)
def test_a_report_of_another_commit_is_rejected(
    parents: tuple[str, ...] | None, said: str
) -> None:
    with pytest.raises(ArtifactRejected, match=said):
        policy.commit_is_the_runs(MERGE, HEAD, parents)


def test_the_pull_request_must_have_the_run_head() -> None:
    policy.pull_is_the_runs(7, HEAD, HEAD)
    with pytest.raises(ArtifactRejected, match="names pull request #8, whose head"):
        policy.pull_is_the_runs(8, BASE, HEAD)


def paths(
    value: Any, prefix: tuple[str | int, ...] = ()
) -> list[tuple[str | int, ...]]:
    """Every place in a JSON value: object keys and list indexes, depth first."""
    found: list[tuple[str | int, ...]] = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*prefix, index))
    return found


ODD_VALUES = (None, True, -1, 10**400, 1.5, "x", "", [], {}, [None], {"k": None})


def test_any_value_anywhere_is_read_or_rejected_never_a_crash() -> None:
    """Each place of a real report, set to each odd value: the report is read
    (the value fits there, and the comment and statuses render it) or rejected
    with a message, never another error."""
    outcomes = {"read": 0, "rejected": 0}
    for path in paths(valid()):
        for odd in ODD_VALUES:
            forged = setting(*path, value=odd)(copy.deepcopy(valid()))
            try:
                report = policy.report(encode(forged))
            except ArtifactRejected:
                outcomes["rejected"] += 1
                continue
            outcomes["read"] += 1
            body = publishing.render_comment(report, "https://x.example/run")
            assert body.startswith(publishing.marker(report.project) + "\n")
            for result in report.gates:
                assert len(statuses.gate_description(result)) <= 140
    assert outcomes["rejected"] > 10 * outcomes["read"] > 0
