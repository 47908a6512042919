"""What the gates read from their tools' output."""

from __future__ import annotations

from pathlib import Path

import pytest

from mvp_process.check import black
from mvp_process.check import flake8
from mvp_process.check.tests import (
    TestRun,
    gate_result,
    pytest_command,
    read_total,
)


def test_flake8_parse_default_format() -> None:
    output = (
        "./pkg/a.py:1:1: F401 'os' imported but unused\n"
        "pkg/b c.py:10:80: E501 line too long (90 > 79 characters)\n"
        "some noise line\n"
        "pkg/d.py:3:5: W605 invalid escape sequence '\\d'\n"
    )
    findings = flake8.parse(output)
    assert [(f.path, f.line, f.col, f.code) for f in findings] == [
        ("pkg/a.py", 1, 1, "F401"),
        ("pkg/b c.py", 10, 80, "E501"),
        ("pkg/d.py", 3, 5, "W605"),
    ]
    assert findings[0].message == "'os' imported but unused"
    assert findings[0].location() == "pkg/a.py:1:1"


def test_black_parse(tmp_path: Path) -> None:
    output = (
        f"would reformat {tmp_path}/pkg/a.py\n"
        "would reformat relative/b.py\n"
        f"error: cannot format {tmp_path}/pkg/c.py: Cannot parse: 1:6: def f(:\n"
        "Oh no! 💥 💔 💥\n"
    )
    files, errors = black.parse(output, tmp_path)
    assert files == ["pkg/a.py", "relative/b.py"]
    assert errors == ["error: cannot format pkg/c.py: Cannot parse: 1:6: def f(:"]


COUNTS = 'lines-valid="10" lines-covered="7" branches-valid="{bv}" branches-covered="1"'


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (f"<coverage {COUNTS.format(bv=6)}/>", 50.0),
        (f"<coverage {COUNTS.format(bv=0)}/>", 80.0),
        ('<coverage lines-valid="0" lines-covered="0"/>', None),
        ("<coverage/>", None),
        (f"<other {COUNTS.format(bv=6)}/>", None),
        (f"<coverage {COUNTS.format(bv='x')}/>", None),
        ("not xml", None),
        (None, None),
    ],
)
def test_read_total(tmp_path: Path, content: str | None, expected) -> None:
    path = tmp_path / "coverage.xml"
    if content is not None:
        path.write_text(content)
    assert read_total(path) == expected


def test_pytest_command_measures_what_it_is_given(tmp_path: Path) -> None:
    assert "--cov" in pytest_command(tmp_path, [])
    args = pytest_command(tmp_path, ["-x"], cov=("--cov=src/pkg", "--cov=mod"))
    assert args[:2] == ["--cov=src/pkg", "--cov=mod"] and "-x" in args
    args = pytest_command(tmp_path, ["--cov=pkg"], cov=())
    assert "--cov" not in args and "--cov=pkg" in args


def test_tests_gate_shows_output_when_nothing_is_named(tmp_path: Path) -> None:
    run = TestRun(
        exit_code=4,
        total=0,
        failed=0,
        errors=0,
        skipped=0,
        failures=(),
        coverage_percent=None,
        outdir=tmp_path,
        output_tail=("ERROR: usage: pytest [options]", "unrecognized arguments: -Z"),
        duration=0.1,
    )
    result = gate_result(run)
    assert not result.passed
    assert result.details == run.output_tail
    assert run.coverage_xml.name == "coverage.xml"
    assert run.junit_xml.name == "junit.xml"
