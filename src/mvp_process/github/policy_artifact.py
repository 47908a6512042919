"""Whether a fork's report artifact may be published, decided from bytes: no I/O.

Every byte of the artifact (its report and the pull request's number, see
`publish_command.py`) is the fork's to choose, so it is read strictly: a size
cap, JSON without duplicate keys, NaN or infinities, the schema of
`artifact_schema.py`, and consistency (one entry per gate, `passed` agrees
with the gates). What is trusted comes from GitHub: the triggering run's
event and head commit in `$GITHUB_EVENT_PATH`, and the API's word on the pull
request and the commit.

A rejection is one `ArtifactRejected` (exit 2) saying what was wrong, and
quotes no more of the artifact than `safe()` lets through.
"""

from __future__ import annotations

import json
import math
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator, ValidationError
from jsonschema.exceptions import best_match

from mvp_process.check.policy import overall_passed
from mvp_process.errors import ConfigError, MvpError
from mvp_process.github import artifact_schema as schema
from mvp_process.results import CheckReport, Finding, GateResult, Hint, Recorded

REPORT_FILE = "report.json"
NUMBER_FILE = "pr-number"
MAX_REPORT_BYTES = 8 * 1024 * 1024
MAX_NUMBER_BYTES = 32
_SHA = re.compile(r"[0-9a-f]{40}")
_NUMBER = re.compile(r"[1-9][0-9]{0,9}")
_SHOWN = set(string.ascii_letters + string.digits + " ._/+-=,()'")
_TYPES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "object": "an object",
    "array": "a list",
    "null": "null",
}
_PATTERNS = {
    schema.SHA["pattern"]: "a commit SHA (40 lowercase hex digits)",
    schema.REPORT["properties"]["version"]["pattern"]: "a version number",
    schema.PROJECT["pattern"]: "a project name as config `project` takes it",
    schema.FOLDER["pattern"]: "a folder (letters, digits, '.', '_', '-', '/')",
}


class ArtifactRejected(MvpError):
    """The artifact is not a report mvp-process publishes: nothing is published."""

    def __init__(self, what: str) -> None:
        super().__init__(
            f"the report artifact was rejected: {what}",
            hint="nothing was published; the pull request's own run shows its "
            "check, and re-running it uploads a new artifact",
        )


@dataclass(frozen=True)
class TriggeringRun:
    """The `pull_request` run whose artifact is published, as GitHub describes it."""

    id: int
    head_sha: str


def safe(value: object, limit: int = 40) -> str:
    """Untrusted text fit to quote in a message: printable ASCII, short, quoted."""
    text = "".join(c if c in _SHOWN else "?" for c in str(value))
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def triggering_run(name: str | None, payload: Mapping[str, Any]) -> TriggeringRun:
    """The run that started this `workflow_run` workflow: a pull request's."""
    if name != "workflow_run":
        raise ConfigError(
            f"publish runs in a workflow started by `workflow_run`, not by "
            f"{safe(name or 'no event')}",
            hint="use workflows-templates/mvp-process-forks.yml",
        )
    run = payload.get("workflow_run")
    run = run if isinstance(run, dict) else {}
    run_id, head, event = run.get("id"), run.get("head_sha"), run.get("event")
    if type(run_id) is not int or not isinstance(head, str) or not _SHA.fullmatch(head):
        raise ConfigError(
            "GITHUB_EVENT_PATH holds no workflow_run with an id and a head_sha",
            hint="GitHub Actions writes it; run publish only from `on: workflow_run`",
        )
    if event != "pull_request":
        raise ArtifactRejected(
            f"the run that made it was started by {safe(event)}, not by a "
            "pull_request event"
        )
    return TriggeringRun(run_id, head)


def pr_number(raw: bytes) -> int:
    """The pull request's number from `pr-number` (digits, a final newline)."""
    text = raw.decode("ascii", errors="replace").strip()
    if len(raw) > MAX_NUMBER_BYTES or not _NUMBER.fullmatch(text):
        raise ArtifactRejected(f"{NUMBER_FILE} does not hold a pull-request number")
    return int(text)


def report(raw: bytes) -> CheckReport:
    """The `CheckReport` in `report.json`, or `ArtifactRejected` saying why not."""
    if len(raw) > MAX_REPORT_BYTES:
        raise ArtifactRejected(
            f"{REPORT_FILE} has {len(raw):,} bytes, more than {MAX_REPORT_BYTES:,}"
        )
    data = _decode(raw)
    _validate(data, schema.REPORT, "$")
    for index, gate in enumerate(data["gates"]):
        _validate(gate, schema.GATES[gate["name"]], f"$.gates[{index}]")
    names = [gate["name"] for gate in data["gates"]] + data["skipped"]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise ArtifactRejected(f"{REPORT_FILE} names gate {twice[0]} twice")
    if data["passed"] != overall_passed(gate["passed"] for gate in data["gates"]):
        verdict = "passed" if data["passed"] else "failed"
        raise ArtifactRejected(
            f"{REPORT_FILE} says the check {verdict}, which its gates contradict"
        )
    return _check_report(data)


