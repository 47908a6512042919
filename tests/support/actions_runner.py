"""Run a composite action's steps the way the GitHub Actions runner does.

The action is read by GitHub's own parser and its expressions are evaluated by
GitHub's own evaluator (`support.actions_node`: `@actions/workflow-parser` and
`@actions/expressions`); an action the parser rejects is an error here too.

What it reproduces (from the runner's documented behaviour):
- the `inputs` context from the action's defaults (themselves expressions, such as
  `${{ github.token }}`) and the given `with:` values; unknown inputs are an error;
- the `github`, `runner`, `env`, `steps` and `inputs` contexts, and expressions in
  `env:`, `with:`, `if:` (implicitly `success() && ...`), `working-directory`,
  `shell` and the action's `outputs:`;
- `run:` steps written to a script file and run with `bash --noprofile --norc -eo
  pipefail` (or `sh -e`) in GITHUB_WORKSPACE or the step's working directory,
  with the runner's variables (CI, GITHUB_*, RUNNER_*), `$GITHUB_OUTPUT`,
  `$GITHUB_ENV`, `$GITHUB_PATH` and `$GITHUB_STEP_SUMMARY` files between steps;
- a failed step skips the next ones unless their `if:` says otherwise, and makes
  the action fail with that step's exit code.

What it does not run: `run:` scripts containing `${{` are refused (this project
forbids them; the runner would splice text into the script). `uses:` steps are
emulated for the actions the project uses, each leaving a note: setup-python
checks a `python` is on PATH; `actions/cache/restore` and `save` copy folders to
and from a local `CacheStore` (or miss, without one). Anything else is an error.
GITHUB_API_URL defaults to a closed local port, so nothing reaches github.com.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from support.actions_node import ExpressionError, TemplateError, parse
from support.actions_model import (
    CacheStore,
    EmulatorError,
    JobState,
    RunResult,
    StepRecord,
    parse_file_command,
)

DEAD_URL = "http://127.0.0.1:9"  # the discard port: connections are refused


class ActionRunner:
    """Runs one composite action (its `action.yml`) for a given event."""

    def __init__(
        self,
        action_dir: Path,
        workspace: Path,
        temp: Path,
        cache: CacheStore | None = None,
        base_env: Mapping[str, str] | None = None,
    ) -> None:
        self.action_dir = action_dir
        self.workspace = workspace
        self.temp = temp
        self.cache = cache
        self.base_env = dict(os.environ if base_env is None else base_env)
        path = action_dir / "action.yml"
        try:
            parsed = parse("action", path.read_text(encoding="utf-8"), str(path))
        except TemplateError as exc:
            raise EmulatorError(f"GitHub's parser rejects {path}:\n{exc}") from None
        self.action, self.conditions = parsed.tree, parsed.steps
        if self.action["runs"]["using"] != "composite":
            raise EmulatorError("only composite actions are supported")

    # -- contexts ---------------------------------------------------------------
    def _github(
        self,
        event_name: str,
        event: dict[str, Any],
        token: str,
        extra: Mapping[str, str],
    ) -> dict[str, Any]:
        repo = (event.get("repository") or {}).get("full_name", "owner/repo")
        pr = event.get("pull_request") or {}
        ref = extra.get("ref") or (
            f"refs/pull/{event.get('number')}/merge" if pr else event.get("ref", "")
        )
        context = {
            "event_name": event_name,
            "event": event,
            "event_path": str(self.temp / "_github_workflow" / "event.json"),
            "sha": extra.get("sha") or event.get("after") or "",
            "ref": ref,
            "ref_name": (
                ref.split("/", 2)[-1]
                if ref.startswith("refs/heads/")
                else (f"{event.get('number')}/merge" if pr else ref.rsplit("/", 1)[-1])
            ),
            "ref_type": "tag" if ref.startswith("refs/tags/") else "branch",
            "base_ref": pr.get("base", {}).get("ref", ""),
            "head_ref": pr.get("head", {}).get("ref", ""),
            "repository": repo,
            "repository_owner": repo.split("/")[0],
            "actor": (event.get("sender") or {}).get("login", "octocat"),
            "server_url": "https://github.com",
            "api_url": DEAD_URL,
            "graphql_url": DEAD_URL + "/graphql",
            "run_id": "1",
            "run_number": "1",
            "run_attempt": "1",
            "workflow": "mvp-process",
            "job": "check",
            "action": "__run",
            "action_path": str(self.action_dir),
            "action_repository": "",
            "workspace": str(self.workspace),
            "token": token,
        }
        context.update({k: v for k, v in extra.items() if k != "ref"})
        return context

    def _runner(self) -> dict[str, str]:
        machine = platform.machine().lower()
        arch = {"x86_64": "X64", "amd64": "X64", "aarch64": "ARM64"}.get(
            machine, machine
        )
        return {
            "os": {"Linux": "Linux", "Darwin": "macOS"}.get(
                platform.system(), "Windows"
            ),
            "arch": arch,
            "name": "emulated-runner",
            "temp": str(self.temp),
            "tool_cache": str(self.temp / "_tool"),
            "environment": "self-hosted",
            "debug": "",
        }

    def _runner_env(
        self, github: dict[str, Any], runner: dict[str, str]
    ) -> dict[str, str]:
        env = {
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "RUNNER_OS": runner["os"],
            "RUNNER_ARCH": runner["arch"],
            "RUNNER_NAME": runner["name"],
            "RUNNER_TEMP": runner["temp"],
            "RUNNER_TOOL_CACHE": runner["tool_cache"],
        }
        for key in (
            "event_name", "event_path", "sha", "ref", "ref_name", "ref_type",
            "base_ref", "head_ref", "repository", "repository_owner", "actor",
            "server_url", "api_url", "graphql_url", "run_id", "run_number",
            "run_attempt", "workflow", "job", "action", "action_path",
            "action_repository", "workspace",
        ):  # fmt: skip
            env[f"GITHUB_{key.upper()}"] = str(github[key])
        return env

    # -- running ------------------------------------------------------------------
    def run(
        self,
        inputs: Mapping[str, str] | None = None,
        *,
        event_name: str,
        event: dict[str, Any],
        env: Mapping[str, str] | None = None,
        token: str = "",
        github: Mapping[str, str] | None = None,
    ) -> RunResult:
        """Run every step; `env` is the calling job's environment."""
        self.temp.mkdir(parents=True, exist_ok=True)
        github_ctx = self._github(event_name, event, token, github or {})
        Path(github_ctx["event_path"]).parent.mkdir(parents=True, exist_ok=True)
        Path(github_ctx["event_path"]).write_text(json.dumps(event), encoding="utf-8")
        runner_ctx = self._runner()
        job_env = {**self.base_env, **self._runner_env(github_ctx, runner_ctx)}
        job_env.update(env or {})
        state = JobState(
            job_env=job_env, contexts={"github": github_ctx, "runner": runner_ctx}
        )
        state.contexts["inputs"] = self._inputs(inputs or {}, state)
        for index, raw in enumerate(self.action["runs"]["steps"]):
            state.records.append(self._step(index, raw, state))
        declared = self.action.get("outputs") or {}
        (outputs,) = state.expressions().strings(
            {name: spec.get("value", "") for name, spec in declared.items()}
        )
        return RunResult(
            exit_code=state.exit_code,
            outputs=outputs,
            summary=state.summary,
            log=state.log,
            steps=state.records,
            masks=state.masks,
        )

    def _inputs(self, given: Mapping[str, str], state: JobState) -> dict[str, str]:
        declared = {
            k.lower(): v or {} for k, v in (self.action.get("inputs") or {}).items()
        }
        unknown = sorted(set(k.lower() for k in given) - set(declared))
        if unknown:
            raise EmulatorError(f"unexpected input(s): {', '.join(unknown)}")
        (values,) = state.expressions().strings(
            {name: spec.get("default", "") for name, spec in declared.items()}
        )
        values.update({k.lower(): str(v) for k, v in given.items()})
        return values

    def _step(self, index: int, raw: dict[str, Any], state: JobState) -> StepRecord:
        step_id = str(raw.get("id") or f"__{index}")
        record = StepRecord(
            id=step_id,
            name=str(raw.get("name") or raw.get("uses") or "run"),
            outcome="skipped",
        )
        expressions = state.expressions()
        if not expressions.condition(self.conditions[index]):
            state.set_step(record)
            return record
        settings = {k: raw[k] for k in ("shell", "working-directory") if k in raw}
        record.env, record.inputs, values = expressions.strings(
            raw.get("env"), raw.get("with"), settings
        )
        if "uses" in raw:
            self._uses(str(raw["uses"]), record, state)
        else:
            self._run(raw, record, values, state)
        state.set_step(record)
        return record

    def _run(
        self,
        raw: dict[str, Any],
        record: StepRecord,
        values: dict[str, str],
        state: JobState,
    ) -> None:
        script = raw["run"]
        if not isinstance(script, str):  # the parser made it an expression
            raise EmulatorError(f"step {record.name!r}: expression inside run:")
        shell = values.get("shell", "")
        if shell == "bash":
            argv = ["bash", "--noprofile", "--norc", "-eo", "pipefail"]
        elif shell == "sh":
            argv = ["sh", "-e"]
        else:
            raise EmulatorError(f"step {record.name!r}: unsupported shell {shell!r}")
        cwd = self.workspace / values.get("working-directory", ".")
        files = state.new_files(self.temp)
        script_path = self.temp / f"{uuid.uuid4()}.sh"
        script_path.write_text(script, encoding="utf-8")
        env = {**state.env(), **record.env, **{k: str(p) for k, p in files.items()}}
        done = subprocess.run(
            [*argv, str(script_path)],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            timeout=900,
            check=False,
        )
        state.log += f"##[group]Run {record.name}\n{done.stdout}##[endgroup]\n"
        state.masks += [
            line.split("::add-mask::", 1)[1]
            for line in done.stdout.splitlines()
            if line.startswith("::add-mask::")
        ]
        record.exit_code = done.returncode
        record.outputs = state.collect(files)
        record.outcome = "success" if done.returncode == 0 else "failure"
        if done.returncode != 0 and state.exit_code == 0:
            state.exit_code = done.returncode

    def _uses(self, uses: str, record: StepRecord, state: JobState) -> None:
        name = uses.split("@", 1)[0]
        record.outcome = "success"
        if name == "actions/setup-python":
            python = shutil.which("python", path=state.env().get("PATH", ""))
            if python is None:
                raise EmulatorError("setup-python emulation: no python on PATH")
            version = subprocess.run(
                [python, "-c", "import platform; print(platform.python_version())"],
                capture_output=True, text=True, check=True,
            ).stdout.strip()  # fmt: skip
            record.outputs = {"python-version": version, "python-path": python}
            record.note = (
                f"{uses}: not run; would install Python "
                f"{record.inputs.get('python-version')!r}, using {python} ({version})"
            )
        elif name in ("actions/cache/restore", "actions/cache"):
            key, path = record.inputs["key"], Path(record.inputs["path"])
            hit = self.cache.restore(key, path) if self.cache else False
            record.outputs = {
                "cache-hit": "true" if hit else "false",
                "cache-primary-key": key,
                "cache-matched-key": key if hit else "",
            }
            record.note = f"{name}: {'hit' if hit else 'miss'} for {key}"
        elif name == "actions/cache/save":
            key, path = record.inputs["key"], Path(record.inputs["path"])
            saved = self.cache.save(key, path) if self.cache else False
            record.note = f"{name}: {'saved' if saved else 'not saved'} {key}"
        else:
            raise EmulatorError(f"cannot emulate uses: {uses}")


__all__ = [
    "ActionRunner",
    "CacheStore",
    "EmulatorError",
    "ExpressionError",
    "RunResult",
    "StepRecord",
    "parse_file_command",
]
