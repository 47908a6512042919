"""The thin command line: exit codes, help, and how errors are shown."""

from __future__ import annotations

import subprocess
import sys

import pytest

from mvp_process import __version__, redact
from mvp_process.cli import main
from mvp_process.check import command as check_cli
from mvp_process.common import protect


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == __version__
    assert main(["check", "--help"]) == 0
    assert "--only NAMES" in capsys.readouterr().out


def test_missing_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    err = capsys.readouterr().err
    assert "mvp-process: error: the following arguments are required: COMMAND" in err
    assert "see `mvp-process --help`" in err


def test_python_dash_m_entry_point() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mvp_process", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout.strip()) == (0, __version__)


def test_internal_error_is_exit_3_with_a_redacted_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    redact.register("ghp_internal_secret")

    def explode(args: object) -> int:
        raise RuntimeError("bug near ghp_internal_secret")

    monkeypatch.setattr(check_cli, "run", explode)
    assert main(["check"]) == 3
    err = capsys.readouterr().err
    assert "Traceback" in err and "RuntimeError: bug near ***" in err
    assert "ghp_internal_secret" not in err
    assert "internal error (exit 3)" in err


def test_interrupt_is_exit_130(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(check_cli, "run", interrupted)
    assert main(["check"]) == 130
    assert "interrupted" in capsys.readouterr().err


def test_errors_become_annotations_in_actions(
    tmp_path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert "::error title=mvp-process::" in err
    assert "is not inside a git repository%0A  hint:" in err


def test_protect_masks_in_actions(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    protect(None)
    protect("local-secret-value")
    assert capsys.readouterr().out == ""
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    protect("actions-secret-value")
    assert capsys.readouterr().out == "::add-mask::actions-secret-value\n"
    assert redact.redact("local-secret-value") == "***"
