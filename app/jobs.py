"""APScheduler wiring only: each job calls one service function.

Jobs are state-driven ("everything due and not yet done"), so a missed run is caught up
by the next one; every job also runs once at start-up. On PostgreSQL a session-level
advisory lock lets only one process run a given job at a time.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import text
from sqlalchemy.engine import Engine

from app import clock
from app.clock import SYSTEM, Clock
from app.db import unit_of_work
from app.services import flagging, housekeeping, inquiries, meeting_reminders, outbox, overview_mail
from app.settings import Settings

log = logging.getLogger("overgang.jobs")

JobFn = Callable[[Engine, Settings, datetime], object]


@dataclass(frozen=True)
class Job:
    name: str
    trigger: dict[str, Any]
    run: JobFn


def _housekeeping(engine: Engine, settings: Settings, now: datetime) -> object:
    # Sessions expire by the clock, not by the day `run-jobs --today` pretends it is: a
    # later day must not log everyone out.
    with unit_of_work(engine) as session:
        return housekeeping.purge_expired(session, settings, min(now, clock.now()))


def _flagging(engine: Engine, settings: Settings, now: datetime) -> object:
    with unit_of_work(engine) as session:
        return flagging.run(session, settings, now.astimezone(settings.tz).date(), now)


def _outbox(engine: Engine, settings: Settings, now: datetime) -> object:
    # Messages are due by the wall clock, whatever day `run-jobs --today` pretends it is.
    # The sender commits each message on its own (its claim, lease and outcome), so it
    # takes the engine rather than one session.
    return outbox.send_due(engine, settings, min(now, clock.now()))


def _monthly_summary(engine: Engine, settings: Settings, now: datetime) -> object:
    with unit_of_work(engine) as session:
        return overview_mail.send_monthly_summary(session, settings, now)


def _inquiry_escalation(engine: Engine, settings: Settings, now: datetime) -> object:
    # Due times are real moments: escalate by the wall clock, whatever day it pretends.
    with unit_of_work(engine) as session:
        return inquiries.escalate_due(session, settings, min(now, clock.now()))


def _meeting_reminders(engine: Engine, settings: Settings, now: datetime) -> object:
    with unit_of_work(engine) as session:
        return meeting_reminders.send_due(session, settings, now)


def _statistics(engine: Engine, settings: Settings, now: datetime) -> object:
    with unit_of_work(engine) as session:
        return housekeeping.refresh_statistics(session)


JOBS: list[Job] = [
    Job("flagging", {"hour": 6, "minute": 0}, _flagging),
    Job("housekeeping", {"minute": "*/15"}, _housekeeping),
    Job("statistics", {"hour": 3, "minute": 30}, _statistics),
    Job("inquiry-escalation", {"minute": "*/5"}, _inquiry_escalation),
    Job("monthly-summary", {"day": 1, "hour": 7, "minute": 0}, _monthly_summary),
    Job("meeting-reminders", {"hour": "8-20", "minute": 0}, _meeting_reminders),
    Job("outbox", {"minute": "*"}, _outbox),
]


def run_job(engine: Engine, settings: Settings, job: Job, now: datetime) -> object:
    """Runs one job unless another process holds its lock (PostgreSQL)."""
    if engine.dialect.name != "postgresql":
        return job.run(engine, settings, now)
    key = zlib.crc32(f"overgang:{job.name}".encode())
    with engine.connect() as lock_conn:
        got = lock_conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
        if not got:
            log.info("job %s skipped: another process runs it", job.name)
            return None
        try:
            return job.run(engine, settings, now)
        finally:
            lock_conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
            lock_conn.commit()


def run_all(engine: Engine, settings: Settings, today: date | None = None,
            on: Clock = SYSTEM) -> dict[str, object]:
    """Every job once, as of `today` (default: now on the clock `on`). Used at start-up and by
    the CLI."""
    with clock.use(on):
        now = clock.now()
        if today is not None:
            now = datetime.combine(today, now.astimezone(settings.tz).timetz()).astimezone(UTC)
        results: dict[str, object] = {}
        for job in JOBS:
            try:
                results[job.name] = run_job(engine, settings, job, now)
            except Exception:
                log.exception("job %s failed", job.name)
                results[job.name] = "failed"
        return results


def _scheduled(engine: Engine, settings: Settings, job: Job, on: Clock) -> None:
    with clock.use(on):
        try:
            run_job(engine, settings, job, clock.now())
        except Exception:
            log.exception("job %s failed", job.name)


def build_scheduler(settings: Settings, engine: Engine, *, blocking: bool = False,
                    on: Clock = SYSTEM) -> Any:
    from apscheduler.schedulers.blocking import BlockingScheduler

    cls = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = cls(timezone=settings.tz)
    for job in JOBS:
        scheduler.add_job(
            _scheduled,
            CronTrigger(timezone=settings.tz, **job.trigger),
            args=(engine, settings, job, on),
            id=job.name,
            coalesce=True,
            max_instances=1,
        )
    return scheduler


def start_scheduler(settings: Settings, engine: Engine, on: Clock = SYSTEM) -> BackgroundScheduler:
    scheduler: BackgroundScheduler = build_scheduler(settings, engine, on=on)
    scheduler.add_job(run_all, args=(engine, settings, None, on), id="startup-catch-up")
    scheduler.start()
    return scheduler
