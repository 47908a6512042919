"""Make `platform-api-subset.json` from Heroku's published hyper-schema.

    python tests/data/heroku/trim.py path/to/heroku-platform-api.schema.json.gz

Keeps only the links the fake Heroku implements, with every `$ref` in their
request `schema` and response `targetSchema` resolved inline, so the tests
need neither the full schema nor a `$ref` resolver.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path
from typing import Any

LINKS = [
    ("account", "GET", "/account"),
    ("rate-limit", "GET", "/account/rate-limits"),
    ("app", "GET", "/apps/{app}"),
    ("add-on", "GET", "/apps/{app}/addons"),
    ("add-on-attachment", "POST", "/actions/addon-attachments/resolve"),
    ("release", "GET", "/apps/{app}/releases"),
    ("release", "GET", "/apps/{app}/releases/{release}"),
    ("release", "POST", "/apps/{app}/releases"),
    ("build", "POST", "/apps/{app}/builds"),
    ("build", "GET", "/apps/{app}/builds/{build}"),
    ("build", "GET", "/apps/{app}/builds"),
    ("build", "DELETE", "/apps/{app}/builds/{build}"),
    ("slug", "GET", "/apps/{app}/slugs/{slug}"),
    ("source", "POST", "/sources"),
    ("dyno", "POST", "/apps/{app}/dynos"),
    ("dyno", "POST", "/apps/{app}/dynos/{dyno}/actions/stop"),
    ("pipeline-coupling", "GET", "/apps/{app}/pipeline-couplings"),
    ("pipeline-promotion", "POST", "/pipeline-promotions"),
    ("pipeline-promotion", "GET", "/pipeline-promotions/{promotion}"),
    (
        "pipeline-promotion-target",
        "GET",
        "/pipeline-promotions/{promotion}/promotion-targets",
    ),
]


def _simple(href: str) -> str:
    """`/apps/{(%23%2Fdefinitions%2Fapp...)}/builds` → `/apps/{app}/builds`."""
    out, depth, name = "", 0, ""
    for char in href:
        if char == "{":
            depth, name = 1, ""
        elif char == "}" and depth:
            depth = 0
            part = name.split("%2F")
            out += "{" + (part[2] if len(part) > 2 else "id") + "}"
        elif depth:
            name += char
        else:
            out += char
    return out.replace("{add-on}", "{addon}").replace(
        "{pipeline-promotion}", "{promotion}"
    )


def resolve(node: Any, root: dict[str, Any], depth: int = 0) -> Any:
    if depth > 30:
        raise RecursionError("schema nests too deep")
    if isinstance(node, dict):
        if "$ref" in node:
            target: Any = root
            for key in node["$ref"].lstrip("#/").split("/"):
                target = target[key]
            merged = {k: v for k, v in node.items() if k != "$ref"}
            return resolve({**target, **merged}, root, depth + 1)
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in ("example", "links", "definitions", "description"):
                continue  # annotations, not constraints
            if key in ("properties", "patternProperties"):
                out[key] = {n: resolve(v, root, depth + 1) for n, v in value.items()}
            else:
                out[key] = resolve(value, root, depth + 1)
        return out
    if isinstance(node, list):
        return [resolve(v, root, depth + 1) for v in node]
    return node


def main(source: str) -> None:
    schema = json.loads(gzip.decompress(Path(source).read_bytes()))
    links = []
    for name, method, href in LINKS:
        definition = schema["definitions"][name]
        found = [
            link
            for link in definition["links"]
            if link["method"] == method
            and _simple(link["href"]).replace("{id}", "{app}") == href
        ]
        if not found:
            raise SystemExit(f"no link {method} {href} in {name}")
        for link in found:
            target = link.get("targetSchema") or {"$ref": f"#/definitions/{name}"}
            links.append(
                {
                    "definition": name,
                    "title": link.get("title"),
                    "method": method,
                    "href": href,
                    "schema": resolve(link.get("schema", {}), schema),
                    "targetSchema": resolve(target, schema),
                }
            )
    out = Path(__file__).with_name("platform-api-subset.json")
    out.write_text(
        json.dumps({"source": schema.get("id"), "links": links}, indent=1) + "\n"
    )
    print(f"wrote {len(links)} links to {out}")


if __name__ == "__main__":
    main(sys.argv[1])
