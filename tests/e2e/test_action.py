"""The composite action end to end, run step by step as the Actions runner runs it.

`support.actions_runner` executes `action.yml`'s real steps (bash scripts with the
runner's files and variables) against a temporary repository, with GitHub's
example event payloads. The action's own virtualenv is really installed once per
test session (pip, from this checkout, with `constraints.txt`) and then restored
by the emulated actions/cache, as a later workflow run would find it.

Adding a case for another command is one `act({...}, event_name=..., event=...)`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from mvp_process import GATE_NAMES
from support.action import PROJECT_PYTHON, ROOT, run_action
from support.actions_runner import CacheStore, RunResult
from support.project import (
    TESTED_FEATURE,
    UNTESTED_FEATURE,
    feature_branch,
    sample_project,
)
from support.repo import Repo
from support.webhooks import pull_request_event, push_event

pytestmark = pytest.mark.slow

Act = Callable[..., RunResult]
OUTPUT_NAMES = ("passed", "coverage", "diff-coverage", "release", "app-url", "backup")


@dataclass(frozen=True)
class Harness:
    cache: CacheStore
    first: RunResult  # the session's first run: a cold cache, a real install


@pytest.fixture(scope="session")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Harness:
    """Install the action once: an empty cache, then a command it refuses."""
    base = tmp_path_factory.mktemp("action")
    cache = CacheStore(base / "cache")
    workspace = base / "workspace"
    workspace.mkdir()
    first = run_action(
        {"command": "nonsense"},
        workspace=workspace,
        temp=base / "runner-temp",
        cache=cache,
        event_name="workflow_dispatch",
        event={"repository": {"full_name": "octo/app"}},
    )
    return Harness(cache, first)


@pytest.fixture
def act(harness: Harness, repo: Repo, tmp_path: Path) -> Act:
    """Run the action in `repo` (checked out detached, as actions/checkout does)."""

    def run(
        inputs: Mapping[str, str],
        *,
        event_name: str = "pull_request",
        event: dict[str, Any] | None = None,
        env: Mapping[str, str] | None = None,
        token: str = "",
        github: Mapping[str, str] | None = None,
    ) -> RunResult:
        """`github` overrides context values, e.g. `{"api_url": fake.url}`."""
        if event is None:
            event = pull_request_event(repo)
        sha = repo.sha()
        repo.git("checkout", "-q", "--detach")
        return run_action(
            inputs,
            workspace=repo.path,
            temp=tmp_path / "runner-temp",
            cache=harness.cache,
            event_name=event_name,
            event=event,
            env=env,
            token=token,
            github={"sha": sha, **(github or {})},
        )

    return run


def assert_used_cache(result: RunResult) -> None:
    assert result.step("restore").outputs["cache-hit"] == "true", result.notes
    assert result.step("install").outputs == {"installed": "false"}
    assert "using the cached virtualenv" in result.log
    assert not (ROOT / "build").exists()  # nothing built inside the action folder


def test_first_run_installs_and_saves_the_virtualenv(harness: Harness) -> None:
    first = harness.first
    assert first.step("restore").outputs["cache-hit"] == "false"
    assert first.step("install").outputs == {"installed": "true"}
    key = first.step("restore").outputs["cache-primary-key"]
    assert key.startswith("mvp-process-venv-") and harness.cache.saved == [key]
    # The unknown command is refused after the install, with an annotation.
    assert first.exit_code == 2
    assert "::error title=mvp-process::input command must be" in first.log
    assert first.outputs == dict.fromkeys(OUTPUT_NAMES, "")


def test_check_passes_on_a_pull_request(repo: Repo, act: Act) -> None:
    sample_project(repo)
    feature_branch(repo, TESTED_FEATURE)
    secret = "hk-0123456789abcdef-secret"

    result = act({"command": "check", "heroku-api-key": secret})

    assert result.exit_code == 0, result.log
    assert result.outputs == {
        **dict.fromkeys(OUTPUT_NAMES, ""),
        "passed": "true",
        "coverage": "100.00",
        "diff-coverage": "100.00",
    }
    assert "## mvp-process check passed" in result.summary
    for gate in GATE_NAMES:
        assert f"| `{gate}` | ✅ pass |" in result.summary
    # The gates ran in the caller's interpreter; mvp-process in its own venv.
    run = result.step("run")
    assert run.env["MVP_PROCESS_PYTHON"] == str(PROJECT_PYTHON)
    assert f"gates run with {PROJECT_PYTHON};" in result.log
    assert result.steps[0].outcome == "skipped"  # no python-version: no setup-python
    assert_used_cache(result)
    # The runner was asked to mask the key, and it appears nowhere else.
    assert secret in result.masks
    leaks = [line for line in result.log.splitlines() if secret in line]
    assert all(line.startswith("::add-mask::") for line in leaks)
    assert secret not in result.summary


def test_check_fails_on_a_pull_request_with_untested_code(repo: Repo, act: Act) -> None:
    sample_project(repo)
    feature_branch(repo, UNTESTED_FEATURE)

    result = act({"command": "check"})

    assert result.exit_code == 1, result.log
    assert result.step("run").outcome == "failure"
    assert result.outputs["passed"] == "false"
    assert float(result.outputs["diff-coverage"]) < 80
    assert float(result.outputs["coverage"]) < 100
    assert "## mvp-process check failed" in result.summary
    assert "| `diff-coverage` | ❌ fail |" in result.summary
    assert "### diff-coverage" in result.summary
    assert_used_cache(result)


def test_threshold_inputs_reach_the_configuration(repo: Repo, act: Act) -> None:
    sample_project(repo)
    feature_branch(repo, UNTESTED_FEATURE)

    result = act(
        {"command": "check", "diff-coverage-min": "0", "coverage-drop-max": "100"}
    )

    assert result.exit_code == 0, result.log
    assert result.outputs["passed"] == "true"
    assert float(result.outputs["diff-coverage"]) < 80


def test_only_and_json_inputs(repo: Repo, act: Act) -> None:
    sample_project(repo)
    feature_branch(repo, TESTED_FEATURE)

    result = act({"command": "check", "only": "flake8,black", "json": "report.json"})

    assert result.exit_code == 0, result.log
    report = json.loads((repo.path / "report.json").read_text(encoding="utf-8"))
    assert [g["name"] for g in report["gates"]] == ["flake8", "black"]
    assert result.outputs["passed"] == "true"
    assert result.outputs["coverage"] == ""  # not measured: said as unknown


def test_check_on_a_push_to_main(repo: Repo, act: Act) -> None:
    sample_project(repo)
    repo.commit("Add mul", TESTED_FEATURE)
    repo.push("main")

    result = act({"command": "check"}, event_name="push", event=push_event(repo))

    assert result.exit_code == 0, result.log
    assert result.outputs["passed"] == "true"
    assert result.outputs["coverage"] == "100.00"


@pytest.mark.parametrize(
    ("inputs", "failed_step", "message"),
    [
        ({"python": "/nonexistent/python"}, "setup", "Python interpreter was not"),
        ({"command": "deploy", "dry-run": "maybe"}, "run", "dry-run must be true"),
        (
            {"command": "nonsense", "python-version": "3.11"},
            "run",
            "input command must be",
        ),
    ],
)
def test_bad_inputs_stop_with_one_clear_error(
    repo: Repo, act: Act, inputs: dict[str, str], failed_step: str, message: str
) -> None:
    sample_project(repo)

    result = act(inputs)

    assert result.exit_code == 2
    assert result.step(failed_step).outcome == "failure"
    errors = [line for line in result.log.splitlines() if line.startswith("::error")]
    assert len(errors) == 1 and message in errors[0], result.log
    after = result.steps[[s.id for s in result.steps].index(failed_step) + 1 :]
    assert all(s.outcome == "skipped" for s in after)
    if "python-version" in inputs:
        assert "would install Python '3.11'" in result.steps[0].note
