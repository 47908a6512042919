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
# A pattern ending in "*" matches by plain prefix (`adapters.github*` is also
# `adapters.github_event`), one starting with "=" only itself; any other
# matches itself and everything below it.
GITHUB_ADAPTERS = (f"{NAME}.adapters.github*",)
HEROKU_ADAPTERS = (f"{NAME}.adapters.heroku*", f"{NAME}.adapters.rendezvous")


@dataclass(frozen=True)
class Rule:
    """Modules starting with one of `modules` may not import `forbidden`."""

    why: str
    modules: tuple[str, ...]
    forbidden: tuple[str, ...]
    exempt: tuple[str, ...] = ()

    def applies_to(self, module: str) -> bool:
        return matches(module, self.modules) and not matches(module, self.exempt)


RULES = (
    Rule(
        "gates and policy know nothing of adapters, the CLI, reporters or the core",
        (f"{NAME}.gates", f"{NAME}.policy"),
        tuple(f"{NAME}.{p}" for p in ("adapters", "cli", "report", "core")),
    ),
    Rule("policy decides without I/O", (f"{NAME}.policy",), IO_MODULES),
    Rule(
        "only adapters and the CLI talk to outside services' client libraries",
        (NAME,),
        CLIENT_LIBRARIES,
        exempt=(f"{NAME}.adapters", f"{NAME}.cli"),
    ),
    Rule(
        "only the CLI builds real clients",
        (NAME,),
        CONSTRUCTORS,
        exempt=(f"{NAME}.cli",),
    ),
    Rule(
        "the GitHub adapter never imports the Heroku side",
        GITHUB_ADAPTERS,
        HEROKU_ADAPTERS + ("heroku3",),
    ),
    Rule(
        "the Heroku adapters never import the GitHub side",
        HEROKU_ADAPTERS,
        GITHUB_ADAPTERS + ("github",),
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
        f"{NAME}.policy.bad": "import subprocess\nfrom mvp_process.report import x\n",
        f"{NAME}.gates.bad": "from mvp_process.adapters.git import Git\n",
        f"{NAME}.policy.relative": "from ..adapters import git\n",
        f"{NAME}.gates.lazy": "def f():\n    from mvp_process.cli import main\n",
        f"{NAME}.core.bad": "from github import Github\nimport requests\n",
        f"{NAME}.adapters.github_extra": "from mvp_process.adapters.heroku import A\n",
        f"{NAME}.adapters.heroku_x": "from github.Repository import Repository\n",
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


def test_adapters_may_use_library_types_and_the_cli_builds_clients() -> None:
    ok = {
        f"{NAME}.adapters.github": ["github.GithubException.GithubException"],
        f"{NAME}.cli.connect": ["github.Github", "github.Auth"],
    }
    for module, imported in ok.items():
        assert [
            p
            for rule in RULES
            if rule.applies_to(module)
            for p in violations(rule, module, imported)
        ] == []


def test_every_module_is_seen() -> None:
    names = {module_name(p) for p in MODULES}
    assert {f"{NAME}.policy.pr", f"{NAME}.adapters.github", f"{NAME}.cli.pr"} <= names
