"""Passwords, login sessions, delays after failed logins and API tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import ColumnElement, and_, case, delete, func, literal, or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from app.db import keep
from app.domain import login_delay
from app.domain.staff_identity import ClaimNames, StaffIdentity, staff_identity
from app.models.audit import AuditAction
from app.models.base import UTCDateTime, utcnow
from app.models.user import ApiToken, LoginThrottle, Role, User, UserSession
from app.services import audit
from app.settings import Settings

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not-a-password")
MIN_PASSWORD_LENGTH = 12
# The password hash of an account made by a login through the municipality's OpenID
# provider: no password matches it, so the account has no password until an administrator
# gives it one.
NO_PASSWORD = "!"  # noqa: S105 (a hash no password matches, not a password)
SESSION_TOUCH_INTERVAL = timedelta(seconds=60)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class LoginOutcome(StrEnum):
    OK = "ok"
    INVALID = "invalid"
    THROTTLED = "throttled"


@dataclass(frozen=True)
class LoginResult:
    outcome: LoginOutcome
    user: User | None = None
    session_token: str | None = None
    wait: timedelta = timedelta(0)  # when throttled: how long until the next attempt


def _account(username: str) -> str:
    return username.strip().lower()


def _pair_key(username: str, client_addr: str) -> str:
    return "pair:" + token_digest(f"{_account(username)}\n{client_addr}")


def _account_key(username: str) -> str:
    return "acct:" + token_digest(_account(username))


def _address_key(client_addr: str) -> str:
    return "addr:" + token_digest(client_addr)


def _policy(settings: Settings) -> login_delay.DelayPolicy:
    return login_delay.DelayPolicy(
        free_failures=settings.login_failures_before_delay,
        max_delay=timedelta(minutes=settings.login_max_delay_minutes),
    )


def _failures_in_window(session: Session, key: str, cutoff: datetime) -> int:
    row = session.get(LoginThrottle, key)
    return row.failures if row and row.window_started_at > cutoff else 0


def login_wait(
    session: Session, settings: Settings, username: str, client_addr: str, now: datetime
) -> timedelta:
    """How long this account must wait before trying again from this address. Zero for an
    address that has not failed for the account, whatever happens elsewhere."""
    pair = session.get(LoginThrottle, _pair_key(username, client_addr))
    if pair is None:
        return timedelta(0)
    cutoff = now - timedelta(minutes=settings.login_window_minutes)
    under_attack = (
        _failures_in_window(session, _address_key(client_addr), cutoff)
        >= settings.login_address_failures
        or _failures_in_window(session, _account_key(username), cutoff)
        >= settings.login_account_failures
    )
    return login_delay.wait_left(
        _policy(settings), pair.failures, pair.last_failed_at, now, under_attack=under_attack
    )


def _count_failure(
    session: Session, settings: Settings, username: str, client_addr: str, now: datetime
) -> None:
    """One atomic upsert per counter, so concurrent workers never lose a count. The pair
    starts afresh a day after its last failure, the others when their window has passed."""
    table = LoginThrottle.__table__  # type: ignore[attr-defined]
    window = now - timedelta(minutes=settings.login_window_minutes)
    for key, stale in (
        (_pair_key(username, client_addr),
         table.c.last_failed_at < now - login_delay.PAIR_MEMORY),
        (_account_key(username), table.c.window_started_at < window),
        (_address_key(client_addr), table.c.window_started_at < window),
    ):
        _upsert_failure(session, key, stale, now)


def _upsert_failure(session: Session, key: str, stale: ColumnElement[bool], now: datetime) -> None:
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    table = LoginThrottle.__table__  # type: ignore[attr-defined]
    at = literal(now, UTCDateTime())
    stmt = insert(table).values(key=key, window_started_at=now, last_failed_at=now, failures=1)
    session.execute(stmt.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={
            "failures": case((stale, 1), else_=table.c.failures + 1),
            "window_started_at": case((stale, at), else_=table.c.window_started_at),
            "last_failed_at": at,
        },
    ))


def _forget_pair(session: Session, username: str, client_addr: str) -> None:
    key = _pair_key(username, client_addr)
    session.execute(delete(LoginThrottle).where(col(LoginThrottle.key) == key))


def purge_login_counters(session: Session, settings: Settings, now: datetime) -> None:
    """Counters that no longer hold anyone back."""
    window = now - timedelta(minutes=settings.login_window_minutes)
    session.execute(delete(LoginThrottle).where(or_(
        col(LoginThrottle.last_failed_at) < now - login_delay.PAIR_MEMORY,
        and_(~col(LoginThrottle.key).startswith("pair:"),
             col(LoginThrottle.window_started_at) < window),
    )))


def login(
    session: Session, settings: Settings, username: str, password: str, client_addr: str,
    now: datetime | None = None,
) -> LoginResult:
    """Checks the password, delays repeated failures and opens a new session."""
    username = username.strip()
    now = now or utcnow()
    wait = login_wait(session, settings, username, client_addr, now)
    if wait:
        keep(session, lambda s: audit.record(
            s, AuditAction.LOGIN_THROTTLED, user_id=None, client_addr=client_addr,
            detail=f"username={username[:64]}",
        ))
        return LoginResult(LoginOutcome.THROTTLED, wait=wait)
    user = session.exec(select(User).where(User.username == username)).first()
    valid = verify_password(user.password_hash if user else _DUMMY_HASH, password)
    if not (user and valid and user.is_active):
        user_id = user.id if user else None

        def failed(s: Session) -> None:  # counted and logged even though the request fails
            _count_failure(s, settings, username, client_addr, now)
            audit.record(s, AuditAction.LOGIN_FAILED, user_id=user_id, client_addr=client_addr,
                         detail=f"username={username[:64]}")

        keep(session, failed)
        return LoginResult(LoginOutcome.INVALID)
    _forget_pair(session, username, client_addr)
    token = open_session(session, settings, user)
    audit.record(session, AuditAction.LOGIN, user_id=user.id, client_addr=client_addr)
    return LoginResult(LoginOutcome.OK, user=user, session_token=token)


class Refusal(StrEnum):
    """Why a person the municipality's login vouched for is not let in."""

    NO_USERNAME = "no_username"
    NO_ROLE = "no_role"
    DEACTIVATED = "deactivated"


