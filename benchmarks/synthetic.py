"""Generate a synthetic Python repository for the benchmarks.

`make_repo(path, modules, tests_per_module)` writes a package `synth/` with
`modules` modules and a test file per module with `tests_per_module` tests,
commits it on `main` (pushed to a bare `origin`), then creates a feature branch
that changes a few modules, so every gate (diff coverage included) has work.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
from pathlib import Path

# Laptops and CI runners cache bytecode; this sandbox sets PYTHONDONTWRITEBYTECODE,
# which makes every run re-compile (and pytest re-rewrite) all 400 modules.
ENV = {
    **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
    "GIT_CONFIG_GLOBAL": "/dev/null",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
}

MODULE = '''"""Synthetic module {i}."""


def scale_{i}(values, factor={i}):
    result = []
    for value in values:
        if value % 3 == 0:
            result.append(value * factor)
        elif value % 3 == 1:
            result.append(value + factor)
        else:
            result.append(value - factor)
    return result


def describe_{i}(value):
    if value < 0:
        return "negative"
    if value == 0:
        return "zero"
    if value < 100:
        return "small"
    return "large"


class Counter{i}:
    def __init__(self):
        self.counts = {{}}

    def add(self, key):
        self.counts[key] = self.counts.get(key, 0) + 1
        return self.counts[key]

    def top(self):
        if not self.counts:
            return None
        return max(self.counts, key=self.counts.get)
'''

TEST_HEADER = """from synth.mod_{i} import Counter{i}, describe_{i}, scale_{i}
"""

TEST_CASE = """

def test_case_{i}_{j}():
    assert len(scale_{i}(list(range({j} + 5)))) == {j} + 5
    assert describe_{i}({j} - 1) in ("negative", "zero", "small", "large")
    counter = Counter{i}()
    counter.add("k{j}")
    assert counter.top() == "k{j}"
"""

FEATURE = '''

def feature_{i}(value):
    """Added on the feature branch; only half of it is tested."""
    if value > 10:
        return value * 2
    return value
'''


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=ENV, check=True, capture_output=True)


def make_repo(path: Path, modules: int, tests_per_module: int) -> Path:
    if path.exists():
        shutil.rmtree(path)
    origin = path.with_name(path.name + "-origin.git")
    if origin.exists():
        shutil.rmtree(origin)
    subprocess.run(
        ["git", "init", "-q", "--bare", "-b", "main", str(origin)], check=True
    )
    (path / "synth").mkdir(parents=True)
    (path / "tests").mkdir()
    (path / "synth" / "__init__.py").write_text("")
    for i in range(modules):
        (path / "synth" / f"mod_{i}.py").write_text(MODULE.format(i=i))
        cases = "".join(TEST_CASE.format(i=i, j=j) for j in range(tests_per_module))
        (path / "tests" / f"test_mod_{i}.py").write_text(
            TEST_HEADER.format(i=i) + cases
        )
    (path / "pyproject.toml").write_text(
        '[tool.coverage.run]\nsource = ["synth"]\nbranch = true\n\n'
        '[tool.pytest.ini_options]\ntestpaths = ["tests"]\n'
    )
    (path / ".gitignore").write_text("__pycache__/\n.pytest_cache/\n.coverage\n*.xml\n")
    git(path, "init", "-q", "-b", "main")
    git(path, "remote", "add", "origin", str(origin))
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "synthetic project")
    git(path, "push", "-q", "origin", "main")
    git(path, "remote", "set-head", "origin", "main")
    git(path, "switch", "-q", "-c", "1-feature")
    for i in range(0, modules, max(1, modules // 10)):
        module = path / "synth" / f"mod_{i}.py"
        module.write_text(module.read_text() + FEATURE.format(i=i))
        test = path / "tests" / f"test_mod_{i}.py"
        test.write_text(
            test.read_text().replace(
                "from synth.mod_",
                f"from synth.mod_{i} import feature_{i}\nfrom synth.mod_",
                1,
            )
            + f"\n\ndef test_feature_{i}():\n    assert feature_{i}(20) == 40\n"
        )
    git(path, "commit", "-q", "-am", "feature")
    return path


def size_arguments(parser: argparse.ArgumentParser, out: str, rounds: int) -> None:
    """The options every benchmark on the synthetic repository shares."""
    parser.add_argument("--modules", type=int, default=200)
    parser.add_argument("--tests", type=int, default=10, help="tests per module")
    parser.add_argument("--rounds", type=int, default=rounds)
    parser.add_argument("--out", type=Path, default=Path(out))
