"""lint-scope's pure parts: changed lines from a diff, what is in scope."""

from __future__ import annotations

import pytest

from mvp_process.check.policy import (
    Changes,
    outside_note,
    parse_diff,
    split,
    unquote,
)

DIFF = """\
diff --git a/a.py b/a.py
index 1..2 100644
--- a/a.py
+++ b/a.py
@@ -3,0 +4,2 @@ def f():
+++ x
+--- y
@@ -10 +12 @@
-old
+new
@@ -20,2 +21,0 @@
-gone
-gone too
diff --git a/gone.py b/gone.py
deleted file mode 100644
--- a/gone.py
+++ /dev/null
@@ -1 +0,0 @@
-X = 1
diff --git "a/t\\tab.py" "b/t\\tab.py"
new file mode 100644
--- /dev/null
+++ "b/t\\tab.py"
@@ -0,0 +1 @@
+A = 1
\\ No newline at end of file
diff --git a/nl.py b/nl.py
--- a/nl.py
+++ b/nl.py
@@ -2 +2,2 @@
-last
\\ No newline at end of file
+last
+more
diff --git a/with space.py b/with space.py
--- a/with space.py\t
+++ b/with space.py\t
@@ -1 +1 @@
-a
+b
"""


def test_changed_lines_of_a_zero_context_diff() -> None:
    assert parse_diff(DIFF) == {
        "a.py": {4, 5, 12},  # "+++ x" and "+--- y" are added lines, not headers
        "t\tab.py": {1},
        "nl.py": {2, 3},
        "with space.py": {1},
    }


@pytest.mark.parametrize(
    ("shown", "path"),
    [
        ("b/plain.py", "b/plain.py"),
        ("b/with space.py\t", "b/with space.py"),
        ('"b/t\\tab.py"', "b/t\tab.py"),
        ('"b/quote\\".py"', 'b/quote".py'),
        ('"b/back\\\\slash.py"', "b/back\\slash.py"),
        ('"b/caf\\303\\251.py"', "b/café.py"),
    ],
)
def test_paths_as_git_quotes_them(shown: str, path: str) -> None:
    assert unquote(shown) == path


def test_changes_and_the_split() -> None:
    changes = Changes(
        {"a.py": frozenset({4, 5}), "new.py": None, "del.py": frozenset()}
    )
    assert changes.has_line("a.py", 4) and not changes.has_line("a.py", 6)
    assert changes.has_line("new.py", 999)  # untracked: every line
    assert not changes.has_line("other.py", 1) and not changes.has_file("other.py")
    assert changes.has_file("del.py") and not changes.has_line("del.py", 1)
    assert split([1, 2, 3, 4], lambda n: n % 2 == 0) == ([2, 4], [1, 3])


def test_the_note_says_what_was_left_out() -> None:
    assert outside_note(1, "finding").startswith(
        '1 finding outside the changed lines (lint-scope = "changed")'
    )
    assert outside_note(3, "file").startswith("3 files outside the changed files")
