#!/usr/bin/env python3
"""Release checks for .ci/wheel-test and .github/workflows/release.yml.

    release.py version       the package version (src/mvp_process/__init__.py)
    release.py check TAG     TAG is v<version> and CHANGELOG.md has its dated section
    release.py notes TAG [OWNER/REPO@COMMIT]
                             that section's text: the GitHub release's notes
                             (with the `uses:` line pinning COMMIT, when given)

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


def how_to_use(tag: str, pinned: str) -> str:
    """The release page's lines to copy: the action pinned, the package."""
    return (
        f"### Use it\n\n```yaml\n- uses: {pinned} # {tag}\n```\n\n"
        f"```sh\npip install mvp-process=={tag.removeprefix('v')}\n```"
    )


def main(argv: list[str]) -> int:
    try:
        if argv == ["version"]:
            print(version())
        elif argv[:1] == ["check"] and len(argv) == 2:
            notes(argv[1])
            print(f"release {argv[1]}: ready")
        elif argv[:1] == ["notes"] and len(argv) in (2, 3):
            text = notes(argv[1])
            print(text + ("\n\n" + how_to_use(*argv[1:]) if len(argv) == 3 else ""))
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except ReleaseError as exc:
        print(f"release: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
