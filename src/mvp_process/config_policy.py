"""In a pull request, the policy comes from the merge-base, not the pull request.

A pull request could otherwise pass by writing `diff-coverage-min = 0`,
`coverage-drop-max = 100` or `require-reviewer = false` into its own
pyproject.toml. So in GitHub Actions on a pull request, the *policy* keys of
`[tool.mvp-process]` are read from the merge-base with the base branch (a
sub-project's own file in a monorepo), and a change the pull request makes to
them is said: it applies after merge. The *project* keys (how to run this code:
interpreter, pytest arguments, parallel) stay the pull request's own: its code
and tests are its own too. Environment variables and flags still override both:
they come from the workflow (see docs/github.md for what that protects and what
it cannot).

`project` (the sub-project's name in status contexts and its comment) is
policy: a pull request must not publish its results under another name.

coverage.py's own settings (what it measures, what it omits) stay the pull
request's: they describe its code. A change to them is said, so a reviewer
sees a pull request that omits its own untested file.

Every key of `config_keys.KEYS` is in exactly one of the two sets below (a
test checks it), so a key added later is classified here, once.
"""

from __future__ import annotations

import configparser
import json
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mvp_process.config import TABLE, Config, load_config, read_pyproject, replace
from mvp_process.errors import ConfigError, GitError
from mvp_process.git import Git

POLICY_KEYS = frozenset(
    {
        "base",
        "baseline",
        "branch-pattern",
        "coverage-drop-max",
        "diff-coverage-exclude",
        "diff-coverage-min",
        "lint-scope",
        "project",
        "require-reviewer",
    }
)
PROJECT_KEYS = frozenset({"black-diff", "parallel", "pytest-args", "python"})
PYPROJECT = "pyproject.toml"  # in the project's folder, where `load_config` reads it
FETCH_HINT = (
    "use `fetch-depth: 0` in actions/checkout: in a pull request the policy of "
    f"[{TABLE}] is read from the merge-base with the base branch"
)


def merge_base(git: Git, base_ref: str) -> tuple[str, tuple[str, ...]]:
    """The merge-base of HEAD and the base branch (deepening a shallow clone
    once, as `check` would), and what was done to find it."""
    ref = next((r for r in (f"origin/{base_ref}", base_ref) if git.rev_parse(r)), None)
    if ref is None:
        raise GitError(f"the base branch '{base_ref}' is not here", hint=FETCH_HINT)
    notes: list[str] = []
    found = git.merge_base_deepening("HEAD", ref, notes.append)
    if found is None:
        raise GitError(
            f"HEAD and '{base_ref}' have no common ancestor", hint=FETCH_HINT
        )
    return found, tuple(notes)


def base_table(text: str | None, where: str) -> dict[str, object]:
    """The policy keys of `[tool.mvp-process]` in the pyproject.toml `text`."""
    try:
        data = tomllib.loads(text or "")
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where} is not valid TOML: {exc}") from None
    tool = data.get("tool")
    table = tool.get("mvp-process") if isinstance(tool, dict) else None
    if not isinstance(table, dict):
        return {}
    return {k: v for k, v in table.items() if k in POLICY_KEYS}


def shown(value: Any) -> str:
    """A value as it would be written in pyproject.toml."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if value is None:
        return "unset"
    return json.dumps(list(value) if isinstance(value, tuple) else value)


def changes(theirs: Config, ours: Config) -> tuple[str, ...]:
    """Each policy value the pull request's file changes, as a sentence."""
    said = []
    for key in sorted(POLICY_KEYS):
        name = key.replace("-", "_")
        before, after = getattr(ours, name, None), getattr(theirs, name, None)
        if before != after:
            said.append(
                f"this pull request changes {key} {shown(before)} → {shown(after)} "
                f"in [{TABLE}]; it applies after merge"
            )
    return tuple(said)


COVERAGE_FILES = (PYPROJECT, ".coveragerc", "setup.cfg", "tox.ini")


def coverage_settings(name: str, text: str | None) -> object:
    """What coverage.py reads from one file: pyproject's [tool.coverage], all
    of .coveragerc, the [coverage:*] sections of setup.cfg and tox.ini."""
    if text is None or name == ".coveragerc":
        return text
    try:
        if name == PYPROJECT:
            return tomllib.loads(text).get("tool", {}).get("coverage")
        ini = configparser.RawConfigParser()
        ini.read_string(text)
    except (tomllib.TOMLDecodeError, configparser.Error, AttributeError):
        return text  # unreadable: any change to it is a change
    return {k: dict(ini[k]) for k in ini.sections() if k.startswith("coverage:")}


def coverage_changes(folder: Path, base: Mapping[str, str | None]) -> tuple[str, ...]:
    """Each coverage settings file the pull request changes, as a sentence
    (`base`: each file's text at the merge-base)."""
    said = []
    for name, before in base.items():
        path = folder / name
        now = path.read_text("utf-8", "replace") if path.is_file() else None
        if coverage_settings(name, before) != coverage_settings(name, now):
            said.append(
                f"this pull request changes coverage.py's settings in {name}; "
                "the coverage gates measure with them: review what they leave out"
            )
    return tuple(said)


def load(
    git: Git,
    env: Mapping[str, str],
    overrides: Mapping[str, object] | None = None,
    deploy_overrides: Mapping[str, object] | None = None,
) -> Config:
    """The configuration; in a pull request with the merge-base's policy."""
    folder = git.project_dir
    config = load_config(folder, env, overrides, deploy_overrides)
    base_ref = config.github.base_ref
    if not (config.github.actions and base_ref):
        return config
    sha, notes = merge_base(git, base_ref)
    own, _ = read_pyproject(folder)
    table = {k: v for k, v in own.items() if k not in POLICY_KEYS}
    base = {name: git.show_file(sha, git.prefix + name) for name in COVERAGE_FILES}
    at = f"{git.prefix}{PYPROJECT} at the merge-base {sha[:12]}"
    table |= base_table(base[PYPROJECT], at)
    where = f"[{TABLE}] of {at}"
    trusted = load_config(
        folder, env, overrides, deploy_overrides, table=table, where=where
    )
    theirs = load_config(folder, {}, table=own)
    said = changes(theirs, load_config(folder, {}, table=table))
    return replace(trusted, policy_notes=notes + said + coverage_changes(folder, base))
