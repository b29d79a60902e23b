"""The coordinators' monthly overview: cohorts, readiness, sections and charts.

Every query is an aggregate or a bounded list: readiness is computed for the young people
shown (at most COHORT_LIMIT per cohort) with one grouped query per readiness item, never
one query per young person.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, tzinfo
from typing import Any

from sqlalchemy import Integer, and_, bindparam, case, func, literal, union_all
from sqlmodel import Session, col, select

from app.db import at_commit
from app.domain import overview as rules
from app.domain.consent import own_consent_recorded as own_consent_given
from app.domain.consent import timing_problem
from app.models.audit import AuditAction
from app.models.base import utcnow
from app.models.handover import (
    Consent,
    DocumentStatus,
    DocumentType,
    HandoverDocument,
    Purpose,
    Recipient,
)
from app.models.inquiry import Inquiry
from app.models.network import NetworkMember
from app.models.timeline import TimelineStep, YouthStep
from app.models.user import Department, Role, User
from app.models.youth import Youth, YouthStatus
from app.services import audit, handover, youths

COHORT_LIMIT = 50
# The page shows this many per cohort, and all COHORT_LIMIT of the one cohort asked for;
# the CSV and the API have COHORT_LIMIT of each.
COHORT_SHOWN = 8
SECTION_LIMIT = 20
FIRST_MEETING_KEY = "first_meeting"
_HANDED_OVER = (DocumentStatus.HANDED_OVER, DocumentStatus.ACKNOWLEDGED)
OPEN_CASE = (YouthStatus.ACTIVE, YouthStatus.TRANSFERRED)


@dataclass(frozen=True)
class Filters:
    department: Department | None = None
    caseworker_id: int | None = None


@dataclass
class Row:
    youth: Person
    readiness: rules.Readiness


@dataclass
class Cohort:
    key: str
    label: str
    first: date
    last: date
    total: int
    rows: list[Row] = field(default_factory=list)


@dataclass(frozen=True)
class Listed:
    """A young person in a section's list: the columns it shows."""

    id: int
    first_name: str
    last_name: str
    birth_date: date
    next_open_due_on: date | None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


_LISTED_COLUMNS = (col(Youth.id), col(Youth.first_name), col(Youth.last_name),
                   col(Youth.birth_date), col(Youth.next_open_due_on))


@dataclass
class Section:
    total: int
    rows: list[Listed]


@dataclass
class Load:
    user_id: int
    full_name: str
    as_child_caseworker: int
    as_adult_caseworker: int


@dataclass
class Overview:
    month: date
    cohorts: list[Cohort]
    overdue: Section
    soon_18_without_adult: Section
    late_inquiries: Section
    load: list[Load]
    eighteen_chart: list[tuple[date, dict[str, int]]]
    flags_chart: list[tuple[date, int]]


def _scope(user: User, filters: Filters, today: date, tz: tzinfo) -> Any:
    """The young people the coordinator may see, narrowed by the page's filters."""
    stmt = youths.filtered_query(
        user, youths.YouthFilters(department=filters.department,
                                  caseworker_id=filters.caseworker_id), today, tz)
    return stmt.where(col(Youth.status).in_(OPEN_CASE))


def count_rows(session: Session, stmt: Any) -> int:
    return int(session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one())


@dataclass(frozen=True)
class Person:
    """What a cohort row shows and readiness needs: a few columns, not the whole record."""

    id: int
    first_name: str
    last_name: str
    birth_date: date
    adult_caseworker_id: int | None
    coordinator_id: int | None
    buddy_id: int | None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


_PERSON_COLUMNS = (col(Youth.id), col(Youth.first_name), col(Youth.last_name),
                   col(Youth.birth_date), col(Youth.adult_caseworker_id),
                   col(Youth.coordinator_id), col(Youth.buddy_id))


def _cohort(session: Session, base: Any, after: date, on_or_before: date,
            limit: int = COHORT_LIMIT) -> tuple[int, list[Person]]:
    """How many are born in the range, and the first `limit` of them."""
    stmt = base.where(col(Youth.birth_date) > after, col(Youth.birth_date) <= on_or_before)
    rows = session.execute(
        stmt.with_only_columns(*_PERSON_COLUMNS)
        .order_by(col(Youth.birth_date).desc(), col(Youth.last_name), col(Youth.id))
        .limit(limit)
    )
    return count_rows(session, stmt), [Person(*row) for row in rows]


