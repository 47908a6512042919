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
from mvp_process.check.measure import Environment, environment
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
    here = environment(TOOLS, repo.path)
    assert cached["figures"] == {cache_key(base, TOOLS, (), here): 100.0}


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
    assert found.reason == f"the tests on {base[:12]} ran no tests (pytest exit code 5)"


def test_cache_survives_garbage(tmp_path: Path) -> None:
    cache = BaselineCache(tmp_path / "c" / "baselines.json")
    assert cache.get("k") is None
    cache.path.parent.mkdir()
    cache.path.write_text("not json")
    assert cache.get("k") is None
    cache.path.write_text(json.dumps({"version": 1, "figures": {"k": 1}}))
    assert cache.get("k") is None  # figures keyed without the environment
    cache.path.write_text(json.dumps({"version": 2, "figures": {"k": "x", "j": 2}}))
    assert cache.get("k") is None and cache.get("j") == 2.0
    cache.put("k", 55.5)
    assert cache.get("k") == 55.5 and cache.get("j") == 2.0


def test_cache_key_depends_on_how_and_where_tests_run() -> None:
    env = Environment("3.11.7", ("pytest==9.2.0", "requests==2.31.0"))
    key = cache_key("a", TOOLS, (), env)
    assert key.startswith("a:")
    assert key != cache_key("a", TOOLS, ("-k", "x"), env)
    assert key != cache_key("a", TOOLS, (), Environment("3.12.1", env.dists))
    upgraded = Environment(env.python, ("pytest==9.2.0", "requests==2.32.0"))
    assert key != cache_key("a", TOOLS, (), upgraded)
    other = ToolEnv(python="/other/python", env=TOOLS.env)
    assert key != cache_key("a", other, (), env)


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


def test_a_changed_environment_is_measured_again(repo: Repo, tmp_path: Path) -> None:
    """The same commit and command, but a distribution was upgraded: no cache."""
    base = sample_project(repo)
    feature_branch(repo, UNTESTED_FEATURE)
    venv = tmp_path / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True
    )
    site = next(venv.glob("lib/python*/site-packages"))
    ours = next(Path(p) for p in sys.path if p.endswith("site-packages"))
    (site / "tools.pth").write_text(f"{ours}\n")
    tools = ToolEnv(python=str(venv / "bin" / "python"), env=TOOLS.env)
    source = RecomputeBaseline(Git(repo.path), tools)
    assert getattr(source.find(base), "source", None) == "recomputed"
    assert getattr(source.find(base), "source", None) == "cache"
    dist = site / "leftpad-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: leftpad\nVersion: 1.0\n"
    )
    assert getattr(source.find(base), "source", None) == "recomputed"


VERSIONED = {
    ".gitignore": "__pycache__/\ncalc/_version.py\n",
    "calc/__init__.py": "from calc._version import version\n\n\n"
    "def add(a, b):\n    return a + b\n",
    "tests/test_calc.py": "from calc import add, version\n\n\n"
    "def test_add():\n    assert add(1, 2) == 3 and version\n",
}


def test_a_generated_version_file_reaches_the_worktree(repo: Repo) -> None:
    """setuptools-scm / hatch-vcs write `_version.py` into the package, ignored."""
    base = repo.commit("versioned", VERSIONED)
    (repo.path / "calc" / "_version.py").write_text("version = '1.0.dev3'\n")
    feature_branch(repo, {"calc/extra.py": "X = 1\n"})
    found = RecomputeBaseline(Git(repo.path), TOOLS).find(base)
    assert isinstance(found, Baseline), found
    assert (found.source, found.percent) == ("recomputed", 100.0)
    assert repo.git("status", "--porcelain", "--ignored").count("_version.py") == 1


def test_tests_that_cannot_start_on_the_base_are_said_plainly(repo: Repo) -> None:
    base = repo.commit(
        "broken",
        {
            "calc/__init__.py": "X = 1\n",
            "tests/test_calc.py": "import missing_module\n\n\ndef test_x():\n"
            "    pass\n",
        },
    )
    feature_branch(repo, {"calc/extra.py": "X = 1\n"})
    found = RecomputeBaseline(Git(repo.path), TOOLS).find(base)
    assert isinstance(found, NoBaseline)
    assert found.reason.startswith(
        f"the tests on {base[:12]} could not start (pytest exit code 2: interrupted; "
        "tests/test_calc.py: "
    )
    assert "missing_module" in found.reason


def test_tests_without_coverage_data_give_no_baseline(repo: Repo) -> None:
    base = sample_project(repo)
    feature_branch(repo, UNTESTED_FEATURE)
    found = RecomputeBaseline(Git(repo.path), TOOLS, ("--no-cov",)).find(base)
    assert isinstance(found, NoBaseline)
    assert found.reason == (
        f"the tests on {base[:12]} produced no coverage data (pytest exit code 0)"
    )
