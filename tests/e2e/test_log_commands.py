"""What tools, tests and pull requests print cannot command the Actions runner.

mvp-process echoes tool output (failing tests' messages, pytest's output) and
user text (configuration values in errors) to its log. The runner reads every
line of it for workflow commands (`support.workflow_commands`); only the
commands mvp-process means to give may be carried out.
"""

from __future__ import annotations

import pytest

from support.cli import Outcome, run_cli
from support.project import sample_project
from support.repo import Repo
from support.workflow_commands import carried_out

COMMANDS = (
    "::stop-commands::pwned",
    "::set-output name=passed::true",
    "  ::add-mask::whatever",
    "::warning title=mvp-process::all good",
    "text then ##[set-output name=passed;]true",
    "::pwned::",
    "##[error]forged",
)
# A failing test's one-line message, and what a broken conftest prints.
FAILING_TEST = {
    "tests/test_talk.py": "def test_says_commands():\n"
    "    raise AssertionError('see ##[set-output name=passed;]true')\n",
}
BROKEN_CONFTEST = {
    "tests/conftest.py": "".join(f"print({line!r})\n" for line in COMMANDS)
    + "raise RuntimeError('broken')\n",
}


def assert_only_ours(done: list[tuple[str, str]]) -> None:
    """No command the echoed text held; ours (annotations) may quote it."""
    theirs = {("stop-commands", "pwned"), ("error", "forged")}
    theirs |= {("warning", "all good"), ("add-mask", "whatever")}
    assert not theirs & set(done), done
    assert not [c for c in done if c[0] == "set-output"], done


def in_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_EVENT_NAME", "push")


@pytest.mark.parametrize("files", [FAILING_TEST, BROKEN_CONFTEST])
def test_what_the_tests_print_gives_no_command(
    repo: Repo,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    files: dict[str, str],
) -> None:
    sample_project(repo)
    repo.commit("Tests that talk to the runner", files)
    in_actions(monkeypatch)
    outcome = run_cli(repo.path, ["check", "--only", "tests"], monkeypatch, capsys)
    assert outcome.code == 1
    log = outcome.out + outcome.err
    assert "##[set-output name=passed;]true" in log  # echoed, as text
    assert_only_ours(carried_out(log))


def test_a_configuration_value_in_an_error_gives_no_command(
    repo: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    value = "##[set-output name=passed;]true"
    pyproject = f"[tool.mvp-process]\nbranch-pattern = {value!r}\n"
    repo.commit("A pattern that talks to the runner", {"pyproject.toml": pyproject})
    in_actions(monkeypatch)
    outcome: Outcome = run_cli(repo.path, ["check"], monkeypatch, capsys)
    assert outcome.code == 2
    assert value in outcome.err
    done = carried_out(outcome.out + outcome.err)
    assert_only_ours(done)
    assert ("error", "") not in done and done[-1][0] == "error"  # our annotation
