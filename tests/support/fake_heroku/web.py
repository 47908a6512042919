"""A small real web app per Heroku app: what the health check talks to."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from .http import Request, Response, Router

if TYPE_CHECKING:
    from . import FakeHeroku
    from .state import App


def routes(fake: FakeHeroku, app: App, stopping: threading.Event) -> Router:
    world = fake.world
    r = Router()

    def answer(request: Request, path: str) -> Response:
        with fake.lock:
            current = app.current()
            slug = world.slugs.get(current.slug_id or "") if current else None
            deployed = slug is not None and slug.commit is not None
            version = current.version if current else 0
            health = app.health
        if not deployed:
            return Response(200, raw=f"OK {app.name} v{version}".encode())
        if health.delay:
            stopping.wait(health.delay)
        body = health.body if health.body is not None else f"OK {app.name} v{version}"
        return Response(health.status, raw=body.encode())

    for method in ("GET", "HEAD"):
        r.add(method, "(/.*)", answer)
    return r
