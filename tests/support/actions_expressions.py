"""GitHub Actions expressions (`${{ ... }}`), as the runner evaluates them.

Covers what workflows and composite actions commonly use: contexts with `.name`,
`['name']` and dashed names, literals, `==` `!=` `<` `<=` `>` `>=` (with the
documented loose typing and case-insensitive strings), `!` `&&` `||` (returning
operands, not booleans), and the functions contains, startsWith, endsWith,
format, join, toJSON, fromJSON, success, failure, always, cancelled.
Reference: https://docs.github.com/actions/learn-github-actions/expressions
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

STATUS_FUNCTIONS = ("success", "failure", "always", "cancelled")
_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>'(?:[^']|'')*')
      | (?P<number>-?(?:0x[0-9a-fA-F]+|\d+(?:\.\d+)?(?:[eE][-+]?\d+)?))
      | (?P<op>==|!=|<=|>=|&&|\|\||[<>!()\[\].,])
      | (?P<name>[A-Za-z_][A-Za-z0-9_-]*)
    )""",
    re.VERBOSE,
)


class ExpressionError(Exception):
    """An expression the runner would reject (or this emulator cannot run)."""


def tokenize(text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if not match:
            raise ExpressionError(f"unexpected character at {pos}: {text!r}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    return tokens


def truthy(value: Any) -> bool:
    if value is None or value is False or value == "":
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return not (value == 0 or math.isnan(value))
    return True


def to_number(value: Any) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if text == "":
            return 0.0
        try:
            return (
                float(int(text, 16)) if text.lower().startswith("0x") else float(text)
            )
        except ValueError:
            return math.nan
    return math.nan


def to_string(value: Any) -> str:
    """How a value is written into a string (env, with, interpolation)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, indent=2)
    return str(value)


def _compare(op: str, left: Any, right: Any) -> bool:
    if isinstance(left, str) and isinstance(right, str):
        a, b = left.lower(), right.lower()
        return {
            "==": a == b,
            "!=": a != b,
            "<": a < b,
            "<=": a <= b,
            ">": a > b,
            ">=": a >= b,
        }[op]
    if type(left) is type(right) and isinstance(left, (dict, list)):
        same = left is right
        return same if op == "==" else (not same if op == "!=" else False)
    x, y = to_number(left), to_number(right)
    if math.isnan(x) or math.isnan(y):
        return op == "!="
    return {"==": x == y, "!=": x != y, "<": x < y, "<=": x <= y, ">": x > y}.get(
        op, x >= y
    )


def _lookup(value: Any, key: Any) -> Any:
    if isinstance(value, dict):
        if key in value:
            return value[key]
        lowered = str(key).lower()
        for name, item in value.items():
            if str(name).lower() == lowered:
                return item
        return None
    if isinstance(value, list) and isinstance(key, (int, float)):
        index = int(key)
        return value[index] if 0 <= index < len(value) else None
    return None


def _format(template: str, *args: Any) -> str:
    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "{{":
            return "{"
        if match.group(0) == "}}":
            return "}"
        return to_string(args[int(match.group(1))])

    return re.sub(r"\{\{|\}\}|\{(\d+)\}", replace, template)


def _contains(search: Any, item: Any) -> bool:
    if isinstance(search, list):
        return any(_compare("==", x, item) for x in search)
    return to_string(item).lower() in to_string(search).lower()


class Evaluator:
    """Evaluates expressions against contexts and a job status."""

    def __init__(self, contexts: Mapping[str, Any], failed: bool = False) -> None:
        self.contexts = {k.lower(): v for k, v in contexts.items()}
        status: dict[str, Callable[..., Any]] = {
            "success": lambda: not failed,
            "failure": lambda: failed,
            "always": lambda: True,
            "cancelled": lambda: False,
        }
        self.functions: dict[str, Callable[..., Any]] = {
            **status,
            "contains": _contains,
            "startswith": lambda s, p: to_string(s)
            .lower()
            .startswith(to_string(p).lower()),
            "endswith": lambda s, p: to_string(s)
            .lower()
            .endswith(to_string(p).lower()),
            "format": lambda t, *a: _format(to_string(t), *a),
            "join": lambda a, sep=",": (
                to_string(sep).join(to_string(x) for x in a)
                if isinstance(a, list)
                else to_string(a)
            ),
            "tojson": lambda v: json.dumps(v, indent=2),
            "fromjson": lambda s: json.loads(to_string(s)),
        }

    # -- entry points --------------------------------------------------------
    def evaluate(self, text: str) -> Any:
        self.tokens = tokenize(text)
        self.pos = 0
        value = self._or()
        if self.pos != len(self.tokens):
            raise ExpressionError(
                f"unexpected {self.tokens[self.pos][1]!r} in {text!r}"
            )
        return value

    def interpolate(self, text: str) -> str:
        """A string with `${{ }}` parts, as used in env, with, run..."""
        out, pos = [], 0
        while True:
            start = text.find("${{", pos)
            if start < 0:
                return "".join(out) + text[pos:]
            end = _closing(text, start + 3)
            out.append(text[pos:start])
            out.append(to_string(self.evaluate(text[start + 3 : end])))
            pos = end + 2

    def condition(self, text: str) -> bool:
        """A step's `if:`; without a status function it means `success() && (...)`."""
        expression = text.strip()
        if expression.startswith("${{") and expression.endswith("}}"):
            expression = expression[3:-2]
        names = {v.lower() for k, v in tokenize(expression) if k == "name"}
        if not names & set(STATUS_FUNCTIONS):
            expression = f"success() && ({expression})"
        return truthy(self.evaluate(expression))

    # -- recursive descent -----------------------------------------------------
    def _peek(self) -> str | None:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else None

    def _take(self, expected: str | None = None) -> tuple[str, str]:
        if self.pos >= len(self.tokens):
            raise ExpressionError("unexpected end of expression")
        token = self.tokens[self.pos]
        if expected is not None and token[1] != expected:
            raise ExpressionError(f"expected {expected!r}, got {token[1]!r}")
        self.pos += 1
        return token

    def _or(self) -> Any:
        value = self._and()
        while self._peek() == "||":
            self._take()
            right = self._and()
            value = value if truthy(value) else right
        return value

    def _and(self) -> Any:
        value = self._comparison()
        while self._peek() == "&&":
            self._take()
            right = self._comparison()
            value = right if truthy(value) else value
        return value

    def _comparison(self) -> Any:
        value = self._unary()
        while self._peek() in ("==", "!=", "<", "<=", ">", ">="):
            op = self._take()[1]
            value = _compare(op, value, self._unary())
        return value

    def _unary(self) -> Any:
        if self._peek() == "!":
            self._take()
            return not truthy(self._unary())
        return self._postfix(self._primary())

    def _primary(self) -> Any:
        kind, text = self._take()
        if kind == "string":
            return text[1:-1].replace("''", "'")
        if kind == "number":
            return to_number(text)
        if text == "(":
            value = self._or()
            self._take(")")
            return value
        if kind != "name":
            raise ExpressionError(f"unexpected {text!r}")
        lowered = text.lower()
        if lowered in ("true", "false"):
            return lowered == "true"
        if lowered == "null":
            return None
        if self._peek() == "(":
            return self._call(lowered)
        if lowered not in self.contexts:
            raise ExpressionError(f"unknown context {text!r}")
        return self.contexts[lowered]

    def _call(self, name: str) -> Any:
        if name not in self.functions:
            raise ExpressionError(f"unsupported function {name}()")
        self._take("(")
        args = []
        while self._peek() != ")":
            args.append(self._or())
            if self._peek() == ",":
                self._take()
        self._take(")")
        return self.functions[name](*args)

    def _postfix(self, value: Any) -> Any:
        while self._peek() in (".", "["):
            if self._take()[1] == ".":
                kind, name = self._take()
                if kind != "name":
                    raise ExpressionError(f"expected a property name, got {name!r}")
                value = _lookup(value, name)
            else:
                key = self._or()
                self._take("]")
                value = _lookup(value, key)
        return value


def _closing(text: str, pos: int) -> int:
    """Index of the `}}` that ends the expression starting at `pos`."""
    quoted = False
    while pos < len(text):
        char = text[pos]
        if char == "'":
            quoted = not quoted
        elif not quoted and text.startswith("}}", pos):
            return pos
        pos += 1
    raise ExpressionError(f"unterminated ${{{{ in {text!r}")
