"""The fault matrix: the world around a deploy, at every step.

A timeout at every step, a foreign release (a teammate's) during the build, the
release and the health check: the real command in this process, in virtual
time. A signal at every step, as the runner cancels a job (SIGINT, then
SIGTERM a little later, then a kill): the real command in a subprocess,
against the same fake Heroku, held at the step by the fake.

Whatever happens, the same four things must hold: nothing migrated without a
backup, at most one rollback per app, never a rollback over a foreign release,
and the step outputs and the job summary are there.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import coverage
import pytest

from support.deploy_env import PRODUCTION, STAGING, DeployEnv
from support.fake_heroku import Command, FakeHeroku
from support.fake_heroku.state import TEAMMATE

MIGRATE = "python manage.py migrate"
STATIC = "python manage.py collectstatic"
PHASE = "web: python app.py\nrelease: python manage.py migrate\n"
OUTPUTS = {"release", "failed-release", "app-url", "backup", "deployed"}


# -- the four invariants ---------------------------------------------------------
def may_migrate(fake: FakeHeroku, app: str, index: int) -> bool:
    """Whether the request at `index` of the log may run a migration on `app`."""
    entry = fake.log[index]
    if entry.method != "POST" or entry.server != "platform":
        return False
    body = entry.body or {}
    if entry.path in (f"/apps/{app}/builds", f"/apps/{app}/dynos"):
        return entry.path.endswith("builds") or MIGRATE in body.get("command", "")
    if entry.path == f"/apps/{app}/releases":
        return "slug" in body
    target = fake.world.apps[app].id
    return entry.path == "/pipeline-promotions" and target in str(body["targets"])


def backed_up(fake: FakeHeroku, app: str, index: int) -> bool:
    """A backup of `app` was seen finished and succeeded before `index`."""
    return any(
        e.server == "data"
        and e.path.startswith(f"/client/v11/apps/{app}/transfers/")
        and (e.answer or {}).get("finished_at")
        and (e.answer or {}).get("succeeded") is True
        for e in fake.log[:index]
    )


def check_invariants(env: DeployEnv) -> None:
    fake = env.fake
    for name in (STAGING, PRODUCTION):
        releases = fake.world.apps[name].releases
        migrating = [i for i in range(len(fake.log)) if may_migrate(fake, name, i)]
        assert all(backed_up(fake, name, i) for i in migrating), name
        rollbacks = [r for r in releases if r.description.startswith("Rollback to")]
        assert len(rollbacks) <= 1, name
        teammate = [i for i, r in enumerate(releases) if r.user == TEAMMATE]
        if teammate:
            assert not [r for r in releases[teammate[0] :] if r in rollbacks], name
    assert set(env.outputs()) == OUTPUTS, env.last_out + env.last_err
    summary = env.summary()
    assert "## mvp-process deploy " in summary
    rows = re.findall(r"^\| (\w+) `([\w-]+)` \| (?!—)", summary, re.M)
    assert rows, summary
    for role, app in set(rows):
        assert f"**{role} `{app}`: " in summary, summary


def project(env: DeployEnv, oneoff: bool = False, **settings: object) -> None:
    config: dict[str, object] = {"static-command": STATIC, "health-timeout": 2}
    if oneoff:
        config["migrate-command"] = MIGRATE
    env.project({**config, **settings}, procfile=None if oneoff else PHASE)
    for app in env.fake.world.apps.values():
        app.commands.update({MIGRATE: Command("migrated\n"), STATIC: Command("ok\n")})


# -- timeouts: the deploy's time runs out in each step -----------------------------
def _hang(step: str, app: str = STAGING) -> Callable[[DeployEnv], None]:
    return lambda env: env.fake.world.apps[app].hangs.add(step)


def _hung_dyno(command: str) -> Callable[[DeployEnv], None]:
    def arrange(env: DeployEnv) -> None:
        env.fake.world.apps[STAGING].commands[command] = Command("...\n", hangs=True)
        env.fake.on("POST", f"/apps/{STAGING}/dynos", lambda: env.time.leave(0.3))

    return arrange


def _late_preflight(env: DeployEnv) -> None:
    env.fake.on("GET", f"/apps/{STAGING}/releases", lambda: env.time.leave(-1))


def _sick(env: DeployEnv) -> None:
    env.fake.world.apps[STAGING].health.status = 500


@dataclass(frozen=True)
class Case:
    arrange: Callable[[DeployEnv], None]
    expect: str  # in the output: the step's own words
    oneoff: bool = False
    rolled_back: str | None = None  # which app is rolled back, if any
    settings: tuple[tuple[str, object], ...] = ()


TIMEOUTS = {
    "preflight": Case(_late_preflight, "backup: not started, the deploy's time ran"),
    "backup": Case(_hang("backup"), "gave up waiting for backup b001"),
    "build": Case(_hang("build"), "gave up waiting for the build"),
    "release": Case(
        _hang("promotion", PRODUCTION), "gave up waiting for the pipeline promotion"
    ),
    "migrate-phase": Case(
        _hang("release-phase"),
        "the release phase of v3 is still running: nothing was rolled back",
    ),
    "migrate-dyno": Case(
        _hung_dyno(MIGRATE), "dyno run.1001 was stopped", True, STAGING
    ),
    "static": Case(_hung_dyno(STATIC), "dyno run.1001 was stopped", False, STAGING),
    "health": Case(
        _sick,
        "not healthy within the deploy's time",
        rolled_back=STAGING,
        settings=(("health-timeout", 100000),),
    ),
}


@pytest.mark.parametrize("case", TIMEOUTS.values(), ids=TIMEOUTS.keys())
def test_a_timeout_at_every_step(deploy_env: DeployEnv, case: Case) -> None:
    env = deploy_env
    project(env, case.oneoff, **dict(case.settings))
    case.arrange(env)

    assert env.run("--branch", "main") == 1, env.last_out

    assert case.expect in env.last_out
    check_invariants(env)
    for name in (STAGING, PRODUCTION):
        rollbacks = [
            r for r in env.fake.world.apps[name].releases if "Rollback" in r.description
        ]
        assert len(rollbacks) == (1 if name == case.rolled_back else 0), name
    if case.expect.startswith("gave up waiting for the build"):
        assert env.fake.requests("DELETE", f"/apps/{STAGING}/builds/.*")
        assert env.fake.world.apps[STAGING].current().version == 2  # type: ignore
    stopped = env.fake.requests("POST", f"/apps/{STAGING}/dynos/.*/actions/stop")
    assert len(stopped) == (1 if "was stopped" in case.expect else 0)
    assert env.outputs()["deployed"] == "false"


# -- a teammate releases while we deploy -----------------------------------------------
FOREIGN = {
    "build": ("GET", "/streams/builds/.*", "files", STAGING),
    "release": ("GET", "/pipeline-promotions/.*", "platform", PRODUCTION),
    "health": ("GET", "/health", "router", STAGING),
}


@pytest.mark.parametrize("during", FOREIGN.keys())
def test_a_foreign_release_is_never_rolled_back(
    deploy_env: DeployEnv, during: str
) -> None:
    env = deploy_env
    method, path, service, app = FOREIGN[during]
    project(env)
    env.fake.world.apps[app].health.status = 500  # so that a rollback is wanted
    env.fake.on(method, path, lambda: env.fake.foreign_release(app), service=service)

    assert env.run("--branch", "main") == 1, env.last_out

    check_invariants(env)
    releases = env.fake.world.apps[app].releases
    assert not [r for r in releases if "Rollback" in r.description]
    (theirs,) = [r for r in releases if r.user == TEAMMATE]
    live = env.fake.world.apps[app].current()
    assert live is not None
    said = (
        f'v{theirs.version} by ann@example.com ("Deploy 9999999") was released '
        f"meanwhile: nothing was rolled back over it (v{live.version} is live)"
    )
    assert said in env.last_out and said in env.shown()
    assert env.outputs()["release"] == f"v{live.version}"


def test_a_foreign_release_on_a_healthy_deploy_is_said(deploy_env: DeployEnv) -> None:
    env = deploy_env
    project(env)
    release = env.fake.foreign_release
    env.fake.on("GET", "/streams/builds/.*", lambda: release(STAGING), service="files")
    env.fake.on("POST", f"/apps/{PRODUCTION}/dynos", lambda: release(PRODUCTION))

    assert env.run("--branch", "main") == 0, env.last_out

    check_invariants(env)
    said = 'v3 by ann@example.com ("Deploy 9999999") was released during this deploy'
    assert said in env.last_out  # on staging, before this deploy's v4
    assert (
        'healthy, but v4 by ann@example.com ("Deploy 9999999") was released '
        "meanwhile and is live"
    ) in env.last_out  # on production, after this deploy's v3
    assert env.outputs()["release"] == "v4"


def test_a_teammate_release_before_ours_stops_the_build(deploy_env: DeployEnv) -> None:
    """Two deploys never release over each other: preflight's newest release
    must still be the newest when this one is about to release."""
    env = deploy_env
    project(env)
    env.fake.on(
        "PUT", "/blobs/.*", lambda: env.fake.foreign_release(STAGING), service="files"
    )

    assert env.run("--branch", "main") == 1

    assert not env.fake.requests("POST", "/apps/.*/builds")
    assert (
        'v3 by ann@example.com ("Deploy 9999999") was released since preflight: this '
        "deploy releases nothing over it"
    ) in env.last_out
    check_invariants(env)


# -- signals: the runner cancels the job in every step ---------------------------
@dataclass(frozen=True)
class Hold:
    method: str
    path: str
    service: str = "platform"
    oneoff: bool = False
    target: str = "main"
    arrange: Callable[[DeployEnv], None] = lambda env: None
    expect: str = ""


def _hang_command(command: str) -> Callable[[DeployEnv], None]:
    def arrange(env: DeployEnv) -> None:
        env.fake.world.apps[STAGING].commands[command] = Command("...\n", hangs=True)

    return arrange


NOTHING_LIVE = "nothing this deploy released is live (v2 is live)"
PHASE_RUNS = "the release phase of v3 is still running: nothing was rolled back"
ROLLED_BACK = "rolled back: v4 is live, running v2's code"
SIGNALS = {
    "preflight": Hold(
        "GET", f"/apps/{STAGING}/releases", expect="cancelled ({sig}) before backup"
    ),
    "backup": Hold(
        "GET", f"/client/v11/apps/{STAGING}/transfers/.*", "data", expect=NOTHING_LIVE
    ),
    "build": Hold("GET", "/streams/builds/.*", "files", expect=NOTHING_LIVE),
    # A signal while a write is under way: it completes, the wait after it
    # does not start (the build is cancelled).
    "build-start": Hold("POST", f"/apps/{STAGING}/builds", expect=NOTHING_LIVE),
    "release": Hold("GET", "/pipeline-promotions/.*", expect=PHASE_RUNS),
    "migrate-phase": Hold("GET", "/streams/releases/.*", "files", expect=PHASE_RUNS),
    "migrate-dyno": Hold(
        "",
        "",
        oneoff=True,
        arrange=_hang_command(MIGRATE),
        expect="the migration in dyno run.1001 was still running; the runner is "
        "stopping the job",
    ),
    "static": Hold("", "", arrange=_hang_command(STATIC), expect=ROLLED_BACK),
    "health": Hold("GET", "/health", "router", expect=ROLLED_BACK),
    "rollback": Hold(
        "POST",
        f"/apps/{STAGING}/releases",
        target="staging",
        arrange=_sick,
        expect=ROLLED_BACK,
    ),
}


def python_measured(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """This Python, under coverage when the tests run under it (the data file
    goes beside the tests' own, which pytest-cov combines)."""
    current = coverage.Coverage.current()
    if current is None:
        return [sys.executable]
    ours = Path(current.get_data().data_filename())  # absolute, with a suffix
    data = ours.with_name(Path(current.config.data_file).name)
    monkeypatch.setenv("COVERAGE_FILE", str(data))
    rcfile = Path(__file__).parents[3] / "pyproject.toml"
    return [sys.executable, "-m", "coverage", "run", "-p", f"--rcfile={rcfile}"]


def runner_cancels(process: subprocess.Popen[str], first: signal.Signals) -> str:
    """The runner's cancel sequence: `first`, SIGTERM a little later if the
    process still runs, then a kill (which must not be needed)."""
    process.send_signal(first)
    try:
        process.wait(timeout=3)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=3)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return "killed"
    return "exited"


