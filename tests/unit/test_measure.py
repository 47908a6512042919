"""What coverage measures, decided from a repository's file list."""

from __future__ import annotations

import pytest

from mvp_process.check.measure import (
    chosen_in_args,
    config_file,
    detect,
    is_excluded,
)
from mvp_process.config_keys import DEFAULT_TEST_GLOBS


@pytest.mark.parametrize(
    ("files", "targets"),
    [
        (["src/pkg/__init__.py", "src/pkg/a.py", "tests/test_a.py"], ["src/pkg"]),
        (["src/ns/sub/mod.py", "src/tool.py"], ["src/ns", "tool"]),
        (["pkg/__init__.py", "pkg/sub/__init__.py", "pkg/tests/test_x.py"], ["pkg"]),
        (["scripts/run.py", "docs/conf.py", "build/lib/pkg/__init__.py"], []),
        (["setup.py", "conftest.py", "noxfile.py", "test_top.py", "top_test.py"], []),
        (["six.py", "README.md", "tests/helpers.py", "test/__init__.py"], ["six"]),
        ([".venv/lib/site.py", "my-tool/__init__.py", "pkg/data.txt"], []),
        (["src/__init__.py", "src/mod.py"], ["src"]),
        (["testing/__init__.py", "docs/__init__.py", "app/__init__.py"], ["app"]),
    ],
)
def test_detect(files: list[str], targets: list[str]) -> None:
    assert detect(files) == targets


@pytest.mark.parametrize(
    ("path", "excluded"),
    [
        ("tests/test_a.py", True),
        ("tests/helpers/data.py", True),
        ("pkg/tests/util.py", True),
        ("test/x.py", True),
        ("testing/test_ini.py", True),
        ("pkg/testing/helpers.py", False),  # shipped helpers, like numpy.testing
        ("pkg/test_mod.py", True),
        ("pkg/mod_test.py", True),
        ("conftest.py", True),
        ("pkg/conftest.py", True),
        ("pkg/contest.py", False),
        ("pkg/testing.py", False),
        ("pkg/latest/x.py", False),
    ],
)
def test_default_exclude(path: str, excluded: bool) -> None:
    assert is_excluded(path, DEFAULT_TEST_GLOBS) is excluded


def test_exclude_never_matches_the_folder_around_the_checkout() -> None:
    """diff-cover also matches absolute paths: a checkout in .../tests/ vanished."""
    assert not is_excluded("pkg/mod.py", ("*/tests/*",))
    assert is_excluded("pkg/mod.py", ("pkg/*",))
    assert not is_excluded("pkg/mod.py", ())


def test_what_pytest_args_say() -> None:
    assert config_file(["--cov-config=ci/.coveragerc"]) == "ci/.coveragerc"
    assert config_file(["-x", "--cov-config", "setup.cfg"]) == "setup.cfg"
    assert config_file(["--cov-config"]) == "" and config_file([]) == ""
    assert chosen_in_args(["--cov=pkg"]) and chosen_in_args(["--cov"])
    assert not chosen_in_args(["--cov-report=term", "--no-cov-on-fail"])
