"""Time the test run of `check` with our results plugin, with JUnit XML, and bare.

    python benchmarks/results_overhead.py --modules 200 --tests 10 --rounds 5
    python benchmarks/results_overhead.py --suite click --rounds 5

Generates the synthetic repository of `synthetic.py` (or, with `--suite`,
downloads a real project's suite, see `real_suite.py`), then
alternates, round by round, the pytest command `check` runs (`--cov` with the
XML report, as `gates.tests.pytest_command` builds it) three ways: with
`-p mvp_process_results` (what `check` does), with `--junitxml` instead (what
it did before), and with neither. Prints the medians and the cost of each
results format over the bare run.
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
from real_suite import SUITES, real_repo  # noqa: E402
from synthetic import ENV, make_repo, size_arguments  # noqa: E402

from mvp_process.check.tests import PLUGIN_DIR, pytest_command  # noqa: E402

PY = sys.executable


def command(out: Path, how: str, extra: list[str]) -> list[str]:
    """`check`'s pytest command, its results plugin swapped for `how`."""
    args = pytest_command(out, extra)
    at = args.index("-p")
    del args[at : at + 3]  # -p mvp_process_results --mvp-results=...
    if how == "plugin":
        args[at:at] = pytest_command(out, extra)[at : at + 3]
    elif how == "junit":
        args[at:at] = [f"--junitxml={out / 'junit.xml'}", "-o", "junit_family=xunit1"]
    return [PY, "-m", "pytest", *args]


def cpu() -> float:
    """CPU seconds used so far by finished child processes (less noisy than wall)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def timed(
    repo: Path, how: str, base: dict[str, str], extra: list[str]
) -> tuple[float, float]:
    """(wall, CPU) seconds of one run."""
    with tempfile.TemporaryDirectory(prefix="mvp-bench-") as tmp:
        out = Path(tmp)
        path = [str(PLUGIN_DIR), *filter(None, [base.get("PYTHONPATH")])]
        env = {**base, "PYTHONPATH": ":".join(path), "COVERAGE_FILE": f"{out}/.c"}
        started, spent = time.perf_counter(), cpu()
        cmd = command(out, how, extra)
        done = subprocess.run(cmd, cwd=repo, env=env, capture_output=True)
        elapsed = time.perf_counter() - started, cpu() - spent
        expected = {"plugin": "results.json", "junit": "junit.xml", "bare": None}[how]
        if done.returncode != 0 or (expected and not (out / expected).is_file()):
            raise SystemExit(f"{how}: exit {done.returncode}\n{done.stdout[-2000:]!r}")
        return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size_arguments(parser, "benchmarks/out/check-repo", rounds=5)
    parser.add_argument("--suite", choices=sorted(SUITES), help="a real suite")
    args = parser.parse_args()
    base, extra = dict(ENV), []
    if args.suite:
        repo, base = real_repo(args.suite, Path("benchmarks/out/real").resolve())
        extra = base.pop("MVP_PROCESS_PYTEST_ARGS", "").split()
    else:
        repo = make_repo(args.out.resolve(), args.modules, args.tests)
    ways = ("plugin", "junit", "bare")
    times: dict[str, list[tuple[float, float]]] = {how: [] for how in ways}
    timed(repo, "bare", base, extra)  # warm the bytecode caches
    for r in range(args.rounds):
        order = ways[r % 3 :] + ways[: r % 3]  # alternate who goes first
        for how in order:
            times[how].append(timed(repo, how, base, extra))
        said = (f"{h} {times[h][-1][0]:.2f}s/{times[h][-1][1]:.2f}s" for h in ways)
        print(f"round {r + 1} (wall/CPU): " + ", ".join(said))
    suite = args.suite or f"synthetic, {args.modules} modules"
    print(f"\nmedians over {args.rounds} rounds ({suite}):")
    for kind, at in (("wall", 0), ("CPU", 1)):
        med = {how: statistics.median(t[at] for t in times[how]) for how in ways}
        for how in ways:
            cost = med[how] - med["bare"]
            print(f"  {kind:<4} {how:<7} {med[how]:6.2f}s  ({cost:+.2f}s over bare)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
