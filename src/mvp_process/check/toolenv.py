"""The Python environment the gates run in, which is the project's, not ours.

In the composite action mvp-process lives in its own virtualenv, while flake8,
black and pytest must run where the caller installed the project under test.
So every gate runs `<python> -m <tool>` with an explicit interpreter.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from mvp_process import proc
from mvp_process.errors import ToolMissing

_PIP_NAMES = {
    "pytest_cov": "pytest-cov",
    "xdist": "pytest-xdist",
    "pytest_split": "pytest-split",
}
_PROBE = (
    "import importlib.util, sys; "
    "print(' '.join(m for m in sys.argv[1:] if importlib.util.find_spec(m) is None))"
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
        if not found or not Path(found).exists():
            raise ToolMissing(
                f"the Python interpreter '{python}' for the gates was not found",
                hint="set `python` in [tool.mvp-process] or MVP_PROCESS_PYTHON "
                "to the interpreter where your project is installed",
            )
        clean = {k: v for k, v in env.items() if not k.startswith("PYTEST_")}
        clean = {k: v for k, v in clean.items() if not k.startswith("COV_CORE_")}
        clean.pop("COVERAGE_PROCESS_START", None)
        # Absolute (for cache keys and other folders) but not resolved: a
        # virtualenv's python is a symlink whose target is another environment.
        return cls(python=os.path.abspath(found), env=clean)

    def require(self, needed: Iterable[str], cwd: Path) -> None:
        """Fail early, and once, if a module the gates need is missing."""
        modules = sorted(set(needed))
        if not modules:
            return
        result = proc.run(
            [self.python, "-c", _PROBE, *modules], cwd=cwd, env=self.env, check=True
        )
        missing = result.stdout.split()
        if missing:
            names = " ".join(_PIP_NAMES.get(m, m) for m in missing)
            raise ToolMissing(
                f"{', '.join(_PIP_NAMES.get(m, m) for m in missing)} not installed "
                f"in {self.python}",
                hint=f"install with `{self.python} -m pip install {names}`, "
                "or point MVP_PROCESS_PYTHON at the right interpreter",
            )

    def module(
        self,
        module: str,
        args: Iterable[str],
        *,
        cwd: Path,
        extra_env: Mapping[str, str] | None = None,
        priority: int = 0,
    ) -> proc.Result:
        """`<python> -m <module> <args>` in `cwd`."""
        env = {**self.env, **(extra_env or {})}
        return proc.run(
            [self.python, "-m", module, *args], cwd=cwd, env=env, priority=priority
        )
