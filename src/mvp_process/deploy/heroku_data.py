"""Heroku's data API (PG Backups), which is not in the Platform API or heroku3.

What the Heroku CLI does for `pg:backups:capture`: resolve the DATABASE_URL
attachment (Platform API, see `HerokuPlatform.database_attachment`), then
`POST /client/v11/databases/{addon_id}/backups` on the data host, which
returns a transfer; poll `GET /client/v11/apps/{app}/transfers/{uuid}` until
`finished_at` is set; success is `succeeded == true`; `?verbose=true` adds the
transfer's `logs`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mvp_process.deploy.heroku_http import HerokuSession, call
from mvp_process.deploy.policy_steps import backup_name


@dataclass(frozen=True)
class Transfer:
    uuid: str
    num: int
    finished: bool
    succeeded: bool
    logs: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return backup_name(self.num)


def _transfer(data: dict[str, Any]) -> Transfer:
    logs = tuple(
        str(entry.get("message", "")) for entry in data.get("logs") or [] if entry
    )
    return Transfer(
        uuid=str(data["uuid"]),
        num=int(data["num"]),
        finished=data.get("finished_at") is not None,
        succeeded=data.get("succeeded") is True,
        logs=logs,
    )


class PgBackups:
    """Capture a backup and watch its transfer."""

    def __init__(self, session: HerokuSession, data_api_url: str) -> None:
        self.session = session
        self.url = data_api_url.rstrip("/")

    def capture(self, addon_id: str) -> Transfer:
        url = f"{self.url}/client/v11/databases/{addon_id}/backups"
        return _transfer(
            call(self.session, "POST", url, "start a PG Backups capture", json={})
        )

    def transfer(self, app: str, uuid: str) -> Transfer:
        url = f"{self.url}/client/v11/apps/{app}/transfers/{uuid}"
        what = "read the PG Backups transfer"
        params = {"verbose": "true"}
        return _transfer(call(self.session, "GET", url, what, params=params))
