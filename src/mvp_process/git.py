"""The small `git` wrapper every part of mvp-process goes through.

It runs the real `git` binary in one repository (never the process's current
directory by accident) and turns the states a user can fix (not a repository,
unknown ref, shallow history) into `GitError`s that say how to fix them.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from mvp_process import proc
from mvp_process.errors import CommandError, GitError, ToolMissing

_GIT_ENV = {"GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", "GIT_OPTIONAL_LOCKS": "0"}


def _env() -> dict[str, str]:
    return {**os.environ, **_GIT_ENV}


class Git:
    """One repository, addressed by its top-level folder, and the project in it.

    `project` is the folder of the (sub-)project the commands check, relative
    to the top ("" for the top itself: a single-project repository). Its tools
    run in `project_dir`; the paths they report are named from the top again
    with `prefix`, so annotations and reports point at the repository's files.
    """

    def __init__(self, root: Path, project: str = "") -> None:
        self.root = root
        self.project = project.strip("/")

    @property
    def project_dir(self) -> Path:
        return self.root / self.project

    @property
    def prefix(self) -> str:
        """`<project>/`, or "" at the top: a project path + this = a repository path."""
        return f"{self.project}/" if self.project else ""

    @classmethod
    def discover(cls, path: Path) -> Git:
        """The repository containing `path`, or a `GitError` saying there is none."""
        if not path.is_dir():
            raise GitError(f"{path} is not a folder")
        try:
            result = proc.run(
                ["git", "rev-parse", "--show-toplevel"], cwd=path, env=_env()
            )
        except ToolMissing as exc:
            raise GitError("git is not installed or not on PATH") from exc
        if result.returncode != 0:
            raise GitError(
                f"{path} is not inside a git repository",
                hint="run mvp-process from your project's checkout (git clone ...)",
            )
        return cls(Path(result.stdout.strip()))

    def run(self, *args: str, check: bool = True) -> proc.Result:
        """`git <args>` in this repository."""
        return proc.run(["git", *args], cwd=self.root, env=_env(), check=check)

    def out(self, *args: str) -> str:
        """The stripped standard output of a `git` command that must succeed."""
        return self.run(*args).stdout.strip()

    def _answer(self, *args: str) -> str | None:
        """The stripped standard output of `git <args>`; None when it fails."""
        result = self.run(*args, check=False)
        return result.stdout.strip() or None if result.returncode == 0 else None

    # -- refs and history ---------------------------------------------------
    def rev_parse(self, ref: str) -> str | None:
        """The commit SHA `ref` names, or None when it names nothing."""
        if ref.startswith("-"):
            return None
        return self._answer(
            "rev-parse", "--verify", "--quiet", "--end-of-options", ref + "^{commit}"
        )

    def head_sha(self) -> str:
        sha = self.rev_parse("HEAD")
        if sha is None:
            raise GitError(
                "the repository has no commits yet", hint="commit your work first"
            )
        return sha

    def current_branch(self) -> str | None:
        """The checked-out branch, or None on a detached HEAD."""
        return self._answer("symbolic-ref", "--quiet", "--short", "HEAD")

    def default_remote_branch(self) -> str | None:
        """What `origin/HEAD` points at (e.g. `origin/main`), if it is set."""
        return self._answer(
            "symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD"
        )

    def merge_base(self, a: str, b: str) -> str | None:
        return self._answer("merge-base", "--end-of-options", a, b)

    def merge_base_deepening(
        self, head: str, base_ref: str, note: Callable[[str], None]
    ) -> str | None:
        """The merge-base of `head` and `base_ref`; a shallow clone that has none
        fetches the full history from origin once (`note` says so first) and
        tries again, with `base_ref` as that fetch moved it."""
        found = self.merge_base(head, base_ref)
        if found is None and self.is_shallow() and "origin" in self.remotes():
            note(
                "the clone is shallow and has no merge-base with the base branch; "
                "fetched the full history from origin "
                "(use `fetch-depth: 0` to skip this)"
            )
            self.unshallow("origin")
            found = self.merge_base(head, base_ref)
        return found

    def is_shallow(self) -> bool:
        return self.out("rev-parse", "--is-shallow-repository") == "true"

    def remotes(self) -> list[str]:
        return self.out("remote").split()

    def remote_url(self) -> str | None:
        """The fetch URL of origin, or None when there is no origin."""
        return self._answer("remote", "get-url", "origin")

    def unshallow(self, remote: str) -> None:
        """Fetch the full history from `remote` (for a merge-base in CI)."""
        try:
            self.run("fetch", "--quiet", "--unshallow", "--no-tags", remote)
        except CommandError as exc:
            raise GitError(
                f"could not fetch the full history from {remote}",
                hint="use `fetch-depth: 0` in actions/checkout",
            ) from exc

    def first_parent_ancestors(self, sha: str, limit: int) -> list[str]:
        """`sha` and its first-parent ancestors, nearest first."""
        return self.out(
            "rev-list", "--first-parent", f"--max-count={limit}", sha
        ).split()

    def commit_messages(self, base: str, head: str) -> list[str]:
        """Full messages of the commits in `base..head`."""
        text = self.out("log", "--format=%B%x00", f"{base}..{head}")
        return [m.strip() for m in text.split("\0") if m.strip()]

    # -- content ------------------------------------------------------------
    def ls_files(self, *args: str) -> list[str]:
        """`git ls-files -z <args>`: paths as they are (a tab or a quote included)."""
        return [p for p in self.run("ls-files", "-z", *args).stdout.split("\0") if p]

    def has_tracked_changes(self) -> bool:
        """Whether the project's tracked files differ from HEAD (staged or not)."""
        folder = (f":(literal){self.project}",) if self.project else ()
        args = ("status", "--porcelain", "-z", "--untracked-files=no", "--", *folder)
        return bool(self.run(*args).stdout)

    def diff_against(self, base: str, untracked: Sequence[str] = ()) -> str:
        """Zero-context diff from `base` to the working tree, as diff-cover parses:
        the project's folder only, its paths relative to it (`--relative`).

        `untracked` files appear as new files: they are marked intent-to-add in
        a throwaway copy of the index, so the user's index is never touched.
        """
        if not untracked:
            return self._diff(base, {})
        with tempfile.TemporaryDirectory(prefix="mvp-process-index-") as tmp:
            return self._diff(base, self._index_with(untracked, Path(tmp) / "index"))

    def _index_with(self, untracked: Sequence[str], index: Path) -> dict[str, str]:
        """The environment of a copy of the index where `untracked` are added -N."""
        real = self.out("rev-parse", "--path-format=absolute", "--git-path", "index")
        if Path(real).is_file():
            shutil.copyfile(real, index)
        env = {"GIT_INDEX_FILE": str(index)}
        add = (
            "add",
            "--intent-to-add",
            "--pathspec-from-file=-",
            "--pathspec-file-nul",
        )
        paths = "\0".join(untracked)
        self._run_env({**env, "GIT_LITERAL_PATHSPECS": "1"}, *add, stdin=paths)
        return env

    def _diff(self, base: str, env: Mapping[str, str]) -> str:
        plain = ("-c", "diff.mnemonicprefix=no", "-c", "diff.noprefix=no")
        relative = [f"--relative={self.prefix}"] if self.project else []
        args = ("diff", "--no-color", "--no-ext-diff", "--no-renames", "-U0", *relative)
        return self._run_env(env, *plain, *args, base, "--").stdout.strip() + "\n"

    def _run_env(
        self, extra: Mapping[str, str], *args: str, stdin: str | None = None
    ) -> proc.Result:
        env = {**_env(), **extra}
        return proc.run(["git", *args], cwd=self.root, env=env, check=True, input=stdin)

    def archive(self, sha: str, dest: Path) -> None:
        """A gzipped tarball of exactly the commit `sha` (no untracked files)."""
        self.run("archive", "--format=tar.gz", "-o", str(dest), sha)

    def show_file(self, sha: str, path: str) -> str | None:
        """The text of `path` at commit `sha`, or None when it has no such file."""
        result = self.run("show", f"{sha}:{path}", check=False)
        return result.stdout if result.returncode == 0 else None

    def worktree_add(self, path: Path, sha: str) -> None:
        self.run("worktree", "add", "--detach", "--force", str(path), sha)

    def worktree_remove(self, path: Path) -> None:
        self.run("worktree", "remove", "--force", str(path), check=False)
        self.run("worktree", "prune", check=False)

    def common_dir(self) -> Path:
        """The `.git` folder shared by all worktrees (where caches may live)."""
        path = Path(self.out("rev-parse", "--git-common-dir"))
        return path if path.is_absolute() else (self.root / path).resolve()
