"""The Heroku adapters on their own: real heroku3/requests against the fake."""

from __future__ import annotations

import socket
import socketserver
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from mvp_process.deploy import rendezvous
from mvp_process.deploy.heroku import HerokuPlatform
from mvp_process.deploy.heroku_http import (
    HerokuSession,
    KeyAuth,
    error_message,
    probe,
)
from mvp_process.deploy.command import build_platform
from mvp_process.config import load_config
from mvp_process.errors import ApiError
from support.deploy_env import API_KEY, STAGING
from support.fake_heroku import FakeHeroku, TlsFiles


@pytest.fixture
def platform(fake: FakeHeroku, tmp_path: Path) -> HerokuPlatform:
    env = {
        "HEROKU_API_KEY": API_KEY,
        "HEROKU_API_URL": fake.platform.url,
        "HEROKU_DATA_API_URL": fake.data.url,
    }
    return build_platform(load_config(tmp_path, env), lambda _: None)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_reprs_never_show_the_key(fake: FakeHeroku) -> None:
    session = HerokuSession(API_KEY, [fake.platform.url], sleep=lambda _: None)
    assert API_KEY not in repr(session)
    assert API_KEY not in repr(KeyAuth(API_KEY, [fake.platform.url]))
    assert fake.platform.url.lower() in repr(session)


def test_the_key_goes_only_to_heroku_origins(fake: FakeHeroku) -> None:
    session = HerokuSession(API_KEY, [fake.platform.url], sleep=lambda _: None)
    session.get(fake.files.url + "/blobs/none", timeout=5)
    session.get(fake.platform.url + "/account", timeout=5)
    assert fake.files_auth_seen == []
    assert fake.requests("GET", "/account")[0].status == 200


def test_error_messages_from_any_body(fake: FakeHeroku) -> None:
    xml = requests.put(fake.files.url + "/blobs/x?sig=bad", data=b"", timeout=5)
    assert error_message(xml) == "Forbidden"
    fake.fail("GET", "/account", 418, payload={"id": "teapot"})
    session = HerokuSession(API_KEY, [fake.platform.url], sleep=lambda _: None)
    bare = session.get(fake.platform.url + "/account")
    assert error_message(bare) == "I'm a Teapot"
    empty = requests.Response()
    empty.status_code, empty._content = 500, b""
    assert error_message(empty) == "no details"


def test_a_missing_stream_is_an_api_error(
    platform: HerokuPlatform, fake: FakeHeroku
) -> None:
    with pytest.raises(ApiError, match="404 while trying to read an output stream"):
        list(platform.stream(fake.files.url + "/streams/builds/nope", 5.0))


def test_a_promotion_without_the_target_app(
    platform: HerokuPlatform, fake: FakeHeroku
) -> None:
    staging = fake.world.apps[STAGING]
    promotion = platform.promote(
        staging.pipeline or "", staging.id, staging.releases[1].id, staging.id
    )
    with pytest.raises(ApiError, match="has no target app other-app"):
        platform.promotion_target(promotion, "other-app")


def test_postgres_addon_is_found_among_others(
    platform: HerokuPlatform, fake: FakeHeroku
) -> None:
    assert platform.postgres_addon(STAGING) == fake.world.apps[STAGING].addon_name
    fake.world.apps[STAGING].postgres = False
    assert platform.postgres_addon(STAGING) is None


def test_an_unreachable_data_api(fake: FakeHeroku) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    session = HerokuSession(API_KEY, [url], sleep=lambda _: None)
    backups = HerokuPlatform(None, session, session, url, url)
    with pytest.raises(ApiError, match="start a PG Backups capture failed"):
        backups.capture_backup("addon")
    with pytest.raises(ApiError, match="read the PG Backups transfer failed"):
        backups.transfer("app", "uuid")


def test_probe_without_a_server() -> None:
    session = HerokuSession(None, sleep=lambda _: None)
    answer = probe(session, f"http://127.0.0.1:{closed_port()}/", 1.0)
    assert answer.status is None
    assert answer.error == "could not connect (ConnectionError)"


# -- rendezvous -----------------------------------------------------------------------
class _Script(socketserver.BaseRequestHandler):
    payload = b""

    def handle(self) -> None:
        with self.server.context.wrap_socket(  # type: ignore[attr-defined]
            self.request, server_side=True
        ) as conn:
            conn.recv(1024)
            for part in self.payload.split(b"|"):
                if part == b"WAIT":  # a dyno that runs on
                    self.server.done.wait(10)  # type: ignore[attr-defined]
                else:
                    conn.sendall(part)


@pytest.fixture
def scripted(tls: TlsFiles) -> Iterator[type[_Script]]:
    class Handler(_Script):
        pass

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tls.cert, tls.key)
    server.context = context  # type: ignore[attr-defined]
    server.done = threading.Event()  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    Handler.port = server.server_address[1]  # type: ignore[attr-defined]
    yield Handler
    server.done.set()  # type: ignore[attr-defined]
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    ("payload", "lines"),
    [
        (b"rendezvous\r\nhello\r\nworld", ["hello\n", "world"]),
        (b"rende|zvous\r\n|a\n", ["a\n"]),
        (b"no greeting at all\nb\n", ["no greeting at all\n", "b\n"]),
        (b"rendezvous", []),
        (b"", []),
    ],
)
def test_rendezvous_output(
    scripted: type[_Script], tls: TlsFiles, payload: bytes, lines: list[str]
) -> None:
    scripted.payload = payload
    url = f"rendezvous://127.0.0.1:{scripted.port}/s3cret"  # type: ignore[attr-defined]
    assert list(rendezvous.attach(url, 10, ca_file=str(tls.ca))) == lines


@pytest.mark.parametrize("seconds", [0.5, 0.0])
def test_rendezvous_gives_up_on_a_dyno_that_runs_on(
    scripted: type[_Script], tls: TlsFiles, seconds: float
) -> None:
    scripted.payload = b"rendezvous\r\nmigrating\n|WAIT|never read\n"
    url = f"rendezvous://127.0.0.1:{scripted.port}/s3cret"  # type: ignore[attr-defined]
    lines = []
    with pytest.raises(rendezvous.StillRunning):
        for line in rendezvous.attach(url, seconds, ca_file=str(tls.ca)):
            lines.append(line)
    assert lines == (["migrating\n"] if seconds else [])


def test_rendezvous_refuses_other_urls() -> None:
    with pytest.raises(ApiError, match="not a rendezvous:// URL"):
        list(rendezvous.attach("https://example.com/x", 10))


def test_rendezvous_that_cannot_connect() -> None:
    url = f"rendezvous://127.0.0.1:{closed_port()}/secret"
    with pytest.raises(ApiError, match="could not read the one-off dyno's output"):
        list(rendezvous.attach(url, 10, connect_timeout=2))
