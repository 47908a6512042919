"""The template cut to a project: its install lines, its deploy jobs, nothing else."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from mvp_process.setup.init import template_text
from mvp_process.setup.workflow_text import INSTALL_STEP, with_deploys, with_install

TEXT = template_text()
STEPS = (
    "python -m pip install --upgrade pip",
    'echo "$PWD/.venv/bin" >> "$GITHUB_PATH"',
)


def jobs(text: str) -> dict[str, Any]:
    found: dict[str, Any] = yaml.safe_load(text)["jobs"]
    return found


def install_step(text: str) -> dict[str, Any]:
    name = INSTALL_STEP.removeprefix("- name: ")
    return next(s for s in jobs(text)["check"]["steps"] if s.get("name") == name)


def test_the_install_step_runs_the_projects_lines_and_nothing_else_changes() -> None:
    fitted = with_install(TEXT, STEPS)
    assert install_step(fitted)["run"] == "\n".join(STEPS) + "\n"
    before = install_step(TEXT)["run"].splitlines()
    assert len(before) > 2  # the template's own lines were there
    removed = [line for line in TEXT.splitlines() if line not in fitted.splitlines()]
    assert [line.strip() for line in removed] == [
        line.strip() for line in before if line not in STEPS
    ]
    assert with_install(fitted, install_step(TEXT)["run"].splitlines()) == TEXT


def test_the_step_is_found_with_blank_lines_inside_and_after_it() -> None:
    text = TEXT.replace(
        "          python -m pip install flake8",
        "\n          python -m pip install flake8",
    )
    fitted = with_install(text, ["true"])
    assert install_step(fitted)["run"] == "true\n"
    assert "      - uses: org/" in fitted.split("run: |\n          true\n", 1)[1]


@pytest.mark.parametrize(
    "broken",
    [
        TEXT.replace(INSTALL_STEP, "- name: Install"),
        TEXT.replace(INSTALL_STEP, INSTALL_STEP + "\n" + INSTALL_STEP),
        TEXT.replace(
            f"{INSTALL_STEP}\n        run: |", f"{INSTALL_STEP}\n        run: >"
        ),
    ],
)
def test_a_template_without_its_install_step_is_our_bug(broken: str) -> None:
    with pytest.raises(AssertionError):
        with_install(broken, STEPS)


def test_both_apps_keep_the_template() -> None:
    assert with_deploys(TEXT, staging=True, production=True) == TEXT


def test_no_app_no_deploy_job() -> None:
    fitted = with_deploys(TEXT, staging=False, production=False)
    assert list(jobs(fitted)) == ["pr", "check"]
    assert fitted == TEXT[: TEXT.index("\n  deploy-staging:")].rstrip("\n") + "\n"
    assert "secrets." not in fitted
    assert TEXT.startswith(fitted.rstrip("\n"))


def test_staging_only() -> None:
    fitted = jobs(with_deploys(TEXT, staging=True, production=False))
    assert list(fitted) == ["pr", "check", "deploy-staging"]
    assert fitted["deploy-staging"] == jobs(TEXT)["deploy-staging"]


def test_production_only_needs_the_gates_and_builds_the_commit() -> None:
    text = with_deploys(TEXT, staging=False, production=True)
    fitted, template = jobs(text), jobs(TEXT)
    assert list(fitted) == ["pr", "check", "deploy-production"]
    assert fitted["deploy-production"] == {
        **template["deploy-production"],
        "needs": "check",
    }
    assert "staging took it" not in text and "built from the commit" in text


def test_blank_lines_after_the_last_step_of_a_job_stay() -> None:
    text = (
        "jobs:\n  check:\n    steps:\n"
        f"      {INSTALL_STEP}\n        run: |\n          old\n          older\n\n"
        "  next:\n    steps: []\n"
    )
    assert with_install(text, ["new"]) == text.replace(
        "          old\n          older\n", "          new\n"
    )
