"""How a project installs its test dependencies, decided from what it declares.

The gates run the project's tests, so the workflow must install the packages
those tests import (freezegun, hypothesis, ...), not only the project: with
`pip install -e .` alone a real suite fails to collect. Projects declare them
in one of a handful of ways; the first that applies wins, lock files first
(they pin what the team runs): uv.lock, Poetry, PEP 735 `[dependency-groups]`,
extras, a requirements file. Pure: `install.py` reads the files.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# The names teams give their test dependencies, the most specific first:
# `dev` often holds the tests' packages plus linters and docs.
TEST_NAMES = ("test", "tests", "testing", "dev", "develop", "development")
_DEV_WORDS = {"dev", "develop", "development", "local"}
_TEST_WORDS = {"test", "tests", "testing"}
# What the gates themselves need on top of the project's own packages.
TOOLS = "flake8 black pytest pytest-cov"
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass(frozen=True)
class Facts:
    """What the project's files say, as `install.read` found them."""

    files: frozenset[str]  # the lock, setup and requirements files present
    pyproject: Mapping[str, Any]  # {} when there is none (or it is broken)
    setup_cfg_extras: tuple[str, ...] = ()  # [options.extras_require] names
    setup_cfg_metadata: bool = False  # setup.cfg names a distribution


@dataclass(frozen=True)
class Install:
    """The workflow's install lines and the same for a developer's machine.

    `steps` is None when nothing says where the test dependencies are: the
    template's own step (requirements files, `pip install -e .`) stays.
    """

    source: str  # where the test dependencies come from, said to the user
    steps: tuple[str, ...] | None
    local: str  # one command; `python` stands for the gates' interpreter

    def command(self, python: str = "python") -> str:
        """`local` for this interpreter (pip runs in it; uv and Poetry pick theirs)."""
        if self.local.startswith("python "):
            return shlex.quote(python) + self.local.removeprefix("python")
        return self.local


def _pick(names: Iterable[str]) -> str | None:
    """The test-like name among `names` (compared as normalized names)."""
    by_norm = {
        re.sub(r"[-_.]+", "-", n).lower(): n for n in names if _SAFE_NAME.match(n)
    }
    return next((by_norm[n] for n in TEST_NAMES if n in by_norm), None)


def nested(data: Mapping[str, Any], *keys: str) -> Mapping[str, Any]:
    """The table `data[key1][key2]...`; {} where one is missing or no table."""
    for key in keys:
        value = data.get(key)
        if not isinstance(value, dict):
            return {}
        data = value
    return data


def installable(facts: Facts) -> bool:
    """Whether `pip install -e .` builds something here."""
    return (
        "setup.py" in facts.files
        or facts.setup_cfg_metadata
        or "project" in facts.pyproject
        or "build-system" in facts.pyproject
    )


def _requirements(files: frozenset[str]) -> str | None:
    """The requirements file for the tests: a test one, else a dev one."""

    def rank(name: str) -> int | None:
        words = set(re.split(r"[-_./]+", name.lower()))
        if words & _TEST_WORDS:
            return 0
        return 1 if words & _DEV_WORDS else None

    found = [(rank(f), len(f), f) for f in files if f.endswith(".txt")]
    ranked = sorted((r, size, f) for r, size, f in found if r is not None)
    return ranked[0][2] if ranked else None


def _pip(facts: Facts, source: str, args: str) -> Install:
    editable = " -e ." if installable(facts) and not args.startswith("-e") else ""
    command = f"python -m pip install {args}{editable}"
    steps = (
        "python -m pip install --upgrade pip",
        command,
        f"python -m pip install {TOOLS}",
    )
    return Install(source, steps, command)


def _uv(group: str | None, extra: str | None) -> Install:
    option = f" --group {group}" if group else f" --extra {extra}" if extra else ""
    what = f", group {group}" if group else f", extra {extra}" if extra else ""
    steps = (
        "python -m pip install --upgrade pip uv",
        f"uv sync --locked{option}",
        f"uv pip install {TOOLS}",
        'echo "$PWD/.venv/bin" >> "$GITHUB_PATH"',
    )
    return Install(f"uv.lock{what}", steps, f"uv sync{option}")


def _poetry(facts: Facts) -> Install:
    group = _pick(nested(facts.pyproject, "tool", "poetry", "group"))
    option = f" --with {group}" if group else ""
    steps = (
        "python -m pip install --upgrade pip poetry",
        f"poetry install{option}",
        'venv="$(poetry env info --path)"',
        f'"$venv/bin/python" -m pip install {TOOLS}',
        'echo "$venv/bin" >> "$GITHUB_PATH"',
    )
    what = f"Poetry, group {group}" if group else "Poetry, its default groups"
    return Install(what, steps, f"poetry install{option}")


def choose(facts: Facts) -> Install:
    """The first way of installing the test dependencies that applies."""
    group = _pick(nested(facts.pyproject, "dependency-groups"))
    extra = _pick(nested(facts.pyproject, "project", "optional-dependencies"))
    if "uv.lock" in facts.files:
        return _uv(group, extra)
    poetry = nested(facts.pyproject, "tool", "poetry")
    if (
        "poetry.lock" in facts.files
        or poetry.get("group")
        or poetry.get("dev-dependencies")
    ):
        return _poetry(facts)
    if group:  # pip reads PEP 735 groups since 25.1 (the first line upgrades it)
        return _pip(facts, f"[dependency-groups] {group}", f"--group {group}")
    if extra and installable(facts):
        where = "[project.optional-dependencies]"
        return _pip(facts, f"{where} {extra}", f"-e '.[{extra}]'")
    extra = _pick(facts.setup_cfg_extras)
    if extra and installable(facts):
        where = "setup.cfg [options.extras_require]"
        return _pip(facts, f"{where} {extra}", f"-e '.[{extra}]'")
    found = _requirements(facts.files - {"requirements.txt"})
    if found:
        base = "-r requirements.txt " if "requirements.txt" in facts.files else ""
        return _pip(facts, found, f"{base}-r {shlex.quote(found)}")
    # No test dependencies declared: the template's step, and its gist locally.
    args = ["-r requirements.txt"] if "requirements.txt" in facts.files else []
    args += ["-e ."] if installable(facts) else []
    local = f"python -m pip install {' '.join(args)}" if args else ""
    return Install("", None, local)
