"""The shape of a `check --json` report a fork's run may hand the publisher.

Everything in the report is the fork's to write (`publish_command.py`), so
nothing outside this schema is read: known keys only
(`additionalProperties: false`), JSON types, gate names from
`check/registry.py`, commit SHAs as 40 hex digits, and a cap on every string
and list. The caps are far above what a real `check` writes
(`policy_artifact.py` caps the file sizes).

The report's fields are those of `results.CheckReport.to_json` and each gate's
`metrics`: a gate that grows a metric needs its entry here, and the end-to-end
test of the fork flow (a real `check`, then `publish`) fails until it has one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from mvp_process.check.registry import GATE_NAMES
from mvp_process.config_keys import PROJECT_MAX, PROJECT_NAME

MAX_TEXT = 10_000  # characters in any one string (a line of tool output)
MAX_ITEMS = 10_000  # entries in any one list (findings, details, files)
MAX_NAME = 255  # a ref, a version, a baseline's source

Schema = dict[str, Any]

TEXT: Schema = {"type": "string", "maxLength": MAX_TEXT}
NAME: Schema = {"type": "string", "maxLength": MAX_NAME}
# Patterns end with \Z: jsonschema searches with Python's `re`, whose `$` also
# matches before a final newline.
SHA: Schema = {"type": "string", "pattern": "^[0-9a-f]{40}\\Z"}
PROJECT: Schema = {
    "type": "string",
    "pattern": f"^(?:{PROJECT_NAME.pattern})\\Z",
    "maxLength": PROJECT_MAX,
}
FOLDER: Schema = {  # the sub-project's folder, "" for the top
    "type": "string",
    "pattern": "^(?:[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*)?\\Z",
    "maxLength": MAX_NAME,
}
COUNT: Schema = {"type": "integer", "minimum": 0, "maximum": 2**31}
PERCENT: Schema = {"type": ["number", "null"], "minimum": 0, "maximum": 100}
LIMIT: Schema = {"type": "number", "minimum": 0, "maximum": 100}
SCOPE: Schema = {"enum": ["all", "changed"]}


def strict(properties: Schema, required: Iterable[str] | None = None) -> Schema:
    """An object with exactly these keys, the `required` ones (default: all) always."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties if required is None else required),
        "additionalProperties": False,
    }


def nullable(item: Schema) -> Schema:
    return {"anyOf": [item, {"type": "null"}]}


def many(item: Schema) -> Schema:
    return {"type": "array", "items": item, "maxItems": MAX_ITEMS}


FINDING = strict(
    {
        "path": TEXT,
        "line": COUNT,
        "end_line": COUNT,
        "col": nullable(COUNT),
        "code": NAME,
        "message": TEXT,
    }
)
GATE_KEYS = ("name", "passed", "summary", "details", "findings", "duration")
HINT = nullable(strict({"text": TEXT, "command": TEXT}))
HISTORY = strict({"sha": SHA, "percent": LIMIT})
MAX_HISTORY = 50  # `check` records 10

# Each gate's metrics (optional: a gate that could not run has fewer).
METRICS: dict[str, Schema] = {
    "flake8": {
        "files": nullable(COUNT),
        "scope": SCOPE,
        "count": COUNT,
        "outside": COUNT,
    },
    "black": {"files": many(TEXT), "scope": SCOPE, "outside": COUNT},
    "tests": {
        "total": COUNT,
        "failed": COUNT,
        "errors": COUNT,
        "skipped": COUNT,
        "failures": many(
            strict(
                {
                    "id": TEXT,
                    "kind": {"enum": ["failed", "error", "collection error"]},
                    "message": TEXT,
                }
            )
        ),
    },
    "coverage": {
        "before": PERCENT,
        "after": PERCENT,
        "after_exact": PERCENT,
        "max_drop": LIMIT,
        "baseline": strict(
            {"sha": SHA, "source": NAME, "note": TEXT, "reason": TEXT}, required=()
        ),
    },
    "diff-coverage": {
        "percent": PERCENT,
        "changed_lines": COUNT,
        "executable_lines": COUNT,
        "covered_lines": COUNT,
        "uncovered_lines": COUNT,
        "unmeasured_lines": COUNT,
        "minimum": LIMIT,
        "uncovered": {
            "type": "object",
            "propertyNames": TEXT,
            "additionalProperties": TEXT,
            "maxProperties": MAX_ITEMS,
        },
        "not_measured": many(TEXT),
        "omitted": many(TEXT),
        "unreadable": many(TEXT),
        "excluded": many(TEXT),
    },
}


def gate(name: str) -> Schema:
    """One gate's entry: its own name, the common keys, its metrics."""
    common: Schema = {
        "name": {"const": name},
        "passed": {"type": "boolean"},
        "summary": TEXT,
        "details": many(TEXT),
        "findings": many(FINDING),
        "duration": {"type": "number", "minimum": 0, "maximum": 10**7},
        "hint": HINT,
    }
    return strict({**common, **METRICS.get(name, {})}, GATE_KEYS)


# Required: every key but `coverage_history`.
REPORT_KEYS: Schema = {
    "version": {"type": "string", "pattern": "^[0-9A-Za-z.+!_-]{1,64}\\Z"},
    "passed": {"type": "boolean"},
    "gates": {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {"name": {"enum": list(GATE_NAMES)}},
            "required": ["name"],
        },
        "minItems": 1,
        "maxItems": len(GATE_NAMES),
    },
    "head": SHA,
    "base": nullable(NAME),
    "merge_base": nullable(SHA),
    "skipped": {
        "type": "array",
        "items": {"enum": list(GATE_NAMES)},
        "maxItems": len(GATE_NAMES),
    },
    "notes": many(TEXT),
    "dirty": {"type": "boolean"},
    "project": nullable(PROJECT),
    "folder": FOLDER,
    "checked": TEXT,
}
HISTORY_LIST = {"type": "array", "items": HISTORY, "maxItems": MAX_HISTORY}
REPORT = strict({**REPORT_KEYS, "coverage_history": HISTORY_LIST}, REPORT_KEYS)
GATES: dict[str, Schema] = {name: gate(name) for name in GATE_NAMES}
