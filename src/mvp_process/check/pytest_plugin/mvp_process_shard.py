"""pytest plugin of `mvp-process check --shard K/N` (`-p mvp_process_shard`).

It runs in the project's own interpreter, so it imports nothing from
mvp-process. Deselecting after a normal collection (rather than passing node ids
as arguments) keeps rootdir, `testpaths`, conftest files and ini options exactly
as in an unsharded run, so node ids are the same ones `--collect-only` listed.
Only the files the slice needs are collected at all: collecting (importing)
the whole suite is most of what a shard costs.

--mvp-shard-list FILE    write {"ids": [...], "files": [...]}: the collected node
                         ids (after -k/-m) and every file collected
--mvp-shard-keep FILE    read {"ids": [...], "files": [...]}: collect only these
                         files (plus conftest.py/__init__.py), run only these ids
--mvp-shard-report FILE  write FILE.selection (the ids this run collected) and
                         FILE.durations (seconds per test, pytest-split format)
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ALWAYS = ("conftest.py", "__init__.py")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mvp-process shard")
    group.addoption("--mvp-shard-list", metavar="FILE", default=None)
    group.addoption("--mvp-shard-keep", metavar="FILE", default=None)
    group.addoption("--mvp-shard-report", metavar="FILE", default=None)


def pytest_configure(config: pytest.Config) -> None:
    if any(config.getoption(f"mvp_shard_{n}") for n in ("list", "keep", "report")):
        config.pluginmanager.register(ShardPlugin(config), "mvp-process-shard")


def _write(path: str, data: object) -> None:
    Path(path).write_text(json.dumps(data, indent=0), encoding="utf-8")


class ShardPlugin:
    """The hooks, with their state on one object per pytest session."""

    def __init__(self, config: pytest.Config) -> None:
        self.root = config.rootpath
        self.listing = config.getoption("mvp_shard_list")
        self.report = config.getoption("mvp_shard_report")
        keep_file = config.getoption("mvp_shard_keep")
        plan = json.loads(Path(keep_file).read_text("utf-8")) if keep_file else None
        self.keep: set[str] | None = None if plan is None else set(plan["ids"])
        self.files: set[str] | None = None if plan is None else set(plan["files"])
        workerinput = getattr(config, "workerinput", None)
        self.worker = None if workerinput is None else workerinput["workerid"]
        self.collected_files: list[str] = []
        self.durations: dict[str, float] = {}

    @pytest.hookimpl(tryfirst=True)
    def pytest_ignore_collect(self, collection_path: Path) -> bool | None:
        """Skip the files of other slices (folders are walked, conftests kept)."""
        if self.files is None or collection_path.name in ALWAYS:
            return None
        try:
            relative = collection_path.relative_to(self.root).as_posix()
        except ValueError:
            return None
        if relative in self.files or collection_path.is_dir():
            return None
        return True

    def pytest_collectstart(self, collector: pytest.Collector) -> None:
        if isinstance(collector, pytest.File):
            self.collected_files.append(collector.nodeid)

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(
        self, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        """Runs after every other plugin's selection (-k, -m), as the plan did."""
        ids = [item.nodeid for item in items]
        if self.listing:
            _write(self.listing, {"ids": ids, "files": self.collected_files})
        if self.keep is None:
            return
        keep = self.keep
        deselected = [item for item in items if item.nodeid not in keep]
        if deselected:
            config.hook.pytest_deselected(items=deselected)
            items[:] = [item for item in items if item.nodeid in keep]
        # Under xdist every worker collects the same items; one of them tells.
        if self.report and self.worker in (None, "gw0"):
            _write(self.report + ".selection", {"collected": ids})

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Setup + call + teardown time per test (what pytest-split records)."""
        spent = self.durations.get(report.nodeid, 0.0)
        self.durations[report.nodeid] = spent + report.duration

    def pytest_sessionfinish(self) -> None:
        if self.report and self.worker is None:
            rounded = {k: round(v, 4) for k, v in self.durations.items()}
            _write(self.report + ".durations", rounded)
