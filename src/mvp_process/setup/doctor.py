"""`doctor`: check that a repository is set up for mvp-process, and say what is not.

Each check is independent and reports a fix; one missing piece (say, no config)
does not hide the others. Tokens are checked for presence only and never shown.
The deploy checks are in `doctor_deploy.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from mvp_process import style
from mvp_process.actions import in_actions
from mvp_process.check import black, flake8, lintfiles, registry
from mvp_process.check.policy import plural
from mvp_process.check.registry import GATE_NAMES
from mvp_process.check.toolenv import ToolEnv
from mvp_process.config import Config, github_env, heroku_env, load_config
from mvp_process.errors import MvpError
from mvp_process.git import Git
from mvp_process.setup import workflows as wf
from mvp_process.setup.diagnosis import Check
from mvp_process.setup.doctor_deploy import (
    check_deploy,
    check_deploy_timeout,
)
from mvp_process.setup.doctor_project import project_verdict
from mvp_process.setup.install import pyproject
from mvp_process.setup.policy_install import nested


def render(root: Path, checks: list[Check], paint: style.Style | None = None) -> str:
    """The report: one line per check (the words every command uses), each
    failure with its fix."""
    words = paint or style.Style()
    lines = [f"mvp-process doctor: {root}"]
    for check in checks:
        mark = words.word(style.status(check.ok))
        lines.append(f"  {mark} {check.topic:<12} {check.message}")
        if not check.ok and check.fix:
            lines.append(f"       {'':<12} -> {check.fix}")
    missing = sum(1 for c in checks if not c.ok)
    lines.append(
        f"{plural(missing, 'thing')} to fix." if missing else "Setup complete."
    )
    return "\n".join(lines) + "\n"


def check_git(git: Git | None) -> Check:
    if git is None:
        return Check(
            "git",
            False,
            "not inside a git repository",
            "run doctor in your project's clone (`git init` or `git clone ...`)",
        )
    if "origin" not in git.remotes():
        return Check(
            "git",
            False,
            "the repository has no `origin` remote",
            "add it: `git remote add origin https://github.com/OWNER/REPO.git`",
        )
    return Check("git", True, "git repository with an `origin` remote")


def check_config(root: Path, env: Mapping[str, str]) -> tuple[Config, Check]:
    """The merged configuration (defaults when broken) and its verdict."""
    try:
        config = load_config(root, env)
    except MvpError as exc:
        fallback = Config(
            python=env.get("MVP_PROCESS_PYTHON") or None,
            github=github_env(env),
            heroku=heroku_env(env),
        )
        return fallback, Check(
            "config", False, exc.message, exc.hint or "fix pyproject.toml"
        )
    if "mvp-process" not in nested(pyproject(root), "tool"):
        return config, Check(
            "config",
            False,
            "no [tool.mvp-process] table in pyproject.toml",
            "run `mvp-process init` (it appends a starter table)",
        )
    return config, Check("config", True, "[tool.mvp-process] is valid")


def check_workflows(found: list[wf.Workflow]) -> list[Check]:
    """A workflow runs mvp-process, readably, with the full history."""
    checks = [
        Check("workflow", False, f"{w.path} cannot be read: {w.error}", "fix its YAML")
        for w in found
        if w.error
    ]
    using = [w for w in found if w.jobs]
    if not using:
        checks.append(
            Check(
                "workflow",
                False,
                f"no workflow in {wf.WORKFLOWS_DIR} runs mvp-process",
                "run `mvp-process init` (it writes "
                f"{wf.WORKFLOWS_DIR / 'mvp-process.yml'})",
            )
        )
        return checks
    names = ", ".join(str(w.path) for w in using)
    checks.append(Check("workflow", True, f"mvp-process runs in {names}"))
    shallow = [f"{w.path}: {job}" for w in using for job in wf.shallow_jobs(w)]
    if shallow:
        checks.append(
            Check(
                "fetch-depth",
                False,
                "these jobs do not check out the full history: " + "; ".join(shallow),
                "use actions/checkout with `fetch-depth: 0` (the gates need the "
                "merge-base with the base branch)",
            )
        )
    else:
        checks.append(Check("fetch-depth", True, "checkouts fetch the full history"))
    return checks


def check_tokens(config: Config, deploys: bool, actions: bool) -> list[Check]:
    """Presence only: the values are never read beyond that, nor printed.

    A token is required only where it is used: GITHUB_TOKEN in Actions (which
    provides it), HEROKU_API_KEY in an Actions job when something deploys
    (the deploy jobs get the secret). On a laptop `check` needs neither.
    """
    github = Check("tokens", True, "GITHUB_TOKEN is set")
    if not config.github.token:
        github = Check(
            "tokens",
            not actions,
            (
                "GITHUB_TOKEN is not set (needed by `pr` and for commit statuses)"
                if actions
                else "no GITHUB_TOKEN: not needed here (`check` runs offline; Actions "
                "provides one to the workflow)"
            ),
            "pass it to the action (its github-token input defaults to the "
            "workflow's token)",
        )
    if not deploys:
        return [github]
    heroku = Check("tokens", True, "HEROKU_API_KEY is set")
    if not config.heroku.api_key:
        heroku = Check(
            "tokens",
            not actions,
            (
                "HEROKU_API_KEY is not set (needed by `deploy`)"
                if actions
                else "no HEROKU_API_KEY: only `deploy` needs it (the deploy jobs get "
                "the repository's secret; export it to deploy from here)"
            ),
            "add a HEROKU_API_KEY secret to the repository (Settings > Secrets and "
            "variables > Actions) and pass it to the deploy step",
        )
    return [github, heroku]


def check_tools(root: Path, config: Config, env: Mapping[str, str]) -> Check:
    modules = registry.required_modules(GATE_NAMES)
    try:
        tools = ToolEnv.resolve(config.python, env)
        tools.require(modules, root)
    except MvpError as exc:
        return Check("tools", False, exc.message, exc.hint)
    return Check("tools", True, f"{', '.join(modules)} in {tools.python}")


LARGE_LINT = 20


def check_lint(git: Git, config: Config, env: Mapping[str, str]) -> Check | None:
    """The lint the repository already holds; None when the tools cannot run.

    With `lint-scope = "all"` (the default) every flake8 finding and every file
    black would reformat fails every pull request, in files nobody touched too;
    an old codebase holds hundreds: so `lint-scope = "changed"` is suggested
    when fixing them all first would be a project of its own.
    """
    try:
        tools = ToolEnv.resolve(config.python, env)
        tools.require(("flake8", "black"), git.root)
    except MvpError:
        return None
    files = lintfiles.repository_files(git)
    findings = flake8.run(tools, git.root, files).metrics.get("count") or 0
    formatted = len(black.run(tools, git.root, files).metrics.get("files") or [])
    if not findings and not formatted:
        return Check(
            "lint", True, "flake8 and black find nothing to fix in the repository"
        )
    count = (
        f"{plural(findings, 'flake8 finding')} and {plural(formatted, 'file')} "
        "black would reformat in the repository"
    )
    if config.lint_scope == "changed":
        return Check(
            "lint", True, f'{count}; lint-scope = "changed" holds only changes to them'
        )
    changed = 'set lint-scope = "changed" in [tool.mvp-process]'
    if findings + formatted >= LARGE_LINT:
        fix = f"{changed}: only changed lines must be clean; fix the rest as you go"
    else:
        fix = f"fix them (`black .`, then flake8), or {changed}"
    return Check(
        "lint", False, f"{count}: every pull request fails until they are fixed", fix
    )


def diagnose(root: Path, git: Git | None, env: Mapping[str, str]) -> list[Check]:
    """Every check, in the order a new user would fix them."""
    config, config_check = check_config(root, env)
    found = wf.read_workflows(root)
    targets = wf.deploy_targets(found)
    running = any(w.jobs for w in found)
    apps = config.deploy.staging_app or config.deploy.production_app
    lint = check_lint(git, config, env) if git is not None else None
    project = project_verdict(git, config, env) if git is not None else None
    return [
        check_git(git),
        config_check,
        *check_workflows(found),
        *check_deploy(root, config, targets, running),
        *check_deploy_timeout(config, found),
        *check_tokens(config, bool(targets or apps), in_actions(env)),
        check_tools(root, config, env),
        *([Check("project", *project)] if project else []),
        *([lint] if lint else []),
    ]
