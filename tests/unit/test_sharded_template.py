"""workflows-templates/mvp-process-sharded.yml: valid, safe, and wired as documented."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from mvp_process.setup.init import action_ref

TEMPLATE = Path(__file__).parents[2] / "workflows-templates" / "mvp-process-sharded.yml"
BIN = Path(sys.executable).parent
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")
OUR_ACTION = action_ref()


@pytest.fixture(scope="module")
def workflow() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(TEMPLATE.read_text())
    return data


def steps(workflow: dict[str, Any], job: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = workflow["jobs"][job]["steps"]
    return found


def ours(workflow: dict[str, Any], job: str) -> dict[str, Any]:
    return next(s for s in steps(workflow, job) if s.get("uses") == OUR_ACTION)


# What the runner puts in for the expressions the `args` inputs use (shard 2 of 3).
CONTEXT = {
    "matrix.shard": "2",
    "strategy.job-total": "3",
    "runner.temp": "/home/runner/work/_temp",
}


def args_of(step: dict[str, Any]) -> list[str]:
    """The `args` input as the action receives it: evaluated, split on blanks."""
    text = re.sub(
        r"\$\{\{\s*([\w.-]+)\s*\}\}", lambda m: CONTEXT[m[1]], step["with"]["args"]
    )
    return text.split()


def tool(name: str) -> str:
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if not found:
        pytest.fail(f"{name} is a dev dependency; install with pip install -e '.[dev]'")
    return found


def test_matches_githubs_workflow_schema() -> None:
    result = subprocess.run(
        [
            tool("check-jsonschema"),
            "--builtin-schema",
            "vendor.github-workflows",
            str(TEMPLATE),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("persona", ["regular", "pedantic"])
def test_zizmor_finds_nothing(persona: str) -> None:
    result = subprocess.run(
        [tool("zizmor"), "--offline", f"--persona={persona}", str(TEMPLATE)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout


def test_least_privilege(workflow: dict[str, Any]) -> None:
    assert workflow["permissions"] == {}
    on = workflow[True] if True in workflow else workflow["on"]  # YAML 1.1 `on`
    assert "pull_request_target" not in on and "workflow_run" not in on
    for name, job in workflow["jobs"].items():
        assert "permissions" in job, name
        assert "write-all" not in str(job["permissions"]), name
    # Shards only read: no status, no comment can come from them.
    assert workflow["jobs"]["tests"]["permissions"] == {"contents": "read"}
    assert workflow["jobs"]["check"]["permissions"]["statuses"] == "write"


def test_actions_pinned_checkouts_without_credentials(workflow: dict[str, Any]) -> None:
    for name, job in workflow["jobs"].items():
        for step in job["steps"]:
            uses = step.get("uses")
            if uses is None:
                assert "${{" not in step["run"], f"{name}: pass values through env"
                continue
            assert uses == OUR_ACTION or PINNED.match(uses), uses
            if uses.startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False
    text = TEMPLATE.read_text()
    for line in text.splitlines():
        if OUR_ACTION in line:
            assert "zizmor: ignore[unpinned-uses]" in line


def test_the_shard_count_is_one_list(workflow: dict[str, Any]) -> None:
    tests = workflow["jobs"]["tests"]
    shards = tests["strategy"]["matrix"]["shard"]
    assert shards == list(range(1, len(shards) + 1)) and len(shards) >= 2
    assert tests["strategy"]["fail-fast"] is False
    assert args_of(ours(workflow, "tests"))[:2] == ["--shard", "2/3"]
    assert ours(workflow, "tests")["with"]["command"] == "check"
    assert "github-token" not in ours(workflow, "tests")["with"]


def test_each_shard_uploads_what_the_fan_in_downloads(workflow: dict[str, Any]) -> None:
    args = args_of(ours(workflow, "tests"))
    shard_dir = args[args.index("--shard-dir") + 1]
    assert shard_dir == "/home/runner/work/_temp/mvp-process-shard"
    upload = next(
        s for s in steps(workflow, "tests") if "upload-artifact" in s.get("uses", "")
    )
    assert upload["with"]["path"] == "${{ runner.temp }}/mvp-process-shard"
    assert upload["with"]["name"] == "mvp-process-shard-${{ matrix.shard }}"
    assert upload["with"]["if-no-files-found"] == "error"
    check = workflow["jobs"]["check"]
    assert check["needs"] == "tests"
    assert "!cancelled()" in check["if"]
    download = next(
        s for s in steps(workflow, "check") if "download-artifact" in s.get("uses", "")
    )
    assert download["with"]["pattern"] == "mvp-process-shard-*"
    assert "merge-multiple" not in download["with"]
    assert download["with"]["path"] == "${{ runner.temp }}/mvp-process-shards"
    fan_in = args_of(ours(workflow, "check"))
    assert fan_in == ["--from-shards", "/home/runner/work/_temp/mvp-process-shards"]
    checkout = steps(workflow, "check")[0]
    assert checkout["with"]["fetch-depth"] == 0  # the merge-base


def test_deploys_and_policy_as_in_the_plain_template(workflow: dict[str, Any]) -> None:
    jobs = workflow["jobs"]
    assert list(jobs) == ["pr", "tests", "check", "deploy-staging", "deploy-production"]
    assert jobs["deploy-staging"]["needs"] == "check"
    assert jobs["deploy-production"]["needs"] == "deploy-staging"
    assert ours(workflow, "pr")["with"] == {"command": "pr"}
    assert ours(workflow, "check")["with"]["command"] == "check"
