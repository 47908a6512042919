"""doctor's check that the project itself imports in the gates' interpreter.

The tools being there is not enough: an interpreter where the project (or one
of its dependencies) is not installed runs flake8 and black happily and fails
every test at collection. So the project's packages, found as `check`
measures them (measure.detect: src layout, flat packages, top-level modules),
are imported there the way `python -m pytest` would see them: from the
repository's root, plus pytest's own `pythonpath` setting.
"""

from __future__ import annotations

import configparser
import json
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mvp_process.check import lintfiles, measure
from mvp_process.check.toolenv import ToolEnv
from mvp_process.config import Config
from mvp_process.errors import MvpError
from mvp_process.git import Git
from mvp_process.setup.install import detect

_PROBE = """
import importlib, json, sys
sys.path[1:1] = json.loads(sys.argv[1])
failed = {}
for name in sys.argv[2:]:
    try:
        importlib.import_module(name)
    except BaseException as exc:
        failed[name] = f"{type(exc).__name__}: {exc}"
print("mvp-process-probe", json.dumps(failed))
"""
# Where pytest reads its settings, in its own order: the first file that has
# a pytest section decides (pyproject.toml's is [tool.pytest.ini_options]).
_INI = (
    ("pytest.ini", "pytest"),
    ("pyproject.toml", ""),
    ("tox.ini", "pytest"),
    ("setup.cfg", "tool:pytest"),
)


def pytest_pythonpath(root: Path) -> list[str]:
    """pytest's `pythonpath` setting (folders it puts on sys.path), absolute."""
    for name, section in _INI:
        try:
            text = (root / name).read_text(encoding="utf-8")
            if section:
                parser = configparser.ConfigParser(interpolation=None)
                parser.read_string(text)
                found: dict[str, Any] = dict(parser[section])
            else:  # {**...}: a TypeError unless it is a table
                found = {**tomllib.loads(text)["tool"]["pytest"]["ini_options"]}
        except (OSError, ValueError, LookupError, TypeError, configparser.Error):
            continue  # a file without such a section, or one pytest cannot read
        value = found.get("pythonpath") or []
        paths = value.split() if isinstance(value, str) else value
        return [str(root / p) for p in paths if isinstance(p, str)]
    return []


def importable(files: list[str]) -> list[str]:
    """The project's packages to import; its top-level modules only when it
    has no package (a module may be a script that does its work on import)."""
    folders = {f.split("/", 1)[0] for f in files if "/" in f}
    found = measure.detect(files)
    packages = [f.removeprefix("src/") for f in found if f.startswith("src/")]
    packages += [f for f in found if f in folders]
    return sorted(packages) or [f for f in found if not f.startswith("src/")]


def project_verdict(
    git: Git, config: Config, env: Mapping[str, str]
) -> tuple[bool, str, str] | None:
    """(ok, message, fix); None without a working interpreter (tools says why)."""
    try:
        tools = ToolEnv.resolve(config.python, env)
    except MvpError:
        return None
    names = importable(lintfiles.repository_files(git))
    if not names:
        return True, "no package or module of the project to import", ""
    args = [json.dumps(pytest_pythonpath(git.root)), *names]
    answer = tools.run("-c", _PROBE, *args, cwd=git.root, input="").stdout.split("\n")
    probe = [line for line in answer if line.startswith("mvp-process-probe ")]
    if not probe:
        return None
    failed: dict[str, str] = json.loads(probe[-1].split(" ", 1)[1])
    where = f"in {tools.python}"
    if not failed:
        return True, f"the project imports {where} ({', '.join(names)})", ""
    name, error = next(iter(failed.items()))
    what = f"{', '.join(failed)} {'does' if len(failed) == 1 else 'do'} not import"
    command = detect(git.root).command(tools.python)
    install = (
        f"install the project there with its test dependencies: `{command}`"
        if command
        else "install the project and what its tests import there"
    )
    fix = (
        f"{install}; or set `python` in [tool.mvp-process] (MVP_PROCESS_PYTHON) "
        "to the interpreter where it is installed"
    )
    return False, f"{what} {where} ({name}: {error})", fix
