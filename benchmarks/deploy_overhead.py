"""The deploy's own overhead: a full staging + production deploy against the fake.

    .venv/bin/python benchmarks/deploy_overhead.py [--rounds 7]

The fake Heroku answers with zero latency and every wait (polls, backoff) is
virtual, so what is left is the tool's own time: git archive, heroku3 and
requests, the rendezvous client, reporting. Time spent inside the fake's
request handlers (the "server") is measured and subtracted. Target: < 2 s.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

from mvp_process import redact  # noqa: E402
from mvp_process.deploy import command as cli_deploy  # noqa: E402
from mvp_process.cli import main  # noqa: E402
from support.deploy_env import (  # noqa: E402
    API_KEY,
    PRODUCTION,
    STAGING,
    VirtualTime,
    project_files,
)
from support.fake_heroku import Command, FakeHeroku, make_tls  # noqa: E402
from support.repo import GIT_ENV, Repo  # noqa: E402

PROCFILE = "web: python app.py\nrelease: python manage.py migrate\n"


def one_round(folder: Path, tls_folder: Path) -> tuple[float, float]:
    """(wall seconds, seconds inside the fake's handlers) of one full deploy."""
    fake = FakeHeroku(make_tls(tls_folder), API_KEY).start()
    try:
        staging, production = fake.add_app(STAGING), fake.add_app(PRODUCTION)
        fake.couple(
            "9f2d8c1e-0000-4000-8000-00000000a1b2",
            staging=staging,
            production=production,
        )
        for app in (staging, production):
            app.commands["python manage.py collectstatic"] = Command("copied\n")
        repo = Repo.create(folder)
        repo.commit(
            "app",
            project_files(
                {"static-command": "python manage.py collectstatic"}, PROCFILE
            ),
        )
        clock = VirtualTime()
        cli_deploy.CLOCK, cli_deploy.SLEEP = clock.clock, clock.sleep
        os.environ.update(
            HEROKU_API_KEY=API_KEY,
            HEROKU_API_URL=fake.platform.url,
            HEROKU_DATA_API_URL=fake.data.url,
            REQUESTS_CA_BUNDLE=str(tls_folder / "ca.pem"),
            HTTP_PROXY=fake.router.url,
            http_proxy=fake.router.url,
            NO_PROXY="127.0.0.1,localhost",
            no_proxy="127.0.0.1,localhost",
        )
        os.chdir(repo.path)
        redact.forget_all()
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            code = main(["deploy", "--branch", "main"])
        wall = time.perf_counter() - start
        if code != 0:
            raise SystemExit(f"the deploy failed (exit {code})")
        return wall, fake.server_seconds
    finally:
        fake.stop()


def run(rounds: int) -> None:
    os.environ.update(GIT_ENV)
    for name in [n for n in os.environ if n.startswith(("GITHUB_", "MVP_PROCESS_"))]:
        del os.environ[name]
    walls, overheads = [], []
    cwd = os.getcwd()
    try:
        for number in range(rounds):
            with tempfile.TemporaryDirectory() as tmp:
                base = Path(tmp)
                (base / "tls").mkdir()
                wall, server = one_round(base, base / "tls")
            walls.append(wall)
            overheads.append(wall - server)
            print(
                f"round {number + 1}: wall {wall:.3f}s, server {server:.3f}s, "
                f"overhead {wall - server:.3f}s"
            )
    finally:
        os.chdir(cwd)
    median = statistics.median(overheads)
    print(
        f"deploy overhead (staging + production, zero-latency fake): "
        f"median {median:.3f}s over {rounds} rounds "
        f"(wall median {statistics.median(walls):.3f}s); target < 2 s: "
        f"{'met' if median < 2 else 'NOT met'}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    run(parser.parse_args().rounds)
