"""The runner emulator behind the action's end-to-end tests follows the runner.

If it evaluated an expression or carried a file command differently from GitHub,
the end-to-end tests would prove nothing. The expressions are GitHub's own
(`@actions/expressions`, through `support.actions_node`): these tests pin what
the bridge hands over (contexts, the job status, the runner's string and
boolean conversions, errors) and the file commands to the documented behaviour
(https://docs.github.com/actions/learn-github-actions/expressions,
.../workflow-commands-for-github-actions).
"""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from support.actions_node import (
    ExpressionError,
    Expressions,
    TemplateError,
    errors,
    parse,
)
from support.actions_runner import (
    ActionRunner,
    CacheStore,
    EmulatorError,
    parse_file_command,
)

CONTEXTS: dict[str, Any] = {
    "inputs": {"python-version": "", "Command": "check", "n": "3"},
    "github": {"event_name": "push", "event": {"action": None, "list": ["a", "B"]}},
    "steps": {"s": {"outputs": {"diff-coverage": "91.50"}}},
}


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("inputs.python-version != ''", False),
        ("inputs.command == 'CHECK'", True),  # names and strings: case-insensitive
        ("steps.s.outputs.diff-coverage", "91.50"),
        ("steps.missing.outputs.x", None),
        ("inputs.n == 3", True),  # loose typing: '3' == 3
        ("inputs.python-version || 'default'", "default"),
        ("join(github.event.list, '+')", "a+B"),
        ("fromJSON('{\"a\": [1, null]}')", {"a": [1, None]}),
    ],
)
def test_contexts_reach_githubs_evaluator(expression: str, expected: Any) -> None:
    assert Expressions(CONTEXTS).evaluate(expression) == expected


@pytest.mark.parametrize(
    "expression", ["nope.x", "hashFiles('x')", "1 ==", "(1", "'open", "a ~ b"]
)
def test_bad_expressions_are_errors(expression: str) -> None:
    with pytest.raises(ExpressionError):
        Expressions(CONTEXTS).evaluate(expression)


def test_values_as_the_runner_writes_them() -> None:
    values = {
        "text": "plain",
        "number": 2.5,
        "integer": 3,
        "true": True,
        "null": None,
        "expression": {"${{": "inputs.n == 3"},
        "object": {"${{": "github.event"},
    }
    (strings,) = Expressions(CONTEXTS).strings(values)
    assert strings == {
        "text": "plain",
        "number": "2.5",
        "integer": "3",
        "true": "true",
        "null": "",
        "expression": "true",
        "object": "Object",
    }
    assert Expressions(CONTEXTS).strings(None, {}) == [{}, {}]


def test_status_functions_follow_the_job() -> None:
    for status in ("success", "failure", "cancelled"):
        expressions = Expressions(CONTEXTS, status)
        for name in ("success", "failure", "cancelled"):
            assert expressions.condition(f"{name}()") is (name == status)
        assert expressions.condition("always()")
    assert not Expressions(CONTEXTS).condition("inputs.python-version")


STRINGS = """
name: demo
description: strings with expressions, as GitHub's parser reads them
runs:
  using: composite
  steps:
    - shell: bash
      if: inputs.n == 3
      env:
        MIXED: v=${{ inputs.n }} ${{ 1 == 1 }} ${{ null }}${{ 2.5 }} ${{ '}}' }}
        FOLDED: >-
          --shard ${{ inputs.n }}/4
          --dir ${{ inputs.command }}
        LITERAL: |
          a ${{ inputs.n }}
            b
      run: echo
"""


def test_strings_with_expressions_are_githubs_format_calls() -> None:
    parsed = parse("action", STRINGS, "action.yml")
    assert parsed.steps == ["success() && (inputs.n == 3)"]
    (env,) = Expressions(CONTEXTS).strings(parsed.tree["runs"]["steps"][0]["env"])
    assert env == {
        "MIXED": "v=3 true 2.5 }}",
        # As the runner: the scalar's value (folded, indentation gone).
        "FOLDED": "--shard 3/4 --dir check",
        "LITERAL": "a 3\n  b\n",
    }


