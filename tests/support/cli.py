"""Run the real command line in-process and capture what a user would see."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from mvp_process.cli import main


@dataclass
class Outcome:
    code: int
    out: str
    err: str
    report: dict[str, Any] | None

    def gate(self, name: str) -> dict[str, Any]:
        assert self.report is not None
        return next(g for g in self.report["gates"] if g["name"] == name)


def run_cli(
    cwd: Path,
    args: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    json_report: Path | None = None,
) -> Outcome:
    monkeypatch.chdir(cwd)
    argv = list(args)
    if json_report is not None:
        argv += ["--json", str(json_report)]
    code = main(argv)
    captured = capsys.readouterr()
    report = None
    if json_report is not None and json_report.exists():
        report = json.loads(json_report.read_text(encoding="utf-8"))
    return Outcome(code, captured.out, captured.err, report)