def cohorts(session: Session, user: User, month: date, filters: Filters, today: date,
            tz: tzinfo, shown: int = COHORT_LIMIT, expand: str = "") -> list[Cohort]:
    """Those reaching 16½, 17, 17½ and 18 in `month`, then those turning 18 in each of the
    next three months; each with readiness for the rows shown: `shown` of each, and
    COHORT_LIMIT of the cohort whose key is `expand`."""
    base = _scope(user, filters, today, tz)
    eighteen = rules.MILESTONE_AGE[rules.Milestone.EIGHTEEN]
    groups = [(m.value, rules.MILESTONE_LABELS[m], rules.MILESTONE_AGE[m], month)
              for m in rules.Milestone]
    groups += [(f"18+{ahead}", rules.MILESTONE_LABELS[rules.Milestone.EIGHTEEN], eighteen,
                rules.add_months(month, ahead))
               for ahead in range(1, rules.NEXT_MONTHS_TO_18 + 1)]
    ranges = [rules.births_reaching(age, first, rules.month_end(first))
              for _key, _label, age, first in groups]
    found = [_cohort(session, base, *r, limit=COHORT_LIMIT if key == expand else shown)
             for (key, _label, _age, _first), r in zip(groups, ranges, strict=True)]
    readiness = readiness_for(session, [p for _total, people in found for p in people], today)
    return [
        Cohort(key, label, first, rules.month_end(first), total,
               [Row(p, readiness[p.id]) for p in people])
        for (key, label, _age, first), (total, people) in zip(groups, found, strict=True)
    ]


def id_list(ids: Iterable[int]) -> Any:
    """A list of ids for IN, written into the SQL as numbers: one parameter per id costs
    more to bind and to parse than the query itself when there are hundreds of them."""
    return bindparam(None, sorted(ids), expanding=True, literal_execute=True,
                     type_=Integer)


def readiness_for(session: Session, people: Sequence[Person], today: date
                  ) -> dict[int, rules.Readiness]:
    """Readiness of `people` with one grouped query per item."""
    ids = {y.id for y in people if y.id is not None}
    if not ids:
        return {}
    wanted = id_list(ids)
    network = dict(session.execute(
        select(NetworkMember.youth_id, func.count())
        .where(col(NetworkMember.youth_id).in_(wanted), col(NetworkMember.removed_at).is_(None))
        .group_by(col(NetworkMember.youth_id))
    ).all())
    first_meeting = set(session.execute(
        select(YouthStep.youth_id)
        .join(TimelineStep, col(TimelineStep.id) == YouthStep.step_id)
        .where(col(YouthStep.youth_id).in_(wanted), col(TimelineStep.key) == FIRST_MEETING_KEY,
               col(YouthStep.done_at).is_not(None))
    ).scalars())
    documents = {
        youth_id: (int(done or 0), int(required or 0))
        for youth_id, done, required in session.execute(
            select(HandoverDocument.youth_id,
                   func.sum(case((col(HandoverDocument.status).in_(_HANDED_OVER), 1), else_=0)),
                   func.count())
            .join(DocumentType, col(DocumentType.id) == HandoverDocument.document_type_id)
            .where(col(HandoverDocument.youth_id).in_(wanted), col(DocumentType.required),
                   col(DocumentType.active))
            .group_by(col(HandoverDocument.youth_id))
        ).all()
    }
    required_types = int(session.execute(
        select(func.count()).select_from(DocumentType)
        .where(col(DocumentType.required), col(DocumentType.active))
    ).scalar_one())
    overdue = dict(session.execute(
        select(YouthStep.youth_id, func.count())
        .where(col(YouthStep.youth_id).in_(wanted), col(YouthStep.done_at).is_(None),
               col(YouthStep.not_applicable_reason) == "", col(YouthStep.due_on) < today)
        .group_by(col(YouthStep.youth_id))
    ).all())
    consents: dict[int, list[Any]] = {}
    for consent in session.exec(select(Consent).where(col(Consent.youth_id).in_(wanted))):
        consents.setdefault(consent.youth_id, []).append(handover.facts(consent))
    result = {}
    for youth in people:
        yid = youth.id or 0
        facts = consents.get(yid, [])
        done, required = documents.get(yid, (0, required_types))
        adult = today >= rules.add_months(youth.birth_date, 18 * 12)
        result[yid] = rules.Readiness(
            adult_caseworker=youth.adult_caseworker_id is not None,
            coordinator_and_buddy=youth.coordinator_id is not None and youth.buddy_id is not None,
            network_started=network.get(yid, 0) > 0,
            consent_for_adult_department=any(
                Purpose.SHARE_WITH_ADULT in c.purposes
                and Recipient.ADULT_DEPARTMENT in c.recipients
                and timing_problem(c, youth.birth_date, today) is None
                for c in facts
            ),
            first_meeting_held=yid in first_meeting,
            documents_handed_over=done,
            documents_required=required,
            own_consent_needed=adult,
            own_consent=adult and own_consent_given(facts, youth.birth_date, today),
            overdue_steps=int(overdue.get(yid, 0)),
        )
    return result


