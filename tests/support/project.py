"""A small Python project with tests, the shape mvp-process checks."""

from __future__ import annotations

from support.repo import Repo

PYPROJECT = """
[tool.coverage.run]
source = ["calc"]
branch = true

[tool.pytest.ini_options]
testpaths = ["tests"]
"""

CALC = '''
"""A tiny calculator."""


def add(a, b):
    return a + b


def sub(a, b):
    return a - b
'''

TESTS = """
from calc import add, sub


def test_add():
    assert add(1, 2) == 3


def test_sub():
    assert sub(3, 2) == 1
"""

# A change that adds a tested function (keeps coverage at 100%).
TESTED_FEATURE = {
    "calc/__init__.py": CALC
    + """

def mul(a, b):
    return a * b
""",
    "tests/test_mul.py": """
from calc import mul


def test_mul():
    assert mul(2, 3) == 6
""",
}

# A change that adds untested code.
UNTESTED_FEATURE = {
    "calc/__init__.py": CALC
    + """

def div(a, b):
    if b == 0:
        raise ZeroDivisionError("b is zero")
    return a / b


def neg(a):
    return -a
""",
}


def sample_project(repo: Repo, *, push: bool = True) -> str:
    """Commit the project on main (and push it); returns the commit SHA."""
    sha = repo.commit(
        "Initial project",
        {
            "pyproject.toml": PYPROJECT,
            "calc/__init__.py": CALC,
            "tests/test_calc.py": TESTS,
            ".gitignore": "__pycache__/\n.pytest_cache/\n",
        },
    )
    if push:
        repo.push("main")
        repo.git("remote", "set-head", "origin", "main")
    return sha


def feature_branch(repo: Repo, files: dict[str, str], name: str = "254-add-mul") -> str:
    """Branch off main, commit `files`, return the new HEAD."""
    repo.switch(name, create=True)
    return repo.commit(f"Work on {name}", files)
