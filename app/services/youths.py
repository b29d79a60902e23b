"""The youth register: finding, reading, creating and changing young people's records."""

from __future__ import annotations

import operator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, tzinfo
from functools import reduce
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.db import at_commit, keep
from app.domain.cpr import cpr_lookup_hash
from app.domain.errors import ValidationFailedError as ValidationFailedError
from app.domain.errors import YouthForbiddenError as YouthForbiddenError
from app.domain.errors import YouthNotFoundError as YouthNotFoundError
from app.domain.validation import FieldError
from app.domain.youth import (
    ASSIGNMENT_FIELDS,
    NEEDS_AUTHORITY,
    AgeBand,
    YouthData,
    birth_date_range,
    changes_needing_authority,
    checked_cpr,
    may_reassign_and_close,
)
from app.i18n import N_, Msg
from app.models.audit import AuditAction
from app.models.base import utcnow
from app.models.user import Department, Role, User
from app.models.youth import EventKind, Youth, YouthEvent, YouthStatus
from app.services import audit, timeline
from app.services.access import visible_youth, youth_access, youth_access_parts
from app.settings import Settings

PAGE_SIZE = 25
DUPLICATE_CPR = N_("A young person with this CPR number is already in the register.")
CASEWORKER_FIELDS: dict[str, tuple[Role, ...]] = {
    "child_caseworker_id": (Role.CHILD_CASEWORKER,),
    "adult_caseworker_id": (Role.ADULT_CASEWORKER,),
    "coordinator_id": (Role.CHILD_CASEWORKER, Role.ADULT_CASEWORKER),
    "buddy_id": (Role.CHILD_CASEWORKER, Role.ADULT_CASEWORKER),
}


@dataclass
class YouthFilters:
    name: str = ""
    department: Department | None = None
    caseworker_id: int | None = None
    age_band: AgeBand | None = None
    status: YouthStatus | None = None
    flagged_this_month: bool = False
    overdue: bool = False
    page: int = 1
    sort: str = "name"
    descending: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


# The columns the list may be sorted by (the only sort keys accepted), each ending with the id
# so that the order, and with it the pages, are stable.
SORTS: dict[str, tuple[Any, ...]] = {
    "name": (Youth.last_name, Youth.first_name),
    "turns18": (Youth.birth_date,),
    "next_due": (Youth.next_open_due_on,),
}
NULLS_LAST = {"next_due"}  # young people without an open step come last either way


def sort_key(value: str | None) -> str:
    return value if value in SORTS else "name"


def order_by(filters: YouthFilters) -> list[Any]:
    key = sort_key(filters.sort)
    terms = []
    for column in (*SORTS[key], Youth.id):
        term = col(column).desc() if filters.descending else col(column).asc()
        terms.append(term.nulls_last() if key in NULLS_LAST and column is not Youth.id else term)
    return terms


@dataclass(frozen=True)
class NextStep:
    name: str
    due_on: date


@dataclass
class YouthPage:
    rows: list[Youth]
    total: int
    page: int
    page_size: int = PAGE_SIZE
    next_steps: dict[int, NextStep] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def normalise_name(first_name: str, last_name: str) -> str:
    return f"{first_name} {last_name}".casefold()


def filtered_query(user: User, filters: YouthFilters, today: date, tz: tzinfo,
                   access: Any = None) -> Any:
    """The young people `user` may see (or, with `access`, one of access.youth_access_parts)
    that the filters find."""
    stmt = select(Youth).where(youth_access(user) if access is None else access)
    if filters.name:
        stmt = stmt.where(col(Youth.name_search).contains(filters.name.casefold()))
    if filters.department is Department.CHILDREN:
        stmt = stmt.where(col(Youth.status) == YouthStatus.ACTIVE)
    elif filters.department is Department.ADULTS:
        stmt = stmt.where(
            (col(Youth.status) == YouthStatus.TRANSFERRED)
            | col(Youth.transition_started_on).is_not(None)
        )
    if filters.caseworker_id:
        cid = filters.caseworker_id
        stmt = stmt.where(
            (col(Youth.child_caseworker_id) == cid) | (col(Youth.adult_caseworker_id) == cid)
            | (col(Youth.coordinator_id) == cid) | (col(Youth.buddy_id) == cid)
        )
    if filters.age_band:
        after, on_or_before = birth_date_range(filters.age_band, today)
        if after:
            stmt = stmt.where(col(Youth.birth_date) > after)
        if on_or_before:
            stmt = stmt.where(col(Youth.birth_date) <= on_or_before)
    if filters.status:
        stmt = stmt.where(col(Youth.status) == filters.status)
    if filters.flagged_this_month:
        month_start = datetime.combine(today.replace(day=1), time(), tz).astimezone(UTC)
        stmt = stmt.where(col(Youth.flagged_at) >= month_start)
    if filters.overdue:
        stmt = stmt.where(timeline.overdue_filter(today))
    return stmt


