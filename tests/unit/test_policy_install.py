"""Where a project's test dependencies come from, and the lines that install them."""

from __future__ import annotations

from typing import Any

import pytest

from mvp_process.setup.policy_install import Facts, choose

PIP = "python -m pip install --upgrade pip"
TOOLS = "python -m pip install flake8 black pytest pytest-cov"
PROJECT: dict[str, Any] = {"project": {"name": "app"}}


def facts(*files: str, **pyproject: Any) -> Facts:
    return Facts(
        frozenset(files), {k.replace("_", "-"): v for k, v in pyproject.items()}
    )


@pytest.mark.parametrize(
    ("given", "source", "command"),
    [
        # PEP 735 groups: the test-like one, pip >= 25.1 (the first line upgrades it)
        (
            facts(dependency_groups={"docs": [], "dev": [], "test": []}, **PROJECT),
            "[dependency-groups] test",
            "python -m pip install --group test -e .",
        ),
        # names compare normalized, and are written as the project spells them
        (
            facts(dependency_groups={"Testing": []}),
            "[dependency-groups] Testing",
            "python -m pip install --group Testing",
        ),
        # extras, with the project installed editable
        (
            facts(project={"name": "a", "optional-dependencies": {"tests": []}}),
            "[project.optional-dependencies] tests",
            "python -m pip install -e '.[tests]'",
        ),
        # groups win over extras and requirements files (the standard form)
        (
            facts(
                "requirements-dev.txt",
                project={"name": "a", "optional-dependencies": {"dev": []}},
                dependency_groups={"tests": []},
            ),
            "[dependency-groups] tests",
            "python -m pip install --group tests -e .",
        ),
        # a test file before a dev one; the base requirements too
        (
            facts(
                "requirements.txt",
                "requirements/development.txt",
                "requirements/testing.txt",
                "requirements/docs.txt",
                "setup.py",
            ),
            "requirements/testing.txt",
            "python -m pip install -r requirements.txt -r requirements/testing.txt"
            " -e .",
        ),
        (
            facts("requirements-dev.txt"),  # an app that is no package
            "requirements-dev.txt",
            "python -m pip install -r requirements-dev.txt",
        ),
        (
            facts("tests/requirements test.txt", **PROJECT),
            "tests/requirements test.txt",
            "python -m pip install -r 'tests/requirements test.txt' -e .",
        ),
    ],
)
def test_pip(given: Facts, source: str, command: str) -> None:
    install = choose(given)
    assert (install.source, install.local) == (source, command)
    assert install.steps == (PIP, command, TOOLS)


def test_setup_cfg_extras() -> None:
    given = Facts(frozenset(), {}, ("docs", "testing"), setup_cfg_metadata=True)
    assert choose(given).local == "python -m pip install -e '.[testing]'"
    not_a_package = Facts(frozenset(), {}, ("testing",))
    assert choose(not_a_package).steps is None


UV_TAIL = (
    "uv pip install flake8 black pytest pytest-cov",
    'echo "$PWD/.venv/bin" >> "$GITHUB_PATH"',
)


@pytest.mark.parametrize(
    ("pyproject", "option", "source"),
    [
        (
            {"dependency-groups": {"tests": [], "dev": []}},
            " --group tests",
            ", group tests",
        ),
        (
            {"project": {"optional-dependencies": {"test": []}}},
            " --extra test",
            ", extra test",
        ),
        ({"tool": {"uv": {"dev-dependencies": []}}}, "", ""),  # uv's default group
    ],
)
def test_uv_lock(pyproject: dict[str, Any], option: str, source: str) -> None:
    install = choose(Facts(frozenset({"uv.lock", "requirements-dev.txt"}), pyproject))
    assert install.source == f"uv.lock{source}"
    assert install.steps == (
        "python -m pip install --upgrade pip uv",
        f"uv sync --locked{option}",
        *UV_TAIL,
    )
    assert install.local == f"uv sync{option}"
    assert install.command("/venv/bin/python") == f"uv sync{option}"


@pytest.mark.parametrize(
    ("files", "poetry", "option"),
    [
        ((), {"group": {"docs": {}, "test": {}}}, " --with test"),
        (("poetry.lock",), {}, ""),
        ((), {"dev-dependencies": {"pytest": "*"}}, ""),  # installed by default
    ],
)
def test_poetry(files: tuple[str, ...], poetry: dict[str, Any], option: str) -> None:
    install = choose(Facts(frozenset(files), {"tool": {"poetry": poetry}}))
    assert install.steps == (
        "python -m pip install --upgrade pip poetry",
        f"poetry install{option}",
        'venv="$(poetry env info --path)"',
        '"$venv/bin/python" -m pip install flake8 black pytest pytest-cov',
        'echo "$venv/bin" >> "$GITHUB_PATH"',
    )
    assert install.local == f"poetry install{option}"


def test_poetry_without_groups_or_lock_installs_with_pip() -> None:
    given = Facts(
        frozenset(),
        {
            "tool": {"poetry": {"name": "a"}},
            "build-system": {},
            "dependency-groups": {"test": []},
        },
    )
    assert choose(given).local == "python -m pip install --group test -e ."


@pytest.mark.parametrize(
    ("given", "local"),
    [
        (facts(), ""),
        (facts("setup.py"), "python -m pip install -e ."),
        (facts("requirements.txt"), "python -m pip install -r requirements.txt"),
        # names that are not test-like, or not safe to write into a shell line
        (
            facts(
                "requirements.txt",
                "requirements-docs.txt",
                build_system={},
                dependency_groups={"lint": [], "te st": [], "dev;rm": []},
            ),
            "python -m pip install -r requirements.txt -e .",
        ),
    ],
)
def test_nothing_declared_keeps_the_templates_step(given: Facts, local: str) -> None:
    install = choose(given)
    assert install.steps is None and install.source == ""
    assert install.local == local


def test_the_local_command_runs_in_the_gates_interpreter() -> None:
    install = choose(facts(dependency_groups={"test": []}, **PROJECT))
    assert install.command() == "python -m pip install --group test -e ."
    assert install.command("/my env/bin/python") == (
        "'/my env/bin/python' -m pip install --group test -e ."
    )
