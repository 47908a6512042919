"""`init` on real repositories: what it writes, what it refuses, what it keeps."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from mvp_process.config import load_config
from mvp_process.setup.init import (
    FORKS_NAME,
    WORKFLOW_PATH,
    WORKFLOWS,
    fit,
    init_repository,
    starter_config,
    template_text,
)
from mvp_process.errors import ConfigError, MvpError
from mvp_process.setup.install import read
from support.cli import run_cli
from support.repo import Repo

TEMPLATE = template_text()
DEPLOYS = ["deploy-staging", "deploy-production"]


def jobs(text: str) -> dict[str, Any]:
    found: dict[str, Any] = yaml.safe_load(text)["jobs"]
    return found


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def test_fresh_repository_gets_both_files(repo: Repo) -> None:
    changes = init_repository(repo.path)

    assert [(str(c.path), c.action) for c in changes] == [
        (str(WORKFLOW_PATH), "created"),
        ("pyproject.toml", "created"),
    ]
    written = (repo.path / WORKFLOW_PATH).read_text("utf-8")
    assert list(jobs(written)) == ["pr", "check"]  # no app named: no deploy job
    assert TEMPLATE.startswith(written.rstrip("\n"))  # the template's install step
    assert (repo.path / "pyproject.toml").read_text("utf-8") == starter_config(
        None, None
    )
    config = load_config(repo.path, {})
    assert config.coverage_drop_max == 1.0 and config.diff_coverage_min == 80
    assert config.deploy.staging_app is None and config.deploy.production_app is None


@pytest.mark.parametrize(
    "original",
    [
        b'[project]\nname = "app"\n',
        b'[project]\nname = "app"',  # no final newline
        b'[project]\r\nname = "app"\r\n\r\n[tool.black]\r\nline-length = 100\r\n',
        b"",
        b"# only a comment\n",
    ],
)
def test_existing_pyproject_is_appended_to_byte_for_byte(
    repo: Repo, original: bytes
) -> None:
    (repo.path / "pyproject.toml").write_bytes(original)

    changes = init_repository(repo.path, staging_app="app-staging")

    assert changes[1].action == "appended"
    written = (repo.path / "pyproject.toml").read_bytes()
    assert written.startswith(original)
    added = written[len(original) :]
    if b"\r\n" in original:
        assert added.count(b"\n") == added.count(b"\r\n")
    data = tomllib.loads(written.decode("utf-8"))
    assert data["tool"]["mvp-process"]["deploy"]["staging-app"] == "app-staging"
    assert load_config(repo.path, {}).deploy.staging_app == "app-staging"


def test_existing_table_is_kept_untouched(repo: Repo) -> None:
    text = b"[tool.mvp-process]\ndiff-coverage-min = 95\n"
    (repo.path / "pyproject.toml").write_bytes(text)

    changes = init_repository(repo.path, production_app="app")

    assert changes[1].action == "kept"
    assert "not applied" in changes[1].detail
    assert (repo.path / "pyproject.toml").read_bytes() == text


def test_app_names_are_escaped(repo: Repo) -> None:
    init_repository(repo.path, staging_app='we"ird\\app', production_app="prod")
    config = load_config(repo.path, {})
    assert config.deploy.staging_app == 'we"ird\\app'
    assert config.deploy.production_app == "prod"


def test_a_different_workflow_is_not_overwritten_without_force(repo: Repo) -> None:
    workflow = repo.path / WORKFLOW_PATH
    workflow.parent.mkdir(parents=True)
    workflow.write_text("name: mine\n", encoding="utf-8")
    before = snapshot(repo.path)

    with pytest.raises(MvpError, match="differs from the template") as refused:
        init_repository(repo.path)

    assert "--force" in refused.value.hint
    assert snapshot(repo.path) == before  # not even pyproject.toml was written
    changes = init_repository(repo.path, force=True)
    assert changes[0].action == "replaced"
    assert workflow.read_text("utf-8") == fit(repo.path, None, None).text
    again = init_repository(repo.path)
    assert [c.action for c in again] == ["unchanged", "kept"]


def test_a_folder_in_the_way_is_an_error(repo: Repo) -> None:
    (repo.path / WORKFLOW_PATH).mkdir(parents=True)
    with pytest.raises(MvpError, match="is a folder"):
        init_repository(repo.path, force=True)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"[project\nname = 1\n", "not valid TOML"),
        (b"\xff\xfe", "not valid TOML"),
        (b'tool = "not a table"\n', "would make"),
    ],
)
def test_a_pyproject_it_cannot_extend_is_left_alone(
    repo: Repo, text: bytes, message: str
) -> None:
    (repo.path / "pyproject.toml").write_bytes(text)
    before = snapshot(repo.path)
    with pytest.raises(ConfigError, match=message):
        init_repository(repo.path)
    assert snapshot(repo.path) == before


def test_cli_init_says_what_it_wrote(
    repo: Repo,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (repo.path / "sub").mkdir()
    outcome = run_cli(repo.path / "sub", ["init"], monkeypatch, capsys)
    assert outcome.code == 0
    assert f"created   {WORKFLOW_PATH}: the CI workflow" in outcome.out
    assert "created   pyproject.toml" in outcome.out
    assert "mvp-process/diff-coverage" in outcome.out
    assert (repo.path / WORKFLOW_PATH).is_file()  # at the root, not in sub/

    again = run_cli(repo.path, ["init"], monkeypatch, capsys)
    assert again.code == 0 and "unchanged" in again.out


def test_cli_init_refusal_is_exit_2(
    repo: Repo,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (repo.path / "pyproject.toml").write_text("[broken\n", encoding="utf-8")
    outcome = run_cli(repo.path, ["init"], monkeypatch, capsys)
    assert outcome.code == 2
    assert "not valid TOML" in outcome.err and "Traceback" not in outcome.err


def test_cli_init_outside_a_repository(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    outcome = run_cli(tmp_path, ["init"], monkeypatch, capsys)
    assert outcome.code == 2 and "not inside a git repository" in outcome.err
    assert list(tmp_path.iterdir()) == []


def test_cli_init_prints(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    workflow = run_cli(tmp_path, ["init", "--print-workflow"], monkeypatch, capsys)
    assert workflow.code == 0 and workflow.out == fit(tmp_path, None, None).text
    both_apps = ["init", "--print-workflow", "--staging-app", "s", "--production-app=p"]
    complete = run_cli(tmp_path, both_apps, monkeypatch, capsys)
    assert complete.code == 0 and complete.out == TEMPLATE
    config = run_cli(
        tmp_path,
        ["init", "--print-config", "--staging-app", "s"],
        monkeypatch,
        capsys,
    )
    assert config.code == 0 and config.out == starter_config("s", None)
    both = run_cli(
        tmp_path, ["init", "--print-config", "--print-workflow"], monkeypatch, capsys
    )
    assert both.code == 2
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("staging", "production", "table", "expected"),
    [
        ("app-staging", "app", "", DEPLOYS),
        ("app-staging", None, "", ["deploy-staging"]),
        (None, "app", "", ["deploy-production"]),
        # the apps already configured count as named
        (None, None, 'staging-app = "s"\nproduction-app = "p"\n', DEPLOYS),
        ("s", None, 'production-app = "p"\n', DEPLOYS),
        (None, None, 'production-app = "p"\n', ["deploy-production"]),
        # a table without apps (the starter's are comments) deploys nothing
        (None, None, '# staging-app = "s"\nstaging-branch = "stage"\n', []),
        (None, None, 'staging-app = ""\nproduction-app = 3\n', []),
    ],
)
def test_deploy_jobs_only_for_the_apps_named(
    repo: Repo,
    staging: str | None,
    production: str | None,
    table: str,
    expected: list[str],
) -> None:
    if table:
        pyproject = f"[tool.mvp-process.deploy]\n{table}"
        (repo.path / "pyproject.toml").write_text(pyproject, encoding="utf-8")

    init_repository(repo.path, staging_app=staging, production_app=production)

    written = jobs((repo.path / WORKFLOW_PATH).read_text("utf-8"))
    assert list(written) == ["pr", "check", *expected]
    if expected == ["deploy-production"]:
        assert written["deploy-production"]["needs"] == "check"


@pytest.mark.parametrize(
    "pyproject",
    ["[tool.mvp-process\n", 'tool = "x"\n', "[tool.mvp-process]\ndeploy = 1\n"],
)
def test_a_pyproject_without_a_deploy_table_names_no_app(
    tmp_path: Path, pyproject: str
) -> None:
    (tmp_path / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    assert fit(tmp_path, None, None).deploys == ()


def test_the_install_step_installs_the_projects_test_dependencies(
    repo: Repo,
) -> None:
    repo.write({"pyproject.toml": """
            [project]
            name = "app"
            version = "1"

            [project.optional-dependencies]
            docs = ["sphinx"]
            tests = ["freezegun"]
            """})
    init_repository(repo.path)

    steps = jobs((repo.path / WORKFLOW_PATH).read_text("utf-8"))["check"]["steps"]
    (install,) = [s for s in steps if s.get("name", "").startswith("Install")]
    assert install["run"].splitlines() == [
        "python -m pip install --upgrade pip",
        "python -m pip install -e '.[tests]'",
        "python -m pip install flake8 black pytest pytest-cov",
    ]


def test_cli_init_says_what_the_workflow_installs_and_deploys(
    repo: Repo,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    repo.write({"requirements-dev.txt": "freezegun\n", "setup.py": ""})
    outcome = run_cli(repo.path, ["init"], monkeypatch, capsys)
    assert outcome.code == 0
    assert (
        "  install   python -m pip install -r requirements-dev.txt -e . "
        "(from requirements-dev.txt)\n" in outcome.out
    )
    assert "  deploys   none (no Heroku app named" in outcome.out
    assert "HEROKU_API_KEY" not in outcome.out
    assert "  3. Run `mvp-process doctor`" in outcome.out

    app = ["init", "--force", "--staging-app", "s"]
    again = run_cli(repo.path, app, monkeypatch, capsys)
    assert "  deploys   staging\n" in again.out
    assert "HEROKU_API_KEY secret and the `staging` environment\n" in again.out
    assert "  4. Run `mvp-process doctor`" in again.out


def test_cli_init_without_declared_test_dependencies_says_so(
    repo: Repo,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    apps = ["--staging-app", "s", "--production-app", "p"]
    outcome = run_cli(repo.path, ["init", *apps], monkeypatch, capsys)
    assert "  install   no test dependencies declared" in outcome.out
    assert "  deploys   staging, production\n" in outcome.out
    assert "`staging` and `production` environments\n" in outcome.out
    assert (repo.path / WORKFLOW_PATH).read_text("utf-8") == TEMPLATE


@pytest.mark.parametrize(
    "setup_cfg",
    [b"[metadata\nname = app\n", b"[options.extras_require]\ntest = \xff\n"],
)
def test_a_setup_cfg_that_cannot_be_read_says_nothing(
    tmp_path: Path, setup_cfg: bytes
) -> None:
    (tmp_path / "setup.cfg").write_bytes(setup_cfg)
    (tmp_path / "setup.py").write_text("", encoding="utf-8")
    facts = read(tmp_path)
    assert (facts.setup_cfg_extras, facts.setup_cfg_metadata) == ((), False)
    assert fit(tmp_path, None, None).install.local == "python -m pip install -e ."


def test_forks_adds_the_workflow_that_publishes_fork_reports(
    repo: Repo,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    forks = repo.path / WORKFLOWS / FORKS_NAME
    assert run_cli(repo.path, ["init"], monkeypatch, capsys).code == 0
    assert not forks.exists()  # only when asked: most repositories take no forks

    outcome = run_cli(repo.path, ["init", "--forks"], monkeypatch, capsys)
    assert outcome.code == 0
    assert f"created   {WORKFLOWS / FORKS_NAME}: publishes fork" in outcome.out
    published = Path(__file__).parents[2] / "workflows-templates" / FORKS_NAME
    assert forks.read_text("utf-8") == published.read_text("utf-8")
    on = yaml.safe_load(forks.read_text("utf-8"))[True]  # YAML 1.1: `on` is true
    (main_workflow,) = on["workflow_run"]["workflows"]
    assert main_workflow == yaml.safe_load(TEMPLATE)["name"]  # what it follows

    forks.write_text("name: mine\n", encoding="utf-8")
    before = snapshot(repo.path)
    refused = run_cli(repo.path, ["init", "--forks"], monkeypatch, capsys)
    assert refused.code == 2 and "differs from the template" in refused.err
    assert f"workflows-templates/{FORKS_NAME}" in refused.err
    assert snapshot(repo.path) == before
    changes = init_repository(repo.path, forks=True, force=True)
    assert [c.action for c in changes] == ["unchanged", "replaced", "kept"]
