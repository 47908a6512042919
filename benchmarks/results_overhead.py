"""Time the test run of `check` with our results plugin, with JUnit XML, and bare.

    python benchmarks/results_overhead.py --modules 200 --tests 10 --rounds 5

Generates the synthetic repository of `synthetic.py` (or reuses it), then
alternates, round by round, the pytest command `check` runs (`--cov` with the
XML report, as `gates.tests.pytest_command` builds it) three ways: with
`-p mvp_process_results` (what `check` does), with `--junitxml` instead (what
it did before), and with neither. Prints the medians and the cost of each
results format over the bare run.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import ENV, make_repo, size_arguments  # noqa: E402

from mvp_process.check.tests import PLUGIN_DIR, pytest_command  # noqa: E402

PY = sys.executable


def command(out: Path, how: str) -> list[str]:
    """`check`'s pytest command, its results plugin swapped for `how`."""
    args = pytest_command(out, [])
    at = args.index("-p")
    del args[at : at + 3]  # -p mvp_process_results --mvp-results=...
    if how == "plugin":
        args[at:at] = pytest_command(out, [])[at : at + 3]
    elif how == "junit":
        args[at:at] = [f"--junitxml={out / 'junit.xml'}", "-o", "junit_family=xunit1"]
    return [PY, "-m", "pytest", *args]


def timed(repo: Path, how: str) -> float:
    with tempfile.TemporaryDirectory(prefix="mvp-bench-") as tmp:
        out = Path(tmp)
        env = {**ENV, "PYTHONPATH": str(PLUGIN_DIR), "COVERAGE_FILE": f"{out}/.c"}
        started = time.perf_counter()
        done = subprocess.run(command(out, how), cwd=repo, env=env, capture_output=True)
        elapsed = time.perf_counter() - started
        expected = {"plugin": "results.json", "junit": "junit.xml", "bare": None}[how]
        if done.returncode != 0 or (expected and not (out / expected).is_file()):
            raise SystemExit(f"{how}: exit {done.returncode}\n{done.stdout[-2000:]!r}")
        return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size_arguments(parser, "benchmarks/out/check-repo", rounds=5)
    args = parser.parse_args()
    repo = make_repo(args.out.resolve(), args.modules, args.tests)
    ways = ("plugin", "junit", "bare")
    times: dict[str, list[float]] = {how: [] for how in ways}
    timed(repo, "bare")  # warm the bytecode caches
    for r in range(args.rounds):
        order = ways[r % 3 :] + ways[: r % 3]  # alternate who goes first
        for how in order:
            times[how].append(timed(repo, how))
        print(f"round {r + 1}: " + ", ".join(f"{h} {times[h][-1]:.2f}s" for h in ways))
    med = {how: statistics.median(times[how]) for how in ways}
    print(f"\nmedians over {args.rounds} rounds ({args.modules} modules):")
    for how in ways:
        extra = med[how] - med["bare"]
        print(f"  {how:<7} {med[how]:6.2f}s  ({extra:+.2f}s over bare)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
