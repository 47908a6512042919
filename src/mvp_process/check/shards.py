"""`check --shard K/N` runs one slice of the suite and leaves a folder for the
fan-in (`check --from-shards DIR...`, in `fanin.py`).

pytest-split cuts the suite (`--splits N --group K`): every shard collects the
whole suite and runs its group, balanced by the durations recorded in the
repository's `.test_durations` (pytest-split's own file), else by test count.
The folder left behind is self-describing: the raw coverage data (so the
fan-in can remap paths and combine), pytest's JUnit report, this slice's
durations (pytest-split's `--store-durations`), and `manifest.json` with
checksums of all three. The folder becomes a downloadable artifact, so
secrets are masked in its text files.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import mvp_process
from mvp_process.check import tests
from mvp_process.check.policy_shards import (
    DATA,
    DATA_FILES,
    DURATIONS,
    RESULTS,
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
