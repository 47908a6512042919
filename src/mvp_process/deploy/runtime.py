"""The waiting parts of the deploy steps, under the time budget and the signals.

Polling until Heroku settles, streaming output, a one-off dyno and its exit
status, the health check: each takes the `Runtime` (clock, sleep, probe,
rendezvous reader, time budget, signals) so tests run them in virtual time. Every wait
ends at the steps' deadline, and only a wait is cut short by a signal: a
request that changes something is never abandoned half-way.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Protocol, TypeVar

from mvp_process.deploy.heroku import HerokuPlatform
from mvp_process.deploy.heroku_http import Probe
from mvp_process.deploy.heroku_models import OneOffDyno
from mvp_process.deploy.rendezvous import StillRunning
from mvp_process.deploy.results import StepRecord
from mvp_process.errors import MvpError
from mvp_process.deploy import policy_steps as rules

T = TypeVar("T")
TAIL = 20


class StepFailed(Exception):
    """A step's own failure, in words for the report."""


class Superseded(Exception):
    """Nothing left to do: a newer run deploys this app (the notice is the message)."""


class Cancelled(BaseException):
    """The runner cancelled the job (a BaseException: nothing swallows it)."""


class Observer(Protocol):
    """Told as steps start and finish, and given output lines as they stream."""

    def step_started(self, role: str, app: str, step: str) -> None: ...

    def step_finished(self, record: StepRecord) -> None: ...

    def output(self, line: str) -> None: ...

    def note(self, text: str) -> None: ...


class Runtime:
    """Time, signals and the outside world's non-Heroku parts, injectable.

    The steps share one deadline: `deploy-timeout` less the reserve for the way
    back. The runner sends SIGINT, SIGTERM a few seconds later, then kills: the
    first signal ends the current wait and starts no new step; the second
    skips what can be skipped.
    """

    def __init__(
        self,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
        probe: Callable[[str, float], Probe],
        attach: Callable[[str, float], Iterator[str]],
        budget: float,
    ) -> None:
        self.clock, self.sleep, self.probe, self.attach = clock, sleep, probe, attach
        self.budget = budget
        self.deadline = clock() + budget - rules.reserve(budget)
        self.signals: list[str] = []
        self._waiting = 0

    def on_signal(self, name: str) -> None:
        """The signal handler: interrupt a wait; anything else finishes first."""
        self.signals.append(name)
        if self._waiting and len(self.signals) >= self._waiting:
            self._waiting = 0
            raise Cancelled(name)

    @property
    def signal(self) -> str | None:  # the first
        return self.signals[0] if self.signals else None

    def hurry(self) -> bool:
        """A second signal came: the runner kills the job in a moment."""
        return len(self.signals) > 1

    def left(self) -> float:
        return self.deadline - self.clock()

    def out_of_time(self, what: str) -> StepFailed:
        return StepFailed(
            f"gave up waiting for {what}: the deploy's time ran out "
            f"(deploy-timeout = {self.budget:g}s)"
        )

    @contextmanager
    def waiting(self, signals: int = 1) -> Iterator[None]:
        """A stretch that only waits or reads: the `signals`-th signal ends it at
        once (a migration is given until the second one to finish)."""
        if len(self.signals) >= signals:
            raise Cancelled(self.signals[-1])
        self._waiting, outer = signals, self._waiting
        try:
            yield
        finally:
            self._waiting = outer


def tail_text(lines: Iterable[str]) -> str:
    """The last lines of some output, on their own lines after a message."""
    text = "\n".join(lines)
    return ("\n" + text) if text else ""


def wait_for(
    rt: Runtime, read: Callable[[], T], done: Callable[[T], bool], what: str
) -> T:
    """Poll `read` (with growing pauses) until `done`, or the step deadline."""
    attempt = 0
    with rt.waiting():
        value = read()
        while not done(value):
            if rt.left() <= 0:
                raise rt.out_of_time(what)
            rt.sleep(min(rules.poll_delay(attempt), max(0.05, rt.left())))
            attempt += 1
            value = read()
    return value


