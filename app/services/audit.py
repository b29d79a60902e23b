"""Writing the append-only audit log. Rows are added to the caller's transaction."""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.models.audit import AuditAction, AuditEvent


def record(
    session: Session,
    action: AuditAction,
    *,
    user_id: int | None,
    object_type: str = "",
    object_id: object = "",
    youth_id: int | None = None,
    client_addr: str = "",
    detail: str = "",
) -> None:
    session.add(
        AuditEvent(
            user_id=user_id,
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
