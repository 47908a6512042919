"""Time the flake8 and black gates on a repository with a `.venv` inside it.

    python benchmarks/lint_files.py --modules 200 --rounds 3
    python benchmarks/lint_files.py --repo path/to/a/git/checkout --rounds 3

Generates the synthetic repository, creates a virtualenv in it as the README's
"Try it" does (`python -m venv .venv` and flake8, black, pytest, pytest-cov
installed into it from the package index; `.venv/` in .gitignore), then times,
round by round: what the gates ran before (`flake8 --format=default .` and
`black --check .`, each walking the folder) and the gates now (`flake8.run` and
`black.run` on the files git lists). black gets a fresh cache folder for every
run, as on a CI runner. Prints the medians (wall clock, and the CPU time of the
tools' processes, steadier on a busy machine) and the findings each side reports.
The repository is made outside this checkout, whose .flake8 would apply.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import ENV, make_repo, size_arguments  # noqa: E402

from mvp_process.check import black, flake8, lintfiles  # noqa: E402
from mvp_process.check.toolenv import ToolEnv  # noqa: E402
from mvp_process.git import Git  # noqa: E402

PY = sys.executable


def with_venv(repo: Path) -> None:
    venv = repo / ".venv"
    subprocess.run([PY, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "-q", "flake8", "black", "pytest"]
        + ["pytest-cov"],
        check=True,
        capture_output=True,
    )
    with (repo / ".gitignore").open("a") as handle:
        handle.write(".venv/\n")
    count = sum(1 for _ in venv.rglob("*.py"))
    print(f"{venv}: {count} .py files")


def before(repo: Path, cache: str) -> tuple[float, float, int]:
    env = {**ENV, "BLACK_CACHE_DIR": cache}
    started = time.perf_counter()
    found = subprocess.run(
        [PY, "-m", "flake8", "--format=default", "."],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
    )
    middle = time.perf_counter()
    subprocess.run([PY, "-m", "black", "--check", "-q", "."], cwd=repo, env=env)
    return (
        middle - started,
        time.perf_counter() - middle,
        len(found.stdout.split("\n")) - 1,
    )


def after(repo: Path, cache: str) -> tuple[float, float, int]:
    tools = ToolEnv.resolve(PY, {**ENV, "BLACK_CACHE_DIR": cache})
    git = Git(repo)
    started = time.perf_counter()
    found = flake8.run(tools, repo, lintfiles.repository_files(git))
    middle = time.perf_counter()
    black.run(tools, repo, lintfiles.repository_files(git))
    return middle - started, time.perf_counter() - middle, len(found.findings)


def cpu() -> float:
    """CPU seconds used so far by finished child processes."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # Outside this checkout: flake8 would read our .flake8, which excludes .venv.
    out = Path(tempfile.gettempdir()) / "mvp-process-lint-files"
    size_arguments(parser, str(out), rounds=3)
    parser.add_argument("--repo", type=Path, help="a git checkout to use instead")
    args = parser.parse_args()
    repo = args.repo or make_repo(args.out.resolve(), args.modules, args.tests)
    if not (repo / ".venv").exists():
        with_venv(repo)
    times: dict[str, list[float]] = {k: [] for k in ("before", "after")}
    parts: dict[str, list[tuple[float, float]]] = {k: [] for k in times}
    cpus: dict[str, list[float]] = {k: [] for k in times}
    for _ in range(args.rounds):
        for name, run in (("before", before), ("after", after)):
            with tempfile.TemporaryDirectory() as cache:
                used = cpu()
                lint, fmt, findings = run(repo, cache)
                cpus[name].append(cpu() - used)
            times[name].append(lint + fmt)
            parts[name].append((lint, fmt))
            print(
                f"{name}: flake8 {lint:.2f}s black {fmt:.2f}s, "
                f"CPU {cpus[name][-1]:.2f}s ({findings} findings)"
            )
    for name, values in times.items():
        lint = statistics.median(p[0] for p in parts[name])
        fmt = statistics.median(p[1] for p in parts[name])
        print(
            f"median {name}: {statistics.median(values):.2f}s "
            f"(flake8 {lint:.2f}s, black {fmt:.2f}s), "
            f"CPU {statistics.median(cpus[name]):.2f}s"
        )


if __name__ == "__main__":
    main()
