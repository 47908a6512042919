"""Read a one-off dyno's output from Heroku's rendezvous service.

As the Heroku CLI does with an `attach_url` (`rendezvous://host:5000/<secret>`):
TLS to host:port, send the secret and CRLF, skip the `rendezvous` greeting;
everything until the server closes is the dyno's output. TLS is verified
against certifi's bundle, or the CA file the caller passes (the CLI passes
`REQUESTS_CA_BUNDLE` / `SSL_CERT_FILE`, which is how tests trust the fake).
"""

from __future__ import annotations

import socket
import ssl
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import certifi

from mvp_process.errors import ApiError

GREETING = b"rendezvous"


class StillRunning(TimeoutError):
    """The dyno still runs when the time given to watch it is up."""


def attach(
    url: str,
    seconds: float,
    *,
    ca_file: str | None = None,
    connect_timeout: float = 15.0,
) -> Iterator[str]:
    """The dyno's output, line by line (with their newlines), until it exits.

    Raises `StillRunning` when the dyno still runs after `seconds` (what is
    left of the step's time): the caller stops it.
    """
    parts = urlsplit(url)
    if parts.scheme != "rendezvous" or not parts.hostname:
        raise ApiError("Heroku gave an attach_url that is not a rendezvous:// URL")
    host, port = parts.hostname, parts.port or 5000
    context = ssl.create_default_context(cafile=ca_file or certifi.where())
    end = time.monotonic() + seconds
    try:
        with socket.create_connection((host, port), timeout=connect_timeout) as raw:
            with context.wrap_socket(raw, server_hostname=host) as tls:
                tls.sendall(parts.path.lstrip("/").encode() + b"\r\n")
                yield from _lines(tls, end)
    except StillRunning:
        raise
    except ssl.SSLError as exc:
        raise ApiError(
            f"TLS to the one-off dyno's rendezvous ({host}) failed: {exc.reason}",
            hint="set REQUESTS_CA_BUNDLE to a CA file that signs its certificate",
        ) from None
    except OSError as exc:
        raise ApiError(
            f"could not read the one-off dyno's output from {host}:{port}: "
            f"{type(exc).__name__}"
        ) from None


def _lines(tls: ssl.SSLSocket, end: float) -> Iterator[str]:
    """What the server sends until it closes, without its `rendezvous` greeting."""
    buffer = b""
    first = True
    while True:
        left = end - time.monotonic()
        if left <= 0:
            raise StillRunning()
        tls.settimeout(left)
        try:
            chunk = tls.recv(65536)
        except TimeoutError:
            raise StillRunning() from None
        if not chunk:
            break
        *lines, buffer = (buffer + chunk).split(b"\n")
        for line in lines:
            if not (first and line.strip() == GREETING):
                yield line.decode("utf-8", errors="replace").rstrip("\r") + "\n"
            first = False
    if buffer and not (first and buffer.strip() == GREETING):
        yield buffer.decode("utf-8", errors="replace").rstrip("\r")
