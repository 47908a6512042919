"""The fake Heroku answers as Heroku's own hyper-schema says it must.

Full deploys run through the real CLI against the fake; then every Platform
API request and answer in the fake's log is checked against the matching
link of the official schema (trimmed copy in tests/data/heroku).
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import requests

from support.deploy_env import API_KEY, PRODUCTION, STAGING, DeployEnv
from support.fake_heroku import Command
from support.fake_heroku.http import Logged

SUBSET = Path(__file__).parents[2] / "data" / "heroku" / "platform-api-subset.json"
LINKS: list[dict[str, Any]] = json.loads(SUBSET.read_text())["links"]

# What the adapter reads from each answer: it must be there.
READS = {
    "account": ["id", "email"],
    "rate-limit": ["remaining"],
    "app": ["id", "name", "web_url"],
    "add-on": ["id", "name", "plan"],
    "add-on-attachment": ["addon"],
    "release": ["id", "version", "status", "current", "slug", "output_stream_url"],
    "build": ["id", "status", "output_stream_url", "slug", "release", "source_blob"],
    "slug": ["id", "process_types", "commit"],
    "source": ["source_blob"],
    "dyno": ["attach_url", "name", "command"],
    "pipeline-coupling": ["app", "pipeline", "stage"],
    "pipeline-promotion": ["id", "status"],
    "pipeline-promotion-target": ["app", "status", "release", "error_message"],
}


def strict(node: Any) -> Any:
    """prmd's `strictProperties: true`: exactly these properties, all present."""
    if isinstance(node, list):
        return [strict(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: strict(v) for k, v in node.items()}
    if out.pop("strictProperties", False) and "properties" in out:
        out["additionalProperties"] = False
        out["required"] = sorted(out["properties"])
    return out


def answer_schema(link: dict[str, Any]) -> dict[str, Any]:
    schema = strict(copy.deepcopy(link["targetSchema"]))
    item = schema.get("items", schema)
    item["additionalProperties"] = False
    if "properties" in item:  # (Stop dyno answers an empty object)
        item["required"] = READS[link["definition"]]
    return schema


def href_pattern(href: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", href) + "$")


def link_for(entry: Logged) -> dict[str, Any]:
    found = [
        link
        for link in LINKS
        if link["method"] == entry.method
        and href_pattern(link["href"]).match(entry.path)
    ]
    if len(found) > 1:  # POST /apps/{app}/releases: a slug release or a rollback
        title = "Rollback" if "release" in (entry.body or {}) else "Create"
        found = [link for link in found if link["title"] == title]
    assert len(found) == 1, f"no schema link for {entry.method} {entry.path}"
    return found[0]


def check_log(entries: list[Logged]) -> set[str]:
    checked = set()
    for entry in entries:
        link = link_for(entry)
        if link["schema"] and entry.body is not None:
            jsonschema.Draft4Validator(
                link["schema"], format_checker=jsonschema.FormatChecker()
            ).validate(entry.body)
        if 200 <= entry.status < 300:
            jsonschema.Draft4Validator(
                answer_schema(link), format_checker=jsonschema.FormatChecker()
            ).validate(entry.answer)
            checked.add(f"{link['method']} {link['href']} {link['title']}")
    return checked


def test_every_answer_of_full_deploys_matches_the_schema(deploy_env: DeployEnv) -> None:
    env = deploy_env
    env.project(
        {"static-command": "collectstatic", "health-timeout": 1},
        procfile="web: python app.py\nrelease: ./migrate\n",
    )
    env.fake.world.apps[STAGING].commands["collectstatic"] = Command("done\n")
    env.fake.world.apps[PRODUCTION].commands["collectstatic"] = Command("done\n")
    env.fake.world.apps[PRODUCTION].health.status = 500
    assert env.run("--dry-run") == 0
    assert env.run() == 1  # production rolled back
    env.fake.world.apps[PRODUCTION].pipeline = None
    env.fake.world.apps[PRODUCTION].health.status = 200
    assert env.run() == 0  # production gets a release of the slug
    staging = env.fake.world.apps[STAGING]
    slug = staging.current().slug_id  # type: ignore[union-attr]
    env.fake.world.slugs[slug].commit = None  # found through the build list
    assert env.run("--target", "production") == 0  # staging's slug, read back
    # The deploy's time runs out: a build is cancelled, a one-off dyno stopped.
    staging.hangs.add("build")
    assert env.run("--target", "staging") == 1
    staging.hangs.clear()
    staging.commands["collectstatic"] = Command("copying\n", hangs=True)
    env.fake.on("POST", f"/apps/{STAGING}/dynos", lambda: env.time.leave(0.2))
    assert env.run("--target", "staging") == 1

    headers = {"Authorization": f"Bearer {API_KEY}"}
    path = "/account/rate-limits"
    assert requests.get(env.fake.platform.url + path, headers=headers, timeout=5).ok

    checked = check_log(env.fake.requests(service="platform"))
    expected = {f"{x['method']} {x['href']} {x['title']}" for x in LINKS}
    assert checked == expected


def test_the_check_catches_a_wrong_answer(deploy_env: DeployEnv) -> None:
    env = deploy_env
    env.project(branch="staging")
    env.fake.fail("GET", f"/apps/{STAGING}", 200, payload={"id": 1, "name": STAGING})
    env.run()
    with pytest.raises(jsonschema.ValidationError):
        check_log(env.fake.requests("GET", f"/apps/{STAGING}"))
