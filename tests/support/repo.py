"""Real git repositories in temporary folders, with a bare `origin`."""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

GIT_ENV = {
    "GIT_CONFIG_GLOBAL": "/dev/null",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_COMMITTER_NAME": "Test Committer",
    "GIT_COMMITTER_EMAIL": "committer@example.com",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
}


class Repo:
    """A working clone at `path` whose `origin` is a bare repository."""

    def __init__(self, path: Path, origin: Path | None = None) -> None:
        self.path = path
        self.origin = origin

    @classmethod
    def create(cls, base: Path, name: str = "work") -> Repo:
        origin = base / f"{name}-origin.git"
        path = base / name
        subprocess.run(
            ["git", "init", "-q", "--bare", "-b", "main", str(origin)], check=True
        )
        subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
        repo = cls(path, origin)
        repo.git("remote", "add", "origin", str(origin))
        return repo

    def git(self, *args: str, check: bool = True) -> str:
        done = subprocess.run(
            ["git", *args],
            cwd=self.path,
            capture_output=True,
            text=True,
            check=False,
        )
        if check and done.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed:\n{done.stderr}")
        return done.stdout.strip()

    def write(self, files: dict[str, str]) -> None:
        for name, content in files.items():
            target = self.path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")

    def commit(self, message: str, files: dict[str, str] | None = None) -> str:
        if files:
            self.write(files)
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD")

    def switch(self, branch: str, create: bool = False) -> None:
        self.git("switch", "-q", *(["-c"] if create else []), branch)

    def push(self, *refs: str) -> None:
        self.git("push", "-q", "origin", *(refs or ("HEAD",)))

    def sha(self, ref: str = "HEAD") -> str:
        return self.git("rev-parse", ref)
