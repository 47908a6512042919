"""The fake's data API (PG Backups), as the Heroku CLI uses it (see data README)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .http import Request, Response, Router, error
from .state import App, Transfer

if TYPE_CHECKING:
    from . import FakeHeroku

ID = r"([^/]+)"


def transfer_json(app: App, transfer: Transfer, verbose: bool) -> dict[str, Any]:
    finished = transfer.finished_at is not None
    data: dict[str, Any] = {
        "uuid": transfer.uuid,
        "num": transfer.num,
        "from_name": "DATABASE",
        "from_type": "pg_dump",
        "to_name": "BACKUP",
        "to_type": "gof3r",
        "created_at": transfer.created_at,
        "started_at": transfer.created_at,
        "finished_at": transfer.finished_at,
        "succeeded": transfer.succeeded if finished else None,
        "canceled_at": None,
        "processed_bytes": 4096 if finished else 0,
        "source_bytes": 4096,
        "warnings": 0,
        "schedule": None,
        "options": {},
        "app": {"name": app.name, "id": app.id},
    }
    if verbose:
        data["logs"] = [
            {"created_at": transfer.created_at, "message": "pg_dump: dumping contents"}
        ]
        if finished and not transfer.succeeded:
            data["logs"].append(
                {
                    "created_at": transfer.finished_at,
                    "message": "pg_dump: error: connection to server lost",
                }
            )
    return data


def routes(fake: FakeHeroku) -> Router:
    world = fake.world
    r = Router()

    def capture(request: Request, addon_id: str) -> Response:
        app = next(
            (a for a in world.apps.values() if a.addon_id == addon_id and a.postgres),
            None,
        )
        if app is None:
            return error(404, "not_found", "Couldn't find that database.")
        transfer = world.new_transfer(app)
        return Response(201, transfer_json(app, transfer, False))

    r.add("POST", f"/client/v11/databases/{ID}/backups", capture)

    def get_transfer(request: Request, ident: str, uuid: str) -> Response:
        app = world.app(ident)
        transfer = world.transfers.get(uuid)
        if app is None or transfer is None or transfer.app_id != app.id:
            return error(404, "not_found", "Couldn't find that transfer.")
        world.settle_transfer(transfer)
        verbose = request.query.get("verbose") == "true"
        return Response(200, transfer_json(app, transfer, verbose))

    r.add("GET", f"/client/v11/apps/{ID}/transfers/{ID}", get_transfer)
    return r
