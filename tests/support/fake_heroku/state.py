"""The fake Heroku's world: apps, releases, builds, slugs, dynos, backups.

Lifecycles follow the real platform: a successful build makes a slug and a
release; a release whose slug has a `release` process type runs the release
phase (pending, then succeeded / failed / expired); the current release is the
newest that succeeded; a rollback is a new release of an older one's slug and
runs no release phase. Things that take time on Heroku stay `pending` for
`pending_polls` reads (or until their output stream has been read).

Faults are plain attributes (`App.build_fails`, `App.release_phase`, ...).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import itertools
import tarfile
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

EXIT_SUFFIX = '; echo "\uffff heroku-command-exit-status: $?"'
USER = {"id": "11111111-2222-3333-4444-555555555555", "email": "deployer@example.com"}
TEAMMATE = {"id": "66666666-7777-8888-9999-000000000000", "email": "ann@example.com"}


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass
class Health:
    """What the app's web dyno answers once it runs deployed code.

    The release the app had before (the initial slug) always answers 200, so a
    rollback visibly brings the app back.
    """

    status: int = 200
    body: str | None = None
    delay: float = 0.0


@dataclass
class Command:
    """A one-off dyno command's output and exit status (None: dies silently).

    `hangs`: after its output the command runs on until the dyno is stopped
    (or its `time_to_live` ends), and then reports no exit status.
    """

    output: str = ""
    status: int | None = 0
    hangs: bool = False


@dataclass
class Slug:
    id: str
    app_id: str
    process_types: dict[str, str]
    commit: str | None
    checksum: str
    size: int
    created_at: str = field(default_factory=now)


@dataclass
class Release:
    id: str
    version: int
    slug_id: str | None
    status: str
    description: str
    phase: bool = False
    pending_polls: int = 0
    outcome: str = "succeeded"
    output: list[str] = field(default_factory=list)
    created_at: str = field(default_factory=now)
    user: dict[str, str] = field(default_factory=lambda: dict(USER))


@dataclass
class Build:
    id: str
    app_id: str
    url: str
    checksum: str | None
    version: str | None
    status: str = "pending"
    outcome: str = "succeeded"
    pending_polls: int = 0
    slug_id: str | None = None
    release_id: str | None = None
    output: list[str] = field(default_factory=list)
    created_at: str = field(default_factory=now)
    source: bytes = b""


@dataclass
class App:
    name: str
    id: str = field(default_factory=new_id)
    web_url: str = ""
    created_at: str = field(default_factory=now)
    releases: list[Release] = field(default_factory=list)
    postgres: bool = True
    postgres_as_database_url: bool = True
    addon_id: str = field(default_factory=new_id)
    pipeline: str | None = None
    stage: str = "staging"
    coupling_id: str = field(default_factory=new_id)
    health: Health = field(default_factory=Health)
    commands: dict[str, Command] = field(default_factory=dict)
    # faults
    build_fails: bool = False
    release_phase: str = "succeeded"
    backup_fails: bool = False
    promotion_fails: bool = False
    promote_stale: bool = False
    no_attach: bool = False
    # what never finishes: "backup", "build", "release-phase", "promotion"
    hangs: set[str] = field(default_factory=set)

    @property
    def addon_name(self) -> str:
        return f"postgresql-{self.name}-12345"

    def current(self) -> Release | None:
        done = [r for r in self.releases if r.status == "succeeded"]
        return done[-1] if done else None


@dataclass
class Transfer:
    uuid: str
    num: int
    app_id: str
    succeeded: bool
    pending_polls: int
    created_at: str = field(default_factory=now)
    finished_at: str | None = None


@dataclass
class Dyno:
    id: str
    name: str
    app_id: str
    command: str
    secret: str
    release_id: str | None
    release_version: int
    state: str = "starting"
    created_at: str = field(default_factory=now)
    time_to_live: int | None = None
    stopped: threading.Event = field(default_factory=threading.Event)


@dataclass
class Promotion:
    id: str
    pipeline: str
    source_app: str
    source_release: str
    status: str
    pending_polls: int
    targets: list[dict[str, object]] = field(default_factory=list)
    created_at: str = field(default_factory=now)


def process_types(tarball: bytes) -> dict[str, str]:
    """The Procfile's processes, read from the uploaded source like a buildpack."""
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as tar:
        try:
            member = tar.extractfile("Procfile")
        except KeyError:
            return {}
        text = member.read().decode() if member else ""
    found = {}
    for line in text.splitlines():
        name, sep, command = line.partition(":")
        if sep and name.strip() and command.strip():
            found[name.strip()] = command.strip()
    return found