@dataclass(frozen=True)
class IdentityLogin:
    user: User | None = None
    session_token: str | None = None
    refusal: Refusal | None = None


def login_with_claims(
    session: Session, settings: Settings, claims: dict[str, object], client_addr: str
) -> IdentityLogin:
    """A login the municipality's OpenID provider vouched for (services/oidc), as the
    account named by the username claim. The first login makes the account; the role follows
    the claims at every login; an account an administrator deactivated stays out, and so
    does anyone whose claims map to no role. Accounts are never matched by e-mail."""
    names = ClaimNames(username=settings.oidc_username_claim, full_name=settings.oidc_name_claim,
                       email=settings.oidc_email_claim, roles=settings.oidc_roles_claim)
    identity = staff_identity(claims, names, settings.oidc_role_map)
    user = _account_named(session, identity.username) if identity.username else None
    outcome = _role_or_refusal(identity, user)
    if isinstance(outcome, Refusal):
        oidc_login_failed(session, outcome, client_addr, user=user, username=identity.username)
        return IdentityLogin(refusal=outcome)
    user = _provision(session, user, identity, outcome, client_addr)
    token = open_session(session, settings, user)
    audit.record(session, AuditAction.LOGIN, user_id=user.id, client_addr=client_addr,
                 detail="oidc")
    return IdentityLogin(user=user, session_token=token)


def _role_or_refusal(identity: StaffIdentity, user: User | None) -> Role | Refusal:
    if not identity.username:
        return Refusal.NO_USERNAME
    if user is not None and not user.is_active:
        return Refusal.DEACTIVATED
    return identity.role or Refusal.NO_ROLE


