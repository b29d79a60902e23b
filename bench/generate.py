"""Synthetic data for benchmarks: N young people with caseworkers, timeline steps and events.

    python -m bench.generate --n 100000 [--database-url URL] [--seed 1] [--today YYYY-MM-DD]

The database must be migrated (`overgang migrate`) and hold no young people yet. Rows
are written with SQLAlchemy Core bulk inserts in chunks, not through the youth service,
so 100,000 young people load in a minute or two. Everyone whose flag date has passed is
already flagged (as the daily job would have done), each young person has a row per
template step with most past steps done, one "created" event, and those in the transition
have two network members (from a shared directory) and a handover checklist. CPR numbers are
fictitious, unique and encode the birth date; their lookup hashes use the same key as the
app (settings.key), so CPR search works against the generated data. Staff accounts are
named bench-*, and all share the password BENCH_PASSWORD.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import func, insert, literal, select, text, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.db import make_engine
from app.domain.cpr import cpr_lookup_hash
from app.domain.timeline import FLAG_STEP_KEY, due_date
from app.domain.youth import latest_birth_date_for_age
from app.models.handover import DocumentStatus, DocumentType, HandoverDocument
from app.models.network import NetworkMember, NetworkRole, Person, PersonKind, Sector
from app.models.timeline import TimelineStep, YouthStep
from app.models.user import Role, User
from app.models.youth import (
    Channel,
    EventKind,
    Frequency,
    SupportExpected,
    Youth,
    YouthEvent,
    YouthStatus,
)
from app.services import housekeeping
from app.services.auth import hash_password
from app.services.timeline import step_offset, template
from app.services.youths import normalise_name
from app.settings import Settings, load_settings
from seeds import data

BENCH_PASSWORD = "bench-overgang-2026"
CHUNK = 5_000
YOUNGEST_AGE = 13
OLDEST_AGE = 20  # inclusive: birth dates cover ages 13 years 0 days to 20 years 364 days
CLOSED_REASONS = (
    "Flyttet til anden kommune.",
    "Ikke længere behov for støtte.",
    "Sagen afsluttet efter aftale med den unge og familien.",
)
INTERPRETER_LANGUAGES = ("arabisk", "somali", "tyrkisk", "polsk", "tigrinya")
CHANNELS = [c.value for c in (
    [Channel.DIGITAL_POST] * 10 + [Channel.EMAIL] * 4 + [Channel.SMS] * 2
    + [Channel.PHONE] * 2 + [Channel.MEETING, Channel.LETTER]
)]
FREQUENCIES = [f.value for f in Frequency]

YOUTH_TABLE = Youth.__table__  # type: ignore[attr-defined]
EVENT_TABLE = YouthEvent.__table__  # type: ignore[attr-defined]
USER_TABLE = User.__table__  # type: ignore[attr-defined]
STEP_TABLE = YouthStep.__table__  # type: ignore[attr-defined]
PERSON_TABLE = Person.__table__  # type: ignore[attr-defined]
MEMBER_TABLE = NetworkMember.__table__  # type: ignore[attr-defined]
DOCUMENT_TABLE = HandoverDocument.__table__  # type: ignore[attr-defined]
# Network members and documents are generated for the young people in the transition:
# (role, sector, ring) of the members each one gets, from a shared directory.
MEMBERS = (
    (NetworkRole.MOTHER, Sector.FAMILY, 1),
    (NetworkRole.UU_COUNSELLOR, Sector.PROFESSIONALS, 2),
)
DOCUMENT_STATUSES = [s.value for s in DocumentStatus]
DONE_SHARE = 0.85  # of the steps whose due date has passed


def staff_counts(n: int) -> dict[Role, int]:
    return {
        Role.CHILD_CASEWORKER: max(3, n // 500),
        Role.ADULT_CASEWORKER: max(3, n // 1000),
        Role.COORDINATOR: 2,
    }


def generate(engine: Engine, settings: Settings, n: int, *, today: date, seed: int = 1) -> None:
    """Fills a migrated database that has no young people with `n` of them."""
    if n < 0:
        raise ValueError("n must not be negative")
    with Session(engine) as session:
        if engine.dialect.name == "sqlite":
            # A large page cache for this connection only: the inserts touch 11 indexes.
            session.execute(text("PRAGMA cache_size = -262144"))
        existing = session.execute(select(func.count()).select_from(YOUTH_TABLE)).scalar_one()
        if existing:
            raise RuntimeError(
                f"the database already has {existing} young people; "
                "generate into an empty, migrated database"
            )
        staff = _insert_staff(session, n)
        steps = template(session)
        rng = random.Random(seed)
        now = datetime.now(UTC)
        people = _insert_people(session, n, now)
        document_types = list(session.execute(
            select(DocumentType.__table__.c.id).where(  # type: ignore[attr-defined]
                DocumentType.__table__.c.active)  # type: ignore[attr-defined]
        ).scalars())
        rows = _youth_rows(rng, settings, n, today, now, staff)
        for chunk in _chunks(rows, CHUNK):
            ids = session.execute(
                insert(YOUTH_TABLE).returning(YOUTH_TABLE.c.id), chunk
            ).scalars().all()
            session.execute(
                insert(STEP_TABLE), _step_rows(rng, settings, steps, ids, chunk, today)
            )
            started = [(i, row) for i, row in zip(ids, chunk, strict=True)
                       if row["transition_started_on"] is not None]
            if started:
                session.execute(insert(MEMBER_TABLE), _member_rows(rng, started, people))
                session.execute(insert(DOCUMENT_TABLE),
                                _document_rows(rng, started, document_types, now))
        # Each young person's earliest open due date, as services.timeline keeps it: one
        # grouped pass over the steps (UPDATE ... FROM), not a subquery per young person,
        # which PostgreSQL plans as a scan per row before the new rows have statistics.
        earliest = (
            select(STEP_TABLE.c.youth_id, func.min(STEP_TABLE.c.due_on).label("due_on"))
            .where(STEP_TABLE.c.done_at.is_(None), STEP_TABLE.c.not_applicable_reason == "")
            .group_by(STEP_TABLE.c.youth_id).subquery()
        )
        session.execute(update(YOUTH_TABLE).where(YOUTH_TABLE.c.id == earliest.c.youth_id)
                        .values(next_open_due_on=earliest.c.due_on))
        # One "created" event per young person, written by the database in one statement.
        youth = YOUTH_TABLE.c
        session.execute(
            insert(EVENT_TABLE).from_select(
                ["youth_id", "at", "actor_id", "kind", "detail"],
                select(youth.id, youth.created_at, youth.created_by_id,
                       literal(EventKind.CREATED.value), literal("")),
            )
        )
        session.commit()
    if engine.dialect.name == "sqlite":
        with Session(engine) as session:
            housekeeping.refresh_statistics(session)  # as the nightly job would have
    if engine.dialect.name == "postgresql":
        # As autovacuum leaves a live system after bulk inserts: planner statistics, and the
        # visibility map that lets the list's and the overview's counts read only the index
        # (right after the load every index entry needs a visit to its row).
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text(
                "VACUUM ANALYZE app_user, youth, youth_event, youth_step, network_person, "
                "network_member, handover_document"))


def _insert_staff(session: Session, n: int) -> dict[Role, list[int]]:
    taken = session.execute(
        select(func.count()).select_from(USER_TABLE)
        .where(USER_TABLE.c.username.like("bench-%"))
    ).scalar_one()
    if taken:
        raise RuntimeError("bench-* users exist already; use a fresh database")
    password_hash = hash_password(BENCH_PASSWORD)
    prefixes = {Role.CHILD_CASEWORKER: "boern", Role.ADULT_CASEWORKER: "voksen",
                Role.COORDINATOR: "koordinator"}
    rows = []
    for role, count in staff_counts(n).items():
        for k in range(1, count + 1):
            username = f"bench-{prefixes[role]}-{k:04d}"
            rows.append({
                "username": username, "full_name": f"Bench {prefixes[role].title()} {k}",
                "email": f"{username}@{data.EMAIL_DOMAIN}", "phone": "", "role": role.value,
                "locale": "da", "password_hash": password_hash, "is_active": True,
                "created_at": datetime.now(UTC),
            })
    session.execute(insert(USER_TABLE), rows)
    ids: dict[Role, list[int]] = {role: [] for role in prefixes}
    result = session.execute(
        select(USER_TABLE.c.id, USER_TABLE.c.role)
        .where(USER_TABLE.c.username.like("bench-%")).order_by(USER_TABLE.c.id)
    )
    for user_id, role in result:
        ids[Role(role)].append(user_id)
    return ids


def _step_rows(
    rng: random.Random, settings: Settings, steps: list[TimelineStep], ids: Sequence[int],
    youths: list[dict[str, Any]], today: date,
) -> list[dict[str, Any]]:
    """A row per template step for each young person; past steps are mostly done (the flag
    step exactly when the young person is flagged), so some are overdue, as in real life."""
    offsets = [(step, step_offset(step, settings)) for step in steps]
    rows = []
    for youth_id, youth in zip(ids, youths, strict=True):
        for step, offset in offsets:
            due = due_date(youth["birth_date"], offset)
            if step.key == FLAG_STEP_KEY:
                done = youth["flagged_at"] is not None
            else:
                done = due < today and rng.random() < DONE_SHARE
            rows.append({
                "youth_id": youth_id, "step_id": step.id, "due_on": due,
                "done_at": datetime.combine(due, datetime.min.time(), UTC) if done else None,
                "done_by_id": youth["child_caseworker_id"] if done else None,
                "not_applicable_reason": "", "not_applicable_by_id": None,
            })
    return rows


def _insert_people(session: Session, n: int, now: datetime) -> list[int]:
    """A directory of people the networks share: one per 20 young people, at least 10."""
    rows = [{
        "kind": PersonKind.PRIVATE.value if k % 2 else PersonKind.PROFESSIONAL.value,
        "name": f"Netværksperson {k}", "name_search": f"netværksperson {k}", "email": "",
        "phone": "", "address": "", "organisation": "", "created_at": now, "updated_at": now,
    } for k in range(max(10, n // 20))]
    return list(session.execute(
        insert(PERSON_TABLE).returning(PERSON_TABLE.c.id), rows).scalars())


def _member_rows(rng: random.Random, started: list[tuple[int, dict[str, Any]]],
                 people: list[int]) -> list[dict[str, Any]]:
    rows = []
    for youth_id, youth in started:
        chosen = rng.sample(people, len(MEMBERS))
        for person_id, (role, sector, ring) in zip(chosen, MEMBERS, strict=True):
            rows.append({
                "youth_id": youth_id, "person_id": person_id, "sector": sector.value,
                "ring": ring, "role": role.value, "role_other": "",
                "custody_holder": role is NetworkRole.MOTHER, "guardian": False,
                "bisidder": False, "invited_to_meetings": True, "note": "",
                "youth_agreed": True, "created_at": youth["created_at"],
                "updated_at": youth["created_at"],
            })
    return rows


def _document_rows(rng: random.Random, started: list[tuple[int, dict[str, Any]]],
                   types: list[int], now: datetime) -> list[dict[str, Any]]:
    return [{
        "youth_id": youth_id, "document_type_id": type_id,
        "status": DOCUMENT_STATUSES[int(rng.random() * len(DOCUMENT_STATUSES))],
        "storage_other": "", "journal_ref": "", "created_at": now, "updated_at": now,
    } for youth_id, _youth in started for type_id in types]


def _chunks(rows: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class _BirthDates:
    """Per-birth-date facts, computed once per date rather than once per row."""

    def __init__(self, today: date, settings: Settings) -> None:
        self.today = today
        self.flag_age = relativedelta(
            years=settings.flag_age_years, months=settings.flag_age_months
        )
        self.first = latest_birth_date_for_age(
            relativedelta(years=OLDEST_AGE + 1), today) + timedelta(days=1)
        self.last = latest_birth_date_for_age(relativedelta(years=YOUNGEST_AGE), today)
        self.span = (self.last - self.first).days + 1
        self.serials: dict[date, int] = {}
        self._facts: dict[date, tuple[int, date]] = {}
        self._prefix: dict[date, str] = {}

    def facts(self, birth: date) -> tuple[int, date]:
        """(age in whole months today, the day the flag age is reached)."""
        found = self._facts.get(birth)
        if found is None:
            age = relativedelta(self.today, birth)
            found = (age.years * 12 + age.months, birth + self.flag_age)
            self._facts[birth] = found
        return found

    def next_cpr(self, birth: date) -> str:
        """A CPR number not handed out before: a per-date counter k. The first 1,000 use
        the date's first century digit, with k spread over 000-999 (k * 337 mod 1000 is
        one-to-one), so the last digits do not all start with 000."""
        k = self.serials.get(birth, 0)
        self.serials[birth] = k + 1
        if k >= 1000:
            if k >= data.serials_per_date(birth.year):
                raise RuntimeError(f"too many young people born on {birth}")
            return data.fictitious_cpr(birth, k)
        prefix = self._prefix.get(birth)
        if prefix is None:
            prefix = self._prefix[birth] = data.fictitious_cpr(birth, 0)[:7]
        return f"{prefix}{(k * 337 + birth.toordinal()) % 1000:03d}"


def _youth_rows(
    rng: random.Random, settings: Settings, n: int, today: date, now: datetime,
    staff: dict[Role, list[int]],
) -> Iterator[dict[str, Any]]:
    births = _BirthDates(today, settings)
    key = settings.key
    child = staff[Role.CHILD_CASEWORKER]
    adult = staff[Role.ADULT_CASEWORKER]
    caseworkers = child + adult
    three_years = 3 * 365 * 86_400
    rnd = rng.random

    def pick(seq: Sequence[Any]) -> Any:
        # Faster than rng.choice, which matters a million times over.
        return seq[int(rnd() * len(seq))]

    for _ in range(n):
        birth = births.first + timedelta(days=int(rnd() * births.span))
        age_months, flag_day = births.facts(birth)
        cpr = births.next_cpr(birth)
        girl = rnd() < 0.45
        first = pick(data.GIRLS_FIRST_NAMES if girl else data.BOYS_FIRST_NAMES)
        last = pick(data.LAST_NAMES)
        r = rnd()
        support = (SupportExpected.YES if r < 0.7
                   else SupportExpected.NOT_ASSESSED if r < 0.9 else SupportExpected.NO)
        r = rnd()
        status = YouthStatus.ACTIVE
        closed_reason = ""
        if age_months >= 18 * 12 and support is SupportExpected.YES and r < 0.55:
            status = YouthStatus.TRANSFERRED
        elif r < 0.04:
            status = YouthStatus.CLOSED
            closed_reason = pick(CLOSED_REASONS)
        # The daily job has flagged everyone whose flag date has passed.
        started = (status is YouthStatus.TRANSFERRED
                   or (support is not SupportExpected.NO and flag_day <= today))
        child_cw = pick(child)
        coordinator_id = buddy_id = None
        if started and rnd() < 0.9:
            coordinator_id = child_cw
            buddy_id = pick(caseworkers)
            while buddy_id == coordinator_id:
                buddy_id = pick(caseworkers)
        adult_cw = (pick(adult) if support is SupportExpected.YES
                    and age_months >= 17 * 12 and rnd() < 0.85 else None)
        postal_code, city = pick(data.TOWNS)
        created_at = now - timedelta(seconds=rnd() * three_years)
        updated_at = created_at + (now - created_at) * rnd()
        interpreter = pick(INTERPRETER_LANGUAGES) if rnd() < 0.03 else ""
        yield {
            "cpr": cpr,
            "cpr_hash": cpr_lookup_hash(cpr, key),
            "birth_date": birth,
            "birth_date_reason": "",
            "first_name": first,
            "last_name": last,
            "name_search": normalise_name(first, last),
            "address": f"{pick(data.STREETS)} {1 + int(rnd() * 150)}",
            "postal_code": postal_code,
            "city": city,
            "school": pick(data.SCHOOLS_OLDER if age_months >= 17 * 12
                           else data.SCHOOLS_MIDDLE if age_months >= 16 * 12
                           else data.SCHOOLS_YOUNGER),
            "adult_support_expected": support.value,
            "child_caseworker_id": child_cw,
            "adult_caseworker_id": adult_cw,
            "coordinator_id": coordinator_id,
            "buddy_id": buddy_id,
            "youth_had_say": coordinator_id is not None and rnd() < 0.8,
            "comm_channel": pick(CHANNELS),
            "comm_frequency": pick(FREQUENCIES),
            "plain_language": rnd() < 0.1,
            "interpreter_language": interpreter,
            "sign_language": rnd() < 0.01,
            "other_needs": "",
            "bisidder_offered": started and rnd() < 0.2,
            "status": status.value,
            "closed_reason": closed_reason,
            "transition_started_on": flag_day if started else None,
            "flag_due_on": flag_day,
            "flagged_at": (datetime.combine(flag_day, datetime.min.time(), UTC)
                           if started else None),
            "flag_late": False,
            "flag_for_assessment": started and support is SupportExpected.NOT_ASSESSED,
            "created_at": created_at,
            "updated_at": updated_at,
            "created_by_id": child_cw,
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, required=True, help="how many young people")
    parser.add_argument("--database-url", default="",
                        help="default: DATABASE_URL from the settings")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--today", help="ages as of this day (YYYY-MM-DD); default today")
    args = parser.parse_args(argv)
    overrides: dict[str, object] = {"database_url": args.database_url} if args.database_url else {}
    settings = load_settings(**overrides)
    today = date.fromisoformat(args.today) if args.today else datetime.now(settings.tz).date()
    engine = make_engine(settings)
    started = time.perf_counter()
    try:
        generate(engine, settings, args.n, today=today, seed=args.seed)
    except RuntimeError as exc:
        print(f"Nothing generated: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    seconds = time.perf_counter() - started
    staff = sum(staff_counts(args.n).values())
    print(f"Generated {args.n:,} young people with their timeline steps, {args.n:,} events "
          f"and {staff} staff accounts "
          f"({engine.dialect.name}) in {seconds:.1f} s "
          f"({args.n / seconds if seconds else 0:,.0f} young people/s).")
    print(f"Staff log in as bench-boern-0001 etc. with the password {BENCH_PASSWORD}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
