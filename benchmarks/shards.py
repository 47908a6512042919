"""Time the slowest of N test shards against the single run, for N = 2 and 4.

    python benchmarks/shards.py --modules 200 --tests 10 --rounds 3
    python benchmarks/shards.py --suite click --rounds 5 --before OLD/src

Generates the synthetic repository of `synthetic.py` (or, with `--suite`,
downloads a real project's suite, see `real_suite.py`), then, round by round:

- single:  `python -m mvp_process check --shard 1/1` (the whole suite, the same
           machinery: pytest with coverage, the shard folder);
- N = 2, 4: each `check --shard K/N` as its own process, one after another (as
           on separate runners; run side by side on one machine they would
           only compete for its cores), keeping the slowest of the N;
- fan-in:  `check --from-shards` for the three test gates (no baseline);
- start-up: `check --shard 1/1` with `-k` deselecting every test: the fixed
           cost of a shard (interpreter, mvp-process, git, the tool probe,
           pytest and coverage starting, collecting the suite, saving).

`--before SRC` runs every step a second time, alternating, with the
mvp-process found in SRC (the `src` folder of an older checkout) first on
PYTHONPATH, so two versions are compared on the same machine in the same
minutes. `--test-ms` gives every synthetic test that many milliseconds of
waiting (an autouse fixture, like a database round trip).

Prints the medians (wall and CPU time) and checks the target on wall time:
slowest <= 1.2 x (single / N) + start-up.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from real_suite import SUITES, real_repo  # noqa: E402
from synthetic import ENV, git, make_repo, size_arguments  # noqa: E402

PY = sys.executable
COUNTS = (2, 4)
SLOW_TESTS = """import time

import pytest


@pytest.fixture(autouse=True)
def _work():
    time.sleep({seconds})
"""


Time = tuple[float, float]  # wall, CPU (the machine is shared: CPU is steadier)


def cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def timed(cmd: list[str], cwd: Path, env: dict[str, str], ok: int = 1) -> Time:
    started, spent = time.perf_counter(), cpu()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started, cpu() - spent
    if done.returncode not in (0, ok):
        raise SystemExit(
            f"{' '.join(cmd)} exited {done.returncode}:\n{done.stdout}{done.stderr}"
        )
    return elapsed


def slowest(times: list[Time]) -> Time:
    return max(t[0] for t in times), max(t[1] for t in times)


def shard(repo: Path, out: Path, k: int, n: int, env: dict[str, str]) -> Time:
    folder = out / f"shards-{n}" / f"shard-{k}-of-{n}"
    cmd = [PY, "-m", "mvp_process", "check", "--shard", f"{k}/{n}"]
    return timed([*cmd, "--shard-dir", str(folder)], repo, env)


def fan_in(repo: Path, out: Path, n: int, env: dict[str, str]) -> Time:
    cmd = [PY, "-m", "mvp_process", "check", "--from-shards", str(out / f"shards-{n}")]
    cmd += ["--only", "tests,coverage,diff-coverage", "--baseline", "none"]
    return timed(cmd, repo, env)


def one_round(repo: Path, out: Path, env: dict[str, str]) -> dict[str, Time]:
    if out.exists():
        shutil.rmtree(out)
    times = {"single": shard(repo, out / "single", 1, 1, env)}
    for n in COUNTS:
        times[f"slowest of {n}"] = max(
            shard(repo, out, k, n, env) for k in range(1, n + 1)
        )
        times[f"fan-in of {n}"] = fan_in(repo, out, n, env)
    args = env.get("MVP_PROCESS_PYTEST_ARGS", "") + " -k no_test_has_this_name"
    nothing = {**env, "MVP_PROCESS_PYTEST_ARGS": args.strip()}
    times["start-up"] = shard(repo, out / "empty", 1, 1, nothing)
    return times


def setup(args: argparse.Namespace) -> tuple[Path, dict[str, str]]:
    out = args.out.resolve()
    if args.suite:
        return real_repo(args.suite, out / "real")
    repo = make_repo(out / "repo", args.modules, args.tests)
    if args.test_ms:
        (repo / "tests" / "conftest.py").write_text(
            SLOW_TESTS.format(seconds=args.test_ms / 1000)
        )
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "slower tests")
    return repo, dict(ENV)


def report(name: str, times: dict[str, list[Time]], rounds: int) -> bool:
    cpus = {k: statistics.median(t[1] for t in v) for k, v in times.items()}
    median = {k: statistics.median(t[0] for t in v) for k, v in times.items()}
    print(f"\n{name}, median of {rounds} rounds ({os.cpu_count()} cores):")
    for step, value in median.items():
        print(f"  {step:<13} {value:6.2f}s wall {cpus[step]:6.2f}s CPU")
    met = True
    single, startup = median["single"], median["start-up"]
    for n in COUNTS:
        slowest = median[f"slowest of {n}"]
        target = 1.2 * single / n + startup
        met &= slowest <= target
        print(
            f"  N={n}: slowest {slowest:.2f}s vs target 1.2 x {single:.2f}/{n} + "
            f"{startup:.2f} = {target:.2f}s -> "
            f"{'OK' if slowest <= target else 'MISSED'}; "
            f"speed-up {single / slowest:.2f}x"
        )
    return met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    size_arguments(parser, "benchmarks/out/shards", rounds=3)
    parser.add_argument("--test-ms", type=float, default=0.0, help="wait per test")
    parser.add_argument("--suite", choices=sorted(SUITES), help="a real suite")
    parser.add_argument("--before", type=Path, help="an older mvp-process's src")
    args = parser.parse_args()
    repo, env = setup(args)
    versions = {"this mvp-process": env}
    if args.before:
        path = [str(args.before.resolve()), *filter(None, [env.get("PYTHONPATH")])]
        versions["before"] = {**env, "PYTHONPATH": os.pathsep.join(path)}
    for version, version_env in versions.items():  # warm the bytecode caches
        warm = args.out.resolve() / "runs" / "warm" / version.replace(" ", "-")
        shard(repo, warm, 1, 1, version_env)
    times: dict[str, dict[str, list[Time]]] = {v: {} for v in versions}
    for r in range(args.rounds):
        order = (
            list(versions)[r % len(versions) :] + list(versions)[: r % len(versions)]
        )
        for version in order:
            out = args.out.resolve() / "runs" / version.replace(" ", "-")
            for step, value in one_round(repo, out, versions[version]).items():
                times[version].setdefault(step, []).append(value)
            said = ", ".join(
                f"{k} {v[-1][0]:.2f}s/{v[-1][1]:.2f}s"
                for k, v in times[version].items()
            )
            print(f"round {r + 1}, {version}: {said}", flush=True)
    met = [report(version, times[version], args.rounds) for version in versions]
    raise SystemExit(0 if met[0] else 1)


if __name__ == "__main__":
    main()
