"""Real projects' releases, for the ground-truth test and the benchmark.

Each is an sdist on the package registry (downloaded when the slow test or
the benchmark runs, never committed here); a branch appends `ADDED` to
`module` and a test of it under `tests`, so the branch has covered and
uncovered changed lines.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Project:
    name: str
    version: str
    package: str  # what a person passes to --cov
    module: str  # the file the branch changes
    imports: str  # the module the new test imports from
    tests: str  # the folder of the new test
    args: tuple[str, ...] = ()
    src: bool = False
    suite: tuple[str, ...] | None = None  # the benchmark's --parallel, if not `args`


PROJECTS: dict[str, Project] = {
    p.name: p
    for p in (
        Project("six", "1.17.0", "six", "six.py", "six", "."),
        Project(
            "idna",
            "3.20",
            "idna",
            "idna/core.py",
            "idna.core",
            "tests",
            # Not hypothesis (not installed here), nor its 6,000 UTS46 cases.
            ("--ignore=tests/test_idna_properties.py",)
            + ("--ignore=tests/test_idna_uts46.py",)
            + ("--ignore=tests/test_idna_concurrency.py",),
        ),
        Project(
            "iniconfig",
            "2.3.1",
            "iniconfig",
            "src/iniconfig/__init__.py",
            "iniconfig",
            "testing",
            src=True,
        ),
        Project(
            "more-itertools",
            "11.2.1",
            "more_itertools",
            "more_itertools/more.py",
            "more_itertools.more",
            "tests",
            # A slice of its 21,000 subtests keeps each run to a few seconds.
            ("-k", "Chunked or Windowed or Peekable or Collapse or SplitAt or mvp"),
            suite=(),  # --parallel: all 766 tests (55 s with coverage, one process)
        ),
        Project(
            "jinja2",
            "3.1.6",
            "jinja2",
            "src/jinja2/utils.py",
            "jinja2.utils",
            "tests",
            ("--ignore=tests/test_async.py", "--ignore=tests/test_async_filters.py"),
            src=True,
        ),
    )
}
GROUND_TRUTH = ("six", "idna", "iniconfig", "more-itertools")  # the four layouts
ADDED = '''

def mvp_process_probe(flag):
    """Added by the branch: one line no test reaches."""
    if flag:
        return "yes"
    return "no"
'''