def stream_output(
    platform: HerokuPlatform, rt: Runtime, observer: Observer, url: str
) -> deque[str]:
    """Show an output stream; losing it is not a failure (the status decides)."""
    tail: deque[str] = deque(maxlen=TAIL)
    try:
        with rt.waiting():
            for line in platform.stream(url, max(1.0, rt.left())):
                tail.append(line)
                observer.output(line)
    except MvpError as exc:
        observer.note(f"the output stream was lost ({exc}); waiting for the result")
    return tail


def run_oneoff(
    platform: HerokuPlatform,
    rt: Runtime,
    observer: Observer,
    app: str,
    command: str,
    started: Callable[[OneOffDyno | None], None],
    migration: bool = False,
) -> str:
    """Run `command` in a one-off dyno; its exit status read as the CLI does.

    `started` is told the dyno while it runs (and None once it ended), so a
    cancel can say which dyno still runs. Past the step deadline the dyno is
    stopped; a migration is left to finish until the runner's second signal.
    """
    dyno = platform.start_oneoff(app, rules.with_exit_marker(command), rt.left())
    started(dyno)
    lines: list[str] = []
    try:
        with rt.waiting(signals=2 if migration else 1):
            for line in rt.attach(dyno.attach_url, rt.left()):
                lines.append(line)
                if not line.startswith(rules.EXIT_MARKER):
                    observer.output(line.rstrip("\n"))
    except MvpError:
        if not lines:  # never attached: Heroku does not start the command (R13)
            started(None)
        raise
    except Cancelled:
        if not migration:  # a migration is left alone; anything else is stopped
            _stop(platform, app, dyno, started)
        raise
    except StillRunning:
        stopped = _stop(platform, app, dyno, started)
        raise StepFailed(
            f"'{command}' was still running when the deploy's time ran out "
            f"(deploy-timeout = {rt.budget:g}s): {stopped}"
        ) from None
    started(None)
    output, status = rules.parse_exit_status("".join(lines))
    tail = deque(output.splitlines(), maxlen=TAIL)
    if status is None:
        raise StepFailed(
            f"'{command}' ended without reporting an exit status (the dyno "
            "crashed or was stopped)" + tail_text(tail)
        )
    if status != 0:
        raise StepFailed(f"'{command}' exited with status {status}" + tail_text(tail))
    return f"'{command}' exited with status 0 ({dyno.name})"


def _stop(
    platform: HerokuPlatform,
    app: str,
    dyno: OneOffDyno,
    started: Callable[[OneOffDyno | None], None],
) -> str:
    try:
        platform.stop_dyno(app, dyno.id)
    except MvpError as exc:
        return f"dyno {dyno.name} could not be stopped ({exc.message})"
    started(None)
    return f"dyno {dyno.name} was stopped"


def check_health(
    rt: Runtime, observer: Observer, url: str, timeout: float, expect: str | None
) -> str:
    """GET `url` until healthy, backing off 0.5 s, 1 s, 2 s... within `timeout`
    (or what is left of the deploy's time, when that is shorter)."""
    limit = min(timeout, max(0.0, rt.left()))
    within = f"{timeout:g}s" if limit == timeout else f"the deploy's time ({limit:g}s)"
    deadline = rt.clock() + limit
    attempt = 0
    with rt.waiting():
        while True:
            left = max(0.05, min(10.0, deadline - rt.clock()))
            answer = rt.probe(url, left)
            ok, why = rules.health_verdict(
                answer.status, answer.body, expect, answer.error
            )
            if ok:
                return f"{url} {why} (attempt {attempt + 1})"
            delay = rules.backoff(attempt, base=0.5, cap=10.0)
            if rt.clock() + delay > deadline:
                raise StepFailed(
                    f"{url} not healthy within {within} "
                    f"({attempt + 1} attempts; last: {why})"
                )
            observer.note(f"health: {url} {why}; next try in {delay:g}s")
            rt.sleep(delay)
            attempt += 1
