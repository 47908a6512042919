"""The backup step: a PG Backups capture of the app's database, waited for.

It runs before anything is built: if it fails (or the database cannot be
backed up because it is not attached as DATABASE_URL), the deploy stops with
nothing built, migrated or released. The backup's name goes into the outcome
as soon as the capture starts, so even a failed deploy names it.
"""

from __future__ import annotations

from mvp_process.deploy.heroku import HerokuPlatform
from mvp_process.deploy.heroku_data import PgBackups
from mvp_process.deploy.runtime import TAIL, Runtime, Skipped, StepFailed
from mvp_process.deploy.results import AppOutcome
from mvp_process.deploy.policy_retry import poll_delay

BACKUP_TIMEOUT = 3 * 3600.0


def back_up(
    platform: HerokuPlatform,
    backups: PgBackups,
    rt: Runtime,
    out: AppOutcome,
    enabled: bool,
) -> str:
    """Capture a backup of the DATABASE_URL database and wait until it finished."""
    if not enabled:
        raise Skipped("backup = false")
    addon = platform.database_attachment(out.app)
    if addon is None:
        found = platform.postgres_addon(out.app)
        if found is None:
            raise Skipped("no Heroku Postgres on the app")
        raise StepFailed(
            f"Heroku Postgres {found} is not attached as DATABASE_URL, so it "
            "cannot be backed up; set backup = false to deploy without a backup"
        )
    transfer = backups.capture(addon)
    out.backup = transfer.name
    deadline = rt.clock() + BACKUP_TIMEOUT
    attempt = 0
    while not transfer.finished:
        if rt.clock() > deadline:
            raise StepFailed(f"backup {transfer.name} did not finish in time")
        rt.sleep(poll_delay(attempt))
        attempt += 1
        transfer = backups.transfer(out.app, transfer.uuid)
    if not transfer.succeeded:
        logs = "\n".join(transfer.logs[-TAIL:])
        raise StepFailed(
            f"backup {transfer.name} failed: nothing was built or released"
            + (f"\n{logs}" if logs else "")
        )
    return f"backup {transfer.name} captured"
