"""Typed configuration, built from explicit sources in a fixed order.

1. `[tool.mvp-process]` (and `[tool.mvp-process.deploy]`) in the target repo's
   `pyproject.toml`;
2. environment variables `MVP_PROCESS_<KEY>` (`MVP_PROCESS_DEPLOY_<KEY>` for the
   deploy table), which is how the composite action passes its inputs;
3. command-line flags.

Later sources override earlier ones. Unknown keys and wrong types are errors:
a typo in a threshold must not silently fall back to the default.
"""

from __future__ import annotations

import dataclasses
import difflib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mvp_process.config_keys import (
    DEFAULT_BRANCH_PATTERN,
    DEFAULT_TEST_GLOBS,
    DEPLOY_KEYS,
    KEYS,
    Parser,
    type_name,
)
from mvp_process.actions import in_actions
from mvp_process.errors import ConfigError

TABLE = "tool.mvp-process"


@dataclass(frozen=True)
class DeployConfig:
    """`[tool.mvp-process.deploy]`: where and how a branch is deployed."""

    staging_app: str | None = None
    production_app: str | None = None
    staging_branch: str = "staging"
    production_branches: tuple[str, ...] = ("main", "master")
    migrate_command: str | None = None
    static_command: str | None = None
    health_path: str = "/"
    health_timeout: float = 120.0
    health_expect: str | None = None
    backup: bool = True
    rollback: bool = True
    # Seconds for the whole deploy: fits in the template's `timeout-minutes: 30`
    # with 5 minutes left for checkout, install and the report.
    deploy_timeout: float = 1500.0


@dataclass(frozen=True)
class GitHubEnv:
    """What GitHub Actions tells a step about itself (all optional locally)."""

    token: str | None = field(default=None, repr=False)
    api_url: str = "https://api.github.com"
    server_url: str = "https://github.com"
    repository: str | None = None
    event_name: str | None = None
    event_path: str | None = None
    sha: str | None = None
    ref_name: str | None = None
    base_ref: str | None = None
    head_ref: str | None = None
    run_id: str | None = None
    step_summary: str | None = None
    output: str | None = None
    actions: bool = False

    @property
    def run_url(self) -> str | None:
        """Link to the running workflow, for status `target_url`s."""
        if self.repository and self.run_id:
            return f"{self.server_url}/{self.repository}/actions/runs/{self.run_id}"
        return None


@dataclass(frozen=True)
class HerokuEnv:
    """Heroku credentials and endpoints (overridable so tests use a fake)."""

    api_key: str | None = field(default=None, repr=False)
    api_url: str = "https://api.heroku.com"
    data_api_url: str = "https://api.data.heroku.com"


@dataclass(frozen=True)
class Config:
    """Everything a command needs to know that is not in git itself."""

    base: str | None = None
    coverage_drop_max: float = 1.0
    diff_coverage_min: float = 80.0
    diff_coverage_exclude: tuple[str, ...] = DEFAULT_TEST_GLOBS
    branch_pattern: str = DEFAULT_BRANCH_PATTERN
    require_reviewer: bool = True
    baseline: str = "auto"
    python: str | None = None
    pytest_args: tuple[str, ...] = ()
    black_diff: bool = False
    parallel: bool = False
    lint_scope: str = "all"
    project: str | None = None  # a sub-project's name in contexts and the comment
    deploy: DeployConfig = field(default_factory=DeployConfig)
    github: GitHubEnv = field(default_factory=GitHubEnv)
    heroku: HerokuEnv = field(default_factory=HerokuEnv)
    policy_notes: tuple[str, ...] = ()  # what a pull request changes (config_policy)
    html: Path | None = None  # where `check` writes diff-cover's HTML page


def _field(key: str) -> str:
    return key.replace("-", "_")


