"""What coverage measures: the project's own code, never its tests.

pytest-cov's bare `--cov` measures whatever runs under the checkout (test
files included) and never sees a module no test imports. So the test run is
given the project's own code: coverage's `source` when the project set one
(read by coverage.py itself, in the project's interpreter, from whichever file
it reads), a `--cov=` the team put in `pytest-args`, else the packages and
modules the repository holds, found from git's file list: `--cov=<folder>`
for a package (so its files no test imports count, at 0%) and
`--cov=<name>` for a top-level module.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from mvp_process import proc
from mvp_process.check.toolenv import ToolEnv
from mvp_process.config_keys import DEFAULT_TEST_GLOBS
from mvp_process.errors import CommandError
from mvp_process.git import Git

NOT_CODE = {"tests", "test", "testing", "docs", "doc", "build", "dist"}
NOT_MODULES = {"setup", "conftest", "noxfile", "fabfile", "__init__", "__main__"}
CONFIG_FILES = (".coveragerc", "setup.cfg", "tox.ini", "pyproject.toml")
ENVIRONMENTS = {".venv", "venv", ".tox", ".nox", "site-packages", "node_modules"}

# Runs in the project's interpreter: its coverage.py reads its own settings
# (.coveragerc, setup.cfg, tox.ini or pyproject.toml); for the baseline cache
# key it also lists the installed distributions (one process, not one each).
_PROBE = """
import json, sys
out = {"python": sys.version, "executable": sys.executable}
try:
    if sys.argv[1] != "-":
        import coverage
        cov = coverage.Coverage(config_file=sys.argv[1] or True)
        out["source"] = [*(cov.get_option("run:source") or []),
                         *(cov.get_option("run:source_pkgs") or [])]
except Exception as exc:
    out["error"] = f"{type(exc).__name__}: {exc}"
if sys.argv[2] == "dists":
    from importlib import metadata
    out["dists"] = sorted({f"{d.metadata['Name']}=={d.version}"
                           for d in metadata.distributions()})
print(json.dumps(out))
"""


@dataclass(frozen=True)
class Environment:
    """The interpreter's version and its installed distributions (`name==version`)."""

    python: str
    dists: tuple[str, ...]


def is_excluded(path: str, globs: Iterable[str]) -> bool:
    """diff-cover's `--exclude` rule: a glob matches the name or the path.

    (diff-cover also tries the absolute path, so `*/tests/*` would exclude a
    whole checkout that lives in a folder called tests; this does not.)
    """
    name = path.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatch(name, g) or fnmatch.fnmatch(path, g) for g in globs)


def config_file(pytest_args: Sequence[str]) -> str:
    """The coverage config pytest-cov was told to read (`""`: coverage's own search)."""
    for i, arg in enumerate(pytest_args):
        if arg.startswith("--cov-config="):
            return arg.split("=", 1)[1]
        if arg == "--cov-config" and i + 1 < len(pytest_args):
            return pytest_args[i + 1]
    return ""


def chosen_in_args(pytest_args: Sequence[str]) -> bool:
    return any(a == "--cov" or a.startswith("--cov=") for a in pytest_args)


def may_set_source(tools: ToolEnv, cwd: Path, pytest_args: Sequence[str]) -> bool:
    """Whether a coverage `source` setting could be found here at all.

    Importing coverage.py costs a tenth of a second before the tests can start,
    so it is asked only when a file it reads mentions `source` in a coverage
    setting (or when pytest-args or COVERAGE_RCFILE point it at a file).
    """
    if config_file(pytest_args) or tools.env.get("COVERAGE_RCFILE"):
        return True
    for name in CONFIG_FILES:
        try:
            text = (cwd / name).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if "source" in text and ("coverage" in text or name == ".coveragerc"):
            return True
    return False