class World:
    """All state, guarded by one lock held by the HTTP services."""

    def __init__(self, pending_polls: int = 1) -> None:
        self.pending_polls = pending_polls
        self.apps: dict[str, App] = {}
        self.slugs: dict[str, Slug] = {}
        self.builds: dict[str, Build] = {}
        self.blobs: dict[str, bytes | None] = {}
        self.dynos: dict[str, Dyno] = {}
        self.transfers: dict[str, Transfer] = {}
        self.promotions: dict[str, Promotion] = {}
        self.dyno_numbers = itertools.count(1001)

    # -- apps ------
    def add_app(self, name: str, **settings: object) -> App:
        app = App(name=name, **settings)  # type: ignore[arg-type]
        slug = Slug(new_id(), app.id, {"web": "python app.py"}, None, "SHA256:0", 0)
        self.slugs[slug.id] = slug
        app.releases.append(Release(new_id(), 1, None, "succeeded", "Initial release"))
        app.releases.append(
            Release(new_id(), 2, slug.id, "succeeded", "Deploy 0000000")
        )
        self.apps[app.name] = app
        return app

    def app(self, ident: str) -> App | None:
        for app in self.apps.values():
            if ident in (app.name, app.id):
                return app
        return None

    def release_by(self, app: App, ident: str) -> Release | None:
        for release in app.releases:
            if ident in (release.id, str(release.version)):
                return release
        return None

    # -- releases ------
    def new_release(
        self, app: App, slug_id: str, description: str, phase: bool
    ) -> Release:
        slug = self.slugs[slug_id]
        runs_phase = phase and "release" in slug.process_types
        release = Release(
            id=new_id(),
            version=app.releases[-1].version + 1,
            slug_id=slug_id,
            status="pending" if runs_phase else "succeeded",
            description=description,
            phase=runs_phase,
            pending_polls=self.pending_polls,
            outcome=app.release_phase if runs_phase else "succeeded",
        )
        if runs_phase:
            command = slug.process_types["release"]
            release.output = [f"Running release command: {command}"]
            if release.outcome == "failed":
                release.output += ["django.db.utils.ProgrammingError: boom", "exit 1"]
            elif release.outcome == "expired":
                release.output += ["(release command timed out)"]
            else:
                release.output += ["Applying migrations... OK"]
        app.releases.append(release)
        return release

    def settle_release(self, release: Release, force: bool = False) -> None:
        app = next(a for a in self.apps.values() if release in a.releases)
        if release.status != "pending" or "release-phase" in app.hangs:
            return
        release.pending_polls -= 1
        if force or release.pending_polls < 0:
            release.status = release.outcome

    # -- builds ------
    def new_build(
        self, app: App, url: str, checksum: str | None, version: str | None
    ) -> Build:
        build = Build(new_id(), app.id, url, checksum, version)
        build.pending_polls = self.pending_polls
        blob_id = url.rstrip("/").rsplit("/", 1)[-1]
        data = self.blobs.get(blob_id)
        build.output = ["-----> Building on the Heroku-24 stack"]
        if not data:
            build.outcome = "failed"
            build.output.append(" !     Could not download the source: no such blob")
        elif checksum and checksum != "SHA256:" + hashlib.sha256(data).hexdigest():
            build.outcome = "failed"
            build.output.append(" !     Checksum mismatch for the source tarball")
        elif app.build_fails:
            build.outcome = "failed"
            build.output += [
                "-----> Python app detected",
                " !     Push rejected, failed to compile Python app.",
            ]
        else:
            gzip.decompress(data)  # a real gzip tarball, or this raises
            build.source = data
            build.output += [
                "-----> Python app detected",
                "-----> Installing requirements",
                "-----> Compressing... Done: 12.3M",
                "-----> Launching...",
            ]
        self.builds[build.id] = build
        return build

    def settle_build(self, build: Build, force: bool = False) -> None:
        app = self.app(build.app_id)
        assert app is not None
        if build.status != "pending" or "build" in app.hangs:
            return
        build.pending_polls -= 1
        if not (force or build.pending_polls < 0):
            return
        build.status = build.outcome
        if build.outcome != "succeeded":
            return
        slug = Slug(
            new_id(),
            app.id,
            process_types(build.source),
            build.version,
            build.checksum or "",
            len(build.source),
        )
        self.slugs[slug.id] = slug
        build.slug_id = slug.id
        release = self.new_release(
            app, slug.id, f"Deploy {(build.version or '')[:7]}", True
        )
        build.release_id = release.id

    # -- backups ------
    def new_transfer(self, app: App) -> Transfer:
        done = sum(1 for t in self.transfers.values() if t.app_id == app.id)
        transfer = Transfer(
            uuid=new_id(),
            num=done + 1,
            app_id=app.id,
            succeeded=not app.backup_fails,
            pending_polls=self.pending_polls,
        )
        self.transfers[transfer.uuid] = transfer
        return transfer

    def settle_transfer(self, transfer: Transfer) -> None:
        app = self.app(transfer.app_id)
        if app is not None and "backup" in app.hangs:
            return
        if transfer.finished_at is None:
            transfer.pending_polls -= 1
            if transfer.pending_polls < 0:
                transfer.finished_at = now()

    # -- one-off dynos ------
    def foreign_release(self, app: App, description: str = "Deploy 9999999") -> Release:
        """A teammate's release (another workflow, a promotion from the
        dashboard): the newest slug, released again by someone else."""
        newest = app.releases[-1]
        release = Release(
            new_id(), newest.version + 1, newest.slug_id, "succeeded", description
        )
        release.user = dict(TEAMMATE)
        app.releases.append(release)
        return release

    def new_dyno(self, app: App, command: str) -> Dyno:
        current = app.current()
        dyno = Dyno(
            id=new_id(),
            name=f"run.{next(self.dyno_numbers)}",
            app_id=app.id,
            command=command,
            secret=uuid.uuid4().hex,
            release_id=current.id if current else None,
            release_version=current.version if current else 0,
        )
        self.dynos[dyno.secret] = dyno
        return dyno

    def script(self, dyno: Dyno) -> bytes:
        """What the dyno prints: the command's output, then the CLI's marker."""
        app = self.app(dyno.app_id)
        assert app is not None
        base = dyno.command.removesuffix(EXIT_SUFFIX)
        command = app.commands.get(base)
        if command is None:
            command = Command(f"bash: {base.split()[0]}: command not found\n", 127)
        text = command.output
        ends = command.status is not None and not command.hangs
        if ends and dyno.command.endswith(EXIT_SUFFIX):
            text += f"\uffff heroku-command-exit-status: {command.status}\n"
        dyno.state = "up" if command.hangs else "complete"
        return text.replace("\n", "\r\n").encode()
