"""Regenerate `subset.json` from GitHub's published OpenAPI description.

Run by hand (never by the tests) when the fake GitHub grows an endpoint:

    python tests/data/github-openapi/make_subset.py \
        /work/shared/data/specs/github-rest-api.openapi.json.gz

It keeps only the operations the fake implements, resolves every `$ref`,
drops prose (`description`, `example(s)`, `x-*` vendor keys) and rewrites
OpenAPI 3.0's `nullable: true` into JSON Schema (`type: [..., "null"]`), so
plain `jsonschema` validates the fake's responses against it.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path
from typing import Any

OPERATIONS = [
    ("/user", "get"),
    ("/repos/{owner}/{repo}", "get"),
    ("/repos/{owner}/{repo}/issues/{issue_number}", "get"),
    ("/repos/{owner}/{repo}/issues/{issue_number}/comments", "get"),
    ("/repos/{owner}/{repo}/issues/{issue_number}/comments", "post"),
    ("/repos/{owner}/{repo}/issues/comments/{comment_id}", "patch"),
    ("/repos/{owner}/{repo}/pulls/{pull_number}", "get"),
    ("/repos/{owner}/{repo}/pulls/{pull_number}/commits", "get"),
    ("/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers", "get"),
    ("/repos/{owner}/{repo}/pulls/{pull_number}/reviews", "get"),
    ("/repos/{owner}/{repo}/statuses/{sha}", "post"),
    ("/repos/{owner}/{repo}/commits/{ref}", "get"),
    ("/repos/{owner}/{repo}/commits/{ref}/status", "get"),
    ("/repos/{owner}/{repo}/commits/{ref}/statuses", "get"),
]
EXTRA_SCHEMAS = ["basic-error"]
DROP = {"description", "example", "examples", "title", "externalDocs", "deprecated"}


def resolve(spec: dict[str, Any], node: Any, seen: tuple[str, ...] = ()) -> Any:
    if isinstance(node, dict):
        if "$ref" in node:
            ref = node["$ref"]
            if ref in seen:
                raise ValueError(f"recursive $ref {ref}")
            target: Any = spec
            for part in ref.removeprefix("#/").split("/"):
                target = target[part]
            return resolve(spec, target, seen + (ref,))
        return {k: resolve(spec, v, seen) for k, v in node.items()}
    if isinstance(node, list):
        return [resolve(spec, v, seen) for v in node]
    return node


def to_json_schema(schema: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in DROP or key.startswith("x-") or key in ("readOnly", "writeOnly"):
            continue
        if key == "nullable":
            continue
        if key == "properties":
            out[key] = {name: to_json_schema(sub) for name, sub in value.items()}
        elif key in ("items", "not") or (
            key == "additionalProperties" and isinstance(value, dict)
        ):
            out[key] = to_json_schema(value)
        elif key in ("allOf", "anyOf", "oneOf"):
            out[key] = [to_json_schema(sub) for sub in value]
        else:
            out[key] = value
    if schema.get("nullable"):
        if "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
        elif "type" not in out:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


def subset(spec: dict[str, Any]) -> dict[str, Any]:
    operations: dict[str, Any] = {}
    for path, method in OPERATIONS:
        op = spec["paths"][path][method]
        responses = {}
        for status, response in resolve(spec, op["responses"]).items():
            content = (response.get("content") or {}).get("application/json")
            schema = content.get("schema") if content else None
            responses[status] = None if schema is None else to_json_schema(schema)
        operations[f"{method.upper()} {path}"] = {
            "operationId": op["operationId"],
            "responses": responses,
        }
    schemas = {
        name: to_json_schema(resolve(spec, spec["components"]["schemas"][name]))
        for name in EXTRA_SCHEMAS
    }
    return {
        "source": "npm @octokit/openapi "
        + spec["info"]["version"]
        + ", generated/api.github.com.json (MIT)",
        "operations": operations,
        "schemas": schemas,
    }


def main(argv: list[str]) -> None:
    spec = json.loads(gzip.open(argv[1]).read())
    out = Path(__file__).with_name("subset.json")
    out.write_text(json.dumps(subset(spec), indent=1, sort_keys=True) + "\n")
    print(f"wrote {out} ({out.stat().st_size} bytes)")


if __name__ == "__main__":
    main(sys.argv)
