"""`check` against its four tools run by hand, on real projects' sdists.

    python benchmarks/real_projects.py --rounds 5 [--only six,idna] [--out DIR]
    python benchmarks/real_projects.py --parallel more-itertools --rounds 5

Each project is a release's sdist from the package index (downloaded at benchmark
time, never committed) turned into a git repository: `main` holds the release, a
branch `1-probe` adds a partly tested function and its test. Then, alternating
round by round:

- `python -m mvp_process check` (the baseline comes from the cache: one warm-up
  `check` records it first, as a team's second run would find it);
- by hand, one after another: `flake8 .`, `black --check .`,
  `pytest --cov=<package> --cov-report=xml` and `diff-cover --compare-branch=main`.

It prints the medians, `check / by hand` per project (the issue's target: at most
1.0), and checks on the way that both sides agree on the figures (project
coverage within 0.1 point, diff coverage within 0.1 point).

`--parallel NAME` times `check` with `parallel = true` against `pytest --cov`
alone on that project's suite (target: at most 0.85), and raw `pytest -n 2 --cov`
beside it for reference. The target needs a suite that xdist speeds up: on
more-itertools' whole suite (766 tests, 55 s) `pytest -n 2 --cov` takes 0.72x;
on jinja2's (785 tests, 3.6 s) 0.95x, so no `check` can reach 0.85x there
(the lint gates alone need about 4 s of CPU).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import textwrap
import time
from pathlib import Path

from mvp_process.config_keys import DEFAULT_TEST_GLOBS

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from support.real_projects import ADDED, PROJECTS, Project  # noqa: E402

PY = sys.executable
BIN = Path(PY).parent
ENV = {
    "PATH": f"{BIN}{os.pathsep}/usr/bin:/bin",
    "HOME": os.environ.get("HOME", "/tmp"),
    "GIT_CONFIG_GLOBAL": "/dev/null",
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
}


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, env=ENV, check=True, capture_output=True)


def make_repo(project: Project, out: Path) -> Path:
    """The sdist on `main`, the probe on branch `1-probe` (checked out)."""
    downloads = out / "sdists"
    subprocess.run(
        [PY, "-m", "pip", "download", "-q", "--no-binary", ":all:", "--no-deps"]
        + ["-d", str(downloads), f"{project.name}=={project.version}"],
        check=True,
    )
    stem = project.name.replace("-", "_").lower()
    (sdist,) = [
        p
        for p in downloads.glob("*.tar.gz")
        if p.name.lower().replace("-", "_").startswith(f"{stem}_{project.version}")
    ]
    repo = out / project.name
    shutil.rmtree(repo, ignore_errors=True)
    unpacked = out / "unpacked"
    shutil.rmtree(unpacked, ignore_errors=True)
    with tarfile.open(sdist) as archive:
        archive.extractall(unpacked, filter="data")
    next(unpacked.iterdir()).rename(repo)
    ignore = "__pycache__/\n.pytest_cache/\n.coverage*\ncoverage.xml\n"
    (repo / ".gitignore").write_text(ignore)
    if project.args:  # the team's pytest arguments, as it would adopt check
        with (repo / "pyproject.toml").open("a", encoding="utf-8") as toml:
            toml.write(
                f"\n[tool.mvp-process]\npytest-args = {json.dumps(project.args)}\n"
            )
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", f"{project.name} {project.version}")
    git(repo, "switch", "-q", "-c", "1-probe")
    module = repo / project.module
    module.write_text(module.read_text(encoding="utf-8") + ADDED, encoding="utf-8")
    test = f"""
    from {project.imports} import mvp_process_probe


    def test_mvp_change():
        assert mvp_process_probe(True) == "yes"
    """
    (repo / project.tests / "test_mvp_change.py").write_text(textwrap.dedent(test))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "add a probe")
    return repo


def env_for(project: Project, repo: Path, **extra: str) -> dict[str, str]:
    env = {**ENV, **extra}
    if project.src:
        env["PYTHONPATH"] = str(repo / "src")
    return env


def timed(
    cmd: list[str], repo: Path, env: dict[str, str], ok: tuple[int, ...]
) -> float:
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=repo, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode not in ok:
        raise SystemExit(f"{cmd} exited {done.returncode}:\n{done.stdout}{done.stderr}")
    return elapsed


def check(project: Project, repo: Path, out: Path, *extra: str) -> tuple[float, dict]:
    report = out / "check.json"
    env = env_for(project, repo)
    cmd = [PY, "-m", "mvp_process", "check", "--json", str(report), *extra]
    seconds = timed(cmd, repo, env, (0, 1))
    return seconds, json.loads(report.read_text())


def by_hand(project: Project, repo: Path, out: Path) -> tuple[float, float, dict]:
    """The four tools in sequence; their total time, project and diff figures."""
    data = out / ".coverage"
    env = env_for(project, repo, COVERAGE_FILE=str(data))
    xml = out / "coverage.xml"
    total = timed([PY, "-m", "flake8", "."], repo, env, (0, 1))
    total += timed([PY, "-m", "black", "--check", "-q", "."], repo, env, (0, 1))
    pytest = [PY, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    pytest += [f"--cov={project.package}", f"--cov-report=xml:{xml}"]
    total += timed(pytest + ["--cov-fail-under=0", *project.args], repo, env, (0,))
    diff_json = out / "diff-cover.json"
    diff = [str(BIN / "diff-cover"), str(xml), "--compare-branch=main", "--quiet"]
    diff += ["--format", f"json:{diff_json}", "--total-percent-float"]
    total += timed(diff + ["--exclude", *DEFAULT_TEST_GLOBS], repo, env, (0, 1))
    report = subprocess.run(
        [PY, "-m", "coverage", "report", "--precision=2", "--fail-under=0"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    figure = float(report.strip().splitlines()[-1].split()[-1].rstrip("%"))
    return total, figure, json.loads(diff_json.read_text())


def agree(name: str, mine: dict, figure: float, theirs: dict) -> None:
    gates = {g["name"]: g for g in mine["gates"]}
    after = gates["coverage"]["after"]
    diff = gates["diff-coverage"]["percent"]
    if abs(after - figure) > 0.1 or abs(diff - theirs["total_percent_covered"]) > 0.1:
        raise SystemExit(
            f"{name}: figures disagree: {after} vs {figure}, {diff} vs {theirs}"
        )


def compare(project: Project, out: Path, rounds: int) -> tuple[float, float]:
    repo = make_repo(project, out)
    check(project, repo, out)  # warm-up: records the baseline in the cache
    mine, theirs = [], []
    for _ in range(rounds):
        seconds, report = check(project, repo, out)
        mine.append(seconds)
        total, figure, diff = by_hand(project, repo, out)
        theirs.append(total)
        agree(project.name, report, figure, diff)
    return statistics.median(mine), statistics.median(theirs)


def parallel(project: Project, out: Path, rounds: int) -> None:
    if project.suite is not None:
        project = dataclasses.replace(project, args=project.suite)
    repo = make_repo(project, out)
    with (repo / "pyproject.toml").open("a", encoding="utf-8") as toml:
        if project.args:
            toml.write("parallel = true\n")
        else:
            toml.write("\n[tool.mvp-process]\nparallel = true\n")
    git(repo, "commit", "-qam", "parallel = true")
    check(project, repo, out)  # warm-up: records the baseline in the cache
    env = env_for(project, repo, COVERAGE_FILE=str(out / ".coverage"))
    pytest = [PY, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    pytest += [f"--cov={project.package}", "--cov-fail-under=0", *project.args]
    rows: dict[str, list[float]] = {"check": [], "pytest --cov": [], "-n 2": []}
    for _ in range(rounds):
        rows["check"].append(check(project, repo, out)[0])
        rows["pytest --cov"].append(timed(pytest, repo, env, (0,)))
        rows["-n 2"].append(timed(pytest + ["-n", "2"], repo, env, (0,)))
    medians = {k: statistics.median(v) for k, v in rows.items()}
    base = medians["pytest --cov"]
    print(f"{project.name}: " + ", ".join(f"{k} {v:.2f}s" for k, v in medians.items()))
    print(
        f"  check (parallel) / pytest --cov = {medians['check'] / base:.3f}"
        f" (target <= 0.85); pytest -n 2 --cov / pytest --cov = "
        f"{medians['-n 2'] / base:.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", default="six,idna,iniconfig,more-itertools")
    parser.add_argument("--parallel", metavar="NAME")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/out/real"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    out = args.out.resolve()
    if args.parallel:
        parallel(PROJECTS[args.parallel], out / "parallel", args.rounds)
        return
    for name in args.only.split(","):
        mine, theirs = compare(PROJECTS[name], out / name, args.rounds)
        print(
            f"{name}: check {mine:.2f}s, four tools by hand {theirs:.2f}s, "
            f"ratio {mine / theirs:.3f} (target <= 1.0)",
            flush=True,
        )


if __name__ == "__main__":
    main()
