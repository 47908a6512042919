"""The Heroku Platform API, as the deploy needs it.

heroku3 is used where it fits: account, app, release listing, builds and
their listing, slugs, releases of a slug, rollbacks and add-ons. It falls short
elsewhere, so those calls go through the same `HerokuSession` directly, each
marked "heroku3 has no ...": `/sources` (no upload URL), a single build's
status and release, a release's `status` / `output_stream_url` (heroku3's
Release model drops them), pipeline couplings and promotions, the add-on
attachment resolver, and one-off dynos (heroku3's `run_command` attaches with
its own rendezvous client, which has no CA or timeout control and no exit
status).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import requests
from heroku3.api import RateLimitExceeded
from heroku3.models.app import App

from mvp_process.deploy.heroku_http import (
    HerokuSession,
    check,
    http_error,
    unreachable,
)
from mvp_process.deploy.heroku_models import (
    AppInfo,
    BuildInfo,
    OneOffDyno,
    PromotionTarget,
    ReleaseInfo,
    build_info,
    release_info,
)
from mvp_process.errors import ApiError
from mvp_process.redact import register

T = TypeVar("T")
STREAM_TIMEOUT = (10.0, 600.0)


class HerokuPlatform:
    """Platform API calls, each turned into a small frozen dataclass."""

    def __init__(
        self,
        client: Any,
        session: HerokuSession,
        files: HerokuSession,
        api_url: str,
    ) -> None:
        self.client = client
        self.session = session
        self.files = files
        self.api_url = api_url.rstrip("/")

    # -- plumbing ----------------------------------------------------------------
    @contextmanager
    def _calling(self, what: str, app: str | None = None) -> Iterator[None]:
        """Turn heroku3's and requests' exceptions into messages a user can act on."""
        try:
            yield
        except requests.HTTPError as exc:
            if exc.response is None:  # pragma: no cover - requests always sets it
                raise ApiError(f"Heroku failed while trying to {what}") from None
            raise http_error(exc.response, what, app) from None
        except RateLimitExceeded:
            raise ApiError(
                f"Heroku's rate limit was still exceeded after retries ({what})",
                hint="wait a few minutes and run the deploy again",
            ) from None
        except requests.RequestException as exc:
            raise unreachable(exc, what) from None

    def _call(self, what: str, app: str | None, fn: Callable[[], T]) -> T:
        with self._calling(what, app):
            return fn()

    def _json(
        self, method: str, path: str, what: str, app: str | None = None, **kw: Any
    ) -> Any:
        with self._calling(what, app):
            response = self.session.request(method, self.api_url + path, **kw)
        return check(response, what, app)

    def _app(self, name: str) -> Any:
        # A heroku3 App bound to the client without fetching it (heroku3 methods
        # only need the name).
        return App.new_from_dict({"name": name}, h=self.client)

    # -- account and app -----------------------------------------------------------
    def account_email(self) -> str:
        """Proves the key works (GET /account)."""
        account = self._call("read the account", None, self.client.account)
        return str(account.email or account.id)

    def app(self, name: str) -> AppInfo:
        info = self._call(f"read app {name}", name, lambda: self.client.app(name))
        web_url = info.web_url or f"https://{info.name}.herokuapp.com/"
        return AppInfo(name=info.name, id=info.id, web_url=web_url)

    def current_release(self, app: str) -> ReleaseInfo | None:
        """The release the app runs now (what a rollback returns to)."""
        items = self._call(
            f"list the releases of {app}",
            app,
            lambda: self._app(app).releases(order_by="version", sort="desc", limit=20),
        )
        releases = [
            ReleaseInfo(
                id=r.id,
                version=int(r.version),
                status=r.status or "succeeded",
                current=bool(r.current),
                slug_id=r.slug.id if r.slug else None,
                description=r.description or "",
            )
            for r in items
        ]
        current = [r for r in releases if r.current]
        return current[0] if current else None

    def postgres_addon(self, app: str) -> str | None:
        """The name of a Heroku Postgres add-on on the app (GET only)."""
        addons = self._call(
            f"list the add-ons of {app}", app, lambda: self._app(app).addons()
        )
        for addon in addons:
            plan = getattr(addon.plan, "name", "") or ""
            if plan.startswith("heroku-postgresql"):
                return str(addon.name)
        return None

    def database_attachment(self, app: str) -> str | None:
        """The add-on id behind DATABASE_URL (heroku3 has no attachment resolver)."""
        body = {
            "app": app,
            "addon_attachment": "DATABASE_URL",
            "addon_service": "heroku-postgresql",
        }
        what = f"find the DATABASE_URL database of {app}"
        with self._calling(what, app):
            response = self.session.request(
                "POST",
                self.api_url + "/actions/addon-attachments/resolve",
                json=body,
                retry_server_errors=True,
            )
        if response.status_code == 404:
            return None
        attachments = check(response, what)
        return str(attachments[0]["addon"]["id"]) if attachments else None

    # -- source and builds -----------------------------------------------------------
    def upload_source(self, tarball: bytes) -> str:
        """POST /sources, PUT the tarball; the `get_url` a build reads it from.

        heroku3 has no `/sources`. The URLs are signed: treated as secrets.
        """
        what = "create a source upload URL"
        with self._calling(what):
            response = self.session.request(
                "POST", self.api_url + "/sources", json={}, retry_server_errors=True
            )
        blob = check(response, what)["source_blob"]
        register(blob["put_url"])
        register(blob["get_url"])
        with self._calling("upload the source tarball"):
            put = self.files.put(
                blob["put_url"], data=tarball, headers={"Content-Type": ""}
            )
        check(put, "upload the source tarball")
        return str(blob["get_url"])

    def create_build(
        self, app: str, url: str, checksum: str, version: str
    ) -> BuildInfo:
        created = self._call(
            f"start a build on {app}",
            app,
            lambda: self._app(app).create_build(
                url, checksum=checksum, version=version
            ),
        )
        return BuildInfo(
            id=created.id,
            status=created.status,
            output_stream_url=created.output_stream_url,
            slug_id=created.slug.id if created.slug else None,
            release_id=None,
        )

    def build(self, app: str, build_id: str) -> BuildInfo:
        """heroku3 has no single-build read (and its Build drops `release`)."""
        return build_info(
            self._json("GET", f"/apps/{app}/builds/{build_id}", "read the build", app)
        )

    def stream(self, url: str) -> Iterator[str]:
        """Lines of a build or release-phase output stream, as they come."""
        with self._calling("read an output stream"):
            response = self.files.get(url, stream=True, timeout=STREAM_TIMEOUT)
            if not response.ok:
                raise http_error(response, "read an output stream")
            with response:
                for line in response.iter_lines(decode_unicode=False):
                    yield line.decode("utf-8", errors="replace")

    # -- releases --------------------------------------------------------------------
    def release(self, app: str, release_id: str) -> ReleaseInfo:
        """heroku3's Release has no `output_stream_url`, so this is a direct GET."""
        path = f"/apps/{app}/releases/{release_id}"
        return release_info(self._json("GET", path, "read the release", app))

    def release_slug(self, app: str, slug_id: str) -> ReleaseInfo:
        created = self._call(
            f"release slug {slug_id} on {app}",
            app,
            lambda: self._app(app).create_release(slug_id),
        )
        return self.release(app, created.id)

    def slug_commit(self, app: str, slug_id: str) -> str | None:
        """The commit a slug was built from: the slug's `commit`, else the version
        its build was given (`source_blob.version`), else None (not known)."""
        slug = self._call(
            f"read slug {slug_id} of {app}", app, lambda: self._app(app).slug(slug_id)
        )
        if slug.commit:
            return str(slug.commit)
        builds = self._call(
            f"list the builds of {app}",
            app,
            lambda: self._app(app).builds(
                order_by="started_at", sort="desc", limit=100
            ),
        )
        for build in builds:
            if build.slug and build.slug.id == slug_id and build.source_blob:
                return str(build.source_blob.version or "") or None
        return None

    def rollback(self, app: str, release_id: str) -> ReleaseInfo:
        self._call(f"roll back {app}", app, lambda: self._app(app).rollback(release_id))
        current = self.current_release(app)
        if current is None:  # pragma: no cover - Heroku always has a current release
            raise ApiError(f"{app} has no current release after the rollback")
        return current

    # -- pipelines (heroku3 has none) -------------------------------------------
    def pipeline_of(self, app: str) -> str | None:
        what = f"read the pipeline coupling of {app}"
        with self._calling(what, app):
            response = self.session.get(f"{self.api_url}/apps/{app}/pipeline-couplings")
        if response.status_code == 404:
            return None
        return str(check(response, what, app)["pipeline"]["id"])

    def promote(
        self, pipeline: str, source_app: str, source_release: str, target_app: str
    ) -> str:
        body = {
            "pipeline": {"id": pipeline},
            "source": {"app": {"id": source_app}, "release": {"id": source_release}},
            "targets": [{"app": {"id": target_app}}],
        }
        data = self._json("POST", "/pipeline-promotions", "promote the slug", json=body)
        return str(data["id"])

    def promotion_status(self, promotion: str) -> str:
        data = self._json(
            "GET", f"/pipeline-promotions/{promotion}", "read the promotion"
        )
        return str(data["status"])

    def promotion_target(self, promotion: str, app_id: str) -> PromotionTarget:
        path = f"/pipeline-promotions/{promotion}/promotion-targets"
        for item in self._json("GET", path, "read the promotion targets"):
            if item["app"]["id"] == app_id:
                release = item.get("release") or {}
                return PromotionTarget(
                    item["status"], release.get("id"), item.get("error_message")
                )
        raise ApiError(f"the promotion {promotion} has no target app {app_id}")

    # -- one-off dynos ----------------------------------------------------------
    def start_oneoff(self, app: str, command: str) -> OneOffDyno:
        """POST /apps/{app}/dynos, attach=true (not retried on 5xx: it may have run)."""
        body = {"command": command, "attach": True, "type": "run"}
        data = self._json(
            "POST",
            f"/apps/{app}/dynos",
            f"start a one-off dyno on {app}",
            app,
            json=body,
            retry_server_errors=False,
        )
        if not data.get("attach_url"):
            raise ApiError(f"Heroku gave no attach_url for the one-off dyno on {app}")
        register(data["attach_url"])
        return OneOffDyno(name=data.get("name") or "run", attach_url=data["attach_url"])
