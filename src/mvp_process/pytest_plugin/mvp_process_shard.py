"""pytest plugin of `mvp-process check --shard K/N` (`-p mvp_process_shard`).

It runs in the project's own interpreter, so it imports nothing from
mvp-process. Deselecting after a normal collection (rather than passing node ids
as arguments) keeps rootdir, `testpaths`, conftest files and ini options exactly
as in an unsharded run, so node ids are the same ones `--collect-only` listed.

--mvp-shard-list FILE    write the collected node ids (after -k/-m) as JSON
--mvp-shard-keep FILE    run only the node ids in this JSON list
--mvp-shard-report FILE  write FILE.selection (what was collected and kept) and
                         FILE.durations (seconds per test, pytest-split format)
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest


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
        self.listing = config.getoption("mvp_shard_list")
        self.keep_file = config.getoption("mvp_shard_keep")
        self.report = config.getoption("mvp_shard_report")
        workerinput = getattr(config, "workerinput", None)
        self.worker = None if workerinput is None else workerinput["workerid"]
        self.durations: dict[str, float] = {}

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(
        self, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        """Runs after every other plugin's selection (-k, -m), as the plan did."""
        ids = [item.nodeid for item in items]
        if self.listing:
            _write(self.listing, ids)
        if not self.keep_file:
            return
        keep = set(json.loads(Path(self.keep_file).read_text(encoding="utf-8")))
        selected = [item for item in items if item.nodeid in keep]
        deselected = [item for item in items if item.nodeid not in keep]
        if deselected:
            config.hook.pytest_deselected(items=deselected)
            items[:] = selected
        # Under xdist every worker collects the same items; one of them tells.
        if self.report and self.worker in (None, "gw0"):
            _write(
                self.report + ".selection",
                {
                    "collected": len(ids),
                    "sha256": hashlib.sha256(
                        "\n".join(sorted(ids)).encode()
                    ).hexdigest(),
                    "selected": len(selected),
                    "missing": sorted(keep - set(ids)),
                },
            )

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Setup + call + teardown time per test (what pytest-split records)."""
        spent = self.durations.get(report.nodeid, 0.0)
        self.durations[report.nodeid] = spent + report.duration

    def pytest_sessionfinish(self) -> None:
        if self.report and self.worker is None:
            rounded = {k: round(v, 4) for k, v in self.durations.items()}
            _write(self.report + ".durations", rounded)