def count_filtered(session: Session, user: User, filters: YouthFilters, today: date,
                   tz: tzinfo) -> int:
    """How many young people the filters find: in one statement, the sum of a count for each
    disjoint part of what `user` may see (access.youth_access_parts)."""
    counts = [
        sa_select(func.count()).select_from(
            filtered_query(user, filters, today, tz, access=part).subquery()).scalar_subquery()
        for part in youth_access_parts(user)
    ]
    return int(session.execute(sa_select(reduce(operator.add, counts))).scalar_one())


def list_youths(
    session: Session, user: User, filters: YouthFilters, today: date, client_addr: str = "",
    tz: tzinfo = UTC, *, with_next_steps: bool = False,
) -> YouthPage:
    stmt = filtered_query(user, filters, today, tz)
    total = count_filtered(session, user, filters, today, tz)
    page = max(1, filters.page)
    rows = list(session.exec(
        stmt.order_by(*order_by(filters))
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all())
    # Written at the commit: the list's only write, so SQLite's write lock is not held while
    # the page is read and rendered (db.at_commit).
    at_commit(session, lambda s: audit.record(
        s, AuditAction.READ, user_id=user.id, object_type="youth_list",
        client_addr=client_addr, detail=f"rows={len(rows)} page={page}",
    ))
    steps = {}
    if with_next_steps:
        steps = {youth_id: NextStep(name, due) for youth_id, (name, due)
                 in timeline.next_open_steps(session, [y.id for y in rows if y.id]).items()}
    return YouthPage(rows, int(total), page, next_steps=steps)


def get_visible(session: Session, user: User, youth_id: int) -> Youth:
    """Access-checked. The read's audit row is written for the whole request by the path's
    scope (deps.youth_scope), so no service writes one of its own."""
    return visible_youth(session, user, youth_id)


def reveal_cpr(session: Session, user: User, youth_id: int, client_addr: str = "") -> str | None:
    youth = visible_youth(session, user, youth_id)
    audit.record(
        session, AuditAction.REVEAL_CPR, user_id=user.id, object_type="youth",
        object_id=youth.id, youth_id=youth.id, client_addr=client_addr,
    )
    session.flush()
    return None if youth.cpr is None else f"{youth.cpr[:6]}-{youth.cpr[6:]}"


def find_by_cpr(
    session: Session, settings: Settings, user: User, cpr_text: str, client_addr: str = ""
) -> Youth | None:
    """Exact-match lookup through the keyed hash; raises FieldError for a malformed number."""
    cpr = checked_cpr(cpr_text)
    digest = cpr_lookup_hash(cpr.digits, settings.key)
    youth = session.exec(
        select(Youth).where(Youth.cpr_hash == digest, youth_access(user))
    ).first()
    found_id = youth.id if youth else None
    # Logged whether or not the search finds anyone (a miss answers 400).
    keep(session, lambda s: audit.record(
        s, AuditAction.SEARCH_CPR, user_id=user.id, object_type="youth",
        object_id=found_id or "", youth_id=found_id, client_addr=client_addr,
        detail="found" if found_id else "not found",
    ))
    return youth


def _check_references(session: Session, data: YouthData) -> dict[str, Msg]:
    errors: dict[str, Msg] = {}
    ids = {getattr(data, name) for name in CASEWORKER_FIELDS} - {None}
    users = {u.id: u for u in session.exec(select(User).where(col(User.id).in_(ids)))}
    for name, roles in CASEWORKER_FIELDS.items():
        value = getattr(data, name)
        if value is None:
            continue
        found = users.get(value)
        if found is None or not found.is_active:
            errors[name] = Msg(N_("Choose a caseworker from the list."))
        elif found.role not in roles:
            errors[name] = Msg(N_("The chosen person does not work in the right department."))
    return errors


def cpr_taken(session: Session, settings: Settings, cpr: str, exclude_id: int | None) -> bool:
    stmt = select(Youth.id).where(Youth.cpr_hash == cpr_lookup_hash(cpr, settings.key))
    if exclude_id is not None:
        stmt = stmt.where(Youth.id != exclude_id)
    return session.exec(stmt).first() is not None


def validate(
    session: Session, settings: Settings, data: YouthData, today: date,
    exclude_id: int | None = None,
) -> None:
    """The checks that need the database; raises ValidationFailedError."""
    try:
        data.check_not_born_in_future(today)
    except FieldError as exc:
        raise ValidationFailedError({exc.field or "cpr": exc.msg}) from None
    errors = _check_references(session, data)
    if data.cpr and cpr_taken(session, settings, data.cpr, exclude_id):
        raise ValidationFailedError({"cpr": Msg(DUPLICATE_CPR)}, conflict=True)
    if errors:
        raise ValidationFailedError(errors)


def _apply(youth: Youth, data: YouthData, settings: Settings) -> None:
    values = data.model_dump()
    for key, value in values.items():
        setattr(youth, key, value)
    youth.cpr_hash = cpr_lookup_hash(data.cpr, settings.key) if data.cpr else None
    youth.name_search = normalise_name(data.first_name, data.last_name)
    if data.status is not YouthStatus.CLOSED:
        youth.closed_reason = ""


def new_record(settings: Settings, user: User, data: YouthData, today: date) -> Youth:
    """A new record from checked data (see `validate`), not yet in any session."""
    youth = Youth(birth_date=data.birth_date or today, first_name="", last_name="")
    _apply(youth, data, settings)
    youth.created_by_id = user.id
    return youth


def create(
    session: Session, settings: Settings, user: User, data: YouthData, today: date,
    *, event: EventKind = EventKind.CREATED,
) -> Youth:
    validate(session, settings, data, today)
    youth = new_record(settings, user, data, today)
    session.add(youth)
    try:
        session.flush()
    except IntegrityError:
        # Another request registered the same CPR number between the check and the insert.
        session.rollback()
        raise ValidationFailedError({"cpr": Msg(DUPLICATE_CPR)}, conflict=True) from None
    assert youth.id is not None
    timeline.sync_youth(session, settings, youth)
    session.add(YouthEvent(youth_id=youth.id, actor_id=user.id, kind=event))
    audit.record(session, AuditAction.CREATE, user_id=user.id, object_type="youth",
                 object_id=youth.id, youth_id=youth.id)
    session.flush()
    return youth


HANDOVER_FIELDS = ("coordinator_id", "buddy_id")


def check_handover_fields(youth: Youth, data: YouthData) -> None:
    """Once chosen, the coordinating caseworker and the buddy change only through a
    caseworker change (services/caseworker_change), which records the kind of change and the
    handover note and writes to the young person and the family."""
    errors = {
        name: Msg(N_("Use “Change coordinating caseworker or buddy”, so that the young person "
                     "and the family are told."))
        for name in HANDOVER_FIELDS
        if getattr(youth, name) is not None and getattr(data, name) != getattr(youth, name)
    }
    if errors:
        raise ValidationFailedError(errors)


def check_authority(user: User, youth: Youth, data: YouthData) -> None:
    """Refuses (forbidden) a reassignment or a closing by someone without the authority."""
    if may_reassign_and_close(user.role, user.id, youth.coordinator_id):
        return
    assigned = {name: getattr(youth, name) for name in ASSIGNMENT_FIELDS}
    fields = changes_needing_authority(assigned, youth.status, data, user.id)
    if fields:
        raise ValidationFailedError({name: Msg(NEEDS_AUTHORITY) for name in fields},
                                    forbidden=True)


def update(
    session: Session, settings: Settings, user: User, youth_id: int, data: YouthData,
    today: date,
) -> Youth:
    youth = visible_youth(session, user, youth_id)
    check_authority(user, youth, data)
    check_handover_fields(youth, data)
    validate(session, settings, data, today, exclude_id=youth.id)
    before = {name: getattr(youth, name) for name in CASEWORKER_FIELDS}
    old_status, old_birth_date = youth.status, youth.birth_date
    _apply(youth, data, settings)
    if youth.birth_date != old_birth_date:
        timeline.sync_youth(session, settings, youth)
    youth.updated_at = utcnow()
    session.add(youth)
    assert youth.id is not None
    session.add(YouthEvent(youth_id=youth.id, actor_id=user.id, kind=EventKind.UPDATED))
    if youth.status is not old_status:
        session.add(YouthEvent(
            youth_id=youth.id, actor_id=user.id, kind=EventKind.STATUS_CHANGED,
            detail=f"{old_status.value} -> {youth.status.value} {youth.closed_reason}".strip(),
        ))
    changed = [name for name in CASEWORKER_FIELDS if getattr(youth, name) != before[name]]
    if changed:
        session.add(YouthEvent(
            youth_id=youth.id, actor_id=user.id, kind=EventKind.CASEWORKER_CHANGED,
            detail=", ".join(changed),
        ))
    audit.record(session, AuditAction.UPDATE, user_id=user.id, object_type="youth",
                 object_id=youth.id, youth_id=youth.id)
    session.flush()
    return youth


def as_data(youth: Youth) -> dict[str, Any]:
    """The record as form values (the CPR number shown with its dash)."""
    values = youth.model_dump(exclude={"cpr_hash", "name_search", "created_at", "updated_at"})
    if youth.cpr:
        values["cpr"] = f"{youth.cpr[:6]}-{youth.cpr[6:]}"
    return values


def events(session: Session, youth_id: int) -> list[YouthEvent]:
    stmt = (
        select(YouthEvent).where(YouthEvent.youth_id == youth_id)
        .order_by(col(YouthEvent.at).desc(), col(YouthEvent.id).desc()).limit(100)
    )
    return list(session.exec(stmt))


def users_by_id(session: Session, ids: AbstractSet[int | None]) -> dict[int, User]:
    """The accounts `ids`; those the unit of work has loaded already are not read again (a
    young person's page names the same caseworkers in several sections)."""
    found: dict[int, User] = {}
    for user_id in {i for i in ids if i is not None}:
        loaded = session.identity_map.get(session.identity_key(User, user_id))
        if isinstance(loaded, User):
            found[user_id] = loaded
    wanted = {i for i in ids if i is not None} - set(found)
    if wanted:
        found |= {u.id: u for u in session.exec(select(User).where(col(User.id).in_(wanted)))
                  if u.id is not None}
    return found


# --- "my filter" and assigning an adult caseworker to many at once ----------------------------

def save_list_filter(session: Session, user: User, query: str) -> None:
    """Keeps the list's query string as the user's own filter (an empty one forgets it). The
    caller builds it from the parsed filters, so it holds only the filters' own keys."""
    user.youth_list_filter = query[:500]
    session.add(user)
    session.flush()


MAX_BULK = 100


@dataclass(frozen=True)
class BulkAssignment:
    youths: list[Youth]            # those whose adult caseworker will change, by name
    unchanged: list[Youth]         # those who already have this adult caseworker
    caseworker: User


def plan_adult_caseworker(session: Session, user: User, youth_ids: list[int],
                          caseworker_id: int | None) -> BulkAssignment:
    """What assigning `caseworker_id` to `youth_ids` would change, nothing changed yet. Only
    coordinators and administrators assign many at once; each young person is access-checked
    (YouthForbiddenError, YouthNotFoundError); ValidationFailedError for a bad choice."""
    if user.role not in (Role.COORDINATOR, Role.ADMIN):
        raise YouthForbiddenError()
    errors: dict[str, Msg] = {}
    if not youth_ids:
        errors["youth"] = Msg(N_("Choose at least one young person."))
    elif len(youth_ids) > MAX_BULK:
        errors["youth"] = Msg(N_("Choose at most %(num)s young people at a time."), num=MAX_BULK)
    worker = session.get(User, caseworker_id) if caseworker_id else None
    if worker is None or not worker.is_active or worker.role is not Role.ADULT_CASEWORKER:
        errors["adult_caseworker_id"] = Msg(N_("Choose an adult caseworker from the list."))
    if errors:
        raise ValidationFailedError(errors)
    assert worker is not None
    chosen = [visible_youth(session, user, youth_id) for youth_id in dict.fromkeys(youth_ids)]
    chosen.sort(key=lambda y: (y.last_name, y.first_name, y.id or 0))
    return BulkAssignment(
        youths=[y for y in chosen if y.adult_caseworker_id != worker.id],
        unchanged=[y for y in chosen if y.adult_caseworker_id == worker.id],
        caseworker=worker,
    )


def assign_adult_caseworker(session: Session, settings: Settings, user: User, youth_id: int,
                            caseworker_id: int, today: date) -> Youth:
    """One young person's adult caseworker, changed exactly as the edit form changes it
    (`update`: the same checks of authority and choice, the same event and audit rows, and
    whatever the family is told of such a change)."""
    youth = visible_youth(session, user, youth_id)
    data = YouthData.model_validate({**as_data(youth), "adult_caseworker_id": caseworker_id})
    return update(session, settings, user, youth_id, data, today)


def assign_adult_caseworker_to_many(
    session: Session, settings: Settings, user: User, youth_ids: list[int],
    caseworker_id: int | None, today: date,
) -> BulkAssignment:
    """Every change of the plan, or none: a young person whose record cannot be saved
    raises ValidationFailedError naming them, and the caller's unit of work is rolled back."""
    plan = plan_adult_caseworker(session, user, youth_ids, caseworker_id)
    assert plan.caseworker.id is not None
    for youth in plan.youths:
        assert youth.id is not None
        try:
            assign_adult_caseworker(session, settings, user, youth.id, plan.caseworker.id, today)
        except (ValidationFailedError, ValueError):
            raise ValidationFailedError({"youth": Msg(
                N_("%(name)s could not be saved: open the young person's page and correct "
                   "the record first."), name=youth.full_name)}) from None
    return plan