def _listed(session: Session, ordered: Any) -> list[Listed]:
    """The first SECTION_LIMIT of an ordered query of young people, as Listed rows."""
    return [Listed(*row) for row in session.execute(
        ordered.with_only_columns(*_LISTED_COLUMNS).limit(SECTION_LIMIT))]


def overdue_section(session: Session, base: Any, today: date) -> Section:
    stmt = _overdue(base, today)
    return Section(count_rows(session, stmt), _listed(
        session, stmt.order_by(col(Youth.next_open_due_on), col(Youth.id))))


def soon_18_without_adult(session: Session, base: Any, today: date) -> Section:
    stmt = _soon_18_without_adult(base, today)
    return Section(count_rows(session, stmt), _listed(
        session, stmt.order_by(col(Youth.birth_date), col(Youth.id))))


def late_inquiries(session: Session, base: Any, now: datetime) -> Section:
    """Young people with an inquiry past its 48 working hours and not yet answered."""
    stmt = _late_inquiries(base, now)
    return Section(count_rows(session, stmt), _listed(
        session, stmt.order_by(col(Youth.last_name), col(Youth.id))))


def caseworker_load(session: Session) -> list[Load]:
    """Open cases per caseworker, as children's and as adult caseworker."""
    def grouped(column: Any) -> dict[int, int]:
        # Grouped by status too, so that the (status, caseworker) index answers alone.
        counts: dict[int, int] = {}
        for _status, user_id, count in session.execute(
            select(col(Youth.status), column, func.count())
            .where(col(Youth.status).in_(OPEN_CASE), column.is_not(None))
            .group_by(col(Youth.status), column)
        ):
            if user_id is not None:
                counts[user_id] = counts.get(user_id, 0) + count
        return counts

    child = grouped(col(Youth.child_caseworker_id))
    adult = grouped(col(Youth.adult_caseworker_id))
    people = session.execute(select(col(User.id), col(User.full_name)).where(
        col(User.role).in_([Role.CHILD_CASEWORKER, Role.ADULT_CASEWORKER]),
        col(User.id).in_(id_list(set(child) | set(adult))),
    ).order_by(col(User.full_name)))
    return [Load(user_id, name, child.get(user_id, 0), adult.get(user_id, 0))
            for user_id, name in people]


READINESS_STACKS = ("in_place", "partly", "not_started")


def eighteen_chart(session: Session, base: Any, month: date) -> list[tuple[date, dict[str, int]]]:
    """18th birthdays in the 12 months from `month`, by how much is in place: an adult
    caseworker, a coordinator and a buddy, and nothing overdue (in place); some of it
    (partly); none of it (not started). One statement: per month a count over the range of
    birth dates reaching 18 in it, which the (status, birth date, …) index answers in order
    without sorting or grouping the rows."""
    eighteen = rules.MILESTONE_AGE[rules.Milestone.EIGHTEEN]
    months = [rules.add_months(month, n) for n in range(rules.CHART_MONTHS)]
    staffed = and_(col(Youth.adult_caseworker_id).is_not(None),
                   col(Youth.coordinator_id).is_not(None), col(Youth.buddy_id).is_not(None))
    on_track = col(Youth.next_open_due_on).is_(None) | (col(Youth.next_open_due_on) >= month)
    nothing = and_(col(Youth.adult_caseworker_id).is_(None), col(Youth.coordinator_id).is_(None))
    parts = []
    for i, first in enumerate(months):
        after, on_or_before = rules.births_reaching(eighteen, first, rules.month_end(first))
        parts.append(
            base.where(col(Youth.birth_date) > after, col(Youth.birth_date) <= on_or_before)
            .with_only_columns(literal(i, Integer), func.count(),
                               func.sum(case((and_(staffed, on_track), 1), else_=0)),
                               func.sum(case((nothing, 1), else_=0)))
        )
    counts = {int(i): (int(total), int(in_place or 0), int(not_started or 0))
              for i, total, in_place, not_started in session.execute(union_all(*parts))}
    chart = []
    for i, m in enumerate(months):
        total, in_place, not_started = counts.get(i, (0, 0, 0))
        chart.append((m, dict(zip(READINESS_STACKS,
                                  (in_place, total - in_place - not_started, not_started),
                                  strict=True))))
    return chart