def oidc_login_failed(
    session: Session, reason: str, client_addr: str, *, user: User | None = None,
    username: str = "",
) -> None:
    """The failed-login row for a login through the OpenID provider, whatever stopped it."""
    name = user.username if user else username
    audit.record(session, AuditAction.LOGIN_FAILED, user_id=user.id if user else None,
                 client_addr=client_addr,
                 detail=f"oidc {reason}" + (f" username={name[:64]}" if name else ""))


def _account_named(session: Session, username: str) -> User | None:
    stmt = (select(User).where(func.lower(User.username) == username.lower())
            .order_by(col(User.id)))
    return session.exec(stmt).first()


def _provision(
    session: Session, user: User | None, identity: StaffIdentity, role: Role, client_addr: str
) -> User:
    if user is None:
        user = User(username=identity.username, full_name=identity.full_name,
                    email=identity.email, role=role, password_hash=NO_PASSWORD)
        session.add(user)
        session.flush()
        audit.record(session, AuditAction.CREATE, user_id=user.id, object_type="user",
                     object_id=user.id, client_addr=client_addr, detail="oidc")
        return user
    if user.role is not role:
        audit.record(session, AuditAction.UPDATE, user_id=user.id, object_type="user",
                     object_id=user.id, client_addr=client_addr,
                     detail=f"oidc role {user.role.value} -> {role.value}")
        user.role = role
    user.full_name = identity.full_name or user.full_name
    user.email = identity.email or user.email
    session.add(user)
    return user


def open_session(session: Session, settings: Settings, user: User) -> str:
    """A fresh random session id; the cookie holds it, the database only its digest."""
    assert user.id is not None
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        UserSession(
            id=token_digest(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=settings.session_absolute_hours),
        )
    )
    return token


class SessionState(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    MISSING = "missing"


def resolve_session(
    session: Session, settings: Settings, token: str | None, now: datetime | None = None
) -> tuple[SessionState, User | None, str | None]:
    """The user behind a session cookie, enforcing idle and absolute timeouts."""
    if not token:
        return SessionState.MISSING, None, None
    now = now or utcnow()
    digest = token_digest(token)
    row = session.get(UserSession, digest)
    if row is None:
        return SessionState.MISSING, None, None
    idle_limit = row.last_seen_at + timedelta(minutes=settings.session_idle_minutes)
    user = session.get(User, row.user_id)
    if now >= row.expires_at or now >= idle_limit or user is None or not user.is_active:
        # Ended whatever the request that found it answers (it is sent to the login page).
        keep(session, lambda s: s.execute(
            delete(UserSession).where(col(UserSession.id) == digest)))
        return SessionState.EXPIRED, None, None
    if now - row.last_seen_at >= SESSION_TOUCH_INTERVAL:
        keep(session, lambda s: s.execute(
            update(UserSession).where(col(UserSession.id) == digest).values(last_seen_at=now)))
    return SessionState.VALID, user, digest


def close_session(session: Session, token: str | None, client_addr: str) -> None:
    if not token:
        return
    row = session.get(UserSession, token_digest(token))
    if row:
        audit.record(session, AuditAction.LOGOUT, user_id=row.user_id, client_addr=client_addr)
        session.delete(row)


def close_all_sessions(session: Session, user_id: int) -> None:
    session.execute(delete(UserSession).where(col(UserSession.user_id) == user_id))


def issue_api_token(session: Session, user: User, name: str = "") -> str:
    assert user.id is not None
    token = "ovg_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=token_digest(token), name=name[:80]))
    return token


def user_for_api_token(session: Session, token: str) -> User | None:
    digest = token_digest(token)
    row = session.exec(select(ApiToken).where(ApiToken.token_hash == digest)).first()
    if row is None or row.revoked_at is not None or not hmac.compare_digest(row.token_hash, digest):
        return None
    user = session.get(User, row.user_id)
    return user if user and user.is_active else None


def create_user(
    session: Session,
    *,
    username: str,
    full_name: str,
    email: str,
    role: Role,
    password: str,
    phone: str = "",
) -> User:
    user = User(
        username=username.strip(),
        full_name=full_name.strip(),
        email=email.strip(),
        phone=phone.strip(),
        role=role,
        password_hash=hash_password(password),
    )
    session.add(user)
    session.flush()
    return user
