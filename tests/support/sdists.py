"""Real projects from the package registry, downloaded at test time.

Their code is never committed here: a release's sdist is fetched once per
session (pip's own cache helps after) and unpacked into a fresh git repository.
A registry that cannot be reached skips the test, saying so.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest

from support.repo import Repo

UNREACHABLE = (
    "No matching distribution",
    "Could not find a version",
    "Max retries exceeded",
    "ConnectionError",
    "NewConnectionError",
    "Temporary failure in name resolution",
    "Network is unreachable",
    "timed out",
)


def unreachable(output: str) -> bool:
    """Whether a failed pip or uv run failed for want of the registry."""
    return any(sign in output for sign in UNREACHABLE)


def download(requirement: str, folder: Path) -> Path:
    """`pip download --no-binary :all: --no-deps` of one release: its sdist."""
    done = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"]
        + ["--no-binary", ":all:", "--dest", str(folder), requirement],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        if unreachable(done.stdout + done.stderr):
            pytest.skip(f"the package registry is unreachable: {done.stderr[-300:]}")
        raise AssertionError(f"pip download failed:\n{done.stdout}{done.stderr}")
    return next(folder.glob("*.tar.gz"))


def unpack(sdist: Path, dest: Path) -> None:
    """The sdist's top folder's contents, moved into `dest`."""
    scratch = dest.parent / f"{dest.name}-unpacked"
    with tarfile.open(sdist) as archive:
        archive.extractall(scratch, filter="data")
    top = next(scratch.iterdir())
    for item in top.iterdir():
        shutil.move(str(item), dest / item.name)
    shutil.rmtree(scratch)


def session_cache(
    tmp_path_factory: pytest.TempPathFactory,
) -> Callable[[str], Path]:
    """`get(requirement)`: its sdist, downloaded the first time it is asked for."""
    folder = tmp_path_factory.mktemp("sdists")
    found: dict[str, Path] = {}

    def get(requirement: str) -> Path:
        if requirement not in found:
            name = requirement.replace("=", "-")
            found[requirement] = download(requirement, folder / name)
        return found[requirement]

    return get


def project_repo(sdist: Path, base: Path) -> Repo:
    """A git repository on `main` holding the release, committed."""
    repo = Repo.create(base)
    unpack(sdist, repo.path)
    repo.commit("the release")
    return repo
