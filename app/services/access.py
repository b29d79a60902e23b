"""Who may see which young person. Every query for young people passes through here."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, true
from sqlmodel import col

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


def youth_access(user: User) -> ColumnElement[bool]:
    """A WHERE clause selecting the young people `user` may see.

    - coordinators and administrators: everyone;
    - children's caseworkers: the children's department's young people (active cases),
      and any case they are assigned to;
    - adult caseworkers: young people who have entered the transition or been transferred,
      and any case they are assigned to.
    """
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
