"""Time the slowest of N test shards against the single run, for N = 2 and 4.

    python benchmarks/shards.py --modules 200 --tests 10 --rounds 3

Generates the synthetic repository of `synthetic.py` (modules x tests tests,
at least 2,000 by default), then, round by round and alternating:

- single:  `python -m mvp_process check --shard 1/1` (the whole suite, the same
           machinery: collection, pytest with coverage, the shard folder);
- N = 2, 4: each `check --shard K/N` as its own process, one after another (as
           on separate runners; run side by side on one machine they would
           only compete for its cores), keeping the slowest of the N;
- start-up: `check --shard 1/1` with every test deselected (`-k`): the fixed
           cost of a shard that runs nothing (interpreter, mvp-process,
           `--collect-only`, pytest collecting the suite, coverage start/save).

`--test-ms` gives every test that many milliseconds of waiting (an autouse
fixture, like a database round trip): the synthetic tests themselves take a
fraction of a millisecond, so without it collection dominates every run.

Prints the medians and checks the target: slowest <= 1.2 x (single / N) + start-up.
Also reports, for scale, plain `pytest --cov` on the whole suite and the fan-in
(`check --from-shards` for the three test gates, no baseline).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import ENV, git, make_repo  # noqa: E402

PY = sys.executable
COUNTS = (2, 4)
SLOW_TESTS = """import time

import pytest


@pytest.fixture(autouse=True)
def _work():
    time.sleep({seconds})
"""


def timed(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env or ENV, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(
            f"{' '.join(cmd)} exited {done.returncode}:\n{done.stdout}{done.stderr}"
        )
    return elapsed


def shard(
    repo: Path, out: Path, k: int, n: int, env: dict[str, str] | None = None
) -> float:
    folder = out / f"shards-{n}" / f"shard-{k}-of-{n}"
    cmd = [
        PY,
        "-m",
        "mvp_process",
        "check",
        "--shard",
        f"{k}/{n}",
        "--shard-dir",
        str(folder),
    ]
    return timed(cmd, repo, env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--modules", type=int, default=200)
    parser.add_argument("--tests", type=int, default=10, help="tests per module")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--test-ms", type=float, default=0.0, help="wait per test")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/out/shards"))
    args = parser.parse_args()
    out = args.out.resolve()
    repo = make_repo(out / "repo", args.modules, args.tests)
    if args.test_ms:
        (repo / "tests" / "conftest.py").write_text(
            SLOW_TESTS.format(seconds=args.test_ms / 1000)
        )
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "slower tests")
    empty_env = {**ENV, "MVP_PROCESS_PYTEST_ARGS": "-k no_test_has_this_name"}
    times: dict[str, list[float]] = {"single": [], "start-up": [], "pytest": []}
    times |= {f"slowest of {n}": [] for n in COUNTS}
    times |= {f"fan-in of {n}": [] for n in COUNTS}
    cover = [
        PY,
        "-m",
        "pytest",
        "-q",
        "--cov",
        "--cov-report=xml:" + str(out / "c.xml"),
    ]
    for r in range(args.rounds):
        times["single"].append(shard(repo, out, 1, 1))
        for n in COUNTS:
            times[f"slowest of {n}"].append(
                max(shard(repo, out, k, n) for k in range(1, n + 1))
            )
            fan_in = [
                PY,
                "-m",
                "mvp_process",
                "check",
                "--from-shards",
                str(out / f"shards-{n}"),
            ]
            fan_in += ["--only", "tests,coverage,diff-coverage", "--baseline", "none"]
            times[f"fan-in of {n}"].append(timed(fan_in, repo))
        times["start-up"].append(shard(repo, out / "empty", 1, 1, empty_env))
        times["pytest"].append(
            timed(cover, repo, {**ENV, "COVERAGE_FILE": str(out / ".cov")})
        )
        print(
            f"round {r + 1}: "
            + ", ".join(f"{k} {v[-1]:.2f}s" for k, v in times.items())
        )
    median = {k: statistics.median(v) for k, v in times.items()}
    tests = len(list((repo / "tests").glob("test_*.py"))) * args.tests
    print(
        f"\n{tests}+ tests (+{args.test_ms:g} ms each), {os.cpu_count()} cores, "
        f"median of {args.rounds} rounds:"
    )
    for name, value in median.items():
        print(f"  {name:<12} {value:6.2f}s")
    failed = False
    for n in COUNTS:
        slowest, single, startup = (
            median[f"slowest of {n}"],
            median["single"],
            median["start-up"],
        )
        target = 1.2 * single / n + startup
        ok = slowest <= target
        failed |= not ok
        print(
            f"  N={n}: slowest {slowest:.2f}s vs target 1.2 x {single:.2f}/{n} + "
            f"{startup:.2f} = {target:.2f}s -> {'OK' if ok else 'MISSED'}; "
            f"speed-up {single / slowest:.2f}x"
        )
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
