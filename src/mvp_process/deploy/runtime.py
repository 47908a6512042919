"""The waiting parts of the deploy steps, under the time budget and the signals.

The steps' waits (polling until Heroku settles, streaming output, a one-off
dyno, the health check) take the `Runtime` (clock, sleep, probe, rendezvous
reader, time budget, signals) so tests run them in virtual time. Every wait
ends at the steps' deadline, and only a wait is cut short by a signal: a
request that changes something is never abandoned half-way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from mvp_process.deploy.heroku_http import Probe
from mvp_process.deploy import policy

T = TypeVar("T")
TAIL = 20


class StepFailed(Exception):
    """A step's own failure, in words for the report."""


class Superseded(Exception):
    """Nothing left to do: a newer run deploys this app (the notice is the message)."""


class Cancelled(BaseException):
    """The runner cancelled the job (a BaseException: nothing swallows it)."""


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
        self.deadline = clock() + budget - policy.reserve(budget)
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
                raise StepFailed(
                    f"gave up waiting for {what}: the deploy's time ran out "
                    f"(deploy-timeout = {rt.budget:g}s)"
                )
            pause = policy.backoff(attempt, base=0.5, cap=5.0)
            rt.sleep(min(pause, max(0.05, rt.left())))
            attempt += 1
            value = read()
    return value
