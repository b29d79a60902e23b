"""Writing the append-only audit log. Rows are added to the caller's transaction."""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.domain.principal import ActorKind, Citizen, Principal
from app.models.audit import AuditAction, AuditEvent
from app.models.user import User


def record(
    session: Session,
    action: AuditAction,
    *,
    user_id: int | None = None,
    actor: Principal | None = None,
    object_type: str = "",
    object_id: object = "",
    youth_id: int | None = None,
    client_addr: str = "",
    detail: str = "",
) -> None:
    """One row of the log. The actor is a member of staff (`user_id`, or `actor` a User) or a
    citizen (`actor` a Citizen, named by a part of their keyed CPR hash); None is the system."""
    if isinstance(actor, User):
        user_id = actor.id
    citizen = actor if isinstance(actor, Citizen) else None
    session.add(
        AuditEvent(
            user_id=user_id,
            actor_kind=ActorKind.CITIZEN if citizen else ActorKind.STAFF,
            actor_ref=citizen.ref if citizen else "",
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            youth_id=youth_id,
            client_addr=client_addr[:64],
            detail=detail[:500],
        )
    )


def events_for_youth(session: Session, youth_id: int, limit: int = 200) -> list[AuditEvent]:
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.youth_id == youth_id)
        .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
        .limit(limit)
    )
    return list(session.exec(stmt))
