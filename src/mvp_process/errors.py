"""The one base class for failures the user can fix.

Anything raised as an `MvpError` is shown as a single message with exit code 2
and no traceback; every other exception is a bug in mvp-process (exit code 3).
"""

from __future__ import annotations

from mvp_process.redact import redact


class MvpError(Exception):
    """An expected failure: bad usage, configuration or environment."""

    exit_code = 2

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}\n  hint: {self.hint}"
        return self.message


class ConfigError(MvpError):
    """`[tool.mvp-process]`, an environment variable or a flag is wrong."""


class GitError(MvpError):
    """The repository is not in a state the command can work with."""


class ToolMissing(MvpError):
    """A tool a gate needs is not installed where the gates run."""


class CommandError(MvpError):
    """A subprocess failed; the message carries command, exit code and output."""

    def __init__(
        self, args: tuple[str, ...], returncode: int, output: str, *, hint: str = ""
    ) -> None:
        shown = " ".join(args)
        tail = output.strip()
        if len(tail) > 4000:
            tail = "...\n" + tail[-4000:]
        message = f"command failed with exit code {returncode}: {shown}"
        if tail:
            message += "\n" + tail
        super().__init__(redact(message), hint=hint)
        self.returncode = returncode


class ApiError(MvpError):
    """A remote API (GitHub, Heroku) refused or failed after retries."""


class ReadOnlyToken(ApiError):
    """The token may read but not write (a pull request from a fork)."""
