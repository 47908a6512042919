"""Errors, subprocesses, redaction and the Actions workflow-command surface."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from mvp_process import proc, redact
from mvp_process.errors import CommandError, MvpError, ToolMissing
from mvp_process import actions
from mvp_process.check import command
from mvp_process.results import CheckReport, Finding, GateResult


def test_mvp_error_shows_its_hint() -> None:
    assert str(MvpError("broken")) == "broken"
    assert str(MvpError("broken", hint="fix it")) == "broken\n  hint: fix it"
    assert MvpError.exit_code == 2


def test_run_captures_and_checks() -> None:
    ok = proc.run([sys.executable, "-c", "print('hi')"])
    assert (ok.returncode, ok.stdout, ok.output) == (0, "hi\n", "hi\n")
    both = proc.run(
        [sys.executable, "-c", "import sys; print('o'); print('e', file=sys.stderr)"]
    )
    assert both.output == "o\n\ne\n"
    with pytest.raises(CommandError) as info:
        proc.run(
            [sys.executable, "-c", "import sys; print('bad'); sys.exit(3)"],
            check=True,
            hint="try again",
        )
    error = info.value
    assert error.returncode == 3
    assert "exit code 3" in str(error) and "bad" in str(error)
    assert sys.executable in str(error) and "try again" in str(error)


def test_run_feeds_input_and_times_out() -> None:
    echoed = proc.run(
        [sys.executable, "-c", "import sys; print(sys.stdin.read())"], input=b"abc"
    )
    assert echoed.stdout == "abc\n"
    with pytest.raises(CommandError, match="timed out after 0.2 seconds"):
        proc.run([sys.executable, "-c", "import time; time.sleep(5)"], timeout=0.2)


def test_run_missing_program() -> None:
    with pytest.raises(ToolMissing, match="no-such-program-xyz is not installed"):
        proc.run(["no-such-program-xyz"])


def test_command_error_output_is_redacted_and_trimmed() -> None:
    redact.register("s3cr3t-token")
    with pytest.raises(CommandError) as info:
        proc.run(
            [sys.executable, "-c", "print('x' * 5000 + ' s3cr3t-token'); exit(1)"],
            check=True,
        )
    text = str(info.value)
    assert "s3cr3t-token" not in text
    assert "***" in text and "..." in text and len(text) < 4500


def test_redact_masks_longest_first_and_ignores_short_values() -> None:
    redact.register("abc")  # too short to mask safely
    redact.register(None)
    redact.register("token-1234")
    redact.register("token-1234-extended")
    assert redact.redact("a token-1234-extended b token-1234 abc") == "a *** b *** abc"


def test_annotation_escapes_properties_and_data() -> None:
    finding = Finding(
        path="a,b:c.py", line=3, col=7, code="F401", message="50% done\nnext"
    )
    assert (
        actions.annotation(finding, title="flake8")
        == "::error file=a%2Cb%3Ac.py,line=3,col=7,title=flake8::F401 50%25 done%0Anext"
    )
    ranged = Finding(path="x.py", line=3, end_line=5, message="m", level="warning")
    assert actions.annotation(ranged) == "::warning file=x.py,line=3,endLine=5::m"


def test_outputs_and_summary_files(tmp_path: Path) -> None:
    redact.register("hidden-token-value")
    out = tmp_path / "out"
    actions.write_outputs(str(out), {"a": "1", "b": "two\nlines hidden-token-value"})
    actions.write_outputs(None, {"ignored": "x"})
    text = out.read_text()
    assert text.startswith("a=1\nb<<ghadelimiter_")
    assert "two\nlines ***\nghadelimiter_" in text
    summary = tmp_path / "summary.md"
    actions.append_summary(str(summary), "# one\n\n\n")
    actions.append_summary(str(summary), "two hidden-token-value")
    actions.append_summary(None, "ignored")
    assert summary.read_text() == "# one\n\ntwo ***\n\n"


def test_workflow_command() -> None:
    stream = io.StringIO()
    actions.command(stream, "warning", "read-only token", title="a:b")
    actions.command(stream, "endgroup")
    assert stream.getvalue() == "::warning title=a%3Ab::read-only token\n::endgroup::\n"


def test_json_report_file(tmp_path: Path) -> None:
    redact.register("json-secret-value")
    report = CheckReport(
        passed=False,
        gates=(
            GateResult(
                "flake8",
                False,
                "1 finding json-secret-value",
                findings=(Finding("a.py", 1, "m", "E1", 2),),
            ),
        ),
        head_sha="a" * 40,
        base_ref="main",
        merge_base="b" * 40,
    )
    target = tmp_path / "r.json"
    command.check_writable(target)
    command.write_json(target, report.to_json())
    text = target.read_text()
    assert "json-secret-value" not in text
    assert '"passed": false' in text and '"end_line": 1' in text
    assert report.gate("black") is None and report.metric("black", "x") is None
    with pytest.raises(MvpError, match="is a folder"):
        command.check_writable(tmp_path)
    (tmp_path / "ro").mkdir()
    (tmp_path / "ro" / "r.json").mkdir()
    with pytest.raises(MvpError, match="could not write"):
        command.write_json(tmp_path / "ro" / "r.json", {})


def test_a_report_path_that_cannot_be_written_is_said_before_the_gates_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(command.os, "access", lambda path, mode: False)
    with pytest.raises(MvpError) as html:
        command.check_writable(tmp_path / "page.html", "--html")
    assert str(html.value) == (
        f"--html {tmp_path / 'page.html'}: folder {tmp_path} is not writable\n"
        "  hint: choose another path"
    )
    with pytest.raises(MvpError, match="or `--json -` for standard output"):
        command.check_writable(tmp_path / "r.json")
    command.check_writable(Path("-"))  # standard output: nothing to check
