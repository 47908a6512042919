"""The waiting and watching parts of a deploy step, apart from the step order.

Polling until Heroku settles, streaming output, running a one-off dyno and
reading its exit status, checking health with backoff: each takes the
`Runtime` (clock, sleep, probe, rendezvous reader) so tests run them in
virtual time against the fake.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol, TypeVar

from mvp_process.deploy.heroku import HerokuPlatform
from mvp_process.deploy.heroku_http import Probe
from mvp_process.deploy.results import StepRecord
from mvp_process.errors import MvpError
from mvp_process.deploy import policy
from mvp_process.deploy.policy_retry import backoff, poll_delay

T = TypeVar("T")
TAIL = 20


class StepFailed(Exception):
    """A step's own failure, in words for the report."""


class Skipped(Exception):
    """A step that does not apply (the reason is the message)."""


class Observer(Protocol):
    """Told as steps start and finish, and given output lines as they stream."""

    def step_started(self, role: str, app: str, step: str) -> None: ...

    def step_finished(self, record: StepRecord) -> None: ...

    def output(self, line: str) -> None: ...

    def note(self, text: str) -> None: ...


@dataclass(frozen=True)
class Runtime:
    """Time and the outside world's non-Heroku parts, injectable for tests."""

    clock: Callable[[], float]
    sleep: Callable[[float], None]
    probe: Callable[[str, float], Probe]
    attach: Callable[[str], Iterator[str]]


def tail_text(lines: Iterable[str]) -> str:
    """The last lines of some output, on their own lines after a message."""
    text = "\n".join(lines)
    return ("\n" + text) if text else ""


def wait_for(
    rt: Runtime,
    read: Callable[[], T],
    done: Callable[[T], bool],
    timeout: float,
    what: str,
) -> T:
    """Poll `read` (with growing pauses) until `done`, or fail after `timeout`."""
    deadline = rt.clock() + timeout
    attempt = 0
    value = read()
    while not done(value):
        if rt.clock() > deadline:
            raise StepFailed(f"gave up waiting for {what} after {timeout:g}s")
        rt.sleep(poll_delay(attempt))
        attempt += 1
        value = read()
    return value


def stream_output(platform: HerokuPlatform, observer: Observer, url: str) -> deque[str]:
    """Show an output stream; losing it is not a failure (the status decides)."""
    tail: deque[str] = deque(maxlen=TAIL)
    try:
        for line in platform.stream(url):
            tail.append(line)
            observer.output(line)
    except MvpError as exc:
        observer.note(f"the output stream was lost ({exc}); waiting for the result")
    return tail


def run_oneoff(
    platform: HerokuPlatform, rt: Runtime, observer: Observer, app: str, command: str
) -> str:
    """Run `command` in a one-off dyno; its exit status read as the CLI does."""
    dyno = platform.start_oneoff(app, policy.with_exit_marker(command))
    lines: list[str] = []
    for line in rt.attach(dyno.attach_url):
        lines.append(line)
        if not line.startswith(policy.EXIT_MARKER):
            observer.output(line.rstrip("\n"))
    output, status = policy.parse_exit_status("".join(lines))
    tail = deque(output.splitlines(), maxlen=TAIL)
    if status is None:
        raise StepFailed(
            f"'{command}' ended without reporting an exit status (the dyno "
            "crashed or was stopped)" + tail_text(tail)
        )
    if status != 0:
        raise StepFailed(f"'{command}' exited with status {status}" + tail_text(tail))
    return f"'{command}' exited with status 0 ({dyno.name})"


def check_health(
    rt: Runtime, observer: Observer, url: str, timeout: float, expect: str | None
) -> str:
    """GET `url` until healthy, backing off 0.5 s, 1 s, 2 s... within `timeout`."""
    deadline = rt.clock() + timeout
    attempt = 0
    while True:
        left = max(0.05, min(10.0, deadline - rt.clock()))
        answer = rt.probe(url, left)
        ok, why = policy.health_verdict(
            answer.status, answer.body, expect, answer.error
        )
        if ok:
            return f"{url} {why} (attempt {attempt + 1})"
        delay = backoff(attempt, base=0.5, cap=10.0)
        if rt.clock() + delay > deadline:
            raise StepFailed(
                f"{url} not healthy within {timeout:g}s "
                f"({attempt + 1} attempts; last: {why})"
            )
        observer.note(f"health: {url} {why}; next try in {delay:g}s")
        rt.sleep(delay)
        attempt += 1