def commit_is_the_runs(
    report_head: str, run_head: str, parents: tuple[str, ...] | None
) -> None:
    """The report checked the run's head commit, or the merge of it that Actions
    checks out for a pull request (two parents, the second being the head)."""
    if report_head == run_head:
        return
    if parents is not None and len(parents) == 2 and parents[1] == run_head:
        return
    where = "no commit of this repository" if parents is None else "another commit"
    raise ArtifactRejected(
        f"{REPORT_FILE} checked {report_head[:12]}, {where}: neither the run's head "
        f"{run_head[:12]} nor its merge into the base branch"
    )


def pull_is_the_runs(number: int, pull_head: str, run_head: str) -> None:
    """The pull request named by the artifact has the run's head commit."""
    if pull_head != run_head:
        raise ArtifactRejected(
            f"{NUMBER_FILE} names pull request #{number}, whose head is "
            f"{pull_head[:12]}, not {run_head[:12]}, the commit the run checked "
            "(another pull request's number, or a newer push, whose own run "
            "publishes)"
        )


def _decode(raw: bytes) -> Any:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ArtifactRejected(f"{REPORT_FILE} is not UTF-8 text") from None
    try:
        return json.loads(
            text,
            object_pairs_hook=_unique_keys,
            parse_constant=_no_constant,
            parse_float=_finite,
        )
    except json.JSONDecodeError as exc:
        raise ArtifactRejected(
            f"{REPORT_FILE} is not JSON: {exc.msg} (line {exc.lineno}, "
            f"column {exc.colno})"
        ) from None
    except (ValueError, RecursionError) as exc:
        reason = "it nests too deep" if isinstance(exc, RecursionError) else exc
        raise ArtifactRejected(f"{REPORT_FILE} is not JSON we read: {reason}") from None


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise ValueError(f"the key {safe(key)} appears twice in one object")
        found[key] = value
    return found


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{safe(text)} is not a finite number")
    return value


def _validate(data: Any, rules: schema.Schema, where: str) -> None:
    error = best_match(Draft202012Validator(rules).iter_errors(data))
    if error is not None:
        for part in error.absolute_path:
            where += f"[{part}]" if isinstance(part, int) else f".{safe(part)[1:-1]}"
        raise ArtifactRejected(f"{REPORT_FILE}: {where} {_why(error)}")


def _why(error: ValidationError) -> str:
    """The reason, from the schema (ours) and key names, never the value."""
    kind, value = error.validator, error.instance
    rule: Any = error.validator_value
    rules: Any = error.schema
    if kind == "type":
        kinds = [rule] if isinstance(rule, str) else list(rule)
        return "must be " + " or ".join(_TYPES[k] for k in kinds)
    if kind == "additionalProperties" and isinstance(value, dict):
        known = rules.get("properties", {})
        extra = sorted(k for k in value if k not in known)
        return f"holds {safe(extra[0])}, which a check report never has"
    if kind == "required" and isinstance(value, dict):
        return f"lacks {next(k for k in rule if k not in value)!r}"
    if kind == "enum":
        return "must be one of " + ", ".join(map(str, rule))
    if kind == "pattern":
        return f"must be {_PATTERNS.get(rule, 'of another form')}"
    limits = {
        "maxLength": f"is longer than {rule} characters",
        "maxItems": f"has more than {rule} entries",
        "maxProperties": f"has more than {rule} entries",
        "minItems": "is empty",
        "minimum": f"must be at least {rule}",
        "maximum": f"must be at most {rule}",
        "const": f"must be {safe(rule)}",
    }
    return limits.get(str(kind), f"does not fit the report's form ({kind})")


def _check_report(data: dict[str, Any]) -> CheckReport:
    return CheckReport(
        passed=data["passed"],
        gates=tuple(_gate(gate) for gate in data["gates"]),
        head_sha=data["head"],
        base_ref=data["base"],
        merge_base=data["merge_base"],
        skipped=tuple(data["skipped"]),
        notes=tuple(data["notes"]),
        dirty=data["dirty"],
        project=data["project"],
        folder=data["folder"],
        history=tuple(
            Recorded(r["sha"], float(r["percent"]))
            for r in data.get("coverage_history", ())
        ),
    )


def _gate(data: dict[str, Any]) -> GateResult:
    metrics = schema.METRICS.get(data["name"], {})
    return GateResult(
        name=data["name"],
        passed=data["passed"],
        summary=data["summary"],
        details=tuple(data["details"]),
        findings=tuple(Finding(**f) for f in data["findings"]),
        metrics={k: v for k, v in data.items() if k in metrics},
        duration=float(data["duration"]),
        hint=Hint(**data["hint"]) if data.get("hint") else None,
    )
