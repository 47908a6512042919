"""Shared fixtures: an isolated environment and real git repositories."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from mvp_process import redact
from support.fake_github import FakeGitHub
from support.github_schema import running_fake_github
from support.repo import GIT_ENV, Repo

ISOLATED_PREFIXES = ("GITHUB_", "HEROKU_", "MVP_PROCESS_", "RUNNER_", "INPUT_")
ISOLATED = ("CI", "NO_COLOR", "FORCE_COLOR")  # colour is what each test asks


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test sees the developer's git config, GitHub or Heroku settings."""
    for name in list(os.environ):
        if name.startswith(ISOLATED_PREFIXES) or name in ISOLATED:
            monkeypatch.delenv(name)
    for name, value in GIT_ENV.items():
        monkeypatch.setenv(name, value)
    redact.forget_all()
    yield
    redact.forget_all()


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    """An empty repository on `main` with a bare `origin`."""
    return Repo.create(tmp_path)


@pytest.fixture
def fake_github() -> Iterator[FakeGitHub]:
    """A fake GitHub REST API on 127.0.0.1; every answer is schema-checked."""
    yield from running_fake_github()
