"""`doctor` on real repositories: each missing piece found, with its fix."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mvp_process.git import Git
from mvp_process.setup.doctor import Check, diagnose, render
from mvp_process.setup.init import WORKFLOW_PATH, init_repository
from support.cli import run_cli
from support.repo import Repo

TOKENS = {
    "GITHUB_TOKEN": "ghs_fake_github_token_1234",
    "HEROKU_API_KEY": "hk-fake-5678",
}
DEPLOY_CONFIG = """
[tool.mvp-process]
diff-coverage-min = 80

[tool.mvp-process.deploy]
staging-app = "demo-staging"
production-app = "demo"
"""


def failing(checks: list[Check]) -> dict[str, str]:
    return {c.topic: c.message for c in checks if not c.ok}


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def workflow(*steps: str, job: str = "check") -> str:
    body = "".join(f"      - {textwrap.indent(s, '        ').strip()}\n" for s in steps)
    return f"on: push\njobs:\n  {job}:\n    runs-on: ubuntu-latest\n    steps:\n{body}"


CHECKOUT = "uses: actions/checkout@v4\nwith:\n  fetch-depth: 0"
SHALLOW = "uses: actions/checkout@v4"


def test_complete_setup(repo: Repo) -> None:
    init_repository(repo.path, staging_app="demo-staging", production_app="demo")
    write(repo.path, {"Procfile": "web: gunicorn app.wsgi\nrelease: ./migrate\n"})

    checks = diagnose(repo.path, Git(repo.path), TOKENS)

    assert failing(checks) == {}
    assert [c.topic for c in checks] == [
        "git",
        "config",
        "workflow",
        "fetch-depth",
        "release",
        "tokens",
        "tokens",
        "tools",
        "project",
        "lint",
    ]
    assert render(repo.path, checks).endswith("Setup complete.\n")


def test_empty_repository_lists_everything_missing(repo: Repo) -> None:
    repo.git("remote", "remove", "origin")
    checks = diagnose(repo.path, Git(repo.path), {})
    problems = failing(checks)
    assert set(problems) == {"git", "config", "workflow"}
    assert "no `origin` remote" in problems["git"]
    text = render(repo.path, checks)
    assert "-> run `mvp-process init`" in text
    assert text.endswith("3 things to fix.\n")


def test_not_a_repository(tmp_path: Path) -> None:
    checks = diagnose(tmp_path, None, TOKENS)
    assert "not inside a git repository" in failing(checks)["git"]


def test_invalid_configuration(repo: Repo) -> None:
    write(repo.path, {"pyproject.toml": "[tool.mvp-process]\ndiff-coverag-min = 1\n"})
    problem = next(c for c in diagnose(repo.path, None, {}) if c.topic == "config")
    assert not problem.ok and "unknown key 'diff-coverag-min'" in problem.message
    assert "did you mean 'diff-coverage-min'" in problem.fix
    write(repo.path, {"pyproject.toml": "[tool.mvp-process\n"})
    broken = next(c for c in diagnose(repo.path, None, {}) if c.topic == "config")
    assert not broken.ok and "not valid TOML" in broken.message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("jobs: [\n", "cannot be read"),
        ("on: push\n", "has no `jobs:` mapping"),
    ],
)
def test_unreadable_workflows(repo: Repo, text: str, message: str) -> None:
    write(repo.path, {".github/workflows/bad.yml": text})
    checks = diagnose(repo.path, None, {})
    messages = [c.message for c in checks if c.topic == "workflow" and not c.ok]
    assert any(message in m for m in messages)
    assert any("no workflow in .github/workflows runs" in m for m in messages)


def test_shallow_checkouts_are_named(repo: Repo) -> None:
    write(
        repo.path,
        {
            ".github/workflows/a.yml": workflow(SHALLOW, "run: mvp-process check"),
            ".github/workflows/b.yaml": workflow(
                "run: python -m mvp_process check", job="nocheckout"
            ),
            ".github/workflows/c.yml": workflow(CHECKOUT, "uses: org/mvp-process@v1"),
            ".github/workflows/other.yml": workflow(SHALLOW, "run: make"),
            ".github/workflows/notes.txt": "not a workflow",
            ".github/workflows/odd.yml": "on: push\njobs:\n  x:\n    steps:\n"
            "      - just text\n  y: not a job\n",
        },
    )
    checks = diagnose(repo.path, None, {})
    ok = next(c for c in checks if c.topic == "workflow" and c.ok)
    assert "a.yml" in ok.message and "b.yaml" in ok.message and "c.yml" in ok.message
    assert "other.yml" not in ok.message and "odd.yml" not in ok.message
    depth = failing(checks)["fetch-depth"]
    assert "a.yml: check" in depth and "b.yaml: nocheckout" in depth
    assert "c.yml" not in depth


def test_the_action_itself_counts_in_its_own_repository(repo: Repo) -> None:
    write(
        repo.path,
        {
            "action.yml": "name: mvp-process\n",
            ".github/workflows/ci.yml": workflow(CHECKOUT, "uses: ./"),
        },
    )
    checks = diagnose(repo.path, None, {})
    assert "workflow" not in failing(checks)
    (repo.path / "action.yml").write_text("name: something-else\n", encoding="utf-8")
    assert "workflow" in failing(diagnose(repo.path, None, {}))


@pytest.mark.parametrize(
    ("steps", "config", "expected"),
    [
        # deploys named in the template, no apps
        (
            ["uses: org/mvp-process@v1\nwith:\n  command: deploy\n  target: staging"],
            "",
            "deploys to staging but no staging-app",
        ),
        # the deploy target chosen by branch, no apps at all
        (
            ["uses: org/mvp-process@v1\nwith:\n  command: deploy"],
            "",
            "no Heroku app is configured",
        ),
        (
            ["run: mvp-process deploy --target=production"],
            '[tool.mvp-process.deploy]\nstaging-app = "s"\n',
            "deploys to production but no production-app",
        ),
        (
            ["run: python -m mvp_process deploy"],
            DEPLOY_CONFIG,
            "there is no Procfile",
        ),
    ],
)
def test_deploy_problems(
    repo: Repo, steps: list[str], config: str, expected: str
) -> None:
    write(
        repo.path,
        {
            ".github/workflows/w.yml": workflow(CHECKOUT, *steps),
            "pyproject.toml": config or "[tool.mvp-process]\n",
        },
    )
    problems = [c.message for c in diagnose(repo.path, None, TOKENS) if not c.ok]
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize(
    ("minutes", "budget", "fits"),
    [(30, None, True), (20, None, False), (20, 900, True), (None, None, True)],
)
def test_deploy_timeout_must_fit_in_the_job(
    repo: Repo, minutes: int | None, budget: int | None, fits: bool
) -> None:
    job = workflow(CHECKOUT, "uses: org/mvp-process@v1\nwith:\n  command: deploy")
    if minutes is not None:
        job = job.replace(
            "    runs-on:", f"    timeout-minutes: {minutes}\n    runs-on:"
        )
    config = DEPLOY_CONFIG + (f"deploy-timeout = {budget}\n" if budget else "")
    write(repo.path, {".github/workflows/w.yml": job, "pyproject.toml": config})

    problems = failing(diagnose(repo.path, None, TOKENS))

    if fits:
        assert "deploy-timeout" not in problems
    else:
        assert problems["deploy-timeout"] == (
            "deploy-timeout (1500s) and 5 minutes to set up do not fit in the "
            "timeout-minutes of .github/workflows/w.yml: check (timeout-minutes: 20)"
        )
        checks = diagnose(repo.path, None, TOKENS)
        fix = next(c.fix for c in checks if c.topic == "deploy-timeout")
        assert fix.startswith("set timeout-minutes: 30 (or more) on the job")


def test_release_process_or_migrate_command(repo: Repo) -> None:
    write(repo.path, {"pyproject.toml": DEPLOY_CONFIG, "Procfile": "web: run\n"})
    release = next(c for c in diagnose(repo.path, None, TOKENS) if c.topic == "release")
    assert not release.ok and "no `release:` process" in release.message
    write(
        repo.path,
        {"pyproject.toml": DEPLOY_CONFIG + 'migrate-command = "./manage.py migrate"\n'},
    )
    release = next(c for c in diagnose(repo.path, None, TOKENS) if c.topic == "release")
    assert release.ok and "migrate-command" in release.message


def test_no_deploys_needs_no_heroku_key(repo: Repo) -> None:
    write(repo.path, {"pyproject.toml": "[tool.mvp-process]\n"})
    checks = diagnose(repo.path, None, {"GITHUB_TOKEN": "x" * 10})
    assert [c.message for c in checks if c.topic == "deploy"] == [
        "no Heroku apps: deploys are off"
    ]
    assert [c.message for c in checks if c.topic == "tokens"] == ["GITHUB_TOKEN is set"]


ACTIONS = {"GITHUB_ACTIONS": "true"}


@pytest.mark.parametrize(
    ("env", "config", "expected"),
    [
        # a laptop: neither token is needed (check runs offline, deploys run
        # in Actions with the repository's secret)
        ({}, "", [(True, "no GITHUB_TOKEN: not needed here")]),
        (
            {},
            DEPLOY_CONFIG,
            [
                (True, "no GITHUB_TOKEN: not needed here"),
                (True, "no HEROKU_API_KEY: only `deploy` needs it"),
            ],
        ),
        (
            TOKENS,
            DEPLOY_CONFIG,
            [(True, "GITHUB_TOKEN is set"), (True, "HEROKU_API_KEY is set")],
        ),
        # in Actions each is needed where it is used
        (ACTIONS, "", [(False, "GITHUB_TOKEN is not set")]),
        (
            {**ACTIONS, "GITHUB_TOKEN": "x" * 10},
            DEPLOY_CONFIG,
            [(True, "GITHUB_TOKEN is set"), (False, "HEROKU_API_KEY is not set")],
        ),
        (
            {**ACTIONS, **TOKENS},
            DEPLOY_CONFIG,
            [(True, "GITHUB_TOKEN is set"), (True, "HEROKU_API_KEY is set")],
        ),
    ],
)
def test_tokens_are_needed_where_they_are_used(
    repo: Repo, env: dict[str, str], config: str, expected: list[tuple[bool, str]]
) -> None:
    write(repo.path, {"pyproject.toml": config or "[tool.mvp-process]\n"})
    checks = diagnose(repo.path, None, env)
    tokens = [(c.ok, c.message) for c in checks if c.topic == "tokens"]
    assert len(tokens) == len(expected)
    for (ok, message), (want_ok, start) in zip(tokens, expected):
        assert ok == want_ok and message.startswith(start), message


def test_tools_missing_in_the_configured_interpreter(
    repo: Repo, tmp_path: Path
) -> None:
    bare = tmp_path / "bare"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", bare], check=True)
    env = {"MVP_PROCESS_PYTHON": str(bare / "bin" / "python")}
    tools = next(c for c in diagnose(repo.path, None, env) if c.topic == "tools")
    assert not tools.ok
    assert "black, flake8, pytest, pytest-cov not installed" in tools.message
    assert "pip install" in tools.fix
    env = {"MVP_PROCESS_PYTHON": str(tmp_path / "nope" / "python")}
    tools = next(c for c in diagnose(repo.path, None, env) if c.topic == "tools")
    assert not tools.ok and "was not found" in tools.message


def test_cli_doctor_exit_codes_and_no_secret_in_output(
    repo: Repo,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    incomplete = run_cli(repo.path, ["doctor"], monkeypatch, capsys)
    assert incomplete.code == 1 and "things to fix." in incomplete.out

    init_repository(repo.path, staging_app="demo-staging", production_app="demo")
    write(repo.path, {"Procfile": "release: python manage.py migrate\n"})
    for name, value in TOKENS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    complete = run_cli(repo.path, ["doctor"], monkeypatch, capsys)
    assert complete.code == 0, complete.out
    assert "Setup complete." in complete.out
    shown = complete.out.replace(f"::add-mask::{TOKENS['GITHUB_TOKEN']}", "")
    shown = shown.replace(f"::add-mask::{TOKENS['HEROKU_API_KEY']}", "")
    for secret in TOKENS.values():
        assert secret not in shown + complete.err

    usage = run_cli(repo.path, ["doctor", "--nope"], monkeypatch, capsys)
    assert usage.code == 2 and "unrecognized arguments" in usage.err


def test_cli_doctor_outside_a_repository(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    outcome = run_cli(tmp_path, ["doctor"], monkeypatch, capsys)
    assert outcome.code == 1
    assert "not inside a git repository" in outcome.out
    assert f"mvp-process doctor: {tmp_path}" in outcome.out
    assert WORKFLOW_PATH.name in outcome.out


def project_check(root: Path, env: dict[str, str] | None = None) -> Check | None:
    checks = diagnose(root, Git(root), env or {})
    return next((c for c in checks if c.topic == "project"), None)


SRC_PROJECT = {
    "pyproject.toml": """
    [project]
    name = "demo"
    version = "1"
    optional-dependencies = {test = ["freezegun"]}
    """,
    "src/demo/__init__.py": "VALUE = 1\n",
    "tests/test_demo.py": "from demo import VALUE\n",
}


def test_a_src_layout_project_that_is_not_installed(repo: Repo) -> None:
    write(repo.path, SRC_PROJECT)
    check = project_check(repo.path)
    assert check is not None and not check.ok
    assert check.message == (
        f"demo does not import in {sys.executable} "
        "(demo: ModuleNotFoundError: No module named 'demo')"
    )
    assert check.fix.startswith(
        "install the project there with its test dependencies: "
        f"`{sys.executable} -m pip install -e '.[test]'`"
    )


def test_a_project_installed_in_the_configured_interpreter(
    repo: Repo, tmp_path: Path
) -> None:
    write(repo.path, SRC_PROJECT)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    (site,) = venv.glob("lib/python*/site-packages")
    (site / "demo.pth").write_text(f"{repo.path / 'src'}\n", encoding="utf-8")
    python = str(venv / "bin" / "python")

    check = project_check(repo.path, {"MVP_PROCESS_PYTHON": python})

    assert check is not None and check.ok
    assert check.message == f"the project imports in {python} (demo)"


@pytest.mark.parametrize(
    "config",
    [
        {"pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["src"]\n'},
        {"pytest.ini": "[pytest]\npythonpath = src lib\n"},
        {"setup.cfg": "[tool:pytest]\npythonpath = src\n"},
        # a file pytest could not read either is passed over
        {"tox.ini": "[pytest\n", "setup.cfg": "[tool:pytest]\npythonpath = src\n"},
        # pytest.ini wins over pyproject.toml, as in pytest
        {
            "pytest.ini": "[pytest]\npythonpath = src\n",
            "pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["x"]\n',
        },
    ],
)
def test_pytests_pythonpath_counts(repo: Repo, config: dict[str, str]) -> None:
    write(repo.path, {**SRC_PROJECT, **config})
    check = project_check(repo.path)
    assert check is not None and check.ok, check


def test_pytests_first_config_file_decides(repo: Repo) -> None:
    pyproject = '[tool.pytest.ini_options]\npythonpath = "src"\n'
    write(repo.path, {**SRC_PROJECT, "pyproject.toml": pyproject})
    assert project_check(repo.path) == Check(
        "project", True, f"the project imports in {sys.executable} (demo)"
    )
    write(repo.path, {"pytest.ini": "[pytest]\naddopts = -q\n"})  # no pythonpath
    check = project_check(repo.path)
    assert check is not None and not check.ok


def test_a_flat_package_whose_dependency_is_missing(repo: Repo) -> None:
    write(
        repo.path,
        {
            "calc/__init__.py": "import freezegun_is_not_here\n",
            "tools/__init__.py": "",
            "requirements-dev.txt": "freezegun_is_not_here\n",
        },
    )
    check = project_check(repo.path)
    assert check is not None and not check.ok
    assert check.message.startswith(
        "calc does not import in "
    ) and check.message.endswith(
        "(calc: ModuleNotFoundError: No module named 'freezegun_is_not_here')"
    )
    assert f"`{sys.executable} -m pip install -r requirements-dev.txt`" in check.fix


def test_packages_are_imported_not_scripts(repo: Repo) -> None:
    write(
        repo.path,
        {
            "calc/__init__.py": "",
            "deploy_script.py": "raise SystemExit('a script ran on import')\n",
            "tests/test_calc.py": "import calc\n",
        },
    )
    check = project_check(repo.path)
    assert check is not None and check.ok and check.message.endswith("(calc)")


def test_a_single_module_project_and_one_without_code(repo: Repo) -> None:
    assert project_check(repo.path) == Check(
        "project", True, "no package or module of the project to import"
    )
    write(repo.path, {"six.py": "raise ImportError('broken')\n"})
    check = project_check(repo.path)
    assert check is not None and not check.ok
    assert "(six: ImportError: broken)" in check.message
    assert check.fix == (
        "install the project and what its tests import there; or set `python` in "
        "[tool.mvp-process] (MVP_PROCESS_PYTHON) to the interpreter where it is "
        "installed"
    )


def test_no_project_check_without_a_python(repo: Repo, tmp_path: Path) -> None:
    write(repo.path, {"calc/__init__.py": ""})
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\necho not python\n", encoding="utf-8")
    fake.chmod(0o755)
    for python in (str(fake), str(tmp_path / "missing")):
        checks = diagnose(repo.path, Git(repo.path), {"MVP_PROCESS_PYTHON": python})
        assert "project" not in {c.topic for c in checks}
        assert "tools" in failing(checks)


def test_apps_without_deploy_jobs(repo: Repo) -> None:
    init_repository(repo.path)  # no app named: no deploy job
    write(repo.path, {"pyproject.toml": DEPLOY_CONFIG, "Procfile": "release: x\n"})

    checks = diagnose(repo.path, Git(repo.path), {})
    assert [c.message for c in checks if not c.ok] == [
        "staging-app is set but no workflow deploys to staging",
        "production-app is set but no workflow deploys to production",
    ]

    init_repository(repo.path, force=True)  # the configured apps get their jobs
    assert failing(diagnose(repo.path, Git(repo.path), {})) == {}
