"""The daily flagging job over many young people, few of them due: seconds per run.

    python -m bench.flagging [--sizes 10000,100000] [--due 1000] [--runs 5]
                             [--backend sqlite|postgresql|both]

Target: with 100,000 young people of whom 1,000 are due, a run finishes in under one
second, and its time grows with the due rows, not with all rows. The generated database
has everyone already flagged whose flag date has passed; before each timed run `--due`
of them are made due again (unflagged, their flag step reopened, their flag events and
notifications removed), so every run does the same work. A run with nobody due shows the
cost of finding the due rows alone.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from app.db import make_engine, unit_of_work
from app.domain.timeline import FLAG_STEP_KEY
from app.models.outbox import OutboxMessage
from app.models.timeline import TimelineStep, YouthStep
from app.models.youth import EventKind, SupportExpected, Youth, YouthEvent, YouthStatus
from app.services import flagging
from app.services.timeline import refresh_next_open_due
from app.settings import Settings
from bench.common import BACKENDS, generated_database, pg_available, table

TARGET_S = 1.0


def make_due(engine: Engine, ids: list[int]) -> None:
    """Puts the young people `ids` back to "flag date passed, not yet flagged"."""
    with Session(engine) as session:
        flag_step = session.execute(
            select(col(TimelineStep.id)).where(col(TimelineStep.key) == FLAG_STEP_KEY)
        ).scalar_one()
        session.execute(update(Youth).where(col(Youth.id).in_(ids)).values(
            flagged_at=None, transition_started_on=None, flag_late=False,
            flag_for_assessment=False,
        ))
        session.execute(update(YouthStep).where(
            col(YouthStep.youth_id).in_(ids), col(YouthStep.step_id) == flag_step
        ).values(done_at=None, done_by_id=None))
        session.execute(delete(YouthEvent).where(
            col(YouthEvent.youth_id).in_(ids), col(YouthEvent.kind) == EventKind.FLAGGED
        ))
        session.execute(delete(OutboxMessage).where(col(OutboxMessage.youth_id).in_(ids)))
        refresh_next_open_due(session, ids)
        session.commit()


def pick_due(engine: Engine, due: int) -> list[int]:
    """`due` young people the job would flag, spread over the whole table."""
    with Session(engine) as session:
        eligible = (
            select(col(Youth.id)).where(
                col(Youth.flagged_at).is_not(None), col(Youth.status) == YouthStatus.ACTIVE,
                col(Youth.adult_support_expected).in_(
                    [SupportExpected.YES, SupportExpected.NOT_ASSESSED]),
            )
        )
        total = session.execute(select(func.count()).select_from(eligible.subquery())).scalar_one()
        step = max(1, total // due)
        ids = [i for n, i in enumerate(session.execute(eligible.order_by(col(Youth.id))).scalars())
               if n % step == 0]
    if len(ids) < due:
        raise RuntimeError(f"only {len(ids)} young people can be made due")
    return ids[:due]


def timed_run(engine: Engine, settings: Settings, today: date) -> tuple[float, int]:
    started = time.perf_counter()
    with unit_of_work(engine) as session:  # as the job runs it, its commit included
        result = flagging.run(session, settings, today, datetime.now(UTC))
    return time.perf_counter() - started, result.flagged


def run(backend: str, n: int, due: int, runs: int) -> list[list[str]]:
    print(f"{backend}: flagging job with {n:,} young people")
    today = datetime.now(ZoneInfo("Europe/Copenhagen")).date()
    with generated_database(backend, n, today) as settings:
        return measure_on(settings, backend, n, due, runs)


def measure_on(settings: Settings, backend: str, n: int, due: int, runs: int
               ) -> list[list[str]]:
    """Timed runs against an already generated database; it is left as it was found."""
    today = datetime.now(ZoneInfo("Europe/Copenhagen")).date()
    rows = []
    engine = make_engine(settings)
    try:
        ids = pick_due(engine, due)
        for label, count in (("nobody due", 0), (f"{due:,} due", due)):
            samples = []
            for _ in range(runs):
                make_due(engine, ids[:count] or [-1])
                seconds, flagged = timed_run(engine, settings, today)
                if flagged != count:
                    raise RuntimeError(f"flagged {flagged}, expected {count}")
                samples.append(seconds)
            samples.sort()
            median = samples[len(samples) // 2]
            verdict = "ok" if median < TARGET_S else "SLOW"
            print(f"  {label}: median {median * 1000:.0f} ms over {runs} runs")
            rows.append([backend, f"{n:,}", label, f"{median * 1000:.0f}",
                         f"{samples[0] * 1000:.0f}", f"{samples[-1] * 1000:.0f}", verdict])
    finally:
        engine.dispose()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--due", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--backend", choices=[*BACKENDS, "both"], default="both")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    backends = BACKENDS if args.backend == "both" else (args.backend,)
    rows: list[list[str]] = []
    for backend in backends:
        if backend == "postgresql" and not pg_available():
            print("postgresql: not reachable (set BENCH_DATABASE_URL); skipped")
            continue
        for n in sizes:
            rows += run(backend, n, args.due, args.runs)
    print()
    print(table(["backend", "young people", "run", "median ms", "min ms", "max ms",
                 f"< {TARGET_S * 1000:.0f} ms"], rows))
    return 0 if all(r[-1] == "ok" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
