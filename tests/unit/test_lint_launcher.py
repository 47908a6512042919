"""The launcher that runs flake8 and black on named files, run in this process.

`check` runs it in the project's interpreter; here it runs in ours, so its
rules are tested directly (the integration tests run it as `check` does).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from mvp_process.check import lint_launcher


@pytest.mark.parametrize(
    ("names", "exclude", "patterns", "kept"),
    [
        (["a/migrations/x.py", "a/y.py"], ["migrations"], ["*.py"], ["a/y.py"]),
        (["vendor/lib/x.py", "src/vendor.py"], ["vendor"], ["*.py"], ["src/vendor.py"]),
        (["a/x.py", "b/x.py"], ["{root}/a"], ["*.py"], ["b/x.py"]),
        (["t/fixtures/f.py", "t/t.py"], ["*/fixtures/*"], ["*.py"], ["t/t.py"]),
        (["setup.py", "x.txt", "g.pyw"], [], ["*.py", "*.pyw"], ["setup.py", "g.pyw"]),
        (["x.txt"], [], [], ["x.txt"]),  # no patterns: everything
        (["a.py"], ["{root}"], ["*.py"], []),  # the folder itself excluded
    ],
)
def test_walked_keeps_what_a_walk_of_the_folder_lints(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    names: list[str],
    exclude: list[str],
    patterns: list[str],
    kept: list[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    root = os.path.abspath(".")
    excludes = [e.format(root=root) for e in exclude]
    assert lint_launcher.walked(names, excludes, patterns) == kept


def status(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    line = capsys.readouterr().err.splitlines()[0]
    assert line.startswith(lint_launcher.STATUS)
    result: dict[str, object] = json.loads(line.removeprefix(lint_launcher.STATUS))
    return result


def test_no_files_runs_nothing(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.py").write_text("import os\n")
    with pytest.raises(SystemExit) as done:
        lint_launcher.main(["flake8"], [""])
    assert done.value.code == 0
    assert status(capsys) == {"files": 0, "flake8p": False}


def test_runs_the_module_on_the_files(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.argv", ["-c"])
    (tmp_path / "ugly.py").write_text("x=1\n")
    (tmp_path / "fine.py").write_text("X = 1\n")
    with pytest.raises(SystemExit) as done:
        lint_launcher.main(["black", "--check"], ["ugly.py", "fine.py"])
    assert done.value.code == 1
    assert status(capsys)["files"] == 2


def test_a_broken_flake8_config_is_left_for_flake8_to_report(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".flake8").write_text("[flake8]\nmax-line-length = x\n")
    assert lint_launcher.flake8_files(["a.py"]) == ["a.py"]
