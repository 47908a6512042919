"""Validate the fake GitHub's answers against GitHub's OpenAPI description.

`tests/data/github-openapi/subset.json` holds the response schemas of the
operations the fake serves ($refs resolved; see its README). An answer with a
status the operation does not declare (401, 429, 5xx...) must still have the
shape of GitHub's `basic-error`.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft4Validator, FormatChecker

from support.fake_github import FakeGitHub

SUBSET = Path(__file__).parents[1] / "data" / "github-openapi" / "subset.json"
FORMATS = FormatChecker(formats=())


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    if isinstance(value, str):
        datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return True


@FORMATS.checks("uri", raises=ValueError)
def _uri(value: object) -> bool:
    if isinstance(value, str) and not urlsplit(value).scheme:
        raise ValueError(f"{value!r} is not an absolute URI")
    return True


@cache
def spec() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SUBSET.read_text(encoding="utf-8"))
    return data


@cache
def validator(operation: str, status: int) -> Draft4Validator | None:
    """The validator for `operation`'s answer `status` (None: declared empty)."""
    responses = spec()["operations"].get(operation, {}).get("responses", {})
    if str(status) in responses:
        schema = responses[str(status)]
    elif status >= 400:
        schema = spec()["schemas"]["basic-error"]
    else:
        raise AssertionError(f"{operation or 'unknown route'} never answers {status}")
    return None if schema is None else Draft4Validator(schema, format_checker=FORMATS)


def check(operation: str, status: int, body: Any) -> list[str]:
    """Every way `body` breaks the schema of `operation`'s `status` answer."""
    try:
        found = validator(operation, status)
    except AssertionError as exc:
        return [str(exc)]
    if found is None:
        return []
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message[:200]}"
        for e in found.iter_errors(body)
    ]


def operations() -> list[str]:
    return sorted(spec()["operations"])


def running_fake_github() -> Iterator[FakeGitHub]:
    """A started fake GitHub that validates its answers; fails on a bad one."""
    fake = FakeGitHub(check).serve()
    try:
        yield fake
    finally:
        fake.close()
    assert fake.schema_errors == [], "\n".join(fake.schema_errors[:20])
