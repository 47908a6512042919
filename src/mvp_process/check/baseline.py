"""Where the coverage baseline comes from, with no coverage SaaS.

Sources are tried in order until one has a figure: the GitHub status on the
merge-base (see `github/statuses.py`), or a recompute that runs the
tests on the merge-base in a temporary git worktree. A recompute is cached in
the repository's git folder by commit, test command, interpreter and installed
distributions, so a second `check` against the same base in the same
environment is free, and a changed environment is measured again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from mvp_process.git import Git
from mvp_process.check import measure
from mvp_process.check.coverage import Baseline, NoBaseline
from mvp_process.check.measure import Environment
from mvp_process.check.policy import PYTEST_EXIT
from mvp_process.check.tests import TestRun, run_pytest
from mvp_process.check.toolenv import ToolEnv

CACHE_VERSION = 2


class BaselineSource(Protocol):
    def find(self, merge_base: str) -> Baseline | NoBaseline: ...


class BaselineCache:
    """A small JSON file of figures by (commit, test command) in `.git/mvp-process/`."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _load(self) -> dict[str, float]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("version") != CACHE_VERSION:
            return {}
        figures = data.get("figures", {})
        return {k: float(v) for k, v in figures.items() if isinstance(v, (int, float))}

    def get(self, key: str) -> float | None:
        return self._load().get(key)

    def put(self, key: str, percent: float) -> None:
        figures = self._load()
        figures[key] = percent
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(
            json.dumps({"version": CACHE_VERSION, "figures": figures}, indent=1),
            encoding="utf-8",
        )
        os.replace(tmp, self.path)


def cache_key(
    sha: str,
    tools: ToolEnv,
    pytest_args: Sequence[str],
    env: Environment,
    project: str = "",
) -> str:
    """The figure depends on the commit, how the tests ran, and where.

    `env` carries the interpreter's version and its installed distributions
    (`measure.environment`): an upgraded dependency is a new figure. Each
    sub-project (`project`, its folder) has its own figure for a commit.
    """
    where = [project] if project else []
    recipe = json.dumps(
        [tools.python, env.python, env.dists, list(pytest_args)] + where
    )
    return f"{sha}:{hashlib.sha256(recipe.encode()).hexdigest()[:16]}"


def copy_generated(git: Git, tree: Path) -> list[str]:
    """Copy the checkout's git-ignored `.py` files into the worktree's folders.

    A setuptools-scm or hatch-vcs install writes `_version.py` into the
    package, and git ignores it, so a fresh worktree lacks it and the
    package cannot even be imported. Only files in folders the worktree has,
    and never over one of its own.
    """
    copied = []
    for path in git.ls_files(
        "--others", "--ignored", "--exclude-standard", "--directory"
    ):
        target = tree / path
        if path.endswith(".py") and target.parent.is_dir() and not target.exists():
            shutil.copy2(git.root / path, target)
            copied.append(path)
    return copied


def unusable(run: TestRun) -> str:
    """Why a baseline run's figure cannot be used ("" when it can)."""
    if run.exit_code in (0, 1) and not run.collection_errors:
        return ""
    if run.exit_code == 5:
        return "ran no tests (pytest exit code 5)"
    meaning = PYTEST_EXIT.get(run.exit_code, "unexpected exit")
    first = next((f"{f.id}: {f.message}" for f in run.failures), "")
    first = first or next((line for line in reversed(run.output_tail) if line), "")
    why = f"could not start (pytest exit code {run.exit_code}: {meaning}"
    return f"{why}; {first})" if first else f"{why})"


def worktree_env(tree: Path, inherited: str | None = None) -> dict[str, str]:
    """Import the worktree's code, not an editable install of the checkout.

    PYTHONPATH entries come before site-packages and the `.pth` files of editable
    installs, so the worktree's `src/` (or root) shadows the checkout.
    """
    paths = [str(tree / "src")] if (tree / "src").is_dir() else []
    paths.append(str(tree))
    if inherited:
        paths.append(inherited)
    return {"PYTHONPATH": os.pathsep.join(paths)}


class RecomputeBaseline:
    """Run the tests on the merge-base in a temporary worktree (works offline)."""

    def __init__(
        self,
        git: Git,
        tools: ToolEnv,
        pytest_args: Sequence[str] = (),
        cache: BaselineCache | None = None,
    ) -> None:
        self.git = git
        self.tools = tools
        self.pytest_args = tuple(pytest_args)
        self.cache = cache or BaselineCache(
            git.common_dir() / "mvp-process" / "baselines.json"
        )

    def find(self, merge_base: str) -> Baseline | NoBaseline:
        here = measure.environment(self.tools, self.git.project_dir)
        project = self.git.project
        key = cache_key(merge_base, self.tools, self.pytest_args, here, project)
        cached = self.cache.get(key)
        if cached is not None:
            return Baseline(cached, merge_base, "cache", "recomputed earlier")
        run = self._run_tests(merge_base)
        if run is None:
            return NoBaseline(f"{project}/ does not exist on {merge_base[:12]}")
        where = f"the tests on {merge_base[:12]}"
        failed = unusable(run)
        if failed:
            return NoBaseline(f"{where} {failed}")
        if run.coverage_percent is None:
            return NoBaseline(
                f"{where} produced no coverage data (pytest exit code {run.exit_code})"
            )
        self.cache.put(key, run.coverage_percent)
        return Baseline(run.coverage_percent, merge_base, "recomputed")

    def _run_tests(self, merge_base: str) -> TestRun | None:
        """The project's tests on `merge_base`, run in its folder of a worktree
        of that commit (None: a sub-project's folder that did not exist yet)."""
        scratch = Path(tempfile.mkdtemp(prefix="mvp-process-baseline-"))
        tree = scratch / "tree"
        try:
            self.git.worktree_add(tree, merge_base)
            copy_generated(self.git, tree)
            folder = tree / self.git.project
            if not folder.is_dir():
                return None
            return run_pytest(
                self.tools,
                folder,
                scratch / "out",
                pytest_args=self.pytest_args,
                extra_env=worktree_env(folder, self.tools.env.get("PYTHONPATH")),
            )
        finally:
            self.git.worktree_remove(tree)
            shutil.rmtree(scratch, ignore_errors=True)


def find_baseline(
    sources: Sequence[BaselineSource], merge_base: str
) -> Baseline | NoBaseline:
    """The first source with a figure, or every source's reason for having none.

    A figure found after other sources had none keeps their reasons in its
    note: why the tests ran again, or which statuses were ignored, is said.
    """
    reasons: list[str] = []
    for source in sources:
        found = source.find(merge_base)
        if isinstance(found, Baseline):
            note = "; ".join(n for n in (found.note, *reasons) if n)
            return dataclasses.replace(found, note=note) if reasons else found
        reasons.append(found.reason)
    return NoBaseline("; ".join(reasons) or "baseline disabled (baseline = 'none')")
