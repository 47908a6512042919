"""`init`: put the workflow and a starter configuration into a repository.

The workflow is the template fitted to the project (workflow_text.py): the
install step installs its test dependencies the way it declares them
(policy_install.py), and the deploy jobs are there only for the Heroku apps
named on the command line or already in `[tool.mvp-process.deploy]`.

A maintainer's own files are never replaced without `--force`, and
`pyproject.toml` is only ever appended to: everything already in it stays byte
for byte. The plan is made (and checked) in full before anything is written, so
a refusal leaves the repository exactly as it was.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from mvp_process import __version__
from mvp_process.errors import ConfigError, MvpError
from mvp_process.setup.install import detect, pyproject
from mvp_process.setup.policy_install import Install, nested
from mvp_process.setup.workflow_text import with_deploys, with_install

TEMPLATE_NAME = "mvp-process.yml"
FORKS_NAME = "mvp-process-forks.yml"  # publishes the reports of fork pull requests
WORKFLOWS = Path(".github") / "workflows"
WORKFLOW_PATH = WORKFLOWS / TEMPLATE_NAME
# The action's GitHub repository: written here only. `init` renders the workflow
# and the starter config from it; the published templates and docs are kept
# rendered (a test compares them with render()).
ACTION_REPOSITORY = "org/mvp-process"
_OURS = re.compile(
    r"(?P<before>uses: |github\.com/)[\w.-]+/mvp-process(?P<tag>@v\d+\b)?"
)

STARTER_CONFIG = """\
[tool.mvp-process]
# mvp-process settings (https://github.com/{repository}); every key is optional.
coverage-drop-max = 1.0  # allowed drop of project coverage, in percentage points
diff-coverage-min = 80  # minimum coverage of the changed lines, in percent
require-reviewer = true  # a PR needs a requested reviewer
# python = ".venv/bin/python"  # where the project and its test tools are installed

