"""What `check` shows a person: colour, the fix hints, diff-cover's HTML page,
and the same figures named the same way in the text and the JSON."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from mvp_process.check import report_md
from support.cli import Outcome, run_cli
from support.project import UNTESTED_FEATURE, feature_branch, sample_project
from support.repo import Repo

ANSI = re.compile("\033\\[[0-9;]*m")


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


def untested_with_a_script(repo: Repo) -> None:
    """Uncovered lines, a test file left out, and a file coverage does not measure."""
    sample_project(repo)
    feature_branch(
        repo,
        {
            **UNTESTED_FEATURE,
            "scripts/tool.py": "# A tool.\n\nprint('hi')\n",
            "tests/test_more.py": "def test_more():\n    assert True\n",
        },
    )


def test_the_html_page_shows_the_gates_figures(
    repo: Repo, check, tmp_path: Path
) -> None:
    untested_with_a_script(repo)
    page = tmp_path / "diff.html"
    result = check("--only", "tests,diff-coverage", "--html", str(page))
    assert result.code == 1
    gate = result.gate("diff-coverage")
    assert f"diff-cover's HTML page of the changed lines: {page}\n" in result.out
    html = page.read_text(encoding="utf-8")
    total = re.search(r"<b>Total</b>: (\d+) lines", html)
    missing = re.search(r"<b>Missing</b>: (\d+) lines", html)
    assert total and missing
    assert int(total[1]) == gate["executable_lines"] == 7
    assert int(missing[1]) == gate["uncovered_lines"] == 5
    assert "scripts/tool.py" in html  # counted, as the gate counts it
    assert "tests/test_more.py" not in html  # left out as a test, as by the gate
    assert f"Diff: {repo.sha('main')[:12]}...HEAD" in html


def test_the_figures_are_named_alike_in_text_and_json(repo: Repo, check) -> None:
    untested_with_a_script(repo)
    result = check("--only", "diff-coverage")
    gate = result.gate("diff-coverage")
    counts = {
        k: gate[k]
        for k in (
            "changed_lines",
            "executable_lines",
            "covered_lines",
            "uncovered_lines",
            "unmeasured_lines",
        )
    }
    assert counts == {
        "changed_lines": 13,
        "executable_lines": 7,
        "covered_lines": 2,
        "uncovered_lines": 5,
        "unmeasured_lines": 1,
    }
    said = (
        "28.57% of 7 executable changed lines covered (13 changed lines in all);"
        " coverage does not measure scripts/tool.py (1 executable changed line"
        " there, counted as uncovered)"
    )
    assert gate["summary"].startswith(said) and said in result.out
    assert gate["hint"] == {"text": "write tests that run these lines", "command": ""}
    assert result.report is not None and result.report["coverage_history"] == []


def test_no_page_unless_asked_and_a_bad_path_is_said(
    repo: Repo, check, tmp_path: Path
) -> None:
    sample_project(repo)
    feature_branch(repo, UNTESTED_FEATURE)
    quiet = check("--only", "flake8")
    assert "HTML page" not in quiet.out
    missing = tmp_path / "no-such-folder" / "x.html"
    result = check("--html", str(missing))
    assert result.code == 2 and result.report is None
    assert f"--html {missing}: folder {missing.parent} does not exist" in result.err
    assert "Traceback" not in result.err
    stale = tmp_path / "stale.html"
    stale.write_text("an older run's page")
    check("--only", "flake8", "--html", str(stale))  # diff-coverage did not run
    assert not stale.exists()  # so no page, rather than an old one


@pytest.mark.parametrize(
    ("args", "env", "colour"),
    [
        ((), {}, False),  # not a terminal
        ((), {"FORCE_COLOR": "1"}, True),
        (("--color", "always"), {"NO_COLOR": "1"}, True),
        (("--color", "never"), {"FORCE_COLOR": "1"}, False),
    ],
)
def test_colour_follows_the_flag_then_the_environment(
    repo: Repo,
    check,
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
    env: dict[str, str],
    colour: bool,
) -> None:
    sample_project(repo)
    feature_branch(repo, {"calc/extra.py": "import os\n"})
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = check("--only", "flake8", *args)
    assert result.code == 1
    assert bool(ANSI.search(result.out)) is colour
    plain = ANSI.sub("", result.out)
    assert "  FAIL flake8        1 finding in 1 file" in plain
    assert "       calc/extra.py:1:1: F401 'os' imported but unused\n" in plain
    assert "       fix: flake8 calc/extra.py  (rechecks, once each line" in plain
    assert ANSI.search(result.report["gates"][0]["summary"]) is None  # JSON: plain


def test_the_template_uploads_the_folder_the_summary_names() -> None:
    """One step after `check`, even when it failed; names from `summary`."""
    root = Path(__file__).parents[2]
    template = root / "workflows-templates" / "mvp-process.yml"
    steps = yaml.safe_load(template.read_text("utf-8"))["jobs"]["check"]["steps"]
    uses = [step.get("uses", "").split("@")[0] for step in steps]
    check = uses.index("org/mvp-process")
    upload = steps[check + 1]
    assert upload["uses"].startswith("actions/upload-artifact@")
    assert upload["if"] == "${{ !cancelled() }}"
    assert upload["with"]["name"] == report_md.ARTIFACT
    assert upload["with"]["path"] == "${{ runner.temp }}/" + report_md.FOLDER