def probe(
    tools: ToolEnv,
    cwd: Path,
    pytest_args: Sequence[str],
    dists: bool = False,
    config: bool = True,
) -> dict[str, object]:
    """What the project's interpreter says (an empty dict if it cannot say)."""
    setting = config_file(pytest_args) if config else "-"
    result = tools.run("-c", _PROBE, setting, "dists" if dists else "", cwd=cwd)
    try:
        found = json.loads(result.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {}
    return found if isinstance(found, dict) else {}


def environment(tools: ToolEnv, cwd: Path) -> Environment:
    """What a recomputed figure depends on besides the commit and the command."""
    found = probe(tools, cwd, (), dists=True, config=False)
    listed = found.get("dists")
    dists = tuple(str(d) for d in listed) if isinstance(listed, list) else ()
    return Environment(str(found.get("python", "")), dists)


def plan(tools: ToolEnv, cwd: Path, pytest_args: Sequence[str]) -> tuple[str, ...]:
    """The `--cov` arguments that measure the project in `cwd`."""
    if chosen_in_args(pytest_args):
        return ()
    configured = may_set_source(tools, cwd, pytest_args)
    if configured and probe(tools, cwd, pytest_args).get("source"):
        return ("--cov",)
    git = Git(cwd)
    try:
        targets = detect(git.ls_files("--cached") + untracked_files(git))
    except CommandError:  # not a git repository: nothing to list
        targets = []
    return tuple(f"--cov={t}" for t in targets) or ("--cov",)


def detect(files: Iterable[str]) -> list[str]:
    """Packages (as folders) and top-level modules (as names) among `files`."""
    code = [
        f for f in files if f.endswith(".py") and not is_excluded(f, DEFAULT_TEST_GLOBS)
    ]
    src_layout = "src/__init__.py" not in code  # else `src` is the package
    found = set()
    for path in code:
        inside_src = src_layout and path.startswith("src/")
        top, _, inner = path.removeprefix("src/" if inside_src else "").partition("/")
        name = top.removesuffix(".py")
        if not name.isidentifier() or name in NOT_CODE | NOT_MODULES:
            continue
        if not inner:
            found.add(name)
        elif inside_src or inner == "__init__.py":
            found.add(f"src/{name}" if inside_src else name)
    return sorted(found)


def untracked_files(git: Git) -> list[str]:
    """Untracked files git does not ignore, never inside a virtualenv.

    Untracked folders are listed whole first, so a virtualenv nobody ignored
    is recognised (and skipped) without reading its thousands of files.
    """
    entries = git.ls_files(
        "--others", "--exclude-standard", "--directory", "--no-empty-directory"
    )
    files = [e for e in entries if not e.endswith("/")]
    folders = [e for e in entries if e.endswith("/")]
    wanted = [
        f":(literal){f}"
        for f in folders
        if (git.root / f).name not in ENVIRONMENTS
        and not (git.root / f / "pyvenv.cfg").is_file()
    ]
    if wanted:
        files += git.ls_files("--others", "--exclude-standard", "--", *wanted)
    return [f for f in files if not ENVIRONMENTS.intersection(f.split("/")[:-1])]


def untracked_python(git: Git) -> tuple[str, ...]:
    return tuple(sorted(f for f in untracked_files(git) if f.endswith(".py")))


# Asks the project's coverage.py about files its report does not list: which
# lines are executable (and which ran, if the data has them under another
# name), and which files its `omit` settings leave out on purpose.
_LOOKUP = """
import json, sys
import coverage
config, data, outfile, *files = sys.argv[1:]
cov = coverage.Coverage(data_file=data or None, config_file=config or True)
cov.load()
def report(omit):
    try:
        cov.json_report(morfs=files, outfile=outfile, omit=omit, include=[],
                        ignore_errors=True)
    except Exception:
        return {}
    with open(outfile, encoding="utf-8") as f:
        found = json.load(f)["files"]
    return {k: [v["executed_lines"], v["missing_lines"]] for k, v in found.items()}
omit = [*(cov.get_option("run:omit") or []), *(cov.get_option("report:omit") or [])]
every = report([])
print(json.dumps({"every": every, "kept": report(omit) if omit else every}))
"""


@dataclass(frozen=True)
class Lookup:
    """What coverage.py says about changed files its XML report does not list."""

    lines: dict[str, tuple[frozenset[int], frozenset[int]]]  # (executed, missing)
    omitted: tuple[str, ...] = ()
    unreadable: tuple[str, ...] = ()


def lookup(
    tools: ToolEnv,
    cwd: Path,
    pytest_args: Sequence[str],
    data_file: Path | None,
    scratch: Path,
    files: Sequence[str],
) -> Lookup:
    """Ask the project's coverage.py about `files` (paths relative to `cwd`)."""
    data = str(data_file) if data_file and data_file.is_file() else ""
    out = scratch / "lookup.json"
    args = [config_file(pytest_args), data, str(out), *files]
    result = proc.run(
        [tools.python, "-c", _LOOKUP, *args], cwd=cwd, env=tools.env, check=True
    )
    found = json.loads(result.stdout.strip().splitlines()[-1])
    kept = {
        path: (frozenset(ran), frozenset(missing))
        for path, (ran, missing) in found["kept"].items()
    }
    return Lookup(
        kept,
        omitted=tuple(f for f in files if f in found["every"] and f not in kept),
        unreadable=tuple(f for f in files if f not in found["every"]),
    )
