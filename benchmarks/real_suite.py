"""Real projects' test suites for the benchmarks, downloaded at benchmark time.

`real_repo(name, out)` downloads the project's source distribution with
`pip download --no-binary :all: --no-deps` (from the package index, never
committed here), unpacks it, commits it in a fresh git repository and returns
the repository and the environment its tests need (`PYTHONPATH=src`, so the
project's own source is what runs and what coverage measures, with the
project's own pytest and coverage settings). The suites need nothing beyond
pytest and what mvp-process's own environment already has.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

from synthetic import ENV, git

# name: (requirement, pytest arguments it needs here)
SUITES = {
    # 2,459 tests in 24 files (and 31,000 stress tests its addopts deselect).
    "click": ("click==8.5.1", ()),
    # 784 tests in 21 files; the two async files need trio, not installed here.
    "jinja2": (
        "jinja2==3.1.6",
        ("--ignore=tests/test_async.py", "--ignore=tests/test_async_filters.py"),
    ),
}


def real_repo(name: str, out: Path) -> tuple[Path, dict[str, str]]:
    """A git repository holding the named project's sdist, and its test env."""
    requirement, pytest_args = SUITES[name]
    downloads = out / "sdists"
    downloads.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--no-binary", ":all:"]
        + ["--no-deps", "-d", str(downloads), requirement],
        check=True,
    )
    version = requirement.split("==")[1]
    (archive,) = downloads.glob(f"{name}-{version}.tar.gz")
    repo = out / name
    if repo.exists():
        shutil.rmtree(repo)
    with tarfile.open(archive) as tar:
        tar.extractall(out, filter="data")
    (out / f"{name}-{version}").rename(repo)
    (repo / ".gitignore").write_text("__pycache__/\n.pytest_cache/\n.coverage*\n")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", f"{name} {version} sdist")
    env = {**ENV, "PYTHONPATH": str(repo / "src")}
    if pytest_args:
        env["MVP_PROCESS_PYTEST_ARGS"] = " ".join(pytest_args)
    return repo, env
