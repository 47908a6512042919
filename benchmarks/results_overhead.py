"""Time the test run of `check` with its JUnit report, without it, and (to
compare) with the results plugin mvp-process used before.

    python benchmarks/results_overhead.py --modules 200 --tests 10 --rounds 11
    python benchmarks/results_overhead.py --suite click --rounds 11 \\
        --plugin-dir OLD/src/mvp_process/check/pytest_plugin/untraced

Generates the synthetic repository of `synthetic.py` (or, with `--suite`,
downloads a real project's suite, see `real_suite.py`), then alternates,
round by round, the pytest command `check` runs (`--cov` with the XML report
and `--junitxml`, as `check.tests.pytest_command` builds it) and the same
command without the JUnit report ("bare"); with `--plugin-dir` (the
`untraced/` folder of a checkout from before the switch, 9a932f0 or older)
also with `-p mvp_process_results` instead of the JUnit report. Prints the
medians of wall and CPU time and each way's cost over the bare run.
"""

from __future__ import annotations

import argparse
import os
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

from mvp_process.check.pytest_results import junit_args  # noqa: E402
from mvp_process.check.tests import pytest_command  # noqa: E402

PY = sys.executable
EXPECTED = {"junit": "junit.xml", "plugin": "results.json", "bare": None}


def command(out: Path, how: str, extra: list[str]) -> list[str]:
    """`check`'s pytest command, its JUnit options swapped for `how`."""
    args = pytest_command(out, extra)
    if how != "junit":
        del args[-len(junit_args(out)) :]
    if how == "plugin":
        args += ["-p", "mvp_process_results", f"--mvp-results={out / 'results.json'}"]
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
        env = {**base, "COVERAGE_FILE": f"{out}/.c"}
        if how == "plugin":
            path = [base["PLUGIN_DIR"], *filter(None, [base.get("PYTHONPATH")])]
            env["PYTHONPATH"] = os.pathsep.join(path)
        started, spent = time.perf_counter(), cpu()
        cmd = command(out, how, extra)
        done = subprocess.run(cmd, cwd=repo, env=env, capture_output=True)
        elapsed = time.perf_counter() - started, cpu() - spent
        expected = EXPECTED[how]
        if done.returncode != 0 or (expected and not (out / expected).is_file()):
            raise SystemExit(f"{how}: exit {done.returncode}\n{done.stdout[-2000:]!r}")
        return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size_arguments(parser, "benchmarks/out/check-repo", rounds=5)
    parser.add_argument("--suite", choices=sorted(SUITES), help="a real suite")
    parser.add_argument("--plugin-dir", type=Path, help="the old plugin's loaders")
    args = parser.parse_args()
    base, extra = dict(ENV), []
    if args.suite:
        repo, base = real_repo(args.suite, Path("benchmarks/out/real").resolve())
        extra = base.pop("MVP_PROCESS_PYTEST_ARGS", "").split()
    else:
        repo = make_repo(args.out.resolve(), args.modules, args.tests)
    ways: tuple[str, ...] = ("junit", "bare")
    if args.plugin_dir:
        ways += ("plugin",)
        base["PLUGIN_DIR"] = str(args.plugin_dir.resolve())
    times: dict[str, list[tuple[float, float]]] = {how: [] for how in ways}
    timed(repo, "bare", base, extra)  # warm the bytecode caches
    for r in range(args.rounds):
        order = ways[r % len(ways) :] + ways[: r % len(ways)]  # who goes first
        for how in order:
            times[how].append(timed(repo, how, base, extra))
        said = (f"{h} {times[h][-1][0]:.2f}s/{times[h][-1][1]:.2f}s" for h in ways)
        print(f"round {r + 1} (wall/CPU): " + ", ".join(said), flush=True)
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
