"""`check --shard K/N`: run one slice of the suite and keep what the decision needs.

Every shard lists the whole suite (`pytest --collect-only -q` with our plugin
writing the node ids and files to a file, since the `-q` listing itself
changes shape with the project's own `-q`/`-v` addopts), cuts it the same way
(`policy.shards.split_suite`), and runs its slice: the plugin collects only the
slice's files and deselects the rest. The folder it leaves is
self-describing: the raw coverage data (so the fan-in can remap paths and
combine), our pytest plugin's results file (counts and failures), the per-test
durations, and `manifest.json` with checksums of all three.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import mvp_process
from mvp_process.config import Config
from mvp_process.check.run import suite_args
from mvp_process.errors import ConfigError, MvpError
from mvp_process.check import pytest_results
from mvp_process.check import tests
from mvp_process.check.tests import plugin_env
from mvp_process.check.toolenv import ToolEnv
from mvp_process.check import policy_shards as policy
from mvp_process.check.policy_manifest import DATA, DURATIONS, RESULTS, Manifest
from mvp_process.check.policy_shards import ShardSpec
from mvp_process.redact import redact

PLUGIN = "mvp_process_shard"
DURATIONS_FILE = ".test_durations"
MANIFEST = "manifest.json"
OUR_FILES = (MANIFEST, DATA, RESULTS, DURATIONS)
DEFAULT_PARENT = "mvp-process-shards"


class ShardError(MvpError):
    """Shards that cannot be run or combined; the message names which and why."""


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class Collection:
    """What `pytest --collect-only` found (ids only when it succeeded)."""

    exit_code: int
    node_ids: tuple[str, ...]
    files: tuple[str, ...]
    duration: float


def collect(
    tools: ToolEnv, root: Path, pytest_args: tuple[str, ...], scratch: Path
) -> Collection:
    """The node ids pytest would run, in its order, after the project's -k/-m."""
    listing = scratch / "collected.json"
    started = time.monotonic()
    result = tools.module(
        "pytest",
        [
            "--collect-only",
            "-q",
            "-p",
            PLUGIN,
            f"--mvp-shard-list={listing}",
            *pytest_args,
        ],
        cwd=root,
        extra_env=plugin_env(
            tools, {"COVERAGE_FILE": str(scratch / ".coverage.collect")}
        ),
    )
    ids: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    if result.returncode == 0:
        try:
            found = json.loads(listing.read_text(encoding="utf-8"))
            ids, files = tuple(found["ids"]), tuple(found["files"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ShardError(
                f"pytest --collect-only did not list the tests ({exc!r})",
                hint="is `-p no:mvp_process_shard` or a plugin blocking it in your "
                "pytest options?",
            ) from None
    return Collection(result.returncode, ids, files, time.monotonic() - started)


def read_durations(root: Path) -> dict[str, float] | None:
    """`.test_durations` at the repository root, if the team keeps one."""
    path = root / DURATIONS_FILE
    if not path.is_file():
        return None
    try:
        return policy.parse_durations(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"{path} is not a valid durations file: {exc}",
            hint="regenerate it with `check --from-shards ... --store-durations` "
            "(or pytest-split's --store-durations), or delete it to slice by file",
        ) from None


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


def _run_problems(
    report: Path, plan: Collection, keep: list[str], code: int
) -> list[str]:
    """Did the run collect what the plan was made from? (Unstable ids would not.)"""
    try:
        selection = (report.parent / (report.name + ".selection")).read_text("utf-8")
        collected = set(json.loads(selection)["collected"])
    except (OSError, ValueError):
        if code in (0, 1):
            return ["pytest ran but the shard plugin reported no selection"]
        return []  # pytest stopped early; its exit code tells the tests gate
    problems = []
    unplanned = sorted(collected - set(plan.node_ids))
    if unplanned:
        problems.append(
            f"the run collected {len(unplanned)} tests --collect-only did not list "
            f"({', '.join(unplanned[:3])}): is the collection deterministic?"
        )
    missing = [n for n in keep if n not in collected]
    if missing:
        problems.append(
            f"{len(missing)} planned tests were not collected: {', '.join(missing[:5])}"
        )
    return problems


def _pytest_slice(
    tools: ToolEnv,
    root: Path,
    config: Config,
    keep: dict[str, list[str]] | None,
    scratch: Path,
) -> tuple[tests.TestRun, Path]:
    """Run the kept ids (or everything, with `keep=None`); data stays in scratch."""
    report = scratch / "report"
    args = list(suite_args(config))
    if keep is not None:
        (scratch / "keep.json").write_text(json.dumps(keep), encoding="utf-8")
        args += ["-p", PLUGIN, f"--mvp-shard-keep={scratch / 'keep.json'}"]
        args += [f"--mvp-shard-report={report}"]
    run = tests.run_pytest(
        tools, root, scratch / "out", pytest_args=args, reports=False
    )
    return run, report


def _keep_outputs(run: tests.TestRun, report: Path, dest: Path) -> dict[str, str]:
    """Copy the data the fan-in needs into the shard folder (secrets masked in the
    text files, since the folder becomes a downloadable artifact); checksums."""
    sources = {
        DATA: run.outdir / ".coverage",
        DURATIONS: report.parent / (report.name + ".durations"),
    }
    checksums = {}
    for name, source in sources.items():
        if not source.is_file():
            continue
        if name == DATA:
            shutil.copyfile(source, dest / name)
        else:  # text a test may have printed a secret into: the folder is uploaded
            text = source.read_text(encoding="utf-8", errors="replace")
            (dest / name).write_text(redact(text), encoding="utf-8")
        checksums[name] = sha256(dest / name)
    # Failure messages are text too; masked field by field, so the JSON holds.
    results = pytest_results.read_results(run.results_json)
    if results is not None:
        pytest_results.write_results(dest / RESULTS, results.map_text(redact))
        checksums[RESULTS] = sha256(dest / RESULTS)
    return dict(sorted(checksums.items()))


def run_shard(
    root: Path, head: str, tools: ToolEnv, config: Config, spec: ShardSpec, dest: Path
) -> Manifest:
    """Run the `spec` slice of the suite in `root`; write `dest` and its manifest."""
    prepare(dest)
    with tempfile.TemporaryDirectory(prefix="mvp-process-shard-") as tmp:
        scratch = Path(tmp)
        collection = collect(tools, root, config.pytest_args, scratch)
        sliced = collection.exit_code == 0 and bool(collection.node_ids)
        extra: dict[str, object] = {
            "mvp_process": mvp_process.__version__,
            "python": tools.python,
            "pytest_args": list(suite_args(config)),
            "collect_seconds": round(collection.duration, 3),
        }
        if sliced:
            slicing = policy.split_suite(
                collection.node_ids, spec.total, read_durations(root)
            )
            positions = slicing.shards[spec.index - 1]
            mine = tuple((p, collection.node_ids[p]) for p in positions)
            files = policy.files_to_collect(
                collection.node_ids, positions, collection.files, spec.index
            )
            keep = {"ids": [n for _, n in mine], "files": files}
            strategy = slicing.strategy
            extra["estimated_loads"] = [round(x, 3) for x in slicing.loads]
            extra["collected_files"] = files
        else:
            # Nothing to cut (collection failed or found nothing): shard 1 runs
            # the suite as an unsharded check would, so the fan-in reports the
            # very same collection errors; the other shards run nothing.
            strategy, mine, keep = policy.WHOLE_SUITE, (), None
            extra["collect_exit_code"] = collection.exit_code
        run: tests.TestRun | None = None
        problems: list[str] = []
        checksums: dict[str, str] = {}
        if keep and keep["files"] or (not sliced and spec.index == 1):
            run, report = _pytest_slice(tools, root, config, keep, scratch)
            if keep:
                problems = _run_problems(report, collection, keep["ids"], run.exit_code)
            checksums = _keep_outputs(run, report, dest)
    manifest = Manifest(
        shard=spec.index,
        total=spec.total,
        head=head,
        root=str(root),
        mode=policy.SLICED if sliced else policy.WHOLE_SUITE,
        strategy=strategy,
        collected=len(collection.node_ids),
        collection_sha256=policy.collection_digest(collection.node_ids),
        tests=mine,
        exit_code=None if run is None else run.exit_code,
        duration=0.0 if run is None else run.duration,
        output_tail=tuple(redact(line) for line in (run.output_tail if run else ())),
        problems=tuple(problems),
        checksums=checksums,
        extra=extra,
    )
    text = json.dumps(manifest.to_json(), indent=1, ensure_ascii=False)
    (dest / MANIFEST).write_text(text + "\n", encoding="utf-8")
    return manifest