def _parse_table(
    raw: Mapping[str, object], keys: Mapping[str, Parser], where: str
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in keys:
            close = difflib.get_close_matches(key, list(keys), n=1)
            hint = f"did you mean '{close[0]}'?" if close else ""
            raise ConfigError(
                f"unknown key '{key}' in {where}",
                hint=hint or f"known keys: {', '.join(sorted(keys))}",
            )
        try:
            values[_field(key)] = keys[key](value)
        except ValueError as exc:
            raise ConfigError(
                f"{where}: '{key}' {exc}, got {value!r} ({type_name(value)})"
            ) from None
    return values


def read_pyproject(root: Path) -> tuple[dict[str, object], dict[str, object]]:
    """The raw `[tool.mvp-process]` and its `deploy` sub-table (empty if absent)."""
    path = root / "pyproject.toml"
    if not path.is_file():
        return {}, {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(
            f"cannot read {path}: {exc.strerror or exc}",
            hint="make it readable by the user running mvp-process",
        ) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path} is not UTF-8 text (line {exc.object[: exc.start].count(10) + 1})"
            ", which TOML requires",
            hint="save it as UTF-8",
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{path} is not valid TOML: {exc}", hint="fix the file's syntax"
        ) from None
    tool = data.get("tool", {})
    table = tool.get("mvp-process", {}) if isinstance(tool, dict) else {}
    if not isinstance(table, dict):
        raise ConfigError(f"[{TABLE}] in {path} must be a table")
    table = dict(table)
    deploy = table.pop("deploy", {})
    if not isinstance(deploy, dict):
        raise ConfigError(f"[{TABLE}.deploy] in {path} must be a table")
    return table, deploy


def _variables(cls: Any, env: Mapping[str, str], prefix: str) -> dict[str, Any]:
    """Each field of `cls` read from `<prefix><FIELD>`; empty variables count
    as unset, and URLs lose a trailing slash."""
    values = {}
    for f in dataclasses.fields(cls):
        value = env.get(prefix + f.name.upper()) or None
        if f.name.endswith("url"):
            value = (value or getattr(cls, f.name)).rstrip("/")
        values[f.name] = value
    return values


def github_env(env: Mapping[str, str]) -> GitHubEnv:
    """GitHub Actions' own variables (`GITHUB_REPOSITORY`...)."""
    return GitHubEnv(
        **_variables(GitHubEnv, env, "GITHUB_") | {"actions": in_actions(env)}
    )


def heroku_env(env: Mapping[str, str]) -> HerokuEnv:
    return HerokuEnv(**_variables(HerokuEnv, env, "HEROKU_"))


def load_config(
    root: Path,
    env: Mapping[str, str],
    overrides: Mapping[str, object] | None = None,
    deploy_overrides: Mapping[str, object] | None = None,
    *,
    table: Mapping[str, object] | None = None,
    where: str | None = None,
) -> Config:
    """Merge pyproject, environment and flags (in that order) into a `Config`;
    `table` replaces the file's `[tool.mvp-process]` (in a pull request, the
    merge-base's policy: `config_policy.py`) and `where` names it in errors."""
    file_table, deploy_table = read_pyproject(root)
    where = where or f"[{TABLE}] of {root / 'pyproject.toml'}"
    merged = []
    for keys, own, place, part, flags in (
        (KEYS, file_table if table is None else table, where, "", overrides),
        (DEPLOY_KEYS, deploy_table, f"[{TABLE}.deploy]", "DEPLOY_", deploy_overrides),
    ):
        prefix = f"MVP_PROCESS_{part}"
        found = {k: env.get(prefix + _field(k).upper(), "").strip() for k in keys}
        values = _parse_table(own, keys, place)
        given = {k: v for k, v in found.items() if v}
        values |= _parse_table(given, keys, f"{prefix}* environment")
        merged.append(values | _parse_table(flags or {}, keys, "command-line flags"))
    return Config(
        **merged[0],
        deploy=DeployConfig(**merged[1]),
        github=github_env(env),
        heroku=heroku_env(env),
    )


def replace(config: Config, **changes: Any) -> Config:
    """A copy of `config` with `changes` (typed values, field names)."""
    return dataclasses.replace(config, **changes)
