"""Time `mvp-process check` against running its tools by hand, one after another.

    python benchmarks/check_speed.py --modules 200 --tests 10 --rounds 5

Generates a synthetic repository, runs `check` once to record the baseline (the
second run must take it from the cache), then alternates, round by round:
`python -m mvp_process check` and, by hand in sequence, flake8, black --check,
pytest --cov (with the XML report diff-cover needs) and diff-cover. Prints the
medians and the two ratios the issue sets targets for:
check / sequential <= 0.85 and check / (pytest --cov alone) <= 1.10.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import ENV, make_repo, size_arguments  # noqa: E402

PY = sys.executable
BIN = Path(PY).parent


def timed(cmd: list[str], cwd: Path, ok: tuple[int, ...] = (0,)) -> float:
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=ENV, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode not in ok:
        raise SystemExit(
            f"{' '.join(cmd)} exited {done.returncode}:\n{done.stdout}{done.stderr}"
        )
    return elapsed


def by_hand(repo: Path) -> dict[str, float]:
    times = {
        "flake8": timed([PY, "-m", "flake8", "."], repo),
        "black": timed([PY, "-m", "black", "--check", "-q", "."], repo),
        "pytest --cov": timed(
            [PY, "-m", "pytest", "-q", "--cov", "--cov-report=xml:coverage.xml"], repo
        ),
        "diff-cover": timed(
            [
                str(BIN / "diff-cover"),
                "coverage.xml",
                "--compare-branch=main",
                "--quiet",
            ],
            repo,
        ),
    }
    times["sequential"] = sum(times.values())
    return times


def check(repo: Path, report: Path) -> float:
    return timed(
        [PY, "-m", "mvp_process", "check", "--json", str(report)], repo, (0, 1)
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size_arguments(parser, "benchmarks/out/check-repo", rounds=5)
    args = parser.parse_args()

    repo = make_repo(args.out.resolve(), args.modules, args.tests)
    report = repo.parent / "check-report.json"
    first = check(repo, report)
    source = json.loads(report.read_text())["gates"][3]["baseline"]["source"]
    print(f"repo: {args.modules} modules, {args.modules * args.tests} tests")
    print(f"first check (recomputes the baseline): {first:.2f}s, baseline {source}")

    checks: list[float] = []
    manual: list[dict[str, float]] = []
    for round_no in range(args.rounds):
        checks.append(check(repo, report))
        data = json.loads(report.read_text())
        cached = data["gates"][3]["baseline"]["source"]
        if cached != "cache":
            raise SystemExit(f"round {round_no}: baseline was {cached}, not the cache")
        manual.append(by_hand(repo))
        print(
            f"round {round_no + 1}: check {checks[-1]:.2f}s, "
            f"by hand {manual[-1]['sequential']:.2f}s "
            f"(pytest --cov {manual[-1]['pytest --cov']:.2f}s)"
        )

    med = {k: statistics.median(m[k] for m in manual) for k in manual[0]}
    check_med = statistics.median(checks)
    print("\nmedians over", args.rounds, "rounds:")
    for name, value in med.items():
        print(f"  {name:<14} {value:6.2f}s")
    print(f"  {'check':<14} {check_med:6.2f}s  (baseline from cache every round)")
    seq_ratio = check_med / med["sequential"]
    cov_ratio = check_med / med["pytest --cov"]
    # Rounds alternate, so each round's pair saw the same machine state: the
    # median of the per-round ratios is the steadier figure on a noisy machine.
    paired_seq = statistics.median(c / m["sequential"] for c, m in zip(checks, manual))
    paired_cov = statistics.median(
        c / m["pytest --cov"] for c, m in zip(checks, manual)
    )
    print("\n                       ratio of medians   median of round ratios")
    print(f"check / sequential   = {seq_ratio:.3f}              {paired_seq:.3f}")
    print(f"check / pytest --cov = {cov_ratio:.3f}              {paired_cov:.3f}")
    print("targets: check / sequential <= 0.85, check / pytest --cov <= 1.10")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
