"""`check --shard K/N` runs one slice of the suite; `check --from-shards DIR...`
turns the slices' folders into the one `TestRun` a single pytest run would give.

pytest-split cuts the suite (`--splits N --group K`): every shard collects the
whole suite and runs its group, balanced by the durations recorded in the
repository's `.test_durations` (pytest-split's own file), else by test count.
The folder left behind is self-describing: the raw coverage data (so the
fan-in can remap paths and combine), pytest's JUnit report, this slice's
durations (pytest-split's `--store-durations`), and `manifest.json` with
checksums of all three. The folder becomes a downloadable artifact, so
secrets are masked in its text files.

The fan-in reads and verifies the folders first (every shard 1..N exactly
once, same N, same HEAD, same durations file, checksums intact, no test run
twice), and any problem stops the check with a message naming the shard. Then
the coverage data is combined in the project's interpreter with a generated
`[paths]` rule mapping each shard's checkout folder to this one (runners
check out to different paths), the XML report is written with the project's
own coverage configuration, and the JUnit reports are merged. So the tests,
coverage and diff-coverage gates decide exactly as they always do.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import mvp_process
from mvp_process.check import measure, tests
from mvp_process.check import policy_shards as policy
from mvp_process.check.policy_shards import (
    DATA,
    DATA_FILES,
    DURATIONS,
    RESULTS,
    Folder,
    Manifest,
    ShardSpec,
    parse_durations,
)
from mvp_process.check.run import suite_args
from mvp_process.check.toolenv import ToolEnv
from mvp_process.config import Config
from mvp_process.errors import ConfigError, MvpError
from mvp_process.redact import redact

DURATIONS_FILE = ".test_durations"
MANIFEST = "manifest.json"
OUR_FILES = (MANIFEST, *DATA_FILES)
DEFAULT_PARENT = "mvp-process-shards"
REMAP_SECTION = "mvp_process_shards"


class ShardError(MvpError):
    """Shards that cannot be run or combined; the message names which and why."""


def sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def read_durations(root: Path) -> bytes | None:
    """`.test_durations` at the repository root, if the team keeps one, checked
    (pytest-split would crash on a malformed one)."""
    path = root / DURATIONS_FILE
    if not path.is_file():
        return None
    data = path.read_bytes()
    try:
        parse_durations(json.loads(data))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"{path} is not a valid durations file: {exc}",
            hint="regenerate it with `check --from-shards ... --store-durations` "
            "(or pytest-split's --store-durations), or delete it to cut by count",
        ) from None
    return data


def prepare(dest: Path) -> None:
    """An empty shard folder; only our own files from an earlier run are replaced."""
    if dest.exists() and not dest.is_dir():
        raise ConfigError(f"--shard-dir {dest} is a file, not a folder")
    if dest.is_dir():
        other = sorted(p.name for p in dest.iterdir() if p.name not in OUR_FILES)
        if other:
            raise ConfigError(
                f"--shard-dir {dest} holds other files ({', '.join(other[:5])})",
                hint="give an empty or new folder for the shard",
            )
        for name in OUR_FILES:
            (dest / name).unlink(missing_ok=True)
    dest.mkdir(parents=True, exist_ok=True)


def split_args(spec: ShardSpec, durations: Path) -> list[str]:
    """pytest-split's options: this group, cut by (and then storing) durations."""
    return [
        "--splits",
        str(spec.total),
        "--group",
        str(spec.index),
        f"--durations-path={durations}",
        "--store-durations",
        "--clean-durations",  # only this slice's tests in the file it writes
    ]


def _mask_xml(source: Path, target: Path) -> None:
    """Copy an XML file with every text and attribute value masked (a secret in
    a failure message), element by element, so the file stays valid XML."""
    tree = ET.parse(source)
    for element in tree.iter():
        element.text = element.text and redact(element.text)
        element.tail = element.tail and redact(element.tail)
        for key, value in element.attrib.items():
            element.set(key, redact(value))
    tree.write(target, encoding="utf-8", xml_declaration=True)


def _keep_outputs(run: tests.TestRun, durations: Path, dest: Path) -> dict[str, str]:
    """Copy what the fan-in needs into the shard folder; their checksums."""
    if (run.outdir / ".coverage").is_file():
        shutil.copyfile(run.outdir / ".coverage", dest / DATA)
    if run.has_results:
        _mask_xml(run.junit_xml, dest / RESULTS)
    if durations.is_file():
        text = durations.read_text(encoding="utf-8", errors="replace")
        (dest / DURATIONS).write_text(redact(text), encoding="utf-8")
    return {name: sha256(dest / name) for name in DATA_FILES if (dest / name).is_file()}


def run_shard(
    root: Path, head: str, tools: ToolEnv, config: Config, spec: ShardSpec, dest: Path
) -> tuple[Manifest, tests.TestRun]:
    """Run the `spec` slice of the suite in `root`; write `dest` and its manifest."""
    prepare(dest)
    recorded = read_durations(root)
    with tempfile.TemporaryDirectory(prefix="mvp-process-shard-") as tmp:
        durations = Path(tmp) / "durations.json"
        if recorded is not None:
            durations.write_bytes(recorded)
        args = [*suite_args(config), *split_args(spec, durations)]
        run = tests.run_pytest(
            tools, root, Path(tmp) / "out", pytest_args=args, reports=False
        )
        checksums = _keep_outputs(run, durations, dest)
    manifest = Manifest(
        shard=spec.index,
        total=spec.total,
        head=head,
        root=str(root),
        exit_code=run.exit_code,
        durations_sha256=(
            None if recorded is None else hashlib.sha256(recorded).hexdigest()
        ),
        duration=run.duration,
        output_tail=tuple(redact(line) for line in run.output_tail),
        checksums=checksums,
        extra={
            "mvp_process": mvp_process.__version__,
            "python": tools.python,
            "pytest_args": list(suite_args(config)),
        },
    )
    text = json.dumps(manifest.to_json(), indent=1, ensure_ascii=False)
    (dest / MANIFEST).write_text(text + "\n", encoding="utf-8")
    return manifest, run


# -- the fan-in -------------------------------------------------------------------
@dataclass(frozen=True)
class Shard:
    path: Path
    manifest: Manifest
    results: tests.Results | None  # None: pytest left no report (it died)


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
        Shard(p, f.manifest, tests.read_junit(p / RESULTS, root))
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
    result = tools.module("coverage", args, cwd=root, extra_env=env)
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
    results = tests.merge(p for p in parts if p) if all(parts) else None
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
