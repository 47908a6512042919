"""A new user's first minutes: `init`, then `doctor`, as real processes."""

from __future__ import annotations

import os
import subprocess
import sys

from support.project import sample_project
from support.repo import Repo

FAKE_TOKENS = {
    "GITHUB_TOKEN": "ghs_e2eFakeGithubToken000000000000000",
    "HEROKU_API_KEY": "e2e-fake-heroku-key-0000-1111",
}


def mvp(repo: Repo, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mvp_process", *args],
        cwd=repo.path,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_init_then_doctor_reports_a_complete_setup(repo: Repo) -> None:
    sample_project(repo)

    before = mvp(repo, "doctor", **FAKE_TOKENS)
    assert before.returncode == 1
    assert "FAIL config" in before.stdout and "FAIL workflow" in before.stdout

    init = mvp(
        repo, "init", "--staging-app", "calc-staging", "--production-app", "calc"
    )
    assert init.returncode == 0, init.stderr
    assert "created   .github/workflows/mvp-process.yml" in init.stdout
    assert "appended  pyproject.toml" in init.stdout

    missing = mvp(repo, "doctor", **FAKE_TOKENS)
    assert missing.returncode == 1
    assert "FAIL release" in missing.stdout and "1 thing to fix." in missing.stdout

    (repo.path / "Procfile").write_text(
        "web: gunicorn calc.wsgi\nrelease: python manage.py migrate --noinput\n",
        encoding="utf-8",
    )
    repo.commit("Set up mvp-process")
    done = mvp(repo, "doctor", **FAKE_TOKENS)
    assert done.returncode == 0, done.stdout
    assert done.stdout.rstrip().endswith("Setup complete.")
    for secret in FAKE_TOKENS.values():
        assert secret not in done.stdout + done.stderr

    # A laptop needs neither token: check runs offline, deploys run in Actions.
    laptop = mvp(repo, "doctor")
    assert laptop.returncode == 0, laptop.stdout
    assert "PASS tokens       no GITHUB_TOKEN: not needed here" in laptop.stdout
    assert "PASS project      the project imports in" in laptop.stdout

    in_actions = mvp(repo, "doctor", GITHUB_ACTIONS="true")
    assert in_actions.returncode == 1
    assert "FAIL tokens       GITHUB_TOKEN is not set" in in_actions.stdout
    assert "FAIL tokens       HEROKU_API_KEY is not set" in in_actions.stdout
