"""Fixtures for deploy tests: a fake Heroku, a real repo, virtual time, the real CLI.

Import the fixtures into a test module with
`from support.deploy_env import deploy_env, fake, tls  # noqa: F401`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from mvp_process.cli import main
from mvp_process.config import DeployConfig
from mvp_process.deploy import command as cli_deploy
from mvp_process.deploy.policy import reserve
from support import gfm
from support.fake_heroku import FakeHeroku, TlsFiles, make_tls
from support.repo import Repo

API_KEY = "hrku-f4ke0000-SECRET-KEY-9a8b7c6d5e4f"
STAGING = "mvp-staging"
PRODUCTION = "mvp-production"
DEFAULT_BUDGET = DeployConfig().deploy_timeout


@dataclass
class VirtualTime:
    """Real elapsed time plus skipped sleeps: backoffs and polls take no time.

    `started` is the first reading of a run (where the deploy's time budget
    starts), so `leave` can jump to just before the steps' deadline.
    """

    skipped: float = 0.0
    sleeps: list[float] = field(default_factory=list)
    started: float | None = None

    def clock(self) -> float:
        now = time.monotonic() + self.skipped
        if self.started is None:
            self.started = now
        return now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.skipped += seconds

    def leave(self, seconds: float, budget: float = DEFAULT_BUDGET) -> None:
        """Jump ahead so that only `seconds` of the steps' time are left."""
        assert self.started is not None, "the deploy has not started"
        deadline = self.started + budget - reserve(budget)
        self.skipped += max(0.0, deadline - seconds - self.clock())


def project_files(
    deploy: dict[str, object] | None = None, procfile: str | None = None
) -> dict[str, str]:
    settings: dict[str, object] = {
        "staging-app": STAGING,
        "production-app": PRODUCTION,
        "health-path": "/health",
        "health-timeout": 30,
    }
    settings.update(deploy or {})
    lines = ["[tool.mvp-process.deploy]"]
    for key, value in settings.items():
        if isinstance(value, bool):
            lines.append(f"{key} = {'true' if value else 'false'}")
        elif isinstance(value, (int, float)):
            lines.append(f"{key} = {value}")
        else:
            lines.append(f'{key} = "{value}"')
    files = {
        "pyproject.toml": "[project]\nname = 'demo'\nversion = '1.0'\n\n"
        + "\n".join(lines)
        + "\n",
        "app.py": "print('hello')\n",
    }
    files["Procfile"] = procfile if procfile is not None else "web: python app.py\n"
    return files


@dataclass
class DeployEnv:
    fake: FakeHeroku
    repo: Repo
    time: VirtualTime
    capsys: pytest.CaptureFixture[str]
    output_file: Path
    summary_file: Path
    last_out: str = ""
    last_err: str = ""

    def project(
        self,
        deploy: dict[str, object] | None = None,
        procfile: str | None = None,
        branch: str = "main",
    ) -> str:
        """Commit a small app on `branch` and return the SHA."""
        current = self.repo.git("branch", "--show-current")
        if current != branch:
            self.repo.git("switch", "-q", "-C", branch)
        return self.repo.commit("app", project_files(deploy, procfile))

    def run(self, *args: str) -> int:
        self.capsys.readouterr()
        self.time.started = None
        code = main(["deploy", *args])
        captured = self.capsys.readouterr()
        self.last_out, self.last_err = captured.out, captured.err
        return code

    def outputs(self) -> dict[str, str]:
        if not self.output_file.exists():
            return {}
        pairs = (
            line.split("=", 1) for line in self.output_file.read_text().splitlines()
        )
        return {k: v for k, v in pairs}

    def summary(self) -> str:
        return self.summary_file.read_text() if self.summary_file.exists() else ""

    def shown(self) -> str:
        """The job summary as a reader sees it on GitHub (escapes rendered)."""
        return gfm.shown(self.summary())

    def everything(self) -> str:
        """Every byte the command showed or wrote."""
        return "\n".join(
            [
                self.last_out,
                self.last_err,
                self.summary(),
                self.output_file.read_text() if self.output_file.exists() else "",
            ]
        )


@pytest.fixture(scope="session")
def tls(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return make_tls(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def fake(tls: TlsFiles) -> Iterator[FakeHeroku]:
    server = FakeHeroku(tls, API_KEY).start()
    staging = server.add_app(STAGING)
    production = server.add_app(PRODUCTION)
    server.couple(
        "9f2d8c1e-0000-4000-8000-00000000a1b2", staging=staging, production=production
    )
    yield server
    server.stop()


@pytest.fixture
def deploy_env(
    fake: FakeHeroku,
    tls: TlsFiles,
    repo: Repo,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> DeployEnv:
    clock = VirtualTime()
    monkeypatch.setattr(cli_deploy, "CLOCK", clock.clock)
    monkeypatch.setattr(cli_deploy, "SLEEP", clock.sleep)
    outputs, summary = tmp_path / "github_output", tmp_path / "step_summary"
    for name, value in {
        "HEROKU_API_KEY": API_KEY,
        "HEROKU_API_URL": fake.platform.url,
        "HEROKU_DATA_API_URL": fake.data.url,
        "REQUESTS_CA_BUNDLE": str(tls.ca),
        "GITHUB_OUTPUT": str(outputs),
        "GITHUB_STEP_SUMMARY": str(summary),
        # The app URLs are http://<app>.herokuapp.com/: the fake's router answers.
        # (both spellings: the lower-case one wins where both are set).
        "HTTP_PROXY": fake.router.url,
        "http_proxy": fake.router.url,
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(repo.path)
    return DeployEnv(fake, repo, clock, capsys, outputs, summary)
