"""Time how long `publish` takes to read and validate a fork's report artifact.

    python benchmarks/publish_validation.py --findings 0 1000 10000 --rounds 5

Builds a report of the shape `check --json` writes, with N flake8 findings (and
as many detail lines), and times `policy_artifact.report()` on its bytes (JSON,
schema, consistency, the `CheckReport`), median of the rounds. Also prints the
time to import the publish command, which loads jsonschema.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from support.fork import FINDING, sample_report  # noqa: E402

from mvp_process.github import policy_artifact  # noqa: E402


def report_bytes(findings: int) -> bytes:
    report = sample_report()
    flake8 = report["gates"][0]
    flake8["findings"] = [{**FINDING, "line": i + 1} for i in range(findings)]
    flake8["details"] = [f"calc/x.py:{i + 1}:8 F401 unused" for i in range(findings)]
    flake8["count"] = findings
    return json.dumps(report, indent=2).encode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--findings", type=int, nargs="+", default=[0, 1000, 10000])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    for count in args.findings:
        raw = report_bytes(count)
        times = []
        for _ in range(args.rounds):
            started = time.perf_counter()
            policy_artifact.report(raw)
            times.append(time.perf_counter() - started)
        print(
            f"{count:>6} findings, {len(raw):>9,} bytes: "
            f"{statistics.median(times) * 1000:8.1f} ms to validate"
        )
    imports = []
    for _ in range(args.rounds):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", "import mvp_process.github.publish_command"],
            check=True,
        )
        imports.append(time.perf_counter() - started)
    print(f"python -c 'import the publish command': {statistics.median(imports):.2f} s")


if __name__ == "__main__":
    main()
