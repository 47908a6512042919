"""`check --from-shards DIR...`: turn shard folders into one `TestRun`.

The folders are read and verified first (every shard 1..N exactly once, same
N, same HEAD, same durations file, checksums intact, no test run twice), and
any problem stops the check with a message naming the shard. Then the
coverage data is combined in the project's interpreter with a generated
`[paths]` rule mapping each shard's checkout folder to this one (runners
check out to different paths), the XML report is written with the project's
own coverage configuration, and the JUnit reports are merged. So the tests,
coverage and diff-coverage gates decide exactly as they always do.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mvp_process.check import measure, pytest_results, tests
from mvp_process.check import policy_shards as policy
from mvp_process.check.policy_shards import (
    DATA,
    DURATIONS,
    RESULTS,
    Folder,
    Manifest,
    parse_durations,
)
from mvp_process.check.shards import DURATIONS_FILE, MANIFEST, ShardError, sha256
from mvp_process.check.toolenv import ToolEnv
from mvp_process.errors import ConfigError

REMAP_SECTION = "mvp_process_shards"


@dataclass(frozen=True)
class Shard:
    path: Path
    manifest: Manifest
    results: pytest_results.Results | None  # None: pytest left no report (it died)


def _label(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve())) or "."
    except ValueError:
        return str(path)


def find_folders(dirs: Sequence[Path]) -> tuple[list[Path], list[str]]:
    """Shard folders among `dirs`: each one, or its sub-folders (a download dir)."""
    found: list[Path] = []
    problems: list[str] = []
    for given in dirs:
        if (given / MANIFEST).is_file():
            found.append(given)
        elif not given.is_dir():
            problems.append(f"{_label(given)}: no such folder")
        else:
            subs = sorted(p for p in given.iterdir() if p.is_dir())
            for sub in subs:
                if (sub / MANIFEST).is_file():
                    found.append(sub)
                else:
                    problems.append(
                        f"{_label(sub)}: no {MANIFEST} (an incomplete shard folder?)"
                    )
            if not subs:
                problems.append(f"{_label(given)}: no {MANIFEST} in it or below it")
    return found, problems


def read_folder(path: Path) -> Folder:
    """The folder's manifest, after checking it and every file it lists."""
    label = _label(path)
    try:
        data = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        manifest = policy.parse_manifest(data)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        said = f"{MANIFEST}: {exc}" if isinstance(exc, policy.ManifestError) else ""
        return Folder(label, problem=said or f"{MANIFEST} is not readable JSON ({exc})")
    for name, expected in sorted(manifest.checksums.items()):
        if not (path / name).is_file():
            return Folder(label, manifest, f"{name} is missing")
        if sha256(path / name) != expected:
            return Folder(
                label, manifest, f"{name} is corrupt (its checksum does not match)"
            )
    return Folder(label, manifest)


def load_shards(dirs: Sequence[Path], head: str, root: Path) -> list[Shard]:
    """Verified shards 1..N in order, or a `ShardError` naming every problem."""
    paths, problems = find_folders(dirs)
    folders = [read_folder(p) for p in paths]
    problems += policy.check_shards(folders, head) if folders or not problems else []
    shards = [
        Shard(p, f.manifest, pytest_results.read_junit(p / RESULTS, root))
        for p, f in zip(paths, folders)
        if f.manifest and not problems
    ]
    problems += policy.overlap(
        {s.manifest.label: s.results.ran for s in shards if s.results}
    )
    if problems:
        raise ShardError(
            "cannot decide from these test shards:\n"
            + "\n".join(f"  - {p}" for p in problems),
            hint="every shard job must upload its folder for this commit: re-run "
            "the failed shard jobs, then this one (locally: `check --shard K/N` "
            "for each shard named)",
        )
    return sorted(shards, key=lambda s: s.manifest.shard)


# -- coverage ---------------------------------------------------------------------
def _pattern(root: str) -> str:
    """A folder as a coverage `[paths]` entry: `$` doubled, glob characters blunted."""
    text = root.replace("$", "$$")
    for char in "*?[]":
        text = text.replace(char, "?")
    return text.rstrip("/\\") + "/"


