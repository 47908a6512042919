"""The keys of `[tool.mvp-process]` and how each value is read and checked.

Every parser takes a TOML value or an environment string and returns the typed
value, or raises `ValueError` with the second half of a sentence
("must be a number") that `config.py` completes with the key and its source.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

DEFAULT_BRANCH_PATTERN = r"^(?P<issue>[1-9][0-9]*)-[a-z0-9]+(?:-[a-z0-9]+)*$"
BASELINE_MODES = ("auto", "status", "recompute", "none")
LINT_SCOPES = ("all", "changed")
# A sub-project's name goes into status contexts (`mvp-process/<project>/<gate>`)
# and the comment's HTML marker: words, parts separated by single slashes.
PROJECT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(?:/[A-Za-z0-9][A-Za-z0-9._-]*)*")
PROJECT_MAX = 64
# diff-coverage-exclude's default: the usual test paths, as diff-cover globs.
DEFAULT_TEST_GLOBS = (
    "tests/*",
    "test/*",
    "testing/*",
    "*/tests/*",
    "test_*.py",
    "*_test.py",
    "conftest.py",
)


Parser = Callable[[object], Any]


def type_name(value: object) -> str:
    return {str: "a string", bool: "a boolean", list: "a list"}.get(
        type(value), type(value).__name__
    )


def _as_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "1", "yes", "on"):
        return True
    if isinstance(value, str) and value.lower() in ("false", "0", "no", "off"):
        return False
    raise ValueError("must be true or false")


def _as_number(value: object) -> float:
    """A finite number: `nan` compares false with everything, so a threshold of
    nan would pass any drop and a timeout of nan would never expire."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError("must be a number")
    try:
        number = float(value)
    except ValueError:
        raise ValueError("must be a number") from None
    if not math.isfinite(number):
        raise ValueError("must be a finite number")
    return number


def _as_str(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("must be a string")
    return value


def _as_optional_str(value: object) -> str | None:
    return _as_str(value) or None


def _as_str_tuple(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ValueError("must be a list of strings")


def _as_args(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(value.split())
    return _as_str_tuple(value)


def _as_pattern(value: object) -> str:
    text = _as_str(value)
    try:
        compiled = re.compile(text)
    except re.error as exc:
        raise ValueError(f"is not a valid regular expression ({exc})") from exc
    if "issue" not in compiled.groupindex and compiled.groups < 1:
        raise ValueError("needs a group that captures the issue number, (?P<issue>...)")
    return text


def _checked(parse: Parser, fits: Callable[[Any], object], rule: str) -> Parser:
    """`parse`, then the error `rule` unless the value `fits` it."""

    def checked(value: object) -> Any:
        result = parse(value)
        if not fits(result):
            raise ValueError(rule)
        return result

    return checked


def _one_of(choices: tuple[str, ...]) -> Parser:
    return _checked(
        _as_str, choices.__contains__, f"must be one of {', '.join(choices)}"
    )


_as_percent = _checked(_as_number, lambda n: 0 <= n <= 100, "must be between 0 and 100")
_as_timeout = _checked(_as_number, lambda n: n > 0, "must be more than 0 seconds")
_as_drop = _checked(_as_number, lambda n: n >= 0, "must be 0 or more percentage points")
_as_health_path = _checked(_as_str, lambda t: t.startswith("/"), "must start with /")
_as_project = _checked(
    _as_optional_str,
    lambda t: t is None or (len(t) <= PROJECT_MAX and PROJECT_NAME.fullmatch(t)),
    "must be letters, digits, '.', '_' and '-' (parts separated by '/', "
    f"each starting with a letter or digit; at most {PROJECT_MAX} "
    "characters): it names the status contexts mvp-process/<project>/<gate>",
)

KEYS: dict[str, Parser] = {
    "base": _as_optional_str,
    "coverage-drop-max": _as_drop,
    "diff-coverage-min": _as_percent,
    "diff-coverage-exclude": _as_str_tuple,
    "branch-pattern": _as_pattern,
    "require-reviewer": _as_bool,
    "baseline": _one_of(BASELINE_MODES),
    "python": _as_optional_str,
    "pytest-args": _as_args,
    "black-diff": _as_bool,
    "parallel": _as_bool,
    "lint-scope": _one_of(LINT_SCOPES),
    "project": _as_project,
}
DEPLOY_KEYS: dict[str, Parser] = {
    "staging-app": _as_optional_str,
    "production-app": _as_optional_str,
    "staging-branch": _as_str,
    "production-branches": _as_str_tuple,
    "migrate-command": _as_optional_str,
    "static-command": _as_optional_str,
    "health-path": _as_health_path,
    "health-timeout": _as_timeout,
    "health-expect": _as_optional_str,
    "backup": _as_bool,
    "rollback": _as_bool,
    "deploy-timeout": _as_timeout,
}
