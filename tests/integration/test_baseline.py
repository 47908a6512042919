"""The recomputed baseline: a worktree of the merge-base, cached by SHA."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


from mvp_process.git import Git
from mvp_process.check.baseline import (
    BaselineCache,
    RecomputeBaseline,
    cache_key,
    find_baseline,
    worktree_env,
)
from mvp_process.check.coverage import Baseline, NoBaseline
from mvp_process.check.toolenv import ToolEnv
from support.project import UNTESTED_FEATURE, feature_branch, sample_project
from support.repo import Repo

TOOLS = ToolEnv(python=sys.executable, env={"PATH": str(Path(sys.executable).parent)})


def test_recompute_runs_on_the_merge_base_then_caches(repo: Repo) -> None:
    base = sample_project(repo)
    feature_branch(repo, UNTESTED_FEATURE)
    git = Git(repo.path)
    source = RecomputeBaseline(git, TOOLS)
    first = source.find(base)
    assert isinstance(first, Baseline)
    assert (first.percent, first.source, first.sha) == (100.0, "recomputed", base)
    assert "worktree" not in repo.git("worktree", "list").split()[-1]
    second = source.find(base)
    assert isinstance(second, Baseline)
    assert (second.percent, second.source) == (100.0, "cache")
    assert second.describe() == f"cache on {base[:12]}, recomputed earlier"
    cached = json.loads(
        (repo.path / ".git" / "mvp-process" / "baselines.json").read_text()
    )
    assert cached["figures"] == {cache_key(base, TOOLS, ()): 100.0}


def test_the_worktree_code_is_measured_not_the_checkout(
    repo: Repo, tmp_path: Path
) -> None:
    """An editable install of a src layout points at the checkout's `src/`.

    `python -m pytest` puts the current folder first on sys.path, which covers a
    flat layout; a src layout needs the worktree's `src/` before the `.pth` file.
    """
    sample_project(repo)
    (repo.path / "src").mkdir()
    repo.git("mv", "calc", "src/calc")
    base = repo.commit("src layout")
    feature_branch(repo, {"src/" + k: v for k, v in UNTESTED_FEATURE.items()})
    venv = tmp_path / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True
    )
    site = next(venv.glob("lib/python*/site-packages"))
    ours = next(Path(p) for p in sys.path if p.endswith("site-packages"))
    (site / "tools.pth").write_text(f"{ours}\n")
    (site / "__editable__calc.pth").write_text(f"{repo.path / 'src'}\n")
    tools = ToolEnv(python=str(venv / "bin" / "python"), env=TOOLS.env)
    found = RecomputeBaseline(Git(repo.path), tools).find(base)
    assert isinstance(found, Baseline)
    assert found.percent == 100.0  # the checkout's untested code is not measured


def test_a_base_without_tests_gives_no_baseline(repo: Repo) -> None:
    base = repo.commit("no tests yet", {"calc/__init__.py": "X = 1\n"})
    source = RecomputeBaseline(Git(repo.path), TOOLS)
    found = source.find(base)
    assert isinstance(found, NoBaseline)
    assert "produced no coverage data (pytest exit code" in found.reason


def test_cache_survives_garbage(tmp_path: Path) -> None:
    cache = BaselineCache(tmp_path / "c" / "baselines.json")
    assert cache.get("k") is None
    cache.path.parent.mkdir()
    cache.path.write_text("not json")
    assert cache.get("k") is None
    cache.path.write_text(json.dumps({"version": 0, "figures": {"k": 1}}))
    assert cache.get("k") is None
    cache.path.write_text(json.dumps({"version": 1, "figures": {"k": "x", "j": 2}}))
    assert cache.get("k") is None and cache.get("j") == 2.0
    cache.put("k", 55.5)
    assert cache.get("k") == 55.5 and cache.get("j") == 2.0


def test_cache_key_depends_on_how_tests_run() -> None:
    assert cache_key("a", TOOLS, ()) != cache_key("a", TOOLS, ("-k", "x"))
    assert cache_key("a", TOOLS, ()).startswith("a:")


def test_worktree_env(tmp_path: Path) -> None:
    assert worktree_env(tmp_path) == {"PYTHONPATH": str(tmp_path)}
    (tmp_path / "src").mkdir()
    assert worktree_env(tmp_path, "/extra")["PYTHONPATH"].split(":") == [
        str(tmp_path / "src"),
        str(tmp_path),
        "/extra",
    ]


class Fixed:
    def __init__(self, result: Baseline | NoBaseline) -> None:
        self.result = result

    def find(self, merge_base: str) -> Baseline | NoBaseline:
        return self.result


def test_find_baseline_tries_sources_in_order() -> None:
    hit = Baseline(80.0, "abc", "recomputed")
    assert find_baseline([Fixed(hit), Fixed(NoBaseline("unused"))], "abc") is hit
    after = find_baseline([Fixed(NoBaseline("no status")), Fixed(hit)], "abc")
    assert after == Baseline(80.0, "abc", "recomputed", "no status")
    noted = Baseline(80.0, "abc", "cache", "recomputed earlier")
    assert find_baseline([Fixed(NoBaseline("no status")), Fixed(noted)], "abc") == (
        Baseline(80.0, "abc", "cache", "recomputed earlier; no status")
    )
    missing = find_baseline(
        [Fixed(NoBaseline("no status")), Fixed(NoBaseline("no tests"))], "abc"
    )
    assert missing == NoBaseline("no status; no tests")
    assert "baseline = 'none'" in find_baseline([], "abc").reason
