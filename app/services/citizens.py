"""Citizens on the family's page: login through the MitID broker (the CPR number arrives as a
claim and is kept only as its keyed lookup hash), their sessions, and which young people's
pages they may see today (domain/family.may_see)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from app.db import keep
from app.domain.cpr import CprError, cpr_lookup_hash, parse_cpr
from app.domain.family import Relation, may_see
from app.domain.principal import Citizen
from app.models.audit import AuditAction
from app.models.base import utcnow
from app.models.family import CitizenSession
from app.models.handover import Consent, Purpose
from app.models.network import NetworkMember, Person
from app.models.youth import Youth
from app.services import audit
from app.services.auth import SESSION_TOUCH_INTERVAL, token_digest
from app.services.handover import facts
from app.settings import Settings

NAME_MAX = 120


class Refusal(StrEnum):
    NO_CPR = "no_cpr"  # the broker's answer carried no valid CPR number


@dataclass(frozen=True)
class CitizenLogin:
    token: str | None
    refusal: Refusal | None = None


def cpr_hash_from_claims(claims: Mapping[str, object], settings: Settings) -> str | None:
    """The keyed hash of the CPR number in the broker's claim; None when there is none."""
    value = claims.get(settings.citizen_cpr_claim)
    if not isinstance(value, str):
        return None
    try:
        cpr = parse_cpr(value)
    except CprError:
        return None
    return cpr_lookup_hash(cpr.digits, settings.key)


def login_with_claims(session: Session, settings: Settings, claims: Mapping[str, object],
                      client_addr: str) -> CitizenLogin:
    """Opens a session for the citizen the broker vouched for. Anyone with a CPR number gets
    a session; what it shows is decided per page by the access rule (others see nothing)."""
    cpr_hash = cpr_hash_from_claims(claims, settings)
    if cpr_hash is None:
        return CitizenLogin(None, Refusal.NO_CPR)
    name = claims.get(settings.citizen_name_claim)
    name = name.strip()[:NAME_MAX] if isinstance(name, str) else ""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(CitizenSession(
        id=token_digest(token), cpr_hash=cpr_hash, name=name, created_at=now,
        last_seen_at=now, expires_at=now + timedelta(hours=settings.session_absolute_hours)))
    audit.record(session, AuditAction.LOGIN, actor=Citizen(cpr_hash, name),
                 client_addr=client_addr, detail="citizen login (MitID broker)")
    return CitizenLogin(token)


def resolve_session(session: Session, settings: Settings, token: str | None, today: date,
                    now: datetime | None = None) -> tuple[Citizen | None, str | None]:
    """The citizen behind a session cookie (with the young people in their custody they may
    see today), enforcing the same idle and absolute timeouts as staff sessions."""
    if not token:
        return None, None
    now = now or utcnow()
    digest = token_digest(token)
    row = session.get(CitizenSession, digest)
    if row is None:
        return None, None
    if now >= row.expires_at or now >= row.last_seen_at + timedelta(
            minutes=settings.session_idle_minutes):
        keep(session, lambda s: s.execute(
            delete(CitizenSession).where(col(CitizenSession.id) == digest)))
        return None, None
    if now - row.last_seen_at >= SESSION_TOUCH_INTERVAL:
        keep(session, lambda s: s.execute(
            update(CitizenSession).where(col(CitizenSession.id) == digest)
            .values(last_seen_at=now)))
    citizen = Citizen(row.cpr_hash, row.name,
                      custody_youth_ids=custody_youth_ids(session, row.cpr_hash, today))
    return citizen, digest


def close_session(session: Session, token: str | None, client_addr: str) -> None:
    if not token:
        return
    row = session.get(CitizenSession, token_digest(token))
    if row is None:
        return
    audit.record(session, AuditAction.LOGOUT, actor=Citizen(row.cpr_hash, row.name),
                 client_addr=client_addr)
    session.delete(row)


def custody_members(session: Session, cpr_hash: str) -> list[NetworkMember]:
    """The network memberships in which the citizen is recorded as holding custody."""
    return list(session.exec(
        select(NetworkMember).join(Person, col(Person.id) == NetworkMember.person_id)
        .where(Person.cpr_hash == cpr_hash, col(NetworkMember.custody_holder).is_(True),
               col(NetworkMember.removed_at).is_(None))))


def share_consents(session: Session, youth_id: int) -> list[Consent]:
    """The young person's consents to share the family's page (withdrawn ones too)."""
    rows = session.exec(select(Consent).where(Consent.youth_id == youth_id)).all()
    return [c for c in rows if Purpose.SHARE_WITH_FAMILY.value in c.purposes]


def custody_youth_ids(session: Session, cpr_hash: str, today: date) -> frozenset[int]:
    """The young people in the citizen's custody whose page they may see today."""
    seen: set[int] = set()
    for member in custody_members(session, cpr_hash):
        youth = session.get(Youth, member.youth_id)
        if youth is None or youth.id is None:
            continue
        shares = [facts(c) for c in share_consents(session, youth.id)
                  if member.id in c.invitee_member_ids]
        if may_see(Relation.CUSTODY, youth.birth_date, today, shares):
            seen.add(youth.id)
    return frozenset(seen)


def relation_to(session: Session, citizen: Citizen, youth: Youth) -> Relation:
    """How a citizen who may see the young person's page is related to them."""
    return Relation.SELF if youth.cpr_hash == citizen.cpr_hash else Relation.CUSTODY


def member_of(session: Session, citizen: Citizen, youth: Youth) -> NetworkMember | None:
    """The custody holder's place in the young person's network (None for the young person)."""
    return next((m for m in custody_members(session, citizen.cpr_hash)
                 if m.youth_id == youth.id), None)


def visible_youths(session: Session, citizen: Citizen) -> list[Youth]:
    from app.services.access import youth_access
    return list(session.exec(select(Youth).where(youth_access(citizen))
                             .order_by(col(Youth.birth_date))))
