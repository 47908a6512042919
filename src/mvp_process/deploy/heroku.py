"""The Heroku Platform API, as the deploy needs it.

heroku3 is used where it fits: account, app, add-ons, builds and their list,
slugs. The rest goes through the same `HerokuSession` directly, each saying
why: `/sources`, a single build (and cancelling it), releases (heroku3's
Release drops `status`, `user` and `output_stream_url`, and it reads every
new release back with a second call), pipeline couplings and promotions, the
add-on attachment resolver, and one-off dynos (heroku3 attaches with its own
rendezvous client: no CA, no timeout, no exit status) and stopping them.

PG Backups is on the data API (not in the Platform API or heroku3); as the
Heroku CLI's `pg:backups:capture`: resolve the DATABASE_URL attachment, then
`POST /client/v11/databases/{addon_id}/backups` on the data host, which
returns a transfer; poll `GET /client/v11/apps/{app}/transfers/{uuid}` until
`finished_at` is set; success is `succeeded == true`; `?verbose=true` adds the
transfer's `logs`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import requests
from heroku3.api import RateLimitExceeded
from heroku3.models.app import App

from mvp_process.deploy.heroku_http import HerokuSession, check, http_error
from mvp_process.deploy.heroku_models import (
    AppInfo,
    BuildInfo,
    OneOffDyno,
    PromotionTarget,
    ReleaseInfo,
    Transfer,
    release_info,
    transfer_record,
)
from mvp_process.errors import ApiError
from mvp_process.redact import register

RECENT = 20  # releases read back: enough to see what happened during a deploy


@dataclass(frozen=True)
class HerokuPlatform:
    """Platform API calls, each turned into a small frozen dataclass."""

    client: Any  # heroku3's, on `session`
    session: HerokuSession
    files: HerokuSession
    api_url: str  # the URLs come without a trailing slash (config strips it)
    data_api_url: str

    # -- plumbing ----------------------------------------------------------------
    @contextmanager
    def _calling(self, what: str, app: str | None = None) -> Iterator[None]:
        """Turn heroku3's and requests' exceptions into messages a user can act on."""
        try:
            yield
        except requests.HTTPError as exc:  # raise_for_status: it has a response
            raise http_error(exc.response, what, app) from None
        except RateLimitExceeded:
            raise ApiError(
                f"Heroku's rate limit was still exceeded after retries ({what})",
                hint="wait a few minutes and run the deploy again",
            ) from None
        except requests.RequestException as exc:  # named without its request's headers
            kind = "timed out" if isinstance(exc, requests.Timeout) else "failed"
            raise ApiError(
                f"the request to {what} {kind}: {type(exc).__name__}"
            ) from None

    def _json(
        self,
        method: str,
        path: str,
        what: str,
        app: str | None = None,
        missing_ok: bool = False,
        base: str | None = None,
        **kw: Any,
    ) -> Any:
        """One request's JSON (None for a 404 that may be), or the error to act on."""
        with self._calling(what, app):
            response = self.session.request(method, (base or self.api_url) + path, **kw)
        if response.status_code == 404 and missing_ok:
            return None
        return check(response, what, app)

    def _app(self, name: str) -> Any:
        # A heroku3 App bound to the client without fetching it (heroku3 methods
        # only need the name).
        return App.new_from_dict({"name": name}, h=self.client)

    # -- account and app -----------------------------------------------------------
    def check_key(self) -> None:
        """Proves the key works (GET /account)."""
        with self._calling("read the account"):
            self.client.account()

    def app(self, name: str) -> AppInfo:
        with self._calling(f"read app {name}", name):
            info = self.client.app(name)
        web_url = info.web_url or f"https://{info.name}.herokuapp.com/"
        return AppInfo(name=info.name, id=info.id, web_url=web_url)

    def releases(self, app: str) -> list[ReleaseInfo]:
        """The newest releases, newest first (heroku3's Release drops `status`,
        `user` and `output_stream_url`)."""
        path, what = f"/apps/{app}/releases", f"list the releases of {app}"
        headers = {"Range": f"version ..; order=desc, max={RECENT}"}
        items = self._json("GET", path, what, app, headers=headers)
        return [release_info(item) for item in items]

    def postgres_addon(self, app: str) -> str | None:
        """The name of a Heroku Postgres add-on on the app (GET only)."""
        with self._calling(f"list the add-ons of {app}", app):
            addons = self._app(app).addons()
        for addon in addons:
            if (getattr(addon.plan, "name", "") or "").startswith("heroku-postgresql"):
                return str(addon.name)
        return None

    def database_attachment(self, app: str) -> str | None:
        """The add-on id behind DATABASE_URL (heroku3 has no attachment resolver)."""
        body = {
            "app": app,
            "addon_attachment": "DATABASE_URL",
            "addon_service": "heroku-postgresql",
        }
        path = "/actions/addon-attachments/resolve"
        what = f"find the DATABASE_URL database of {app}"
        found = self._json("POST", path, what, json=body, missing_ok=True)
        return str(found[0]["addon"]["id"]) if found else None

    # -- source and builds -----------------------------------------------------------
    def upload_source(self, tarball: bytes) -> str:
        """POST /sources, PUT the tarball; the `get_url` a build reads it from.

        heroku3 has no `/sources`. The URLs are signed: treated as secrets.
        """
        blob = self._json("POST", "/sources", "create a source upload URL", json={})
        urls = blob["source_blob"]
        register(urls["put_url"])
        register(urls["get_url"])
        with self._calling("upload the source tarball"):
            put = self.files.put(
                urls["put_url"], data=tarball, headers={"Content-Type": ""}
            )
        check(put, "upload the source tarball")
        return str(urls["get_url"])

    def create_build(
        self, app: str, url: str, checksum: str, version: str
    ) -> BuildInfo:
        with self._calling(f"start a build on {app}", app):
            created = self._app(app).create_build(
                url, checksum=checksum, version=version
            )
        return BuildInfo(
            id=created.id,
            status=created.status,
            output_stream_url=created.output_stream_url,
            slug_id=created.slug.id if created.slug else None,
            release_id=None,
        )

    def build(self, app: str, build_id: str, cancel: bool = False) -> BuildInfo:
        """Read (or cancel) one build: heroku3 has neither (and drops `release`)."""
        method, what = ("DELETE", "cancel") if cancel else ("GET", "read")
        path = f"/apps/{app}/builds/{build_id}"
        data = self._json(method, path, f"{what} the build", app)
        return BuildInfo(
            id=data["id"],
            status=data["status"],
            output_stream_url=data["output_stream_url"],
            slug_id=(data.get("slug") or {}).get("id"),
            release_id=(data.get("release") or {}).get("id"),
        )

    def stream(self, url: str, timeout: float) -> Iterator[str]:
        """Lines of a build or release-phase output stream, as they come."""
        with self._calling("read an output stream"):
            response = self.files.get(url, stream=True, timeout=(10.0, timeout))
            if not response.ok:
                raise http_error(response, "read an output stream")
            with response:
                for line in response.iter_lines(decode_unicode=False):
                    yield line.decode("utf-8", errors="replace")

    # -- releases --------------------------------------------------------------------
    def release(self, app: str, release_id: str) -> ReleaseInfo:
        path = f"/apps/{app}/releases/{release_id}"
        return release_info(self._json("GET", path, "read the release", app))

    def release_slug(self, app: str, slug_id: str) -> ReleaseInfo:
        """A release of a slug (heroku3's reads it back with a second call)."""
        path, what = f"/apps/{app}/releases", f"release slug {slug_id} on {app}"
        return release_info(self._json("POST", path, what, app, json={"slug": slug_id}))

    def slug_commit(self, app: str, slug_id: str) -> str | None:
        """The commit a slug was built from: the slug's `commit`, else the version
        its build was given (`source_blob.version`), else None (not known)."""
        with self._calling(f"read slug {slug_id} of {app}", app):
            slug = self._app(app).slug(slug_id)
        if slug.commit:
            return str(slug.commit)
        with self._calling(f"list the builds of {app}", app):
            builds = self._app(app).builds(
                order_by="started_at", sort="desc", limit=100
            )
        for build in builds:
            if build.slug and build.slug.id == slug_id and build.source_blob:
                return str(build.source_blob.version or "") or None
        return None

    def rollback(self, app: str, release_id: str) -> ReleaseInfo:
        """The rollback's own release (heroku3's lists every release to find it)."""
        path, what = f"/apps/{app}/releases", f"roll back {app}"
        return release_info(
            self._json("POST", path, what, app, json={"release": release_id})
        )

    # -- pipelines (heroku3 has none) -------------------------------------------
    def pipeline_of(self, app: str) -> str | None:
        path = f"/apps/{app}/pipeline-couplings"
        what = f"read the pipeline coupling of {app}"
        found = self._json("GET", path, what, app, missing_ok=True)
        return str(found["pipeline"]["id"]) if found else None

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
        path = f"/pipeline-promotions/{promotion}"
        return str(self._json("GET", path, "read the promotion")["status"])

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
    def start_oneoff(self, app: str, command: str, seconds: float) -> OneOffDyno:
        """POST /apps/{app}/dynos, attached; Heroku stops it after `seconds`
        (`time_to_live`) even if nobody is left to stop it."""
        body = {
            "command": command,
            "attach": True,
            "type": "run",
            "time_to_live": max(1, int(seconds)),
        }
        what = f"start a one-off dyno on {app}"
        data = self._json("POST", f"/apps/{app}/dynos", what, app, json=body)
        if not data.get("attach_url"):
            raise ApiError(f"Heroku gave no attach_url for the one-off dyno on {app}")
        register(data["attach_url"])
        return OneOffDyno(data["id"], data.get("name") or "run", data["attach_url"])

    def stop_dyno(self, app: str, dyno: str) -> None:
        path = f"/apps/{app}/dynos/{dyno}/actions/stop"
        self._json("POST", path, f"stop dyno {dyno}", app)

    # -- PG Backups (the data API) ------------------------------------------------
    def capture_backup(self, addon_id: str) -> Transfer:
        path = f"/client/v11/databases/{addon_id}/backups"
        what = "start a PG Backups capture"
        return transfer_record(
            self._json("POST", path, what, base=self.data_api_url, json={})
        )

    def transfer(self, app: str, uuid: str) -> Transfer:
        path = f"/client/v11/apps/{app}/transfers/{uuid}"
        what, params = "read the PG Backups transfer", {"verbose": "true"}
        return transfer_record(
            self._json("GET", path, what, base=self.data_api_url, params=params)
        )
