#!/usr/bin/env python3
"""Release checks for .ci/wheel-test and .github/workflows/release.yml.

    release.py version       the package version (src/mvp_process/__init__.py)
    release.py check TAG     TAG is v<version> and CHANGELOG.md has its dated section
    release.py notes TAG     that section's text: the GitHub release's notes

Standard library only: the release workflow runs it before anything is installed.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADING = re.compile(
    r"^## \[(?P<name>[^\]]+)\](?: - (?P<date>\d{4}-\d{2}-\d{2}))?[ \t]*$", re.M
)
TAG = re.compile(r"^v(?P<version>\d+\.\d+\.\d+)$")


class ReleaseError(Exception):
    """What stops a release, said so that the maintainer can fix it."""


def version(root: Path = ROOT) -> str:
    """`__version__` as written in the source (nothing is imported)."""
    tree = ast.parse((root / "src" / "mvp_process" / "__init__.py").read_text("utf-8"))
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and [getattr(t, "id", None) for t in node.targets] == ["__version__"]
            and isinstance(node.value, ast.Constant)
        ):
            return str(node.value.value)
    raise ReleaseError("src/mvp_process/__init__.py does not set __version__")


def sections(changelog: str) -> dict[str, tuple[str | None, str]]:
    """Each `## [name] - date` section of a Keep a Changelog file: (date, text)."""
    found = list(HEADING.finditer(changelog))
    ends = [m.start() for m in found[1:]] + [len(changelog)]
    return {
        m["name"]: (m["date"], changelog[m.end() : end].strip())
        for m, end in zip(found, ends)
    }


def notes(tag: str, root: Path = ROOT) -> str:
    """The release's notes, once everything about the tag checks out."""
    match = TAG.match(tag)
    if not match:
        raise ReleaseError(f"tag {tag!r} is not vX.Y.Z")
    wanted, current = match["version"], version(root)
    if wanted != current:
        raise ReleaseError(
            f"tag {tag} but the package version is {current}: set __version__ in "
            "src/mvp_process/__init__.py, commit, and tag that commit"
        )
    date, text = sections((root / "CHANGELOG.md").read_text("utf-8")).get(
        wanted, (None, "")
    )
    if date is None or not text:
        raise ReleaseError(
            f"CHANGELOG.md has no dated section for {wanted}: rename "
            f"[Unreleased] to [{wanted}] - YYYY-MM-DD (and start a new [Unreleased])"
        )
    return text


def main(argv: list[str]) -> int:
    try:
        if argv[:1] == ["version"] and len(argv) == 1:
            print(version())
        elif argv[:1] in (["check"], ["notes"]) and len(argv) == 2:
            text = notes(argv[1])
            print(text if argv[0] == "notes" else f"release {argv[1]}: ready")
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except ReleaseError as exc:
        print(f"release: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
