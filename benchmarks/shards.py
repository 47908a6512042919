"""Time the slowest of N test shards against the single run, for N = 2 and 4.

    python benchmarks/shards.py --modules 200 --tests 10 --rounds 3

Generates the synthetic repository of `synthetic.py` (modules x tests tests,
at least 2,000 by default), then, round by round and alternating:

- single:  `python -m mvp_process check --shard 1/1` (the whole suite, the same
           machinery: collection, pytest with coverage, the shard folder);
- N = 2, 4: each `check --shard K/N` as its own process, one after another (as
           on separate runners; run side by side on one machine they would
           only compete for its cores), keeping the slowest of the N;
- start-up: the fixed cost of a shard whose slice is empty, in two parts:
           `check --shard 2/2` with `-k` deselecting every test (collection
           finds nothing to cut, so shard 2 starts no pytest: interpreter,
           mvp-process, git, the tool probe, `--collect-only` of the whole
           suite, the manifest), plus the project's pytest with coverage and
           the shard plugin collecting no file (pytest and coverage start,
           conftest files, the folder walk, coverage save).

`--test-ms` gives every test that many milliseconds of waiting (an autouse
fixture, like a database round trip): the synthetic tests themselves take a
fraction of a millisecond, so without it collection dominates every run.

Prints the medians and checks the target: slowest <= 1.2 x (single / N) + start-up.
Also reports, for scale, plain `pytest --cov` on the whole suite and the fan-in
(`check --from-shards` for the three test gates, no baseline).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import ENV, git, make_repo, size_arguments  # noqa: E402

from mvp_process.check.shards import PLUGIN  # noqa: E402
from mvp_process.check.tests import PLUGIN_DIR  # noqa: E402

PY = sys.executable
COUNTS = (2, 4)
SLOW_TESTS = """import time

import pytest


@pytest.fixture(autouse=True)
def _work():
    time.sleep({seconds})
"""


def timed(
    cmd: list[str], cwd: Path, env: dict[str, str] | None = None, ok: int = 1
) -> float:
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env or ENV, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, ok):
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
    size_arguments(parser, "benchmarks/out/shards", rounds=3)
    parser.add_argument("--test-ms", type=float, default=0.0, help="wait per test")
    args = parser.parse_args()
    out = args.out.resolve()
    repo = make_repo(out / "repo", args.modules, args.tests)
    if args.test_ms:
        (repo / "tests" / "conftest.py").write_text(
            SLOW_TESTS.format(seconds=args.test_ms / 1000)
        )
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "slower tests")
    (out / "empty.json").write_text('{"ids": [], "files": []}')
    bare = [PY, "-m", "pytest", "-q", "--cov", "--cov-report=", "-p", PLUGIN]
    bare += [f"--mvp-shard-keep={out / 'empty.json'}"]
    nothing_env = {**ENV, "MVP_PROCESS_PYTEST_ARGS": "-k no_test_has_this_name"}
    bare_env = {**ENV, "PYTHONPATH": str(PLUGIN_DIR), "COVERAGE_FILE": str(out / ".e")}
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
    collect: list[float] = []  # the `--collect-only` part of a shard's time
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
        empty = shard(repo, out / "empty", 2, 2, nothing_env)
        manifest = out / "empty" / "shards-2" / "shard-2-of-2" / "manifest.json"
        assert json.loads(manifest.read_text())["pytest_exit_code"] is None
        times["start-up"].append(empty + timed(bare, repo, bare_env, ok=5))
        times["pytest"].append(
            timed(cover, repo, {**ENV, "COVERAGE_FILE": str(out / ".cov")})
        )
        manifest = out / "shards-4" / "shard-1-of-4" / "manifest.json"
        collect.append(json.loads(manifest.read_text())["collect_seconds"])
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
    print(
        f"  of which --collect-only  {statistics.median(collect):6.2f}s (a shard's own)"
    )
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
