"""Dependencies point inward: checked on every module of `src/mvp_process`.

The rules are data (RULES below) applied to the imports each module's source
declares (read with `ast`, so lazy imports inside functions count too), so a
module added later is checked without touching this test.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import mvp_process

PACKAGE = Path(mvp_process.__file__).parent
NAME = "mvp_process"

IO_MODULES = (
    "subprocess",
    "requests",
    "urllib3",
    "github",
    "heroku3",
    "socket",
    "ssl",
    "http",
    "urllib",
    "os",
    "shutil",
    "tempfile",
    "pathlib",
    "io",
    f"{NAME}.proc",
)
CLIENT_LIBRARIES = ("github", "heroku3", "requests", "urllib3")
# Names that build a client: only the CLI may import these.
CONSTRUCTORS = (
    "=github",  # `import github` exposes github.Github
    "github.Github",
    "github.Auth",
    "github.MainClass",
    "github.GithubIntegration",
    "=heroku3",
    "heroku3.from_key",
    "heroku3.core",
    "requests.Session",
    "requests.session",
)
# A pattern ending in "*" matches by plain prefix (`github.api*`), one starting
# with "=" only itself, one starting with "~" any module whose last part starts
# with the rest (`~policy` is `check.policy_shards` too), one starting with "*"
# any module whose last part ends with the rest; any other matches
# itself and everything below it.
FEATURES = tuple(f"{NAME}.{f}" for f in ("check", "github", "deploy", "setup"))
PURE = ("~policy",)
COMMANDS = ("~command", "*_command", f"{NAME}.cli")
GITHUB_ADAPTERS = (f"{NAME}.github.api*", f"{NAME}.github.connect")
HEROKU_ADAPTERS = (f"{NAME}.deploy.heroku*", f"{NAME}.deploy.rendezvous")
GATES = tuple(
    f"{NAME}.check.{g}"
    for g in ("flake8", "black", "tests", "coverage", "diff_coverage", "registry")
)
REPORTERS = (
    f"{NAME}.actions",
    f"{NAME}.check.terminal",
    f"{NAME}.check.report_md",
)


@dataclass(frozen=True)
class Rule:
    """Modules matching `modules` (minus `exempt`) may not import `forbidden`."""

    why: str
    modules: tuple[str, ...]
    forbidden: tuple[str, ...]
    exempt: tuple[str, ...] = ()

    def applies_to(self, module: str) -> bool:
        return matches(module, self.modules) and not matches(module, self.exempt)


RULES = (
    Rule(
        "policy decides without I/O",
        PURE,
        IO_MODULES + (f"{NAME}.git", f"{NAME}.actions") + COMMANDS,
    ),
    Rule(
        "gates return results and know nothing of GitHub, Heroku or reporters",
        GATES,
        (f"{NAME}.github", f"{NAME}.deploy", f"{NAME}.setup") + REPORTERS + COMMANDS,
    ),
    Rule(
        "check knows GitHub only through its command",
        (f"{NAME}.check",),
        (f"{NAME}.github", f"{NAME}.deploy", f"{NAME}.setup"),
        exempt=(f"{NAME}.check.command",),
    ),
    Rule(
        "the shared kernel imports no feature",
        (NAME,),
        FEATURES,
        exempt=FEATURES + (f"{NAME}.cli",),
    ),
    Rule(
        "only adapters and commands talk to outside services' client libraries",
        (NAME,),
        CLIENT_LIBRARIES,
        exempt=GITHUB_ADAPTERS + HEROKU_ADAPTERS + COMMANDS,
    ),
    Rule(
        "only commands build real clients",
        (NAME,),
        CONSTRUCTORS,
        exempt=COMMANDS + (f"{NAME}.github.connect",),
    ),
    Rule(
        "the GitHub side never imports the Heroku side",
        (f"{NAME}.github",),
        (f"{NAME}.deploy", "heroku3"),
    ),
    Rule(
        "the Heroku side never imports the GitHub side",
        (f"{NAME}.deploy",),
        (f"{NAME}.github", "github"),
    ),
)


def matches(name: str, patterns: tuple[str, ...]) -> bool:
    for pattern in patterns:
        if pattern.endswith("*"):
            if name.startswith(pattern[:-1]):
                return True
        elif pattern.startswith("="):
            if name == pattern[1:]:
                return True
        elif pattern.startswith("~"):
            if name.rsplit(".", 1)[-1].startswith(pattern[1:]):
                return True
        elif pattern.startswith("*"):
            if name.rsplit(".", 1)[-1].endswith(pattern[1:]):
                return True
        elif name == pattern or name.startswith(pattern + "."):
            return True
    return False


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, module: str) -> Iterator[str]:
    """Every imported name: `pkg.mod` for `import`, `pkg.mod.Name` for `from`."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module
    if path.stem != "__init__":
        package = package.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            yield from (f"{base}.{alias.name}" for alias in node.names)


