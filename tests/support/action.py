"""Run this repository's `action.yml` through the runner emulator.

The calling job is modelled as the template's `check` job leaves it: the
project's Python (here, the test virtualenv, which has flake8, black, pytest and
pytest-cov) first on PATH, a checkout of the repository as the workspace, and a
clean runner environment (no GITHUB_*/MVP_PROCESS_* from the developer's shell).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from support.actions_runner import ActionRunner, CacheStore, RunResult
from support.repo import GIT_ENV

ROOT = Path(__file__).resolve().parents[2]
PROJECT_PYTHON = Path(sys.executable)
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
    """One `uses: org/mvp-process@v1` step, with `inputs` as its `with:`."""
    runner = ActionRunner(ROOT, workspace, temp, cache, base_env=runner_base_env())
    return runner.run(
        inputs,
        event_name=event_name,
        event=event,
        env=env,
        token=token,
        github=github,
    )
