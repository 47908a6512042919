"""The fake's Platform API routes and the JSON it answers, shaped as the schema says."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, TypeVar

from .http import Request, Response, Router, error
from .state import USER, App, Build, Dyno, Promotion, Release, Slug, World, new_id

if TYPE_CHECKING:
    from . import FakeHeroku

ID = r"([^/]+)"
T = TypeVar("T")
NO_APP = {"id": "not_found", "message": "Couldn't find that app.", "resource": "app"}


# -- JSON views ------------------------------------------------------------------------
def account_json() -> dict[str, Any]:
    return {
        "allow_tracking": True,
        "beta": False,
        "created_at": "2020-01-01T00:00:00Z",
        "email": USER["email"],
        "federated": False,
        "id": USER["id"],
        "identity_provider": None,
        "last_login": "2026-01-01T00:00:00Z",
        "name": "Deployer",
        "sms_number": None,
        "suspended_at": None,
        "delinquent_at": None,
        "two_factor_authentication": True,
        "updated_at": "2026-01-01T00:00:00Z",
        "verified": True,
        "default_organization": None,
        "default_team": None,
    }


def app_json(app: App) -> dict[str, Any]:
    current = app.current()
    return {
        "acm": False,
        "archived_at": None,
        "buildpack_provided_description": "Python",
        "build_stack": {
            "id": "aaaaaaaa-0000-0000-0000-000000000024",
            "name": "heroku-24",
        },
        "created_at": app.created_at,
        "git_url": f"https://git.heroku.com/{app.name}.git",
        "id": app.id,
        "internal_routing": None,
        "maintenance": False,
        "name": app.name,
        "owner": dict(USER),
        "organization": None,
        "team": None,
        "region": {"id": "bbbbbbbb-0000-0000-0000-000000000001", "name": "us"},
        "released_at": current.created_at if current else None,
        "repo_size": None,
        "slug_size": None,
        "space": None,
        "stack": {"id": "aaaaaaaa-0000-0000-0000-000000000024", "name": "heroku-24"},
        "updated_at": app.created_at,
        "web_url": app.web_url,
    }


def release_json(fake: FakeHeroku, app: App, release: Release) -> dict[str, Any]:
    current = app.current()
    return {
        "addon_plan_names": ["heroku-postgresql:essential-0"] if app.postgres else [],
        "artifacts": [],
        "app": {"id": app.id, "name": app.name},
        "created_at": release.created_at,
        "description": release.description,
        "id": release.id,
        "updated_at": release.created_at,
        "oci_image": None,
        "slug": {"id": release.slug_id} if release.slug_id else None,
        "status": release.status,
        "user": dict(release.user),
        "version": release.version,
        "current": current is not None and current.id == release.id,
        "output_stream_url": (
            f"{fake.files.url}/streams/releases/{release.id}" if release.phase else None
        ),
        "eligible_for_rollback": release.status == "succeeded",
    }


def build_json(fake: FakeHeroku, build: Build) -> dict[str, Any]:
    return {
        "app": {"id": build.app_id},
        "buildpacks": None,
        "created_at": build.created_at,
        "id": build.id,
        "output_stream_url": f"{fake.files.url}/streams/builds/{build.id}",
        "source_blob": {
            "checksum": build.checksum,
            "url": build.url,
            "version": build.version,
            "version_description": None,
        },
        "release": {"id": build.release_id} if build.release_id else None,
        "slug": {"id": build.slug_id} if build.slug_id else None,
        "stack": "heroku-24",
        "status": build.status,
        "updated_at": build.created_at,
        "user": dict(USER),
    }


def slug_json(slug: Slug) -> dict[str, Any]:
    return {
        "blob": {
            "method": "GET",
            "url": f"https://example.invalid/slugs/{slug.id}.tgz",
        },
        "buildpack_provided_description": "Python",
        "checksum": slug.checksum,
        "commit": slug.commit,
        "commit_description": None,
        "created_at": slug.created_at,
        "id": slug.id,
        "process_types": slug.process_types,
        "size": slug.size,
        "stack": {"id": "aaaaaaaa-0000-0000-0000-000000000024", "name": "heroku-24"},
        "updated_at": slug.created_at,
    }


def dyno_json(fake: FakeHeroku, app: App, dyno: Dyno) -> dict[str, Any]:
    return {
        "attach_url": f"rendezvous://127.0.0.1:{fake.rendezvous.port}/{dyno.secret}",
        "command": dyno.command,
        "created_at": dyno.created_at,
        "id": dyno.id,
        "name": dyno.name,
        "release": {"id": dyno.release_id, "version": dyno.release_version},
        "app": {"id": app.id, "name": app.name},
        "size": "Standard-1X",
        "state": dyno.state,
        "type": "run",
        "updated_at": dyno.created_at,
    }


def addon_json(app: App) -> dict[str, Any]:
    return {
        "actions": [],
        "addon_service": {
            "id": "cccccccc-0000-0000-0000-000000000001",
            "name": "heroku-postgresql",
        },
        "billing_entity": {"id": app.id, "name": app.name, "type": "app"},
        "app": {"id": app.id, "name": app.name},
        "billed_price": {
            "cents": 500,
            "contract": False,
            "metered": False,
            "unit": "month",
        },
        "config_vars": [
            (
                "DATABASE_URL"
                if app.postgres_as_database_url
                else "HEROKU_POSTGRESQL_RED_URL"
            )
        ],
        "created_at": app.created_at,
        "id": app.addon_id,
        "name": app.addon_name,
        "plan": {
            "id": "dddddddd-0000-0000-0000-000000000001",
            "name": "heroku-postgresql:essential-0",
        },
        "provider_id": "resource12345@heroku.com",
        "state": "provisioned",
        "updated_at": app.created_at,
        "web_url": None,
    }


def logging_addon_json(app: App) -> dict[str, Any]:
    data = addon_json(app)
    data.update(
        addon_service={
            "id": "cccccccc-0000-0000-0000-000000000002",
            "name": "papertrail",
        },
        config_vars=["PAPERTRAIL_API_TOKEN"],
        id="eeeeeeee-0000-0000-0000-000000000002",
        name=f"papertrail-{app.name}",
        plan={
            "id": "dddddddd-0000-0000-0000-000000000002",
            "name": "papertrail:choklad",
        },
    )
    return data


def attachment_json(app: App) -> dict[str, Any]:
    return {
        "addon": {
            "id": app.addon_id,
            "name": app.addon_name,
            "app": {"id": app.id, "name": app.name},
        },
        "app": {"id": app.id, "name": app.name},
        "created_at": app.created_at,
        "id": new_id(),
        "name": "DATABASE",
        "namespace": None,
        "updated_at": app.created_at,
        "web_url": None,
        "log_input_url": None,
    }


def promotion_json(promotion: Promotion) -> dict[str, Any]:
    return {
        "created_at": promotion.created_at,
        "id": promotion.id,
        "pipeline": {"id": promotion.pipeline},
        "source": {
            "app": {"id": promotion.source_app},
            "release": {"id": promotion.source_release},
        },
        "status": promotion.status,
        "updated_at": promotion.created_at,
    }


# -- routes ------
def ranged(request: Request, items: list[T]) -> tuple[list[T], int]:
    """A list as the `Range` header asks (items in creation order; `order=desc`
    reverses, `max=` limits, 206 when more are left)."""
    order, limit = "asc", 200
    match = re.match(r"^\s*(\w+) \.\.;?(.*)$", request.header("Range"))
    if match:
        for option in re.split(r"[,;]", match.group(2)):
            key, _, value = option.strip().partition("=")
            if key == "order":
                order = value
            elif key == "max" and value:
                limit = int(value)
    if order == "desc":
        items = items[::-1]
    return items[:limit], 206 if len(items) > limit else 200


def routes(fake: FakeHeroku) -> Router:
    world: World = fake.world
    r = Router()

    def with_app(handler: Any) -> Any:
        def wrapped(request: Request, ident: str, *rest: str) -> Response:
            app = world.app(ident)
            if app is None:
                return Response(404, dict(NO_APP))
            return handler(request, app, *rest)

        return wrapped

    r.add("GET", "/account", lambda q: Response(200, account_json()))
    r.add("GET", "/account/rate-limits", lambda q: Response(200, {"remaining": 4500}))
    r.add("GET", f"/apps/{ID}", with_app(lambda q, app: Response(200, app_json(app))))
    r.add(
        "GET",
        f"/apps/{ID}/addons",
        with_app(
            lambda q, app: Response(
                200,
                [logging_addon_json(app)] + ([addon_json(app)] if app.postgres else []),
            )
        ),
    )

    def resolve(request: Request) -> Response:
        body = request.json()
        app = world.app(body.get("app", ""))
        wanted = body.get("addon_attachment")
        if (
            app is None
            or not app.postgres
            or not app.postgres_as_database_url
            or wanted not in ("DATABASE_URL", "DATABASE")
        ):
            return error(404, "not_found", "Couldn't find that add on attachment.")
        return Response(200, [attachment_json(app)])

    r.add("POST", "/actions/addon-attachments/resolve", resolve)

    def list_releases(request: Request, app: App) -> Response:
        items, status = ranged(request, list(app.releases))
        return Response(status, [release_json(fake, app, x) for x in items])

    r.add("GET", f"/apps/{ID}/releases", with_app(list_releases))

    def list_builds(request: Request, app: App) -> Response:
        mine = [b for b in world.builds.values() if b.app_id == app.id]
        items, status = ranged(request, mine)
        return Response(status, [build_json(fake, b) for b in items])

    r.add("GET", f"/apps/{ID}/builds", with_app(list_builds))

    def get_release(request: Request, app: App, ident: str) -> Response:
        release = world.release_by(app, ident)
        if release is None:
            return error(404, "not_found", "Couldn't find that release.")
        world.settle_release(release)
        return Response(200, release_json(fake, app, release))

    r.add("GET", f"/apps/{ID}/releases/{ID}", with_app(get_release))

    def create_release(request: Request, app: App) -> Response:
        body = request.json()
        if "release" in body:
            old = world.release_by(app, str(body["release"]))
            if old is None or old.slug_id is None:
                return error(404, "not_found", "Couldn't find that release.")
            release = world.new_release(
                app, old.slug_id, f"Rollback to v{old.version}", False
            )
            return Response(201, release_json(fake, app, release))
        slug_id = body.get("slug")
        if slug_id not in world.slugs:
            return error(404, "not_found", "Couldn't find that slug.")
        release = world.new_release(
            app, slug_id, body.get("description") or "Release of a slug", True
        )
        return Response(201, release_json(fake, app, release))

    r.add("POST", f"/apps/{ID}/releases", with_app(create_release))

    def get_slug(request: Request, app: App, ident: str) -> Response:
        slug = world.slugs.get(ident)
        if slug is None:
            return error(404, "not_found", "Couldn't find that slug.")
        return Response(200, slug_json(slug))

    r.add("GET", f"/apps/{ID}/slugs/{ID}", with_app(get_slug))

    def create_source(request: Request) -> Response:
        blob = new_id()
        world.blobs[blob] = None
        base = f"{fake.files.url}/blobs/{blob}"
        return Response(
            201,
            {
                "source_blob": {
                    "get_url": f"{base}?sig=get-{blob[:8]}",
                    "put_url": f"{base}?sig=put-{blob[:8]}",
                }
            },
        )

    r.add("POST", "/sources", create_source)

    def create_build(request: Request, app: App) -> Response:
        body = request.json()
        source = body.get("source_blob") or {}
        if not source.get("url"):
            return error(422, "invalid_params", "source_blob.url is required")
        url = source["url"].split("?", 1)[0]
        build = world.new_build(app, url, source.get("checksum"), source.get("version"))
        build.url = source["url"]
        return Response(201, build_json(fake, build))

    r.add("POST", f"/apps/{ID}/builds", with_app(create_build))

    def get_build(request: Request, app: App, ident: str) -> Response:
        build = world.builds.get(ident)
        if build is None or build.app_id != app.id:
            return error(404, "not_found", "Couldn't find that build.")
        world.settle_build(build)
        return Response(200, build_json(fake, build))

    r.add("GET", f"/apps/{ID}/builds/{ID}", with_app(get_build))

    def cancel_build(request: Request, app: App, ident: str) -> Response:
        build = world.builds.get(ident)
        if build is None or build.app_id != app.id:
            return error(404, "not_found", "Couldn't find that build.")
        if build.status == "pending":
            build.status = build.outcome = "failed"
            build.output.append(" !     Build canceled")
        return Response(200, build_json(fake, build))

    r.add("DELETE", f"/apps/{ID}/builds/{ID}", with_app(cancel_build))

    def coupling(request: Request, app: App) -> Response:
        if app.pipeline is None:
            return error(404, "not_found", "Couldn't find that pipeline coupling.")
        return Response(
            200,
            {
                "app": {"id": app.id},
                "created_at": app.created_at,
                "id": app.coupling_id,
                "pipeline": {"id": app.pipeline},
                "stage": app.stage,
                "updated_at": app.created_at,
            },
        )

    r.add("GET", f"/apps/{ID}/pipeline-couplings", with_app(coupling))

    def promote(request: Request) -> Response:
        body = request.json()
        pipeline = body["pipeline"]["id"]
        source = world.app(body["source"]["app"]["id"])
        if source is None or source.pipeline != pipeline:
            return error(
                422, "invalid_params", "The source app is not in the pipeline."
            )
        wanted = (body["source"].get("release") or {}).get("id")
        release = world.release_by(source, wanted) if wanted else source.current()
        if release is None or release.slug_id is None:
            return error(422, "invalid_params", "The source release has no slug.")
        promotion = Promotion(
            new_id(), pipeline, source.id, release.id, "pending", world.pending_polls
        )
        for item in body["targets"]:
            target = world.app(item["app"]["id"])
            if target is None or target.pipeline != pipeline:
                return error(
                    422, "invalid_params", "A target app is not in the pipeline."
                )
            entry: dict[str, object] = {
                "app": {"id": target.id},
                "error_message": None,
                "id": new_id(),
                "pipeline_promotion": {"id": promotion.id},
                "release": None,
                "status": "succeeded",
            }
            if target.promotion_fails:
                entry.update(
                    status="failed",
                    error_message="Promotion failed: the target app is locked.",
                )
            else:
                slug_id = release.slug_id
                if target.promote_stale:  # promotes what ran before, not what was asked
                    slug_id = source.releases[1].slug_id or slug_id
                made = world.new_release(
                    target,
                    slug_id,
                    f"Promote {source.name} v{release.version}",
                    True,
                )
                entry["release"] = {"id": made.id}
            promotion.targets.append(entry)
        world.promotions[promotion.id] = promotion
        return Response(201, promotion_json(promotion))

    r.add("POST", "/pipeline-promotions", promote)

    def get_promotion(request: Request, ident: str) -> Response:
        promotion = world.promotions.get(ident)
        if promotion is None:
            return error(404, "not_found", "Couldn't find that promotion.")
        ids = [str(t["app"]["id"]) for t in promotion.targets]  # type: ignore[index]
        hangs = any("promotion" in (world.app(i) or App("")).hangs for i in ids)
        promotion.pending_polls -= 0 if hangs else 1
        if promotion.pending_polls < 0:
            promotion.status = "completed"
        return Response(200, promotion_json(promotion))

    r.add("GET", f"/pipeline-promotions/{ID}", get_promotion)

    def promotion_targets(request: Request, ident: str) -> Response:
        promotion = world.promotions.get(ident)
        if promotion is None:
            return error(404, "not_found", "Couldn't find that promotion.")
        return Response(200, list(promotion.targets))

    r.add("GET", f"/pipeline-promotions/{ID}/promotion-targets", promotion_targets)

    def run_dyno(request: Request, app: App) -> Response:
        body = request.json()
        if not body.get("command"):
            return error(422, "invalid_params", "command is required")
        dyno = world.new_dyno(app, body["command"])
        dyno.time_to_live = body.get("time_to_live")
        data = dyno_json(fake, app, dyno)
        if app.no_attach:
            data["attach_url"] = None
        return Response(201, data)

    r.add("POST", f"/apps/{ID}/dynos", with_app(run_dyno))

    def stop_dyno(request: Request, app: App, ident: str) -> Response:
        dyno = next(
            (
                d
                for d in world.dynos.values()
                if d.app_id == app.id and ident in (d.id, d.name)
            ),
            None,
        )
        if dyno is None:
            return error(404, "not_found", "Couldn't find that dyno.")
        dyno.state = "down"
        dyno.stopped.set()
        return Response(202, {})

    r.add("POST", f"/apps/{ID}/dynos/{ID}/actions/stop", with_app(stop_dyno))
    return r