MODULES = sorted(PACKAGE.rglob("*.py"))


def violations(rule: Rule, module: str, imported: list[str]) -> list[str]:
    return [
        f"{module} imports {name} ({rule.why})"
        for name in imported
        if matches(name, rule.forbidden)
    ]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_module_respects_the_layers(path: Path) -> None:
    module = module_name(path)
    imported = sorted(set(imports(path, module)))
    problems = [
        problem
        for rule in RULES
        if rule.applies_to(module)
        for problem in violations(rule, module, imported)
    ]
    assert problems == []


def test_the_rules_catch_what_they_forbid(tmp_path: Path) -> None:
    cases = {
        f"{NAME}.check.policy": "import subprocess\n",
        f"{NAME}.deploy.policy_steps": "from mvp_process.git import Git\n",
        f"{NAME}.check.flake8": "from mvp_process.github.api import GitHubRepo\n",
        f"{NAME}.check.coverage": "from ..actions import command\n",
        f"{NAME}.check.tests": "def f():\n    from mvp_process.check import terminal\n",
        f"{NAME}.check.run": "from mvp_process.github import publish\n",
        f"{NAME}.check.baseline": "from github import Github\nimport requests\n",
        f"{NAME}.config": "from mvp_process.check.registry import GATES\n",
        f"{NAME}.github.pr": "from mvp_process.deploy.heroku import A\n",
        f"{NAME}.deploy.heroku": "from github.Repository import Repository\n",
        f"{NAME}.deploy.steps": "import heroku3\n",
    }
    for module, source in cases.items():
        path = tmp_path / "bad.py"
        path.write_text(source, encoding="utf-8")
        imported = list(imports(path, module))
        problems = [
            p
            for rule in RULES
            if rule.applies_to(module)
            for p in violations(rule, module, imported)
        ]
        assert problems, module


def test_adapters_may_use_library_types_and_commands_build_clients() -> None:
    ok = {
        f"{NAME}.github.api": ["github.GithubException.GithubException"],
        f"{NAME}.github.connect": ["github.Github", "github.Auth"],
        f"{NAME}.deploy.command": ["heroku3.from_key", "requests.Session"],
        f"{NAME}.check.command": [f"{NAME}.github.publishing.publish"],
    }
    for module, imported in ok.items():
        assert [
            p
            for rule in RULES
            if rule.applies_to(module)
            for p in violations(rule, module, imported)
        ] == []


def test_command_modules_are_recognised_by_name() -> None:
    for module in ("check.command", "setup.init_command", "github.publish_command"):
        assert matches(f"{NAME}.{module}", COMMANDS), module
    assert not matches(f"{NAME}.check.commands_table", ("*_command",))


def test_every_module_is_seen() -> None:
    names = {module_name(p) for p in MODULES}
    assert {
        f"{NAME}.github.policy",
        f"{NAME}.github.api",
        f"{NAME}.github.command",
        f"{NAME}.check.flake8",
        f"{NAME}.deploy.policy_steps",
    } <= names


LONGEST = 300  # lines; a longer module is a sign that it holds two concepts


def test_no_module_is_longer_than_the_limit() -> None:
    lengths = {module_name(p): len(p.read_text().splitlines()) for p in MODULES}
    assert {m: n for m, n in lengths.items() if n > LONGEST} == {}
