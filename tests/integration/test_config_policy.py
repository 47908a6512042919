"""In a pull request, the policy of [tool.mvp-process] comes from the merge-base."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from mvp_process.config_keys import KEYS
from mvp_process.config_policy import PROJECT_KEYS, POLICY_KEYS, load, shown
from mvp_process.errors import ConfigError, GitError
from mvp_process.git import Git
from support.repo import Repo

PR_ENV = {"GITHUB_ACTIONS": "true", "GITHUB_BASE_REF": "main"}
STRICT = """
[tool.mvp-process]
diff-coverage-min = 90
branch-pattern = "^(?P<issue>[0-9]+)-x$"
"""


def test_every_key_is_policy_or_the_projects_own() -> None:
    assert not POLICY_KEYS & PROJECT_KEYS
    assert set(KEYS) <= POLICY_KEYS | PROJECT_KEYS


def pull_request(repo: Repo, base: str, pr: str) -> Git:
    repo.commit("Policy", {"pyproject.toml": base})
    repo.push("main")
    repo.switch("7-x", create=True)
    repo.commit("Change", {"pyproject.toml": pr})
    return Git(repo.path)


def test_the_merge_bases_policy_and_the_pull_requests_own_keys(repo: Repo) -> None:
    lowered = """
    [tool.mvp-process]
    diff-coverage-min = 0
    require-reviewer = false
    pytest-args = ["-x"]
    parallel = true
    """
    config = load(pull_request(repo, STRICT, lowered), PR_ENV)
    assert (config.diff_coverage_min, config.require_reviewer) == (90.0, True)
    assert config.branch_pattern == "^(?P<issue>[0-9]+)-x$"
    assert (config.pytest_args, config.parallel) == (("-x",), True)
    assert config.policy_notes == (
        'this pull request changes branch-pattern "^(?P<issue>[0-9]+)-x$" → '
        '"^(?P<issue>[1-9][0-9]*)-[a-z0-9]+(?:-[a-z0-9]+)*$" in '
        "[tool.mvp-process]; it applies after merge",
        "this pull request changes diff-coverage-min 90 → 0 in "
        "[tool.mvp-process]; it applies after merge",
        "this pull request changes require-reviewer true → false in "
        "[tool.mvp-process]; it applies after merge",
    )


def test_environment_and_flags_still_override(repo: Repo) -> None:
    git = pull_request(repo, STRICT, "[tool.mvp-process]\ndiff-coverage-min = 0\n")
    env = {**PR_ENV, "MVP_PROCESS_DIFF_COVERAGE_MIN": "85"}
    assert load(git, env).diff_coverage_min == 85.0
    assert load(git, env, {"diff-coverage-min": 70.0}).diff_coverage_min == 70.0


def test_outside_a_pull_request_the_working_tree_decides(repo: Repo) -> None:
    git = pull_request(repo, STRICT, "[tool.mvp-process]\ndiff-coverage-min = 0\n")
    for env in ({}, {"GITHUB_ACTIONS": "true"}, {"GITHUB_BASE_REF": "main"}):
        config = load(git, env)
        assert config.diff_coverage_min == 0.0 and config.policy_notes == ()


def test_a_base_without_settings_gives_the_defaults(repo: Repo) -> None:
    git = pull_request(repo, "[project]\nname = 'x'\n", STRICT)
    config = load(git, PR_ENV)
    assert config.diff_coverage_min == 80.0
    assert "diff-coverage-min 80 → 90" in " ".join(config.policy_notes)
    repo.git("rm", "-q", "pyproject.toml")
    repo.commit("No pyproject at all")
    assert load(git, PR_ENV).diff_coverage_min == 80.0


def test_the_pull_requests_file_is_still_checked(repo: Repo) -> None:
    git = pull_request(repo, STRICT, "[tool.mvp-process]\ndiff-coverage-min = 'x'\n")
    with pytest.raises(ConfigError, match="'diff-coverage-min' must be a number"):
        load(git, PR_ENV)


@pytest.mark.parametrize(
    ("base", "message"),
    [
        (
            "[tool.mvp-process]\ndiff-coverage-min = 150\n",
            r"of pyproject.toml at the merge-base \w{12}: 'diff-coverage-min' must",
        ),
        ("[tool.mvp-process\n", r"pyproject.toml at the merge-base \w{12} is not"),
    ],
)
def test_a_broken_policy_on_the_base_is_exit_2(
    repo: Repo, base: str, message: str
) -> None:
    git = pull_request(repo, base, STRICT)
    with pytest.raises(ConfigError, match=message) as info:
        load(git, PR_ENV)
    assert info.value.exit_code == 2


def test_a_base_branch_that_is_not_here_says_how_to_fetch_it(repo: Repo) -> None:
    git = pull_request(repo, STRICT, STRICT)
    with pytest.raises(GitError, match="the base branch 'develop' is not here") as info:
        load(git, {**PR_ENV, "GITHUB_BASE_REF": "develop"})
    assert "fetch-depth: 0" in info.value.hint


def test_a_shallow_clone_is_deepened_once_and_said(repo: Repo, tmp_path: Path) -> None:
    pull_request(repo, STRICT, "[tool.mvp-process]\ndiff-coverage-min = 0\n")
    for i in range(3):
        repo.commit(f"more {i}", {"f.txt": f"{i}\n"})
    repo.push("7-x")
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth=1", "--no-single-branch"]
        + [f"file://{repo.origin}", str(clone)],
        check=True,
    )
    subprocess.run(["git", "-C", str(clone), "switch", "-q", "7-x"], check=True)
    config = load(Git(clone), PR_ENV)
    assert config.diff_coverage_min == 90.0
    assert config.policy_notes[0].startswith("the clone is shallow")


def test_unrelated_histories_have_no_merge_base(repo: Repo) -> None:
    git = pull_request(repo, STRICT, STRICT)
    repo.git("switch", "-q", "--orphan", "alone")
    repo.commit("Alone", {"pyproject.toml": STRICT})
    with pytest.raises(GitError, match="have no common ancestor"):
        load(git, PR_ENV)


@pytest.mark.parametrize(
    ("value", "text"),
    [(90.0, "90"), (0.5, "0.5"), (True, "true"), (None, "unset"), ("a", '"a"')]
    + [(("-x", "-q"), '["-x", "-q"]')],
)
def test_values_are_shown_as_toml_writes_them(value: object, text: str) -> None:
    assert shown(value) == text


OMIT = '[tool.coverage.run]\nomit = ["calc/new.py"]\n'


@pytest.mark.parametrize(
    ("name", "before", "after", "said"),
    [
        ("pyproject.toml", STRICT, STRICT + OMIT, True),
        ("pyproject.toml", STRICT + OMIT, STRICT, True),
        ("pyproject.toml", STRICT + OMIT, "# reordered\n" + OMIT + STRICT, False),
        (".coveragerc", None, "[run]\nomit = calc/new.py\n", True),
        ("setup.cfg", "[metadata]\nname = a\n", "[metadata]\nname = b\n", False),
        ("setup.cfg", "[metadata]\nname = a\n", "[coverage:run]\nomit = x.py\n", True),
        ("tox.ini", "[coverage:run\nbroken", "[coverage:run\nbroken ", True),
        ("tox.ini", "[coverage:run\nbroken", "[coverage:run\nbroken", False),
    ],
)
def test_a_change_to_coverages_settings_is_said(
    repo: Repo, name: str, before: str | None, after: str, said: bool
) -> None:
    base = {"pyproject.toml": STRICT} | ({name: before} if before else {})
    repo.commit("Settings", base)
    repo.push("main")
    repo.switch("7-x", create=True)
    repo.commit("Change", {name: after})
    notes = load(Git(repo.path), PR_ENV).policy_notes
    expected = (
        f"this pull request changes coverage.py's settings in {name}; the coverage "
        "gates measure with them: review what they leave out"
    )
    assert (expected in notes) is said
    assert sum("coverage.py" in note for note in notes) == int(said)
