"""`mvp-process check` end to end: real repositories, real flake8/black/pytest.

One repository per outcome; each asserts the exit code and the JSON report.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from support.cli import Outcome, run_cli
from support.project import (
    CALC,
    PYPROJECT,
    TESTED_FEATURE,
    UNTESTED_FEATURE,
    feature_branch,
    sample_project,
)
from support.repo import Repo


@pytest.fixture
def check(
    repo: Repo,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
):
    def run(*args: str) -> Outcome:
        report = tmp_path / "report.json"
        report.unlink(missing_ok=True)
        return run_cli(repo.path, ["check", *args], monkeypatch, capsys, report)

    return run


def test_all_clean_passes(repo: Repo, check) -> None:
    sample_project(repo)
    feature_branch(repo, TESTED_FEATURE)
    result = check()
    assert result.code == 0, result.out + result.err
    assert result.report["passed"] is True
    assert [g["name"] for g in result.report["gates"]] == [
        "flake8",
        "black",
        "tests",
        "coverage",
        "diff-coverage",
    ]
    assert all(g["passed"] and g["summary"] for g in result.report["gates"])
    assert result.gate("tests")["total"] == 3
    assert result.gate("coverage")["before"] == 100.0
    assert result.gate("coverage")["after"] == 100.0
    assert result.gate("diff-coverage")["percent"] == 100.0
    assert result.report["merge_base"] == repo.sha("main")
    assert "PASS diff-coverage" in result.out
    assert "mvp-process check: PASSED" in result.out
    # The user's own files are untouched: no .coverage, no coverage.xml.
    assert not (repo.path / ".coverage").exists()
    assert not (repo.path / "coverage.xml").exists()
    assert repo.git("status", "--porcelain") == ""


def test_flake8_finding_fails_and_is_listed(repo: Repo, check) -> None:
    sample_project(repo)
    feature_branch(repo, {"calc/extra.py": "import os\n\n\ndef f():\n    return 1\n"})
    result = check()
    assert result.code == 1
    gate = result.gate("flake8")
    assert gate["passed"] is False
    assert gate["details"] == ["calc/extra.py:1:1: F401 'os' imported but unused"]
    assert gate["findings"][0]["code"] == "F401"
    assert gate["findings"][0]["path"] == "calc/extra.py"
    assert result.gate("black")["passed"] is True
    assert "FAIL flake8" in result.out


def test_flake8_honours_the_repository_config(repo: Repo, check) -> None:
    sample_project(repo)
    feature_branch(
        repo,
        {
            "calc/extra.py": "import os\n",
            ".flake8": "[flake8]\nper-file-ignores = calc/extra.py:F401\n",
        },
    )
    result = check("--only", "flake8")
    assert result.code == 0, result.out
    assert [g["name"] for g in result.report["gates"]] == ["flake8"]
    assert result.report["skipped"] == ["black", "tests", "coverage", "diff-coverage"]


def test_black_reformat_fails_and_lists_files(repo: Repo, check) -> None:
    sample_project(repo)
    feature_branch(repo, {"calc/ugly.py": "x = {  'a':1 }\n"})
    result = check("--skip", "tests,coverage,diff-coverage")
    assert result.code == 1
    gate = result.gate("black")
    assert gate["passed"] is False
    assert gate["files"] == ["calc/ugly.py"]
    assert gate["summary"] == "1 file would be reformatted"


def test_black_diff_on_request(repo: Repo, check) -> None:
    sample_project(repo)
    feature_branch(
        repo,
        {
            "calc/ugly.py": "x = {  'a':1 }\n",
            "pyproject.toml": "[tool.mvp-process]\nblack-diff = true\n",
        },
    )
    result = check("--only", "black")
    assert result.code == 1
    assert any(line.startswith("+x = {") for line in result.gate("black")["details"])


def test_black_honours_tool_black(repo: Repo, check) -> None:
    sample_project(repo)
    long_line = "VALUE = [" + ", ".join(f"'{i:02}'" for i in range(20)) + "]\n"
    feature_branch(
        repo,
        {
            "calc/long.py": long_line.replace("'", '"'),
            "pyproject.toml": "[tool.black]\nline-length = 200\n",
        },
    )
    assert check("--only", "black").code == 0


def test_failing_test_is_named_with_its_first_failure_line(repo: Repo, check) -> None:
    sample_project(repo)
    feature_branch(
        repo,
        {"tests/test_broken.py": """
            from calc import add


            class TestAdd:
                def test_wrong(self):
                    assert add(2, 2) == 5
            """},
    )
    result = check()
    assert result.code == 1
    gate = result.gate("tests")
    assert gate["passed"] is False
    assert gate["summary"] == "1 failed of 3 tests"
    failure = gate["failures"][0]
    assert failure["id"] == "tests/test_broken.py::TestAdd::test_wrong"
    assert failure["message"] == "assert 4 == 5"
    assert gate["findings"][0]["line"] == 5
    where = "tests/test_broken.py:5: FAILED TestAdd::test_wrong: assert 4 == 5"
    assert f"\n       {where}\n" in result.out  # `path:line:`, as editors jump
    rerun = "python -m pytest tests/test_broken.py::TestAdd::test_wrong"
    assert f"       fix: {rerun}  (reruns it)\n" in result.out


def test_no_tests_collected_is_a_failure(repo: Repo, check) -> None:
    repo.commit("empty", {"calc/__init__.py": CALC})
    repo.push("main")
    feature_branch(repo, {"calc/more.py": "X = 1\n"})
    result = check("--only", "tests")
    assert result.code == 1
    assert result.gate("tests")["summary"].startswith("no tests collected")


def test_collection_error_is_a_failure(repo: Repo, check) -> None:
    sample_project(repo)
    feature_branch(repo, {"tests/test_syntax.py": "import does_not_exist\n"})
    result = check("--only", "tests")
    assert result.code == 1
    gate = result.gate("tests")
    assert gate["summary"] == "1 collection error: tests did not run"
    assert "does_not_exist" in gate["failures"][0]["message"]


def test_coverage_drop_beyond_threshold_fails(repo: Repo, check) -> None:
    sample_project(repo)
    feature_branch(repo, UNTESTED_FEATURE)
    result = check("--skip", "diff-coverage")
    assert result.code == 1
    gate = result.gate("coverage")
    assert gate["passed"] is False
    assert gate["before"] == 100.0
    assert gate["after"] < 99.0
    assert gate["baseline"]["source"] == "recomputed"
    assert "100.00% →" in gate["summary"]


def test_coverage_drop_within_threshold_passes(repo: Repo, check) -> None:
    sample_project(repo)
    feature_branch(repo, UNTESTED_FEATURE)
    result = check("--only", "coverage", "--coverage-drop-max", "50")
    assert result.code == 0, result.out
    assert result.gate("coverage")["passed"] is True


def test_second_check_reuses_the_baseline(repo: Repo, check) -> None:
    sample_project(repo)
    feature_branch(repo, TESTED_FEATURE)
    first = check("--only", "coverage")
    second = check("--only", "coverage")
    assert first.gate("coverage")["baseline"]["source"] == "recomputed"
    assert second.gate("coverage")["baseline"]["source"] == "cache"
    assert second.gate("coverage")["before"] == first.gate("coverage")["before"]


def test_poor_diff_coverage_lists_uncovered_ranges(repo: Repo, check) -> None:
    sample_project(repo)
    feature_branch(repo, UNTESTED_FEATURE)
    result = check("--only", "diff-coverage")
    assert result.code == 1
    gate = result.gate("diff-coverage")
    assert gate["passed"] is False
    assert gate["changed_lines"] == 10  # blank lines included
    assert gate["executable_lines"] == 6  # the two `def` lines run at import
    assert gate["uncovered_lines"] == 4 and gate["covered_lines"] == 2
    assert gate["unmeasured_lines"] == 0
    assert gate["percent"] == pytest.approx(33.33)
    assert gate["uncovered"] == {"calc/__init__.py": "13-15, 19"}
    assert [(f["line"], f["end_line"]) for f in gate["findings"]] == [
        (13, 15),
        (19, 19),
    ]
    # The text names both figures as the JSON does.
    assert gate["summary"] == (
        "33.33% of 6 executable changed lines covered (10 changed lines in all),"
        " below the 80% required"
    )
    assert gate["details"] == [
        "calc/__init__.py:13: changed lines 13-15 not covered by tests",
        "calc/__init__.py:19: changed line not covered by tests",
    ]
    # The terminal shows the source of each uncovered range beneath it.
    shown = result.out[result.out.index("calc/__init__.py:13:") :]
    assert shown.splitlines()[1:5] == [
        "         13 |     if b == 0:",
        '         14 |         raise ZeroDivisionError("b is zero")',
        "         15 |     return a / b",
        "       calc/__init__.py:19: changed line not covered by tests",
    ]
    assert "         19 |     return -a\n" in shown


def test_no_python_change_passes_and_says_so(repo: Repo, check) -> None:
    sample_project(repo)
    feature_branch(repo, {"README.md": "# calc\n"})
    result = check("--only", "diff-coverage")
    assert result.code == 0
    assert result.gate("diff-coverage")["summary"] == "no Python lines changed"


def test_path_mismatch_is_named(repo: Repo, check) -> None:
    sample_project(repo)
    # Coverage data for calc/ recorded under another prefix: a classic mismatch.
    feature_branch(
        repo,
        {
            "app/calc/__init__.py": CALC + "\n\ndef mul(a, b):\n    return a * b\n",
            "app/conftest.py": "",
            "pyproject.toml": '[tool.coverage.run]\nsource = ["calc"]\n',
        },
    )
    result = check("--only", "diff-coverage")
    assert result.code == 1
    gate = result.gate("diff-coverage")
    assert gate["summary"].startswith(
        "0.00% of 6 executable changed lines covered (13 changed lines in all);"
        " coverage does not measure app/calc/__init__.py (6 executable changed lines"
        " there, counted as uncovered)"
    )
    assert gate["details"][3] == (
        "app/calc/__init__.py is not measured: the coverage data has "
        "'calc/__init__.py' instead; check [tool.coverage.run] source / "
        "relative_files and [tool.coverage.paths]"
    )


def test_changed_lines_in_unmeasured_files_count_as_uncovered(
    repo: Repo, check
) -> None:
    sample_project(repo)
    feature_branch(repo, {"scripts/tool.py": "# A tool.\n\nprint('hi')\n"})
    result = check("--only", "diff-coverage")
    assert result.code == 1
    gate = result.gate("diff-coverage")
    assert gate["summary"] == (
        "0.00% of 1 executable changed line covered (3 changed lines in all);"
        " coverage does not measure scripts/tool.py (1 executable changed line"
        " there, counted as uncovered), below the 80% required"
    )
    assert (gate["changed_lines"], gate["executable_lines"]) == (3, 1)
    assert gate["unmeasured_lines"] == 1
    assert gate["uncovered"] == {"scripts/tool.py": "3"}
    assert gate["not_measured"] == ["scripts/tool.py"]
    assert gate["details"] == [
        "scripts/tool.py:3: changed line coverage does not measure",
        "scripts/tool.py is not measured: coverage does not measure it: add it to"
        " [tool.coverage.run] source, or to [tool.coverage.run] omit if no test is"
        " meant to cover it",
    ]
    assert gate["findings"][0]["message"] == "changed line coverage does not measure"


def test_files_the_coverage_config_omits_are_left_out_and_said(
    repo: Repo, check
) -> None:
    sample_project(repo)
    feature_branch(
        repo,
        {
            "scripts/tool.py": "print('hi')\n",
            "pyproject.toml": PYPROJECT.replace(
                "branch = true", 'branch = true\nomit = ["scripts/*"]'
            ),
        },
    )
    result = check("--only", "diff-coverage")
    assert result.code == 0, result.out
    gate = result.gate("diff-coverage")
    assert gate["summary"] == (
        "no executable changed lines to measure (1 changed line; omitted by the"
        " coverage config: scripts/tool.py)"
    )
    assert gate["omitted"] == ["scripts/tool.py"]
    assert gate["details"] == [
        "left out, omitted by the coverage config: scripts/tool.py"
    ]


def test_deleted_lines_and_files_are_not_changed_lines(repo: Repo, check) -> None:
    sample_project(repo)
    repo.commit(
        "helpers",
        {"calc/helpers.py": "X = 1\n", "calc/extra.py": "X = 1\nY = 2\n"}
        | {"tests/test_h.py": ""},
    )
    repo.push("main")
    repo.switch("2-cleanup", create=True)
    repo.git("rm", "-q", "calc/helpers.py", "tests/test_h.py")
    (repo.path / "calc" / "extra.py").write_text("X = 1\n")
    repo.commit("Remove helpers and Y")
    result = check("--only", "diff-coverage")
    assert result.code == 0, result.out
    gate = result.gate("diff-coverage")
    assert gate["summary"] == "no Python lines changed"
    assert gate["details"] == [] and gate["excluded"] == []


def test_comments_alone_are_not_executable_lines(repo: Repo, check) -> None:
    sample_project(repo)
    feature_branch(repo, {"calc/__init__.py": "# The calculator.\n" + CALC})
    result = check("--only", "diff-coverage")
    assert result.code == 0
    assert result.gate("diff-coverage")["summary"] == (
        "no executable changed lines (2 changed lines: comments, docstrings or"
        " blank lines)"
    )


def test_check_on_the_base_branch_itself(repo: Repo, check) -> None:
    sample_project(repo)
    result = check()
    assert result.code == 0, result.out
    assert result.gate("coverage")["baseline"]["source"] == "head"
    assert result.gate("diff-coverage")["summary"] == "no Python lines changed"


def test_uncommitted_changes_are_checked(repo: Repo, check) -> None:
    sample_project(repo)
    feature_branch(repo, TESTED_FEATURE)
    module = repo.path / "calc" / "__init__.py"
    module.write_text(module.read_text() + "\n\ndef untested(a):\n    return a\n")
    result = check("--only", "diff-coverage")
    assert result.code == 1
    assert "calc/__init__.py" in result.gate("diff-coverage")["uncovered"]