[tool.mvp-process.deploy]
{staging_app}
{production_app}
staging-branch = "staging"
production-branches = ["main", "master"]
# migrate-command = "python manage.py migrate --noinput"  # or a Procfile `release:`
# static-command = "python manage.py collectstatic --noinput"
health-path = "/"
"""


@dataclass(frozen=True)
class Change:
    """One file `init` wrote, or chose not to write, and why."""

    path: Path  # in the repository
    action: str  # created | replaced | appended | unchanged | kept
    detail: str
    data: bytes | None = field(default=None, repr=False)  # what is written


def action_ref() -> str:
    """The template's `uses:` value: this release's major tag (`org/mvp-process@v1`)."""
    return f"{ACTION_REPOSITORY}@v{__version__.split('.')[0]}"


def render(text: str) -> str:
    """`text` with every mention of the action's repository (a `uses:` line, a
    github.com link) naming ACTION_REPOSITORY, and a major tag naming action_ref()."""
    return _OURS.sub(
        lambda m: m["before"] + (action_ref() if m["tag"] else ACTION_REPOSITORY), text
    )


def template_text(name: str = TEMPLATE_NAME) -> str:
    """A workflow template shipped inside the package, rendered."""
    return render(
        resources.files("mvp_process.setup")
        .joinpath("templates", name)
        .read_text(encoding="utf-8")
    )


@dataclass(frozen=True)
class Fitted:
    """The workflow `init` writes for one project, and what it chose."""

    text: str
    install: Install
    deploys: tuple[str, ...]  # the deploy jobs written: staging, production


def fit(root: Path, staging_app: str | None, production_app: str | None) -> Fitted:
    """The template with the project's install lines, and deploy jobs only for
    the Heroku apps named on the command line or already configured."""
    install = detect(root)
    apps = nested(pyproject(root), "tool", "mvp-process", "deploy")  # {} if unreadable
    named = {
        "staging": staging_app or apps.get("staging-app"),
        "production": production_app or apps.get("production-app"),
    }
    deploys = tuple(
        target for target, app in named.items() if isinstance(app, str) and app
    )
    text = template_text()
    if install.steps is not None:
        text = with_install(text, install.steps)
    text = with_deploys(text, "staging" in deploys, "production" in deploys)
    return Fitted(text, install, deploys)


def _app_line(key: str, name: str | None, example: str) -> str:
    if name:
        escaped = name.replace("\\", "\\\\").replace('"', '\\"')
        return f'{key} = "{escaped}"'
    return f'# {key} = "{example}"  # the Heroku app; deploys need it'


def starter_config(staging_app: str | None, production_app: str | None) -> str:
    """The `[tool.mvp-process]` table `init` appends (valid on its own)."""
    return STARTER_CONFIG.format(
        repository=ACTION_REPOSITORY,
        staging_app=_app_line("staging-app", staging_app, "my-app-staging"),
        production_app=_app_line("production-app", production_app, "my-app"),
    )


def _plan_workflow(
    root: Path, name: str, content: str, what: str, force: bool
) -> Change:
    relative = WORKFLOWS / name
    path, text = root / relative, content.encode("utf-8")
    if path.is_dir():
        raise MvpError(f"{relative} is a folder", hint="move it away first")
    if not path.exists():
        return Change(relative, "created", what, text)
    if path.read_bytes() == text:
        return Change(relative, "unchanged", "already this workflow")
    if not force:
        shown = f"{ACTION_REPOSITORY}'s workflows-templates/{name}"
        if name == TEMPLATE_NAME:
            shown = "`mvp-process init --print-workflow`"
        raise MvpError(
            f"{relative} already exists and differs from the template; "
            "nothing was written",
            hint=f"compare it with {shown}, or replace it "
            "with --force (commit your version first)",
        )
    return Change(relative, "replaced", "with the template", text)


def _plan_pyproject(root: Path, table: str, apps_given: bool) -> Change:
    name = Path("pyproject.toml")
    path = root / name
    if not path.exists():
        return Change(name, "created", "with [tool.mvp-process]", table.encode("utf-8"))
    existing = path.read_bytes()
    try:
        data = tomllib.loads(existing.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(
            f"{path} is not valid TOML ({exc}); nothing was written",
            hint="fix the file's syntax, then run init again",
        ) from None
    tool = data.get("tool")
    if isinstance(tool, dict) and "mvp-process" in tool:
        detail = "it already has [tool.mvp-process]"
        if apps_given:
            detail += " (app names not applied: edit the table by hand)"
        return Change(name, "kept", detail)
    newline = b"\r\n" if b"\r\n" in existing else b"\n"
    blank_line = newline if existing.endswith(b"\n") else newline * 2
    separator = blank_line if existing else b""
    addition = table.encode("utf-8").replace(b"\n", newline)
    appended = existing + separator + addition
    return Change(name, "appended", "[tool.mvp-process]", appended)


def init_repository(
    root: Path,
    *,
    force: bool = False,
    staging_app: str | None = None,
    production_app: str | None = None,
    forks: bool = False,
    fitted: Fitted | None = None,
) -> list[Change]:
    """Write the workflow(s) and the starter config into `root`; say what was
    done. `forks`: also the workflow that publishes fork pull requests' reports;
    `fitted`: the workflow when the caller has already fitted it."""
    table = starter_config(staging_app, production_app)
    fitted = fitted or fit(root, staging_app, production_app)
    plans = [_plan_workflow(root, TEMPLATE_NAME, fitted.text, "the CI workflow", force)]
    if forks:
        text, what = template_text(FORKS_NAME), "publishes fork pull requests' reports"
        plans.append(_plan_workflow(root, FORKS_NAME, text, what, force))
    config = _plan_pyproject(root, table, bool(staging_app or production_app))
    try:  # the file init leaves must load as a valid configuration
        tomllib.loads((config.data or b"").decode("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"appending [tool.mvp-process] would make {root / config.path} invalid "
            f"({exc}); nothing was written",
            hint="add the table by hand (see `mvp-process init --print-config`)",
        ) from None
    for change in [*plans, config]:
        if change.data is not None:
            (root / change.path).parent.mkdir(parents=True, exist_ok=True)
            (root / change.path).write_bytes(change.data)
    return [*plans, config]