def flags_chart(session: Session, base: Any, month: date, tz: tzinfo
                ) -> list[tuple[date, int]]:
    """Young people flagged in each of the 12 months up to and including `month`: one
    statement, a count per month over the flagged-at index's range."""
    months = [rules.add_months(month, n - rules.CHART_MONTHS + 1)
              for n in range(rules.CHART_MONTHS)]
    bounds = [datetime.combine(m, time(), tz).astimezone(UTC) for m in months]
    bounds.append(datetime.combine(rules.add_months(month, 1), time(), tz).astimezone(UTC))
    counts = {int(i): int(n) for i, n in session.execute(union_all(*[
        base.where(col(Youth.flagged_at) >= bounds[i], col(Youth.flagged_at) < bounds[i + 1])
        .with_only_columns(literal(i, Integer), func.count())
        for i in range(len(months))
    ]))}
    return [(m, counts.get(i, 0)) for i, m in enumerate(months)]


def build(session: Session, user: User, month: date, filters: Filters, today: date,
          tz: tzinfo, client_addr: str = "", *, shown: int = COHORT_LIMIT,
          expand: str = "") -> Overview:
    """The overview of `month`; `shown` and `expand` as for `cohorts`."""
    base = _scope(user, filters, today, tz)
    result = Overview(
        month=month,
        cohorts=cohorts(session, user, month, filters, today, tz, shown, expand),
        overdue=overdue_section(session, base, today),
        soon_18_without_adult=soon_18_without_adult(session, base, today),
        late_inquiries=late_inquiries(session, base, utcnow()),
        load=caseworker_load(session),
        eighteen_chart=eighteen_chart(session, base, month),
        flags_chart=flags_chart(session, base, month, tz),
    )
    shown = sum(len(c.rows) for c in result.cohorts)
    at_commit(session, lambda s: audit.record(
        s, AuditAction.READ, user_id=user.id, object_type="overview",
        client_addr=client_addr, detail=f"month={month:%Y-%m} rows={shown}"))
    return result


# --- the start page's month at a glance: the overview's rules, counted -------------------


def _overdue(base: Any, today: date) -> Any:
    return base.where(col(Youth.next_open_due_on) < today)


def _soon_18_without_adult(base: Any, today: date) -> Any:
    after, on_or_before = rules.births_reaching(
        rules.MILESTONE_AGE[rules.Milestone.EIGHTEEN], today,
        rules.add_months(today, rules.SOON_18_MONTHS))
    return base.where(col(Youth.birth_date) > after, col(Youth.birth_date) <= on_or_before,
                      col(Youth.adult_caseworker_id).is_(None),
                      col(Youth.status) == YouthStatus.ACTIVE)


def _late_inquiries(base: Any, now: datetime) -> Any:
    late = (select(Inquiry.youth_id)
            .where(col(Inquiry.answered_at).is_(None), col(Inquiry.due_at) < now))
    return base.where(col(Youth.id).in_(late))


@dataclass
class Glance:
    """The month's milestones counted, (key, label, how many), and the sections' totals;
    the first few of those soon 18 without an adult caseworker."""

    milestones: list[tuple[str, str, int]]
    overdue: int
    late_inquiries: int
    without_adult: Section


def glance(session: Session, user: User, today: date, tz: tzinfo, now: datetime,
           shown: int) -> Glance:
    """This month at a glance, for the start page: two statements, whatever the register's
    size (the counts in one, the first `shown` without an adult caseworker in the other)."""
    base = _scope(user, Filters(), today, tz)
    month = today.replace(day=1)

    def counted(stmt: Any) -> Any:
        return select(func.count()).select_from(stmt.subquery()).scalar_subquery()

    reaching = [(m, rules.births_reaching(rules.MILESTONE_AGE[m], month,
                                          rules.month_end(month)))
                for m in rules.Milestone]
    without_adult = _soon_18_without_adult(base, today)
    columns: list[Any] = [counted(base.where(col(Youth.birth_date) > after,
                                             col(Youth.birth_date) <= on_or_before))
                          for _m, (after, on_or_before) in reaching]
    columns += [counted(_overdue(base, today)), counted(_late_inquiries(base, now)),
                counted(without_adult)]
    counts = session.execute(select(*columns)).one()
    rows = [Listed(*row) for row in session.execute(
        without_adult.with_only_columns(*_LISTED_COLUMNS)
        .order_by(col(Youth.birth_date), col(Youth.id)).limit(shown))]
    milestones = [(m.value, rules.MILESTONE_LABELS[m], int(n))
                  for (m, _range), n in zip(reaching, counts, strict=False)]
    return Glance(milestones, int(counts[-3]), int(counts[-2]),
                  Section(int(counts[-1]), rows))
