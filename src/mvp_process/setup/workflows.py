"""Read a repository's GitHub Actions workflows to see how they use mvp-process.

`doctor` needs four facts from them: which jobs run mvp-process, whether those
jobs check out the full history (`fetch-depth: 0`, for the merge-base and the
baseline), which deploy targets they deploy to (so it can ask for the apps),
and the deploy jobs' `timeout-minutes` (to hold `deploy-timeout` against).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

WORKFLOWS_DIR = Path(".github") / "workflows"
_CLI = re.compile(r"\bmvp[-_]process\b")
_TARGET = re.compile(r"--target[= ]+(staging|production)\b")


@dataclass(frozen=True)
class Step:
    """One step of a job, reduced to what `doctor` looks at."""

    uses: str
    run: str
    inputs: Mapping[str, str]
    ours: bool  # it runs mvp-process: the action or the command line


@dataclass(frozen=True)
class Workflow:
    """A workflow file: its jobs that run mvp-process, or why it could not be read."""

    path: Path
    jobs: Mapping[str, tuple[Step, ...]] = field(default_factory=dict)
    error: str | None = None
    minutes: Mapping[str, object] = field(default_factory=dict)  # timeout-minutes


def _dict(value: Any) -> dict[Any, Any]:
    return value if isinstance(value, dict) else {}


def _is_own_action(uses: str, root: Path) -> bool:
    """`uses: ./` in the mvp-process repository itself."""
    if uses.rstrip("/") not in (".", "./"):
        return False
    action = root / "action.yml"
    return action.is_file() and "name: mvp-process" in action.read_text(
        encoding="utf-8", errors="replace"
    )


def _step(raw: Any, root: Path) -> Step:
    step = _dict(raw)
    uses, run = str(step.get("uses") or ""), str(step.get("run") or "")
    inputs = {str(k): str(v) for k, v in _dict(step.get("with")).items()}
    ours = uses.split("@", 1)[0].endswith("/mvp-process") or bool(_CLI.search(run))
    return Step(uses, run, inputs, ours or _is_own_action(uses, root))


def read_workflow(path: Path, root: Path) -> Workflow:
    """Parse one workflow file; a broken one is reported, not raised."""
    relative = path.relative_to(root)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "unreadable"
        return Workflow(relative, error=first)
    jobs = _dict(data).get("jobs")
    if not isinstance(jobs, dict):
        return Workflow(relative, error="it has no `jobs:` mapping")
    ours, minutes = {}, {}
    for name, job in jobs.items():
        steps = _dict(job).get("steps")
        found = tuple(
            _step(s, root) for s in (steps if isinstance(steps, list) else [])
        )
        if any(step.ours for step in found):
            ours[str(name)] = found
        if "timeout-minutes" in _dict(job):
            minutes[str(name)] = job["timeout-minutes"]
    return Workflow(relative, ours, minutes=minutes)


def read_workflows(root: Path) -> list[Workflow]:
    """Every `.yml`/`.yaml` file in `.github/workflows`, sorted by name."""
    folder = root / WORKFLOWS_DIR
    if not folder.is_dir():
        return []
    files = [p for p in folder.iterdir() if p.suffix in (".yml", ".yaml")]
    return [read_workflow(p, root) for p in sorted(files) if p.is_file()]


def shallow_jobs(workflow: Workflow) -> list[str]:
    """mvp-process jobs whose checkout does not fetch the full history."""
    found = []
    for name, steps in workflow.jobs.items():
        checkouts = [s for s in steps if s.uses.split("@", 1)[0] == "actions/checkout"]
        if not checkouts or any(
            s.inputs.get("fetch-depth", "1").strip() != "0" for s in checkouts
        ):
            found.append(name)
    return found


def _deploy_target(step: Step) -> list[str]:
    """`staging`/`production` for a deploy step, `branch` when it is implicit."""
    if step.ours and step.run and re.search(r"\bdeploy\b", step.run):
        return _TARGET.findall(step.run) or ["branch"]
    if step.ours and not step.run and step.inputs.get("command") == "deploy":
        return [step.inputs.get("target") or "branch"]
    return []


def deploy_targets(workflows: list[Workflow]) -> set[str]:
    """`staging`/`production` for each deploy step, `branch` when it is implicit."""
    return {
        target
        for workflow in workflows
        for steps in workflow.jobs.values()
        for step in steps
        for target in _deploy_target(step)
    }


def deploy_jobs(workflow: Workflow) -> list[str]:
    """The jobs of `workflow` that deploy."""
    return [
        name
        for name, steps in workflow.jobs.items()
        if any(_deploy_target(step) for step in steps)
    ]
