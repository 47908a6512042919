"""Keep secrets out of every byte mvp-process prints or writes.

Secrets are registered once (by the CLI, as it reads them) and every output path
(terminal, job summary, JSON report, PR comment, error messages) passes its text
through `redact`. This is a process-wide registry on purpose: a secret must not
escape through a code path that forgot to be handed the list.
"""

from __future__ import annotations

import threading

MASK = "***"
_lock = threading.Lock()
_secrets: set[str] = set()


def register(value: str | None) -> None:
    """Remember `value` as a secret; short values would mask ordinary words."""
    if value and len(value) >= 4:
        with _lock:
            _secrets.add(value)


def forget_all() -> None:
    """Clear the registry (tests start each case clean)."""
    with _lock:
        _secrets.clear()


def redact(text: str) -> str:
    """Replace every registered secret in `text` by a mask."""
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return text
