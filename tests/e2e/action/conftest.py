"""The composite action end to end: a real install, a temporary repository,
and the fake GitHub and Heroku servers, run step by step by the runner emulator.

`support.actions_runner` executes `action.yml`'s real steps (bash scripts with
the runner's files and variables). The action's own virtualenv is really
installed once per test session (pip, from this checkout, with
`constraints.txt`) and then restored by the emulated actions/cache, as a later
workflow run would find it. Every run talks to a fake GitHub (the `github`
context's `api_url`, and `github.token` as the `github-token` default), so
`check` and `pr` publish their statuses and comment there; `deploy` reaches
the fake Heroku through the job's environment, as a workflow's `env:` would
point it at another server.
"""

from __future__ import annotations

import fcntl
import os
import pickle
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from support.action import Act, Harness, run_action
from support.actions import REPO, TOKEN
from support.actions_runner import CacheStore, RunResult
from support.deploy_env import fake, tls  # noqa: F401
from support.fake_github import FakeGitHub
from support.repo import Repo

LOCAL = "127.0.0.1,localhost"


@pytest.fixture(scope="session")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Harness:
    """Install the action once: an empty cache, then a command it refuses.

    Once per test run, not per xdist worker: the workers share the cache folder,
    the first to take the lock installs, and the others read its first run
    (their own first run restores the virtualenv, as a later workflow would).
    """
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # the run's folder, above the workers' own
    shared = base / "action-e2e"
    shared.mkdir(exist_ok=True)
    cache = CacheStore(shared / "cache")
    record = shared / "first-run.pickle"
    with (shared / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if record.exists():
            first: RunResult = pickle.loads(record.read_bytes())
        else:
            first = _refused_command(tmp_path_factory.mktemp("first"), cache)
            record.write_bytes(pickle.dumps(first))
    return Harness(cache, first)


def _refused_command(base: Path, cache: CacheStore) -> RunResult:
    workspace = base / "workspace"
    workspace.mkdir()
    return run_action(
        {"command": "nonsense"},
        workspace=workspace,
        temp=base / "runner-temp",
        cache=cache,
        event_name="workflow_dispatch",
        event={"repository": {"full_name": "octo/app"}},
    )


@pytest.fixture
def github(fake_github: FakeGitHub) -> FakeGitHub:
    """The fake GitHub with the repository of the example payloads and the
    workflow's token (`github.token`)."""
    fake_github.add_repo(REPO)
    fake_github.add_token(TOKEN, "github-actions[bot]")
    return fake_github


@pytest.fixture
def act(harness: Harness, repo: Repo, github: FakeGitHub, tmp_path: Path) -> Act:
    """Run the action in `repo` (its HEAD, detached, as actions/checkout leaves it).

    `event` is the payload (see `support.action`), `env` the calling job's
    environment, `token` the workflow's `github.token`.
    """

    def run(
        inputs: Mapping[str, str],
        *,
        event: dict[str, Any],
        event_name: str = "pull_request",
        env: Mapping[str, str] | None = None,
        token: str = TOKEN,
    ) -> RunResult:
        sha = repo.sha()
        repo.git("checkout", "-q", "--detach")
        return run_action(
            inputs,
            workspace=repo.path,
            temp=tmp_path / "runner-temp",
            cache=harness.cache,
            event_name=event_name,
            event=event,
            env={"NO_PROXY": LOCAL, "no_proxy": LOCAL, **(env or {})},
            token=token,
            github={"sha": sha, "api_url": github.url},
        )

    return run
