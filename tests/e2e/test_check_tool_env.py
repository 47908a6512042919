"""The code under test cannot read credentials or write the runner's files.

A pull request's test (and its conftest, and any flake8 or black plugin) runs
inside `check`. Here it reads every credential Actions hands a step and tries
to write into the runner's command files, through the real `check` command in
an emulated Actions step; it must find none of them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mvp_process.check.toolenv import withheld
from support.actions import REPO, TOKEN, Actions, payload
from support.fake_github import FakeGitHub
from support.project import feature_branch, sample_project
from support.repo import Repo

HEROKU_KEY = "hk-0123-SECRET-heroku-key"
CREDENTIALS = {
    "HEROKU_API_KEY": HEROKU_KEY,
    "ACTIONS_RUNTIME_TOKEN": "runtime-token-value",
    "ACTIONS_ID_TOKEN_REQUEST_URL": "http://127.0.0.1:9/oidc",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "oidc-request-token",
    "AWS_SECRET_ACCESS_KEY": "aws-secret-value",
    "NPM_TOKEN": "npm-token-value",
    "PGPASSWORD": "pg-password-value",
    "BUILD_LABEL": TOKEN,  # the token copied under an innocent name
}
KEPT = ("GITHUB_SHA", "GITHUB_REPOSITORY", "CI", "PROBE_OUT")
PROBE = """
import json
import os

FILES = "GITHUB_OUTPUT GITHUB_ENV GITHUB_PATH GITHUB_STEP_SUMMARY".split()
FILES.append("GITHUB_STATE")


def test_probe():
    names = json.loads(os.environ.get("PROBE_NAMES", "[]"))
    seen = {name: os.environ.get(name) for name in names}
    for name in FILES:
        if os.environ.get(name):
            with open(os.environ[name], "a") as handle:
                handle.write("forged=1\\n")
    with open(os.environ["PROBE_OUT"], "w") as handle:
        json.dump(seen, handle)
"""


@pytest.fixture
def actions(
    fake_github: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Actions:
    fake_github.add_repo(REPO)
    fake_github.add_token(TOKEN, "github-actions[bot]")
    return Actions(tmp_path / "step", fake_github, monkeypatch)


def test_tests_and_linters_see_no_credential_and_no_runner_file(
    repo: Repo,
    actions: Actions,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    base = sample_project(repo)
    head = feature_branch(repo, {"tests/test_probe.py": PROBE})
    event = payload("pull_request.synchronize", number=7, head_sha=head, base_sha=base)
    actions.fake.add_pull(REPO, 7, head_ref="254-add-mul", head_sha=head, base_sha=base)
    actions.start("pull_request", event, sha=head, ref_name="7/merge", base_ref="main")
    files = {}
    for name in ("GITHUB_ENV", "GITHUB_PATH", "GITHUB_STATE"):
        files[name] = actions.root / name.lower()
        files[name].write_text("")
        monkeypatch.setenv(name, str(files[name]))
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    probe = tmp_path / "probe.json"
    monkeypatch.setenv("PROBE_OUT", str(probe))
    names = ["GITHUB_TOKEN", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", *files]
    names += list(CREDENTIALS)
    monkeypatch.setenv("PROBE_NAMES", json.dumps([*names, *KEPT]))

    outcome = actions.run(repo.path, ["check"], capsys)

    assert outcome.code == 0, outcome.out + outcome.err
    assert outcome.gate("tests")["summary"] == "3 passed"
    seen = json.loads(probe.read_text())
    assert {name: seen[name] for name in names} == dict.fromkeys(names)
    assert all(seen[name] for name in KEPT)  # the rest of the environment stays
    written = actions.output.read_text() + actions.summary.read_text()
    written += "".join(path.read_text() for path in files.values())
    assert "forged" not in written
    # black writes is_formatted=... into $GITHUB_OUTPUT when it sees it.
    keys = {line.split("=")[0] for line in actions.output.read_text().splitlines()}
    assert keys == {"passed", "coverage", "diff-coverage"}


@pytest.mark.parametrize(
    ("name", "value", "out"),
    [
        ("GITHUB_TOKEN", "x", True),
        ("GH_TOKEN", "x", True),
        ("HEROKU_API_KEY", "x", True),
        ("ACTIONS_CACHE_URL", "x", True),
        ("GITHUB_OUTPUT", "/tmp/o", True),
        ("github_step_summary", "/tmp/s", True),
        ("DJANGO_SECRET_KEY", "x", True),
        ("AWS_SESSION_TOKEN", "x", True),
        ("TWINE_PASSWORD", "x", True),
        ("PGPASSWORD", "x", True),
        ("GPG_KEY", "x", True),
        ("GOOGLE_APPLICATION_CREDENTIALS", "/k.json", True),
        ("OPENAI_APIKEY", "x", True),
        ("MY_SECRETS", "x", True),
        ("GITHUB_SHA", "abc", False),
        ("GITHUB_EVENT_PATH", "/e.json", False),
        ("PATH", "/usr/bin", False),
        ("KEYRING_BACKEND", "x", False),
        ("MONKEYPATCH_LEVEL", "x", False),
        ("PWD", "/work", False),
        ("RUNNER_TEMP", "/tmp", False),
        ("DATABASE_URL", "postgres://u@h/db", False),
    ],
)
def test_the_rule_for_what_the_tools_do_not_see(
    name: str, value: str, out: bool
) -> None:
    assert withheld(name, value) is out
