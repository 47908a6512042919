"""The runner emulator behind the action's end-to-end tests follows the runner.

If it evaluated an expression or carried a file command differently from GitHub,
the end-to-end tests would prove nothing; these pin its behaviour to the
documented one (https://docs.github.com/actions/learn-github-actions/expressions,
.../workflow-commands-for-github-actions).
"""

from __future__ import annotations

import math
import os
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from support.actions_expressions import Evaluator, ExpressionError, tokenize, truthy
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
        ("inputs['Command']", "check"),
        ("steps.s.outputs.diff-coverage", "91.50"),
        ("steps.missing.outputs.x", None),
        ("inputs.n == 3", True),  # loose typing: '3' == 3
        ("inputs.n > 2 && inputs.n < 4", True),
        ("'' == 0", True),
        ("null == 0", True),
        ("true == 1", True),
        ("'abc' == 0", False),
        ("'abc' != 0", True),
        ("inputs.command && 'yes'", "yes"),  # && and || return operands
        ("inputs.python-version || 'default'", "default"),
        ("!inputs.python-version", True),
        ("!(1 == 1)", False),
        ("format('{0}-{1}-{{x}}', 'a', 2)", "a-2-{x}"),
        ("contains(github.event.list, 'b')", True),
        ("contains('Hello World', 'WORLD')", True),
        ("startsWith('refs/heads/main', 'refs/heads/')", True),
        ("endsWith('x.yml', '.YML')", True),
        ("join(github.event.list, '+')", "a+B"),
        ("join('x')", "x"),
        ("fromJSON('[1, 2]')", [1, 2]),
        ("toJSON(fromJSON('true'))", "true"),
        ("github.event.list[1]", "B"),
        ("github.event.list[5]", None),
        ("github.event.action == null", True),
        ("0x10 == 16", True),
        ("1.5e1 >= 15", True),
        ("'it''s'", "it's"),
        ("fromJSON('[1]') == fromJSON('[1]')", False),  # objects: by identity
        ("fromJSON('[1]') != fromJSON('[1]')", True),
        ("fromJSON('[1]') < fromJSON('[1]')", False),
        ("'b' > 'A'", True),
    ],
)
def test_expressions(expression: str, expected: Any) -> None:
    assert Evaluator(CONTEXTS).evaluate(expression) == expected


@pytest.mark.parametrize(
    "expression",
    ["nope.x", "hashFiles('x')", "1 ==", "(1", "1 1", "'open", "a ~ b", "inputs.)"],
)
def test_bad_expressions_are_errors(expression: str) -> None:
    with pytest.raises(ExpressionError):
        Evaluator(CONTEXTS).evaluate(expression)


def test_truthiness() -> None:
    falsy = [None, False, 0, 0.0, "", math.nan]
    assert not any(truthy(v) for v in falsy)
    assert all(truthy(v) for v in ["0", "false", [], {}, 1, -1, True])


def test_interpolation_and_conversions() -> None:
    evaluator = Evaluator(CONTEXTS)
    text = "v=${{ inputs.n }} ${{ 1 == 1 }} ${{ null }}${{ 2.5 }} ${{ '}}' }}"
    assert evaluator.interpolate(text) == "v=3 true 2.5 }}"
    assert evaluator.interpolate("${{ fromJSON('{\"a\": 1}') }}") == '{\n  "a": 1\n}'
    with pytest.raises(ExpressionError):
        evaluator.interpolate("${{ 'unterminated")
    assert tokenize("  ") == []


def test_conditions_imply_success() -> None:
    ok, failed = Evaluator(CONTEXTS), Evaluator(CONTEXTS, failed=True)
    assert ok.condition("${{ inputs.command == 'check' }}")
    assert not failed.condition("inputs.command == 'check'")
    assert failed.condition("failure()") and failed.condition("always()")
    assert not ok.condition("failure()") and not ok.condition("cancelled()")


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
            "runs:\n  using: composite\n  steps:\n"
            "    - shell: bash\n      run: echo ${{ inputs.x }}\n",
            {},
            "expression inside run",
        ),
        (
            "runs:\n  using: composite\n  steps:\n    - shell: pwsh\n      run: dir\n",
            {},
            "unsupported shell",
        ),
        (
            "runs:\n  using: composite\n  steps:\n    - uses: some/action@v1\n",
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
        runner(tmp_path, "runs:\n  using: node20\n  main: x.js\n")


USES_ACTION = """
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
