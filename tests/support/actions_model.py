"""What the runner emulator carries and returns: records, results, files, cache.

Split from `actions_runner` so each stays short; see that module for the
behaviour as a whole.
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from support.actions_node import Expressions


class EmulatorError(Exception):
    """The action uses something this emulator does not implement."""


@dataclass
class StepRecord:
    """What one step did."""

    id: str
    name: str
    outcome: str  # success | failure | skipped
    exit_code: int | None = None
    outputs: dict[str, str] = field(default_factory=dict)
    inputs: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    note: str = ""


@dataclass
class RunResult:
    """What the action left behind: exit status, outputs, summary and log."""

    exit_code: int
    outputs: dict[str, str]
    summary: str
    log: str
    steps: list[StepRecord]
    masks: list[str]

    def step(self, step_id: str) -> StepRecord:
        return next(s for s in self.steps if s.id == step_id)

    @property
    def notes(self) -> list[str]:
        return [s.note for s in self.steps if s.note]


class CacheStore:
    """actions/cache's server side: a folder per key."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.saved: list[str] = []

    def _entry(self, key: str) -> Path:
        return self.root / key.replace("/", "_")

    def restore(self, key: str, path: Path) -> bool:
        entry = self._entry(key)
        if not entry.is_dir():
            return False
        if path.exists():
            shutil.rmtree(path)
        # Hard links: as fast as a local cache, and the entry stays intact because
        # nothing edits files in place (a reinstall deletes and recreates them).
        shutil.copytree(entry, path, symlinks=True, copy_function=_link_or_copy)
        return True

    def save(self, key: str, path: Path) -> bool:
        entry = self._entry(key)
        if entry.exists() or not path.is_dir():
            return False  # the real cache refuses to overwrite a key
        staging = self.root / f".{uuid.uuid4().hex}"
        shutil.copytree(path, staging, symlinks=True, copy_function=_link_or_copy)
        try:
            staging.rename(entry)
        except OSError:  # saved concurrently by another worker
            shutil.rmtree(staging, ignore_errors=True)
            return False
        self.saved.append(key)
        return True


def _link_or_copy(source: str, dest: str) -> None:
    try:
        os.link(source, dest)
    except OSError:
        shutil.copy2(source, dest)


def parse_file_command(text: str) -> dict[str, str]:
    """`name=value` lines and `name<<DELIMITER` blocks ($GITHUB_OUTPUT, $GITHUB_ENV)."""
    values: dict[str, str] = {}
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line.strip():
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            block = []
            while index < len(lines) and lines[index] != delimiter:
                block.append(lines[index])
                index += 1
            if index >= len(lines):
                raise EmulatorError(f"delimiter {delimiter!r} not found")
            index += 1
            values[name] = "\n".join(block)
        elif "=" in line:
            name, value = line.split("=", 1)
            values[name] = value
        else:
            raise EmulatorError(f"invalid file command line: {line!r}")
    return values


@dataclass
class JobState:
    """What the runner carries from one step to the next."""

    job_env: dict[str, str]
    contexts: dict[str, Any]
    records: list[StepRecord] = field(default_factory=list)
    added_env: dict[str, str] = field(default_factory=dict)
    added_path: list[str] = field(default_factory=list)
    steps: dict[str, Any] = field(default_factory=dict)
    exit_code: int = 0
    summary: str = ""
    log: str = ""
    masks: list[str] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        env = {**self.job_env, **self.added_env}
        if self.added_path:
            env["PATH"] = os.pathsep.join([*self.added_path, env.get("PATH", "")])
        return env

    def expressions(self) -> Expressions:
        contexts = {**self.contexts, "env": {**self.added_env}, "steps": self.steps}
        return Expressions(contexts, "failure" if self.exit_code else "success")

    def new_files(self, temp: Path) -> dict[str, Path]:
        folder = temp / "_runner_file_commands"
        folder.mkdir(parents=True, exist_ok=True)
        files = {}
        for name in (
            "GITHUB_OUTPUT",
            "GITHUB_ENV",
            "GITHUB_PATH",
            "GITHUB_STEP_SUMMARY",
            "GITHUB_STATE",
        ):
            path = folder / f"{name.lower()}_{uuid.uuid4()}"
            path.write_text("", encoding="utf-8")
            files[name] = path
        return files

    def collect(self, files: dict[str, Path]) -> dict[str, str]:
        """Apply the file commands a step wrote; return its outputs."""
        self.added_env.update(parse_file_command(files["GITHUB_ENV"].read_text()))
        for line in files["GITHUB_PATH"].read_text().splitlines():
            if line.strip():
                self.added_path.insert(0, line.strip())
        self.summary += files["GITHUB_STEP_SUMMARY"].read_text()
        return parse_file_command(files["GITHUB_OUTPUT"].read_text())

    def set_step(self, record: StepRecord) -> None:
        self.steps[record.id] = {
            "outputs": dict(record.outputs),
            "outcome": record.outcome,
            "conclusion": record.outcome,
        }