# The runner's sequence (SIGINT first) at every step; SIGTERM alone (a plain
# `kill`, `timeout`, a container stop) at a few.
RUNS = [(name, signal.SIGINT) for name in SIGNALS] + [
    (name, signal.SIGTERM) for name in ("build", "migrate-phase", "health")
]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "first"), RUNS, ids=[f"{n}-{s.name}" for n, s in RUNS]
)
def test_a_signal_at_every_step(
    deploy_env: DeployEnv,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    first: signal.Signals,
) -> None:
    point = SIGNALS[name]
    env = deploy_env
    project(env, point.oneoff)
    point.arrange(env)
    hold = env.fake.hold(point.method, point.path, point.service)
    process = subprocess.Popen(
        [
            *python_measured(monkeypatch),
            "-m",
            "mvp_process",
            "deploy",
            "--branch",
            point.target,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        step = hold.reached if point.method else env.fake.rendezvous.attached_once
        assert step.wait(30), "the deploy never reached the step"
        threading.Timer(0.3, hold.release.set).start()  # the held request goes on
        ended = runner_cancels(process, first)
    finally:
        hold.release.set()
        if process.poll() is None:
            process.kill()
    env.last_out, env.last_err = process.communicate()

    assert ended == "exited", env.last_out + env.last_err
    assert process.returncode == 128 + first.value, env.last_out + env.last_err
    assert "Traceback" not in env.last_err
    check_invariants(env)
    assert point.expect.format(sig=first.name) in env.last_out, env.last_out
    assert f"## mvp-process deploy cancelled ({first.name})" in env.summary()
    assert env.outputs()["deployed"] == "false"
    fake = env.fake
    cancelled = fake.requests("DELETE", f"/apps/{STAGING}/builds/.*")
    assert len(cancelled) == (1 if name.startswith("build") else 0)
    stopped = fake.requests("POST", f"/apps/{STAGING}/dynos/.*/actions/stop")
    assert len(stopped) == (1 if name == "static" else 0)  # a migration runs on
    releases = fake.world.apps[STAGING].releases
    rollbacks = [r for r in releases if r.description.startswith("Rollback")]
    assert len(rollbacks) == (1 if point.expect == ROLLED_BACK else 0)


@pytest.mark.slow
def test_a_second_signal_in_the_way_back_leaves_the_rollback_to_a_person(
    deploy_env: DeployEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGINT in the health check; SIGTERM while the way back reads the
    releases: the deploy's live release is left, and the report says how to
    roll back."""
    env = deploy_env
    project(env)
    health = env.fake.hold("GET", "/health", "router")
    process = subprocess.Popen(
        [
            *python_measured(monkeypatch),
            "-m",
            "mvp_process",
            "deploy",
            "--branch",
            "staging",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    way_back = None
    try:
        assert health.reached.wait(30)
        way_back = env.fake.hold("GET", f"/apps/{STAGING}/releases")
        process.send_signal(signal.SIGINT)
        health.release.set()
        assert way_back.reached.wait(30)
        process.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        way_back.release.set()
        process.wait(timeout=10)
    finally:
        for hold in (health, way_back):
            if hold is not None:
                hold.release.set()
        if process.poll() is None:
            process.kill()
    env.last_out, env.last_err = process.communicate()

    assert process.returncode == 130, env.last_out + env.last_err
    check_invariants(env)
    assert not [
        r for r in env.fake.world.apps[STAGING].releases if "Rollback" in r.description
    ]
    assert (
        "v3 (this deploy) is live, not rolled back: the runner is stopping the job "
        f"(`heroku rollback v2 --app {STAGING}`)"
    ) in env.last_out
