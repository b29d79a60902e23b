"""Administration of user accounts."""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from app.models.audit import AuditAction
from app.models.user import Role, User
from app.services import audit, auth


class UsernameTakenError(Exception):
    pass


def list_users(session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(col(User.role), col(User.full_name))))


def caseworkers(session: Session, role: Role | None = None) -> list[User]:
    roles = [role] if role else [Role.CHILD_CASEWORKER, Role.ADULT_CASEWORKER]
    stmt = (
        select(User)
        .where(col(User.role).in_(roles), col(User.is_active).is_(True))
        .order_by(col(User.full_name))
    )
    return list(session.exec(stmt))


def caseworker_names(session: Session, role: Role | None = None) -> list[tuple[int, str]]:
    """(id, full name) of the active caseworkers, by name: what a filter or a choice of
    caseworker shows, two columns rather than whole accounts."""
    return [(user_id, name) for user_id, name, _ in caseworker_roles(session, role)]


def caseworker_roles(session: Session, role: Role | None = None
                     ) -> list[tuple[int, str, Role]]:
    """(id, full name, role) of the active caseworkers, by name."""
    roles = [role] if role else [Role.CHILD_CASEWORKER, Role.ADULT_CASEWORKER]
    stmt = (
        select(col(User.id), col(User.full_name), col(User.role))
        .where(col(User.role).in_(roles), col(User.is_active).is_(True))
        .order_by(col(User.full_name))
    )
    return [(int(user_id), name, Role(r)) for user_id, name, r in session.execute(stmt)]


def names_by_id(session: Session, ids: set[int | None]) -> dict[int, str]:
    """The full names of the accounts `ids` (None and unknown ids left out)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {int(user_id): name for user_id, name in session.execute(
        select(col(User.id), col(User.full_name)).where(col(User.id).in_(wanted)))}


def username_exists(session: Session, username: str, exclude_id: int | None = None) -> bool:
    stmt = select(func.count()).select_from(User).where(
        func.lower(User.username) == username.strip().lower()
    )
    if exclude_id is not None:
        stmt = stmt.where(User.id != exclude_id)
    return session.exec(stmt).one() > 0


def create(
    session: Session,
    actor: User,
    *,
    username: str,
    full_name: str,
    email: str,
    phone: str,
    role: Role,
    password: str,
) -> User:
    if username_exists(session, username):
        raise UsernameTakenError(username)
    user = auth.create_user(
        session, username=username, full_name=full_name, email=email, phone=phone,
        role=role, password=password,
    )
    audit.record(session, AuditAction.CREATE, user_id=actor.id, object_type="user",
                 object_id=user.id)
    session.flush()
    return user


def update(
    session: Session,
    actor: User,
    user: User,
    *,
    full_name: str,
    email: str,
    phone: str,
    role: Role,
    is_active: bool,
    password: str = "",
) -> User:
    user.full_name, user.email, user.phone, user.role = full_name, email, phone, role
    user.is_active = is_active
    if password:
        user.password_hash = auth.hash_password(password)
    if password or not is_active:
        assert user.id is not None
        auth.close_all_sessions(session, user.id)
    session.add(user)
    audit.record(session, AuditAction.UPDATE, user_id=actor.id, object_type="user",
                 object_id=user.id)
    session.flush()
    return user


def set_locale(session: Session, user: User, locale: str) -> None:
    user.locale = locale
    session.add(user)
    session.flush()
