"""The Python environment the gates run in, which is the project's, not ours.

In the composite action mvp-process lives in its own virtualenv, while flake8,
black and pytest must run where the caller installed the project under test.
So every gate runs `<python> -m <tool>` with an explicit interpreter.

The tools run the project's code (tests, plugins, conftest.py), which a pull
request may have written. So they never see a credential or the runner's
command files, by one rule (`withheld`): a test must not be able to read the
token, post a forged status with it, or set the step's outputs.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from mvp_process import proc
from mvp_process.errors import ToolMissing
from mvp_process.redact import redact

_PIP_NAMES = {
    "pytest_cov": "pytest-cov",
    "xdist": "pytest-xdist",
    "pytest_split": "pytest-split",
}
_PROBE = (
    "import importlib.util, sys; "
    "print('mvp-process-probe', *(m for m in sys.argv[1:] "
    "if importlib.util.find_spec(m) is None))"
)

# Files the runner reads back after the step: writing there sets the step's
# outputs, the next steps' environment and PATH, the job summary, its state.
RUNNER_FILES = frozenset(
    f"GITHUB_{name}" for name in ("OUTPUT", "ENV", "PATH", "STEP_SUMMARY", "STATE")
)
_CREDENTIAL_WORD = re.compile(
    r"KEYS?|.*(TOKENS?|SECRETS?|PASSWORD|PASSWD|CREDENTIALS?|APIKEY)"
)


def withheld(name: str, value: str) -> bool:
    """Whether flake8, black and pytest run without this variable: the runner's
    command files, every `ACTIONS_*` variable (the runtime token, the OIDC token
    request), a credential's name (GITHUB_TOKEN, HEROKU_API_KEY,
    AWS_SECRET_ACCESS_KEY, PGPASSWORD), or a value that holds a secret
    mvp-process was given (the token copied under another name)."""
    upper = name.upper()
    words = re.split(r"[^A-Z0-9]+", upper)
    return (
        upper in RUNNER_FILES
        or upper.startswith("ACTIONS_")
        or any(_CREDENTIAL_WORD.fullmatch(word) for word in words)
        or redact(value) != value
    )


@dataclass(frozen=True)
class ToolEnv:
    """An interpreter plus the environment variables the tools run with."""

    python: str
    env: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def resolve(cls, configured: str | None, env: Mapping[str, str]) -> ToolEnv:
        """The configured interpreter (a path or a command name), else our own."""
        python = configured or sys.executable
        found = python if os.sep in python else shutil.which(python)
        hint = (
            "set `python` in [tool.mvp-process] or MVP_PROCESS_PYTHON "
            "to the interpreter where your project is installed"
        )
        if not found or not Path(found).exists():
            raise ToolMissing(
                f"the Python interpreter '{python}' for the gates was not found",
                hint=hint,
            )
        if not Path(found).is_file() or not os.access(found, os.X_OK):
            what = "a folder" if Path(found).is_dir() else "not an executable file"
            raise ToolMissing(
                f"the Python interpreter '{python}' for the gates is {what}",
                hint=hint + " (its python executable, e.g. .venv/bin/python)",
            )
        ours = ("PYTEST_", "COV_CORE_", "COVERAGE_PROCESS_START")
        clean = {
            k: v
            for k, v in env.items()
            if not k.startswith(ours) and not withheld(k, v)
        }
        # Absolute (for cache keys and other folders) but not resolved: a
        # virtualenv's python is a symlink whose target is another environment.
        return cls(python=os.path.abspath(found), env=clean)

    def require(self, needed: Iterable[str], cwd: Path) -> None:
        """Fail early, and once, if a module the gates need is missing."""
        modules = sorted(set(needed))
        if not modules:
            return
        result = self.run("-c", _PROBE, *modules, cwd=cwd)
        answer = result.stdout.split()
        if result.returncode != 0 or answer[:1] != ["mvp-process-probe"]:
            last = (result.output.strip().splitlines() or ["no output"])[-1]
            raise ToolMissing(
                f"{self.python} does not run as a Python 3 interpreter ({last})",
                hint="point `python` in [tool.mvp-process] or MVP_PROCESS_PYTHON at "
                "the interpreter where your project is installed",
            )
        missing = [_PIP_NAMES.get(m, m) for m in answer[1:]]
        if missing:
            raise ToolMissing(
                f"{', '.join(missing)} not installed in {self.python}",
                hint=f"install with `{self.python} -m pip install "
                f"{' '.join(missing)}`, or point MVP_PROCESS_PYTHON at the right "
                "interpreter",
            )

    def run(
        self,
        *args: str,
        cwd: Path,
        input: str | None = None,
        extra_env: Mapping[str, str] | None = None,
        priority: int = 0,
    ) -> proc.Result:
        """`<python> <args>` (`-m <tool> ...`, `-c <source> ...`) in `cwd`."""
        env = {**self.env, **(extra_env or {})}
        argv = [self.python, *args]
        return proc.run(argv, cwd=cwd, env=env, input=input, priority=priority)
