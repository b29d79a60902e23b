"""Who may see which young person. Every query for young people passes through here."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, true
from sqlmodel import Session, col, select

from app.domain.errors import YouthForbiddenError, YouthNotFoundError
from app.domain.principal import Citizen, Principal
from app.models.handover import Consent, HandoverDocument
from app.models.inquiry import Inquiry
from app.models.meeting import ActionPoint, Meeting, MeetingInvitee
from app.models.network import NetworkMember
from app.models.outbox import OutboxMessage
from app.models.review import ReviewFollowUp, SampledCase
from app.models.timeline import YouthStep
from app.models.user import Role, User
from app.models.youth import Youth, YouthStatus


def assigned_to(user: User) -> ColumnElement[bool]:
    """A WHERE clause selecting the young people `user` is a caseworker for, in any role."""
    return or_(
        col(Youth.child_caseworker_id) == user.id,
        col(Youth.adult_caseworker_id) == user.id,
        col(Youth.coordinator_id) == user.id,
        col(Youth.buddy_id) == user.id,
    )


def youth_access(principal: Principal) -> ColumnElement[bool]:
    """A WHERE clause selecting the young people `principal` may see.

    - a citizen: their own record (found by the keyed hash of their CPR number), and the
      young people in their custody they may see today (services/family.custody_youth_ids);
    - coordinators and administrators: everyone;
    - children's caseworkers: the children's department's young people (active cases),
      and any case they are assigned to;
    - adult caseworkers: young people who have entered the transition or been transferred,
      and any case they are assigned to.
    """
    if isinstance(principal, Citizen):
        own = col(Youth.cpr_hash) == principal.cpr_hash
        if not principal.custody_youth_ids:
            return own
        return or_(own, col(Youth.id).in_(sorted(principal.custody_youth_ids)))
    user = principal
    if not user.is_active:
        return false()
    if user.role in (Role.COORDINATOR, Role.ADMIN):
        return true()
    assigned = assigned_to(user)
    if user.role is Role.CHILD_CASEWORKER:
        return or_(col(Youth.status) == YouthStatus.ACTIVE, assigned)
    if user.role is Role.ADULT_CASEWORKER:
        return or_(
            col(Youth.transition_started_on).is_not(None),
            col(Youth.status) == YouthStatus.TRANSFERRED,
            assigned,
        )
    return false()



def youth_access_parts(principal: Principal) -> list[ColumnElement[bool]]:
    """`youth_access` as disjoint WHERE clauses whose OR is `youth_access`: a count of what
    `principal` may see is the sum of a count per clause. A children's caseworker sees the
    active cases or any case assigned to them; counted as one OR over five columns, SQLite
    collects and deduplicates the row ids of every active case, while "active" alone is
    counted from an index, and "not active and assigned" from the few assigned rows."""
    if (isinstance(principal, User) and principal.is_active
            and principal.role is Role.CHILD_CASEWORKER):
        active = col(Youth.status) == YouthStatus.ACTIVE
        return [active, and_(col(Youth.status) != YouthStatus.ACTIVE, assigned_to(principal))]
    return [youth_access(principal)]

# --- the young person behind a request's path ------------------------------------------------

MAX_ID = 2**31 - 1  # the id columns are 32-bit integers on PostgreSQL


@dataclass(frozen=True)
class Owned:
    """A kind of object that belongs to one young person, found by its id in a path."""

    object_type: str
    youth_of: Callable[[int], Any]  # id -> a SELECT of the owning young person's id


def _owned(model: Any, object_type: str) -> Owned:
    return Owned(object_type, lambda i: select(model.youth_id).where(model.id == i))


OWNED_BY_YOUTH: dict[str, Owned] = {
    "document_id": _owned(HandoverDocument, "handover_document"),
    "consent_id": _owned(Consent, "consent"),
    "meeting_id": _owned(Meeting, "meeting"),
    "invitee_id": Owned("meeting_invitee", lambda i: select(Meeting.youth_id).join(
        MeetingInvitee, col(MeetingInvitee.meeting_id) == col(Meeting.id)).where(
        MeetingInvitee.id == i)),
    "action_id": _owned(ActionPoint, "action_point"),
    "member_id": _owned(NetworkMember, "network_member"),
    "inquiry_id": _owned(Inquiry, "inquiry"),
    "message_id": _owned(OutboxMessage, "letter"),
    "row_id": _owned(YouthStep, "youth_step"),
    "case_id": _owned(SampledCase, "review"),
    "follow_up_id": _owned(ReviewFollowUp, "review_follow_up"),
}
"""Every path parameter that names an object of one young person. A route whose path holds
one of these (or ``youth_id``) is served only when the user may see that young person."""

NOT_YOUTH_PARAMS = frozenset({
    "user_id",          # staff accounts (administrators)
    "step_id",          # the timeline template (administrators)
    "type_id",          # the document catalogue (administrators)
    "key",              # letter templates (administrators)
    "closing_day_id",   # closing days (administrators)
    "sample_id",        # a management review's sample of many cases (coordinators)
    "token",            # signed reply links and calendar feed tokens
    "action",           # a verb in the path (edit, remove ...), not an id
})
"""Path parameters that name nothing of a young person's."""


@dataclass(frozen=True)
class YouthScope:
    youth: Youth
    object_type: str
    object_id: int


def _id(text: str) -> int:
    if not text.isdigit() or len(text) > 10 or not 0 < int(text) <= MAX_ID:
        raise YouthNotFoundError()
    return int(text)


def visible_youth(session: Session, principal: Principal, youth_id: int) -> Youth:
    """The young person, if `principal` may see them; raises the two errors above otherwise.
    Staff learn that a record they may not see exists (403 with the reason); a citizen is
    told nothing (404)."""
    youth = session.exec(
        select(Youth).where(Youth.id == youth_id, youth_access(principal))).first()
    if youth is not None:
        return youth
    if isinstance(principal, Citizen) or session.get(Youth, youth_id) is None:
        raise YouthNotFoundError()
    raise YouthForbiddenError()


def resolve_path(session: Session, principal: Principal, params: Mapping[str, str]
                 ) -> YouthScope | None:
    """The visible young person that a request's path parameters point at, with the innermost
    object named; None when the path names nothing of a young person's. Every object must
    belong to the same young person (and to the one named by ``youth_id``)."""
    for name, value in params.items():
        if name.endswith("_id"):
            _id(value)  # any id beyond the columns' range, or not a number, is not found
    owners: set[int] = set()
    object_type, object_id = "youth", 0
    if "youth_id" in params:
        object_id = _id(params["youth_id"])
        owners.add(object_id)
    for name, value in params.items():
        owned = OWNED_BY_YOUTH.get(name)
        if owned is None:
            continue
        object_id = _id(value)
        owner = session.exec(owned.youth_of(object_id)).first()
        if owner is None:
            raise YouthNotFoundError()
        owners.add(int(owner))
        object_type = owned.object_type
    if not owners:
        return None
    if len(owners) > 1:
        raise YouthNotFoundError()
    return YouthScope(visible_youth(session, principal, owners.pop()), object_type, object_id)