def test_githubs_parser_rejects_what_github_rejects() -> None:
    assert errors("action", STRINGS, "action.yml") == []
    broken = STRINGS.replace("name: demo\n", "").replace("shell: bash", "shel: bash")
    found = errors("action", broken, "action.yml")
    assert any("name" in e for e in found) and any("shel" in e for e in found)
    with pytest.raises(TemplateError, match="name"):
        parse("action", broken, "action.yml")


def test_file_commands() -> None:
    text = "a=1\n\nb=x=y\nmulti<<EOF\nline 1\nline 2\nEOF\nempty<<END\nEND\n"
    assert parse_file_command(text) == {
        "a": "1",
        "b": "x=y",
        "multi": "line 1\nline 2",
        "empty": "",
    }
    with pytest.raises(EmulatorError, match="delimiter"):
        parse_file_command("x<<EOF\nno end\n")
    with pytest.raises(EmulatorError, match="invalid"):
        parse_file_command("just text\n")


ACTION = """
name: demo
description: the emulator's features
inputs:
  who:
    default: world
  token:
    default: ${{ github.token }}
outputs:
  greeting:
    value: ${{ steps.greet.outputs.greeting }}
  later:
    value: ${{ steps.later.outputs.ran }}
runs:
  using: composite
  steps:
    - name: Set env and path
      shell: bash
      run: |
        echo "FROM_ENV=env value" >> "$GITHUB_ENV"
        mkdir -p "$RUNNER_TEMP/bin"
        printf '#!/bin/sh\\necho tool ran\\n' > "$RUNNER_TEMP/bin/demo-tool"
        chmod +x "$RUNNER_TEMP/bin/demo-tool"
        echo "$RUNNER_TEMP/bin" >> "$GITHUB_PATH"
    - id: greet
      shell: bash
      working-directory: sub
      env:
        WHO: ${{ inputs.who }}
        HAS_TOKEN: ${{ inputs.token != '' }}
        FROM_CONTEXT: ${{ env.FROM_ENV }}
      run: |
        {
          echo "greeting<<DELIM"
          echo "hello $WHO"
          echo "from $(basename "$PWD") $FROM_ENV $FROM_CONTEXT $HAS_TOKEN $(demo-tool)"
          echo "DELIM"
        } >> "$GITHUB_OUTPUT"
        echo "### summary" >> "$GITHUB_STEP_SUMMARY"
        echo "::add-mask::s3cret"
    - id: fail
      if: inputs.who == 'fail'
      shell: sh
      run: exit 7
    - id: later
      shell: bash
      run: echo "ran=yes" >> "$GITHUB_OUTPUT"
    - id: cleanup
      if: failure()
      shell: bash
      run: echo "ran=cleanup" >> "$GITHUB_OUTPUT"
"""


def runner(tmp_path: Path, action: str = ACTION, **kwargs: Any) -> ActionRunner:
    folder = tmp_path / "action"
    folder.mkdir(exist_ok=True)
    (folder / "action.yml").write_text(textwrap.dedent(action), encoding="utf-8")
    workspace = tmp_path / "ws"
    (workspace / "sub").mkdir(parents=True, exist_ok=True)
    env = {"PATH": os.environ["PATH"]}
    return ActionRunner(folder, workspace, tmp_path / "temp", base_env=env, **kwargs)


def test_a_composite_action_runs_like_on_the_runner(tmp_path: Path) -> None:
    result = runner(tmp_path).run({"who": "you"}, event_name="push", event={})
    assert result.exit_code == 0, result.log
    assert result.outputs == {
        "greeting": "hello you\nfrom sub env value env value false tool ran",
        "later": "yes",
    }
    assert result.summary == "### summary\n"
    assert result.masks == ["s3cret"]
    assert [s.outcome for s in result.steps] == [
        "success",
        "success",
        "skipped",
        "success",
        "skipped",
    ]
    assert result.step("greet").env["HAS_TOKEN"] == "false"


def test_a_failing_step_skips_the_rest_but_failure_steps(tmp_path: Path) -> None:
    result = runner(tmp_path).run(
        {"who": "fail"}, event_name="push", event={}, token="t0ken"
    )
    assert result.exit_code == 7
    assert result.step("fail").outcome == "failure"
    assert result.step("later").outcome == "skipped"
    assert result.step("cleanup").outputs == {"ran": "cleanup"}
    assert result.step("greet").env["HAS_TOKEN"] == "true"
    assert result.outputs["later"] == ""


