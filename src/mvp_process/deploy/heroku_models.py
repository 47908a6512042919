"""What the Heroku adapter hands the deploy core: small frozen records.

Plain data the adapter reads from the Platform API's JSON (or heroku3's
models), so the core, the pure policy and the reporters never see heroku3,
requests or JSON.
"""

from __future__ import annotations

from dataclasses import dataclass


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
