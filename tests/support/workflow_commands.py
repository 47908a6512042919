"""Which lines of a step's log the GitHub Actions runner carries out as commands.

A model of actions/runner (`ActionCommand.TryParseV2` and `TryParse`,
`ActionCommandManager.TryProcessCommand`): a line whose first non-blank
characters are `::name ...::data` is a command, and so is the legacy
`##[name ...]data` *anywhere* in a line, when `name` is a registered command.
`::stop-commands::TOKEN` turns processing off until the line `::TOKEN::`.
Both standard output and standard error are read.
"""

from __future__ import annotations

REGISTERED = frozenset(
    {
        "add-mask",
        "add-matcher",
        "add-path",
        "debug",
        "echo",
        "endgroup",
        "error",
        "group",
        "notice",
        "remove-matcher",
        "save-state",
        "set-env",
        "set-output",
        "stop-commands",
        "warning",
    }
)


def _name(info: str) -> str:
    return info.split(" ", 1)[0].lower()


def parse(line: str, registered: frozenset[str]) -> tuple[str, str] | None:
    """(command, data) when the runner reads `line` as a command."""
    message = line.lstrip()
    if message.startswith("::"):
        end = message.find("::", 2)
        if end >= 0 and _name(message[2:end]) in registered:
            return _name(message[2:end]), message[end + 2 :]
    start = line.find("##[")
    if start >= 0:
        close = line.find("]", start)
        if close >= 0 and _name(line[start + 3 : close]) in registered:
            return _name(line[start + 3 : close]), line[close + 1 :]
    return None


def carried_out(log: str) -> list[tuple[str, str]]:
    """The commands the runner would carry out, in order."""
    done: list[tuple[str, str]] = []
    stopped: str | None = None
    for line in log.splitlines():
        extra = frozenset({stopped.lower()}) if stopped else frozenset()
        command = parse(line, REGISTERED | extra)
        if command is None:
            continue
        if stopped is not None:
            if command[0] == stopped.lower():
                stopped = None
            continue
        if command[0] == "stop-commands" and command[1]:
            stopped = command[1]
        done.append(command)
    return done
