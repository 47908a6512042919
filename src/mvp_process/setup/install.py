"""Read what a project declares about its test dependencies (policy_install decides).

Only the files that say it: the lock files, `pyproject.toml`, `setup.cfg`,
`setup.py`'s presence, and requirements files at the top, in `requirements/`
and in the tests' folder. A file that cannot be read says nothing.
"""

from __future__ import annotations

import configparser
import tomllib
from pathlib import Path
from typing import Any

from mvp_process.setup.policy_install import Facts, Install, choose

_MARKERS = ("uv.lock", "poetry.lock", "setup.py", "requirements.txt")
_REQUIREMENTS = (
    "*requirements*.txt",
    "requirements/*.txt",
    "tests/*requirements*.txt",
    "test/*requirements*.txt",
)


def pyproject(root: Path) -> dict[str, Any]:
    """`root`'s pyproject.toml as data; {} when it is missing or unreadable."""
    try:
        return tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}


def read(root: Path) -> Facts:
    """The facts `choose` needs, from the files under `root`."""
    files = {name for name in _MARKERS if (root / name).is_file()}
    for pattern in _REQUIREMENTS:
        files |= {p.relative_to(root).as_posix() for p in root.glob(pattern)}
    cfg = configparser.ConfigParser(interpolation=None)
    try:
        cfg.read(root / "setup.cfg", encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        cfg = configparser.ConfigParser(interpolation=None)  # it says nothing
    extras = (
        tuple(cfg["options.extras_require"])
        if cfg.has_section("options.extras_require")
        else ()
    )
    return Facts(
        files=frozenset(f for f in files if (root / f).is_file()),
        pyproject=pyproject(root),
        setup_cfg_extras=extras,
        setup_cfg_metadata=cfg.has_option("metadata", "name"),
    )


def detect(root: Path) -> Install:
    """How the project at `root` installs itself with its test dependencies."""
    return choose(read(root))
