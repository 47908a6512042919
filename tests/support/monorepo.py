"""A monorepo: two sub-projects, `api/` and `web/`, and a folder of neither.

Each sub-project has its own pyproject.toml (coverage source, pytest paths,
`[tool.mvp-process]`), code and tests; `web/` also its own flake8 and black
settings (lines up to 100) and `lint-scope = "changed"` over a legacy file with
a finding. `scripts/` belongs to no sub-project and holds a flake8 finding and
a file black would reformat, which neither sub-project may see. On main the
api's coverage is 100% and the web's lower (a branch never taken), so a
baseline read from the other sub-project's status would show.
"""

from __future__ import annotations

from support.repo import Repo

API_PYPROJECT = """
[tool.coverage.run]
source = ["service"]
branch = true

[tool.pytest.ini_options]
testpaths = ["tests"]

[tool.mvp-process]
project = "api"
"""

WEB_PYPROJECT = """
[tool.coverage.run]
source = ["site_pkg"]
branch = true

[tool.pytest.ini_options]
testpaths = ["tests"]

[tool.black]
line-length = 100

[tool.mvp-process]
lint-scope = "changed"
"""

# 95 characters: too long for flake8's and black's defaults, fine for web's own.
LONG = 'GREETING = "hello, ' + "x" * 75 + '"'

API_CODE = '''
"""The api."""


def add(a, b):
    return a + b
'''

API_TESTS = """
from service import add


def test_add():
    assert add(1, 2) == 3
"""

WEB_DOC = '''
"""The web site."""
'''

WEB_CODE = WEB_DOC + f"""
{LONG}


def title(text, shout=False):
    if shout:
        return text.upper()
    return text.title()
"""

WEB_TESTS = """
from site_pkg import title


def test_title():
    assert title("a b") == "A B"
"""

FILES = {
    ".gitignore": "__pycache__/\n.pytest_cache/\n",
    "scripts/release.py": "import os\nx=1\n",  # F401, and black would change it
    "api/pyproject.toml": API_PYPROJECT,
    "api/service/__init__.py": API_CODE,
    "api/tests/test_service.py": API_TESTS,
    "web/pyproject.toml": WEB_PYPROJECT,
    "web/.flake8": "[flake8]\nmax-line-length = 100\n",
    "web/legacy.py": "import sys\n",  # a finding nobody changes
    "web/site_pkg/__init__.py": WEB_CODE,
    "web/tests/test_site.py": WEB_TESTS,
}

# The pull request: a tested function in the api; in the web an untested one
# and an unused import (a finding on a changed line).
API_CHANGE = {
    "api/service/__init__.py": API_CODE
    + """

def mul(a, b):
    return a * b
""",
    "api/tests/test_mul.py": """
from service import mul


def test_mul():
    assert mul(2, 3) == 6
""",
}
WEB_CHANGE = {
    "web/site_pkg/__init__.py": WEB_CODE.replace(WEB_DOC, WEB_DOC + "\nimport os\n")
    + """

def slug(text):
    return text.lower().replace(" ", "-")
""",
}


def monorepo(repo: Repo, *, push: bool = True) -> str:
    """Commit the two sub-projects on main (and push); returns the commit."""
    sha = repo.commit("Two sub-projects", FILES)
    if push:
        repo.push("main")
        repo.git("remote", "set-head", "origin", "main")
    return sha