def remap_rc(shards: Sequence[Shard], root: Path) -> str:
    """A coverage rc file whose only rule maps each shard's root to `root`."""
    roots = dict.fromkeys([str(root), *(s.manifest.root for s in shards)])
    lines = ["[paths]", f"{REMAP_SECTION} ="]
    lines += [f"    {_pattern(r)}" for r in roots]
    return "\n".join(lines) + "\n"


def _coverage(tools: ToolEnv, root: Path, out: Path, args: list[str]) -> None:
    env = {"COVERAGE_FILE": str(out / ".coverage")}
    result = tools.run("-m", "coverage", *args, cwd=root, extra_env=env)
    if result.returncode not in (0, 2):  # 2: under the project's fail_under
        raise ShardError(
            f"`coverage {args[0]}` of the shards' data failed "
            f"(exit code {result.returncode}):\n{result.output.strip()[-2000:]}",
            hint="are all shards run with the same coverage version and settings?",
        )


def combine_coverage(
    shards: Sequence[Shard],
    tools: ToolEnv,
    root: Path,
    out: Path,
    pytest_args: Sequence[str],
) -> None:
    """Write out/coverage.xml (figures and lines) from the shards' data files."""
    inputs = out / "shard-data"
    inputs.mkdir(parents=True, exist_ok=True)
    copies = []
    for shard in shards:
        if (shard.path / DATA).is_file():
            copies.append(inputs / f"coverage.{shard.manifest.shard}")
            shutil.copyfile(shard.path / DATA, copies[-1])
    if not copies:
        return
    rc = out / "remap.coveragerc"
    rc.write_text(remap_rc(shards, root), encoding="utf-8")
    _coverage(tools, root, out, ["combine", f"--rcfile={rc}", *map(str, copies)])
    config = measure.config_file(pytest_args)  # where pytest-cov was told to look
    rcargs = [f"--rcfile={config}"] if config else []
    _coverage(tools, root, out, ["xml", "-i", "-o", str(out / "coverage.xml"), *rcargs])


# -- test results -----------------------------------------------------------------
def _tail(shards: Sequence[Shard]) -> tuple[str, ...]:
    """pytest's last words from the shards that did not simply pass or fail."""
    odd = [s for s in shards if s.manifest.exit_code not in (0, 1, 5)] or list(shards)
    lines = [
        line
        for s in odd
        for line in (f"[shard {s.manifest.label}]", *s.manifest.output_tail)
    ]
    return tuple(lines[-30:])


def combine(
    shards: Sequence[Shard],
    tools: ToolEnv,
    root: Path,
    out: Path,
    pytest_args: Sequence[str],
) -> tests.TestRun:
    """The `TestRun` of the whole suite, as one pytest run would have left it.

    pytest-split's default cut gives each shard a consecutive piece of the
    collection, so the shards' failures, in shard order, are in the suite's
    order. A shard whose pytest left no report makes it a run without results,
    as a single run that died: the tests gate fails with the last words.
    """
    out.mkdir(parents=True, exist_ok=True)
    code = policy.combined_exit_code([s.manifest.exit_code for s in shards])
    parts = [s.results for s in shards]
    results = pytest_results.merge(p for p in parts if p) if all(parts) else None
    combine_coverage(shards, tools, root, out, pytest_args)
    duration = max((s.manifest.duration for s in shards), default=0.0)
    return tests.from_results(results, code, out, _tail(shards), duration)


def store_durations(shards: Sequence[Shard], root: Path) -> Path:
    """Write the shards' per-test durations to `.test_durations` for the next cut."""
    merged: dict[str, float] = {}
    for shard in shards:
        path = shard.path / DURATIONS
        if path.is_file():
            merged.update(parse_durations(json.loads(path.read_text("utf-8"))))
    if not merged:
        raise ConfigError(
            "--store-durations: the shards recorded no test durations",
            hint="durations are recorded for the tests a shard ran (none ran "
            "when collection failed)",
        )
    target = root / DURATIONS_FILE
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(dict(sorted(merged.items())), indent=2) + "\n", "utf-8")
    os.replace(tmp, target)
    return target
