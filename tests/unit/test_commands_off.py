"""Echoed text cannot command the runner: `actions.commands_off` and its model."""

from __future__ import annotations

import io

import pytest

from mvp_process import actions
from support.workflow_commands import carried_out

TALK = "::set-output name=passed::true\n  ::warning::x\nsay ##[error]y\n"


@pytest.mark.parametrize(
    ("log", "done"),
    [
        (TALK, [("set-output", "true"), ("warning", "x"), ("error", "y")]),
        ("::unknown::x\n##[nope]y\nplain :: text\n", []),
        (
            "::stop-commands::t\n::error::x\n::T::\n::error::y\n",
            [("stop-commands", "t"), ("error", "y")],
        ),
    ],
)
def test_the_runner_model(log: str, done: list[tuple[str, str]]) -> None:
    assert carried_out(log) == done


def test_commands_are_off_while_echoing_in_actions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    stream = io.StringIO()
    with pytest.raises(RuntimeError):
        with actions.commands_off(stream):
            stream.write(TALK)
            raise RuntimeError("the echo failed")
    actions.command(stream, "notice", "ours")
    lines = stream.getvalue().splitlines()
    token = lines[0].removeprefix("::stop-commands::")
    assert len(token) == 32 and lines[-2] == f"::{token}::"
    assert [c for c in carried_out(stream.getvalue()) if c[0] != "stop-commands"] == [
        ("notice", "ours")
    ]


def test_outside_actions_nothing_is_added() -> None:
    stream = io.StringIO()
    with actions.commands_off(stream):
        stream.write(TALK)
    assert stream.getvalue() == TALK