def test_github_context_and_variables_from_the_event(tmp_path: Path) -> None:
    action = """
    name: show
    description: the github context
    runs:
      using: composite
      steps:
        - id: show
          shell: bash
          run: |
            vars="$GITHUB_EVENT_NAME $GITHUB_REF $GITHUB_REF_NAME $GITHUB_BASE_REF"
            echo "vars=$vars" >> "$GITHUB_OUTPUT"
            echo "event=$(tr -d ' \\n' < "$GITHUB_EVENT_PATH")" >> "$GITHUB_OUTPUT"
    """
    event = {"number": 7, "pull_request": {"base": {"ref": "main"}, "head": {}}}
    result = runner(tmp_path, action).run(event_name="pull_request", event=event)
    outputs = result.step("show").outputs
    assert outputs["vars"] == "pull_request refs/pull/7/merge 7/merge main"
    assert outputs["event"].startswith('{"number":7')
    push = runner(tmp_path, action).run(
        event_name="push", event={"ref": "refs/heads/feature/x"}
    )
    assert push.step("show").outputs["vars"] == "push refs/heads/feature/x feature/x "


@pytest.mark.parametrize(
    ("action", "inputs", "message"),
    [
        (ACTION, {"nope": "1"}, "unexpected input"),
        (
            "name: x\ndescription: x\nruns:\n  using: composite\n  steps:\n"
            "    - shell: bash\n      run: echo ${{ github.sha }}\n",
            {},
            "expression inside run",
        ),
        (
            "name: x\ndescription: x\nruns:\n  using: composite\n  steps:\n"
            "    - shell: pwsh\n      run: dir\n",
            {},
            "unsupported shell",
        ),
        (
            "name: x\ndescription: x\nruns:\n  using: composite\n  steps:\n"
            "    - uses: some/action@v1\n",
            {},
            "cannot emulate",
        ),
    ],
)
def test_what_it_refuses(
    tmp_path: Path, action: str, inputs: dict[str, str], message: str
) -> None:
    with pytest.raises(EmulatorError, match=message):
        runner(tmp_path, action).run(inputs, event_name="push", event={})


def test_only_composite_actions(tmp_path: Path) -> None:
    with pytest.raises(EmulatorError, match="composite"):
        runner(
            tmp_path, "name: x\ndescription: x\nruns:\n  using: node20\n  main: x.js\n"
        )


USES_ACTION = """
name: uses
description: the emulated actions
runs:
  using: composite
  steps:
    - uses: actions/setup-python@0123456789abcdef0123456789abcdef01234567
      with:
        python-version: "3.11"
    - id: restore
      uses: actions/cache/restore@0123456789abcdef0123456789abcdef01234567
      with:
        path: ${{ runner.temp }}/cached
        key: demo-${{ runner.os }}
    - shell: bash
      run: mkdir -p "$RUNNER_TEMP/cached" && echo data > "$RUNNER_TEMP/cached/f"
    - uses: actions/cache/save@0123456789abcdef0123456789abcdef01234567
      with:
        path: ${{ runner.temp }}/cached
        key: ${{ steps.restore.outputs.cache-primary-key }}
"""


def test_setup_python_and_cache(tmp_path: Path) -> None:
    store = CacheStore(tmp_path / "store")
    first = runner(tmp_path, USES_ACTION, cache=store).run(event_name="push", event={})
    assert first.exit_code == 0
    assert first.steps[0].outputs["python-path"]
    assert "would install Python '3.11'" in first.steps[0].note
    assert first.step("restore").outputs["cache-hit"] == "false"
    assert store.saved and "saved" in first.notes[-1]
    second = runner(tmp_path, USES_ACTION, cache=store).run(event_name="push", event={})
    assert second.step("restore").outputs["cache-hit"] == "true"
    assert "not saved" in second.notes[-1]
    assert store.save("other", tmp_path / "missing") is False
    uncached = runner(tmp_path, USES_ACTION).run(event_name="push", event={})
    assert uncached.step("restore").outputs["cache-hit"] == "false"


def test_setup_python_needs_a_python_on_path(tmp_path: Path) -> None:
    action = runner(tmp_path, USES_ACTION)
    action.base_env["PATH"] = str(tmp_path / "empty")
    with pytest.raises(EmulatorError, match="no python on PATH"):
        action.run(event_name="push", event={})
    assert sys.executable  # the real runner would have installed one
