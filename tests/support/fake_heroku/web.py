"""Heroku's router in small: an HTTP proxy in front of one tiny web app per app.

Apps get schema-true URLs (`http://<app>.herokuapp.com/`); the tests point
`HTTP_PROXY` at this service, which answers for the app named by the Host,
so the health check makes real HTTP requests to the URL Heroku reported.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from .http import Request, Response, Router

if TYPE_CHECKING:
    from . import FakeHeroku

SUFFIX = ".herokuapp.com"


def routes(fake: FakeHeroku, stopping: threading.Event) -> Router:
    world = fake.world
    r = Router()

    def answer(request: Request, path: str) -> Response:
        host = request.host.split(":")[0]
        with fake.lock:
            app = (
                world.apps.get(host.removesuffix(SUFFIX))
                if host.endswith(SUFFIX)
                else None
            )
            if app is None:
                return Response(404, raw=b"There's nothing here, yet.")
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
