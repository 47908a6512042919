"""Pure decisions the deploy steps take on the way: health, exit status, the
release phase, whether it may release, and whether and where to go back.

The rules that keep data safe live here, apart from I/O: never release over
another deploy, roll back once and only over this deploy's own live release,
never under a migration that is still running.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from mvp_process.deploy.heroku_models import ReleaseInfo


# -- health ------------------------------------------------------------------------
def health_url(web_url: str, path: str) -> str:
    return web_url.rstrip("/") + path


def health_verdict(
    status: int | None, body: str, expect: str | None, error: str | None = None
) -> tuple[bool, str]:
    """Healthy means 200 and, when configured, the expected text in the body."""
    if error is not None:
        return False, error
    if status != 200:
        return False, f"answered {status}"
    if expect and expect not in body:
        return False, f"answered 200 without '{expect}'"
    return True, "answered 200" + (f" with '{expect}'" if expect else "")


# -- one-off dynos ---------------------------------------------------------------
# What the Heroku CLI appends to a one-off dyno's command (`heroku run`): the
# Platform API reports no exit code, so the shell echoes `$?` after a marker.
EXIT_MARKER = "\uffff heroku-command-exit-status:"
_MARKER_LINE = re.compile(rf"^{re.escape(EXIT_MARKER)} (\d+)[ \t\r]*$\n?", re.M)


def with_exit_marker(command: str) -> str:
    """The command as the Heroku CLI sends it, so its exit status can be read."""
    return f'{command}; echo "{EXIT_MARKER} $?"'


def parse_exit_status(output: str) -> tuple[str, int | None]:
    """(output without the marker line, exit status or None if the marker is absent)."""
    matches = list(_MARKER_LINE.finditer(output))
    if not matches:
        return output, None
    last = matches[-1]
    return output[: last.start()] + output[last.end() :], int(last.group(1))


# -- releases, backups, rollback ---------------------------------------------------
def release_outcome(status: str | None) -> str:
    """`pending`, `succeeded` or `failed` (Heroku's `expired` is a failure)."""
    if status in ("failed", "expired"):
        return "failed"
    return "succeeded" if status == "succeeded" else "pending"


def source_checksum(data: bytes) -> str:
    """The build API's checksum of the source tarball."""
    return "SHA256:" + hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class WayBack:
    """After a failure or a cancel: roll back to `to`, or (None) leave the app."""

    why: str
    live: ReleaseInfo | None = None
    to: ReleaseInfo | None = None
    foreign: ReleaseInfo | None = None  # released by someone else meanwhile


def way_back(
    app: str,
    releases: list[ReleaseInfo],
    before: int,
    ours: set[str],
    recorded: ReleaseInfo | None,
    migrating: str | None = None,
    enabled: bool = True,
) -> WayBack:
    """Roll back only while the live release is this deploy's own and nothing
    else was released since preflight (newest release then: v`before`), and
    never under a migration that is still running."""
    live = next((r for r in releases if r.current), None)
    newer = [r for r in releases if r.version > before]
    foreign = [r for r in newer if r.id not in ours]
    pending = [r for r in newer if r.status == "pending"]
    now = f"v{live.version} is live" if live else "no release is live"
    if foreign:
        why = f"{foreign[0].by()} was released meanwhile: nothing was rolled back"
        why += f" over it ({now})"
    elif pending:
        version = pending[0].version
        why = (
            f"the release phase of v{version} is still running: nothing was rolled "
            f"back under a running migration; {now} until it ends, then v{version} "
            "goes live if it succeeds, unchecked"
        )
    elif live is None or live.id not in ours:
        why = f"nothing this deploy released is live ({now})"
    elif migrating:
        why = f"{migrating} is still running: nothing was rolled back under a running"
        why += f" migration ({now}, released by this deploy)"
    elif recorded is None:
        why = "no earlier release was recorded: roll back by hand"
    elif not enabled:
        why = "rollback = false: not rolled back (to do it by hand: heroku rollback "
        why += f"v{recorded.version} --app {app})"
    else:
        return WayBack(f"rolling back to v{recorded.version}", live, recorded)
    return WayBack(why, live, foreign=foreign[0] if foreign else None)


def release_conflict(before: int, releases: list[ReleaseInfo]) -> str | None:
    """Why this deploy must not release now (None: it may): another release
    appeared since preflight, or one is still in its release phase."""
    newer = [r for r in releases if r.version > before]
    pending = [r for r in releases if r.status == "pending"]
    if newer:
        why = f"{newer[-1].by()} was released since preflight"
    elif pending:
        why = f"{pending[0].by()} is still in its release phase"
    else:
        return None
    return f"{why}: this deploy releases nothing over it; deploy again once done"
