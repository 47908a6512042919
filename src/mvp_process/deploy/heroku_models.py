"""What the Heroku adapter hands the deploy core: small frozen records.

Plain data the adapter reads from the Platform API's JSON (or heroku3's
models), so the core, the pure policy and the reporters never see heroku3,
requests or JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class AppInfo:
    name: str
    id: str
    web_url: str


@dataclass(frozen=True)
class ReleaseInfo:
    id: str
    version: int
    status: str
    current: bool
    slug_id: str | None = None
    output_stream_url: str | None = None
    description: str = ""
    user: str = ""  # who released it (the account's email)

    def by(self) -> str:
        """`v4 by ann@example.com ("Deploy 1a2b3c4")`, for the report."""
        what = f' ("{self.description}")' if self.description else ""
        return f"v{self.version} by {self.user or 'an unknown user'}{what}"


@dataclass(frozen=True)
class BuildInfo:
    id: str
    status: str
    output_stream_url: str
    slug_id: str | None
    release_id: str | None


@dataclass(frozen=True)
class PromotionTarget:
    status: str
    release_id: str | None
    error: str | None


@dataclass(frozen=True)
class Transfer:
    uuid: str
    name: str  # as PG Backups shows it (`b001`)
    finished: bool
    succeeded: bool
    logs: tuple[str, ...] = ()


@dataclass(frozen=True)
class OneOffDyno:
    id: str
    name: str
    attach_url: str


def backup_name(num: int) -> str:
    """The name PG Backups shows for a manual backup (`b001`)."""
    return f"b{num:03d}"


def release_info(data: dict[str, Any]) -> ReleaseInfo:
    """A release as the Platform API describes it."""
    return ReleaseInfo(
        id=data["id"],
        version=int(data["version"]),
        status=data.get("status") or "succeeded",
        current=bool(data.get("current")),
        slug_id=(data.get("slug") or {}).get("id"),
        output_stream_url=data.get("output_stream_url"),
        description=data.get("description") or "",
        user=(data.get("user") or {}).get("email") or "",
    )


def transfer_record(data: dict[str, Any]) -> Transfer:
    """A PG Backups transfer as the data API describes it."""
    logs = tuple(
        str(entry.get("message", "")) for entry in data.get("logs") or [] if entry
    )
    return Transfer(
        uuid=str(data["uuid"]),
        name=backup_name(int(data["num"])),
        finished=data.get("finished_at") is not None,
        succeeded=data.get("succeeded") is True,
        logs=logs,
    )
