"""The deploy's job summary holds what Heroku, builds and branches said as text."""

from __future__ import annotations

from mvp_process.deploy.report import AppOutcome, DeployResult, StepRecord, summary
from support import gfm

BLOCKS = {"h2", "p", "pre", "code", "strong", "ul", "li"}
TABLES = {"table", "thead", "tbody", "tr", "th", "td"}
HOSTILE = gfm.HOSTILE + " " + " ".join(gfm.HOSTILE_LINES)


def test_the_deploy_summary_is_inert() -> None:
    app = AppOutcome("staging", "app-`x`|y", failure=f"build: {HOSTILE}")
    app.steps = [
        StepRecord(
            "build", "failed", 1.0, "\n".join(["x", HOSTILE, *gfm.HOSTILE_LINES])
        ),
        StepRecord("health", "skipped", 0.0, HOSTILE),
    ]
    app.state, app.notes = HOSTILE, [HOSTILE]
    app.backup, app.restore = "b001", f"heroku pg:backups:restore b001 {HOSTILE}"
    result = DeployResult(f"7-{HOSTILE}", "1" * 40, HOSTILE, crash=HOSTILE)
    result.apps = [app]
    result.not_attempted = [("production", "p|q", HOSTILE)]

    page = gfm.render(summary(result))

    assert page.names <= BLOCKS | TABLES, sorted(page.names - BLOCKS - TABLES)
    assert page.mentions() == [] and page.references() == [] and page.links() == []
    assert HOSTILE in page.text.replace("\u200b", "")
