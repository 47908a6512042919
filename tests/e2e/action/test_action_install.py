"""The action's install and its refusals: the virtualenv is really installed once
(a cold cache), then restored; bad inputs stop with one clear error.

The fixtures (`harness`, `act`, the fake servers) are in this folder's conftest.
"""

from __future__ import annotations

import json
import re
import subprocess

import pytest

import mvp_process
from support.action import OUTPUT_NAMES, ROOT, Act, Harness, push_payload
from support.project import sample_project
from support.repo import Repo

pytestmark = pytest.mark.slow


def test_first_run_installs_and_saves_the_virtualenv(harness: Harness) -> None:
    first = harness.first
    assert first.step("restore").outputs["cache-hit"] == "false"
    assert first.step("install").outputs == {"installed": "true"}
    key = first.step("restore").outputs["cache-primary-key"]
    assert key.startswith("mvp-process-venv-")
    (save,) = [s for s in first.steps if s.name == "Save the mvp-process virtualenv"]
    assert save.note == f"actions/cache/save: saved {key}"
    assert (harness.cache.root / key).is_dir()
    # The unknown command is refused after the install, with an annotation.
    assert first.exit_code == 2
    assert "::error title=mvp-process::input command must be" in first.log
    assert first.outputs == dict.fromkeys(OUTPUT_NAMES, "")


LISTING = """
import importlib.metadata as m, json
print(json.dumps({
    "installed": {d.metadata["Name"]: d.version for d in m.distributions()},
    "wheel": m.distribution("mvp-process").read_text("WHEEL"),
}))
"""


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_the_virtualenv_holds_this_checkout_and_only_pinned_packages(
    harness: Harness,
) -> None:
    """Exactly the version checked out, built by the pinned setuptools, and every
    dependency at its constraints.txt pin: nothing floats to the newest release."""
    key = harness.first.step("restore").outputs["cache-primary-key"]
    python = harness.cache.root / key / "bin" / "python"
    done = subprocess.run([python, "-c", LISTING], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    listing = json.loads(done.stdout)
    installed = {canonical(k): v for k, v in listing["installed"].items()}
    lines = (ROOT / "constraints.txt").read_text("utf-8").splitlines()
    pins = {
        canonical(name): pin
        for name, pin in (line.split("==") for line in lines if "==" in line)
    }
    version = mvp_process.__version__
    assert installed.pop("mvp-process") == version
    assert f"mvp-process: installed {version} from {ROOT}" in harness.first.log
    for seed in ("pip", "setuptools"):  # what `python -m venv` puts in
        installed.pop(seed, None)
    assert installed and {k: pins.get(k) for k in installed} == installed
    assert f"Generator: setuptools ({pins['setuptools']})" in listing["wheel"]


@pytest.mark.parametrize(
    ("inputs", "failed_step", "message"),
    [
        ({"python": "/nonexistent/python"}, "setup", "Python interpreter was not"),
        ({"command": "deploy", "dry-run": "maybe"}, "run", "dry-run must be true"),
        (
            {"command": "nonsense", "python-version": "3.11"},
            "run",
            "input command must be",
        ),
    ],
)
def test_bad_inputs_stop_with_one_clear_error(
    repo: Repo, act: Act, inputs: dict[str, str], failed_step: str, message: str
) -> None:
    sample_project(repo)

    result = act(inputs, event_name="push", event=push_payload(repo.sha(), "main"))

    assert result.exit_code == 2
    assert result.step(failed_step).outcome == "failure"
    errors = [line for line in result.log.splitlines() if line.startswith("::error")]
    assert len(errors) == 1 and message in errors[0], result.log
    after = result.steps[[s.id for s in result.steps].index(failed_step) + 1 :]
    assert all(s.outcome == "skipped" for s in after)
    if "python-version" in inputs:
        assert "would install Python '3.11'" in result.steps[0].note
