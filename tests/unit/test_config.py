"""Configuration: pyproject, then environment, then flags; mistakes are errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from mvp_process.config import (
    Config,
    DeployConfig,
    load_config,
    replace,
)
from mvp_process.config_keys import DEFAULT_BRANCH_PATTERN
from mvp_process.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_defaults_without_pyproject(tmp_path: Path) -> None:
    config = load_config(tmp_path, {})
    assert config == Config()
    assert config.coverage_drop_max == 1.0
    assert config.diff_coverage_min == 80.0
    assert "tests/*" in config.diff_coverage_exclude
    assert "conftest.py" in config.diff_coverage_exclude
    assert config.branch_pattern == DEFAULT_BRANCH_PATTERN
    assert config.require_reviewer is True
    assert config.deploy == DeployConfig()
    assert config.deploy.production_branches == ("main", "master")
    assert config.deploy.staging_branch == "staging"
    assert config.deploy.health_path == "/"
    assert config.deploy.backup and config.deploy.rollback
    assert config.deploy.deploy_timeout == 1500.0
    assert config.heroku.api_url == "https://api.heroku.com"
    assert config.heroku.data_api_url == "https://api.data.heroku.com"
    assert config.github.api_url == "https://api.github.com"


def test_pyproject_without_our_table(tmp_path: Path) -> None:
    write(tmp_path, "[project]\nname = 'x'\n")
    assert load_config(tmp_path, {}) == Config()


def test_pyproject_values(tmp_path: Path) -> None:
    write(
        tmp_path,
        """
[tool.mvp-process]
coverage-drop-max = 2
diff-coverage-min = 90.5
diff-coverage-exclude = ["migrations/*"]
require-reviewer = false
pytest-args = ["-x", "-q"]
baseline = "recompute"
branch-pattern = '^(?P<issue>\\d+)/.+$'

