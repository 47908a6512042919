"""Run this repository's `action.yml` through the runner emulator.

The calling job is modelled as the template's `check` job leaves it: the
project's Python (here, the test virtualenv, which has flake8, black, pytest and
pytest-cov) first on PATH, a checkout of the repository as the workspace, and a
clean runner environment (no GITHUB_*/MVP_PROCESS_* from the developer's shell).

Also here: the example payloads and checkouts of the end-to-end cases, the job
environment that points at the fake Heroku, and `shown()`, where secrets are
looked for.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from support.actions import payload
from support.actions_runner import ActionRunner, CacheStore, RunResult
from support.fake_github import FakeGitHub
from support.fake_heroku import FakeHeroku, TlsFiles
from support.repo import GIT_ENV, Repo

ROOT = Path(__file__).resolve().parents[2]
PROJECT_PYTHON = Path(sys.executable)
OUTPUT_NAMES = (
    "passed",
    "coverage",
    "diff-coverage",
    "release",
    "failed-release",
    "app-url",
    "backup",
    "deployed",
)
Act = Callable[..., RunResult]


@dataclass(frozen=True)
class Harness:
    """The session's action cache, and its first run (a cold cache, a real install)."""

    cache: CacheStore
    first: RunResult


_PASSTHROUGH = {
    "PATH",
    "HOME",
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
    "TMPDIR",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "REQUESTS_CA_BUNDLE",
}


def runner_base_env() -> dict[str, str]:
    """What a runner's job starts with: system basics, pip and proxy settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k in _PASSTHROUGH
        or k.startswith("PIP_")
        or k.lower() in ("http_proxy", "https_proxy", "no_proxy")
    }
    env.update(GIT_ENV)
    env["PATH"] = f"{PROJECT_PYTHON.parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def run_action(
    inputs: Mapping[str, str],
    *,
    workspace: Path,
    temp: Path,
    cache: CacheStore | None,
    event_name: str,
    event: dict[str, Any],
    env: Mapping[str, str] | None = None,
    token: str = "",
    github: Mapping[str, str] | None = None,
) -> RunResult:
    """One `uses:` step of this action, with `inputs` as its `with:`."""
    runner = ActionRunner(ROOT, workspace, temp, cache, base_env=runner_base_env())
    return runner.run(
        inputs,
        event_name=event_name,
        event=event,
        env=env,
        token=token,
        github=github,
    )


def pull_request_payload(
    number: int,
    branch: str,
    head: str,
    base: str,
    *,
    action: str = "synchronize",
    body: object = "Closes #254",
) -> dict[str, Any]:
    """GitHub's example `pull_request` payload for this PR of `REPO`."""
    return payload(
        f"pull_request.{action}",
        number=number,
        head_ref=branch,
        head_sha=head,
        base_ref="main",
        base_sha=base,
        body=body,
    )


def push_payload(sha: str, branch: str) -> dict[str, Any]:
    """GitHub's example `push` payload for a push of `sha` to `branch`."""
    return payload("push", after=sha, ref=f"refs/heads/{branch}", default_branch="main")


def check_out_merge(repo: Repo, branch: str) -> tuple[str, str]:
    """(head, merge): what actions/checkout checks out for a pull request, the
    branch merged into main (`refs/pull/N/merge`), detached."""
    head = repo.sha(branch)
    repo.git("switch", "-q", "--detach", "origin/main")
    repo.git("merge", "-q", "--no-ff", "-m", f"Merge {head} into main", head)
    return head, repo.sha()


def heroku_env(heroku: FakeHeroku, tls: TlsFiles) -> dict[str, str]:
    """The job's environment that points mvp-process at the fake Heroku.

    The app URLs are http://<app>.herokuapp.com/: the fake's router, as a proxy,
    answers them (both spellings: the lower-case one wins where both are set).
    """
    return {
        "HEROKU_API_URL": heroku.platform.url,
        "HEROKU_DATA_API_URL": heroku.data.url,
        "REQUESTS_CA_BUNDLE": str(tls.ca),
        "HTTP_PROXY": heroku.router.url,
        "http_proxy": heroku.router.url,
    }


def shown(result: RunResult, github: FakeGitHub | None = None) -> str:
    """Every text a run leaves where people read it, to look for secrets in.

    The log without its `::add-mask::` lines (the runner consumes them instead of
    logging them), the job summary, every step's outputs and the action's, and
    what reached GitHub (comments, statuses).
    """
    log = "\n".join(
        line for line in result.log.splitlines() if not line.startswith("::add-mask::")
    )
    parts = [log, result.summary, repr(result.outputs)]
    parts += [repr(step.outputs) for step in result.steps]
    if github is not None:
        for repository in github.repos.values():
            parts += [c.body for c in repository.comments.values()]
            parts += [repr(s) for sts in repository.statuses.values() for s in sts]
    return "\n".join(parts)
