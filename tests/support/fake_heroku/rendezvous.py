"""The fake's rendezvous service: TLS, secret + CRLF in, greeting and output out."""

from __future__ import annotations

import socket
import socketserver
import ssl
import threading
from typing import TYPE_CHECKING

from .certs import TlsFiles

if TYPE_CHECKING:
    from . import FakeHeroku


class Rendezvous:
    def __init__(self, fake: FakeHeroku, tls: TlsFiles) -> None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(tls.cert, tls.key)
        self.attached: list[str] = []
        self.attached_once = threading.Event()  # set when a dyno is attached
        outer = self

        class _Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                raw: socket.socket = self.request
                raw.settimeout(5)
                try:
                    conn = context.wrap_socket(raw, server_side=True)
                except (ssl.SSLError, OSError):
                    return
                with conn:
                    secret = b""
                    while not secret.endswith(b"\r\n"):
                        chunk = conn.recv(1024)
                        if not chunk:
                            return
                        secret += chunk
                    with fake.lock:
                        dyno = fake.world.dynos.get(secret.strip().decode())
                        script = fake.world.script(dyno) if dyno else None
                        outer.attached.append(secret.strip().decode())
                        outer.attached_once.set()
                    if script is None or dyno is None:
                        return
                    conn.sendall(b"rendezvous\r\n")
                    conn.sendall(script)
                    if dyno.state == "up":  # a command that runs on
                        ttl = float(dyno.time_to_live or 600)
                        if not dyno.stopped.wait(min(ttl, 600)):
                            dyno.state = "down"  # Heroku ends it: time_to_live

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, args=(0.01,), daemon=True
        )

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