[tool.mvp-process.deploy]
staging-app = "acme-staging"
production-app = "acme"
production-branches = ["main"]
migrate-command = "python manage.py migrate"
health-path = "/health"
health-timeout = 30
health-expect = "ok"
backup = false
deploy-timeout = 600
""",
    )
    config = load_config(tmp_path, {})
    assert config.coverage_drop_max == 2.0
    assert config.diff_coverage_min == 90.5
    assert config.diff_coverage_exclude == ("migrations/*",)
    assert config.require_reviewer is False
    assert config.pytest_args == ("-x", "-q")
    assert config.baseline == "recompute"
    assert config.branch_pattern == r"^(?P<issue>\d+)/.+$"
    assert config.deploy.staging_app == "acme-staging"
    assert config.deploy.production_branches == ("main",)
    assert config.deploy.migrate_command == "python manage.py migrate"
    assert config.deploy.health_timeout == 30.0
    assert config.deploy.health_expect == "ok"
    assert config.deploy.backup is False
    assert config.deploy.rollback is True
    assert config.deploy.deploy_timeout == 600.0


def test_environment_overrides_pyproject_and_flags_override_both(
    tmp_path: Path,
) -> None:
    write(
        tmp_path, "[tool.mvp-process]\ncoverage-drop-max = 2\ndiff-coverage-min = 70\n"
    )
    env = {
        "MVP_PROCESS_COVERAGE_DROP_MAX": "3",
        "MVP_PROCESS_DIFF_COVERAGE_MIN": " ",  # empty action input: unset
        "MVP_PROCESS_REQUIRE_REVIEWER": "false",
        "MVP_PROCESS_PYTEST_ARGS": "-x -k fast",
        "MVP_PROCESS_DEPLOY_STAGING_APP": "from-env",
        "MVP_PROCESS_DEPLOY_PRODUCTION_BRANCHES": "main, release",
    }
    config = load_config(tmp_path, env, {"coverage-drop-max": 4.5})
    assert config.coverage_drop_max == 4.5
    assert config.diff_coverage_min == 70.0
    assert config.require_reviewer is False
    assert config.pytest_args == ("-x", "-k", "fast")
    assert config.deploy.staging_app == "from-env"
    assert config.deploy.production_branches == ("main", "release")
    flags = load_config(tmp_path, env, deploy_overrides={"staging-app": "flag"})
    assert flags.deploy.staging_app == "flag"


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[tool.mvp-process]\ncoverage-drop = 1", "unknown key 'coverage-drop'"),
        ("[tool.mvp-process]\nfoo = 1", "unknown key 'foo'"),
        ("[tool.mvp-process.deploy]\nstaging = 'x'", "unknown key 'staging'"),
        ("[tool.mvp-process]\ncoverage-drop-max = 'x'", "must be a number"),
        ("[tool.mvp-process]\ncoverage-drop-max = true", "must be a number"),
        ("[tool.mvp-process]\ncoverage-drop-max = -1", "must be 0 or more"),
        ("[tool.mvp-process]\ndiff-coverage-min = 101", "between 0 and 100"),
        ("[tool.mvp-process]\nrequire-reviewer = 'maybe'", "must be true or false"),
        ("[tool.mvp-process]\npytest-args = [1, 2]", "must be a list of strings"),
        ("[tool.mvp-process]\nbaseline = 'saas'", "must be one of auto, status"),
        ("[tool.mvp-process]\nbranch-pattern = '(['", "not a valid regular expression"),
        ("[tool.mvp-process]\nbranch-pattern = '^[a-z]+$'", "needs a group"),
        ("[tool.mvp-process]\nbase = 3", "must be a string"),
        ("[tool.mvp-process.deploy]\nhealth-path = 'health'", "must start with /"),
        ("[tool.mvp-process.deploy]\nhealth-timeout = 0", "more than 0 seconds"),
        ("[tool.mvp-process.deploy]\ndeploy-timeout = -5", "more than 0 seconds"),
        ("[tool.mvp-process.deploy]\nbackup = 'yes please'", "must be true or false"),
        ("[tool.mvp-process.deploy]\nproduction-branches = 'main'", None),
        ("[tool]\nmvp-process = 3", "must be a table"),
        ("[tool.mvp-process]\ndeploy = 3", "must be a table"),
        ("[tool.mvp-process\n", "is not valid TOML"),
        ("tool = 3", None),
    ],
)
def test_mistakes_are_errors(tmp_path: Path, toml: str, message: str | None) -> None:
    write(tmp_path, toml)
    if message is None:
        load_config(tmp_path, {})  # a comma-free string is a one-item list; fine
        return
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path, {})
    assert message in str(info.value)


def test_unknown_key_suggests_the_close_one(tmp_path: Path) -> None:
    write(tmp_path, "[tool.mvp-process]\ndiff-coverage-minimum = 80\n")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path, {})
    assert info.value.hint == "did you mean 'diff-coverage-min'?"


def test_unknown_key_lists_known_keys_when_nothing_is_close(tmp_path: Path) -> None:
    write(tmp_path, "[tool.mvp-process]\nzzz = 80\n")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path, {})
    assert "coverage-drop-max" in info.value.hint


def test_bad_environment_value_names_its_source(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path, {"MVP_PROCESS_DIFF_COVERAGE_MIN": "high"})
    assert "MVP_PROCESS_" in str(info.value) and "'high'" in str(info.value)


def test_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_bytes(b"[tool]\n# caf\xe9\n")
    with pytest.raises(ConfigError, match=r"is not UTF-8 text \(line 2\)") as info:
        load_config(tmp_path, {})
    assert info.value.hint == "save it as UTF-8"


def test_github_and_heroku_environment(tmp_path: Path) -> None:
    env = {
        "GITHUB_TOKEN": "ghs_secret_value_123",
        "GITHUB_API_URL": "http://127.0.0.1:9/api/",
        "GITHUB_REPOSITORY": "octo/repo",
        "GITHUB_RUN_ID": "42",
        "GITHUB_ACTIONS": "true",
        "GITHUB_BASE_REF": "",
        "HEROKU_API_KEY": "heroku-secret-key",
        "HEROKU_API_URL": "http://127.0.0.1:8/",
    }
    config = load_config(tmp_path, env)
    assert config.github.token == "ghs_secret_value_123"
    assert config.github.api_url == "http://127.0.0.1:9/api"
    assert config.github.base_ref is None
    assert config.github.actions is True
    assert config.github.run_url == "https://github.com/octo/repo/actions/runs/42"
    assert config.heroku.api_key == "heroku-secret-key"
    assert config.heroku.api_url == "http://127.0.0.1:8"
    assert load_config(tmp_path, {}).github.run_url is None
    text = repr(config)
    assert "ghs_secret_value_123" not in text
    assert "heroku-secret-key" not in text


def test_replace_returns_a_changed_copy() -> None:
    config = Config()
    changed = replace(config, coverage_drop_max=5.0)
    assert changed.coverage_drop_max == 5.0
    assert config.coverage_drop_max == 1.0
