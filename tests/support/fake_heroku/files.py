"""The fake's keyless hosts: the source blob store (S3-like) and output streams."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from .http import Request, Response, Router

if TYPE_CHECKING:
    from . import FakeHeroku

ID = r"([^/]+)"


def _lines(lines: list[str]) -> Iterator[bytes]:
    for line in lines:
        yield (line + "\n").encode()


def routes(fake: FakeHeroku) -> Router:
    world = fake.world
    r = Router()

    def put_blob(request: Request, blob: str) -> Response:
        if blob not in world.blobs or not request.query.get("sig", "").startswith(
            "put-"
        ):
            return Response(
                403,
                raw=b"<Error><Code>SignatureDoesNotMatch</Code></Error>",
                headers={"Content-Type": "application/xml"},
            )
        world.blobs[blob] = request.body
        return Response(200, raw=b"")

    def get_blob(request: Request, blob: str) -> Response:
        data = world.blobs.get(blob)
        if data is None:
            return Response(404, raw=b"<Error><Code>NoSuchKey</Code></Error>")
        return Response(
            200, raw=data, headers={"Content-Type": "application/octet-stream"}
        )

    def build_stream(request: Request, ident: str) -> Response:
        build = world.builds.get(ident)
        if build is None:
            return Response(404, raw=b"no such stream")
        world.settle_build(build, force=True)
        return Response(200, chunks=_lines(build.output))

    def release_stream(request: Request, ident: str) -> Response:
        for app in world.apps.values():
            release = world.release_by(app, ident)
            if release is not None:
                world.settle_release(release, force=True)
                return Response(200, chunks=_lines(release.output))
        return Response(404, raw=b"no such stream")

    r.add("PUT", f"/blobs/{ID}", put_blob)
    r.add("GET", f"/blobs/{ID}", get_blob)
    r.add("GET", f"/streams/builds/{ID}", build_stream)
    r.add("GET", f"/streams/releases/{ID}", release_stream)
    return r
