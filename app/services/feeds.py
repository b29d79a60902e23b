"""Each caseworker's subscribable calendar feed (ICALENDAR.md rules 17-25).

The feed holds the meetings the user organises or is invited to (as a user), for the young
people they may see. Only the token's SHA-256 is stored; the token itself is shown once
when it is made and never stored or logged. Unless the owner chose to show names, the
names of the young people and their families are kept out of the events, and a meeting at
the young person's home carries no address.
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
from datetime import datetime, timedelta

from sqlalchemy import exists, or_
from sqlmodel import Session, col, select

from app import i18n
from app.domain import ical
from app.domain.labels import PLACE
from app.i18n import N_
from app.models.audit import AuditAction
from app.models.meeting import CalendarFeed, Meeting, MeetingInvitee, MeetingStatus, PlaceKind
from app.models.network import NetworkMember, Person, Sector
from app.models.user import User
from app.models.youth import Youth
from app.services import audit
from app.services.access import youth_access
from app.services.meeting_mail import as_ical
from app.settings import Settings

log = logging.getLogger("overgang.feeds")

FEED_PATH = "/feeds/"
# Meetings further back than this leave the feed.
HISTORY = timedelta(days=180)
CALENDAR_NAME = N_("Overgang: my meetings")
CALENDAR_DESCRIPTION = N_("Meetings about young people in Overgang.")
NEUTRAL_SUMMARY = N_("Meeting about a young person")


def feed_url(settings: Settings, token: str) -> str:
    return f"{settings.public_base_url.rstrip('/')}{FEED_PATH}{token}.ics"


def get(session: Session, user: User) -> CalendarFeed | None:
    return session.exec(select(CalendarFeed).where(CalendarFeed.user_id == user.id)).first()


def is_active(feed: CalendarFeed | None) -> bool:
    return feed is not None and feed.token_hash is not None and feed.revoked_at is None


def create_or_rotate(session: Session, user: User, now: datetime) -> str:
    """A new token for the user's feed; any earlier link stops working. Returns the token,
    which the caller shows once."""
    assert user.id is not None
    token = secrets.token_urlsafe(32)
    feed = get(session, user)
    rotated = feed is not None and feed.token_hash is not None
    if feed is None:
        feed = CalendarFeed(user_id=user.id, created_at=now)
    feed.token_hash = ical.feed_token_hash(token)
    feed.revoked_at = None
    if rotated:
        feed.rotated_at = now
    session.add(feed)
    session.flush()
    audit.record(session, AuditAction.UPDATE if rotated else AuditAction.CREATE,
                 user_id=user.id, object_type="calendar_feed", object_id=feed.id or "",
                 detail="rotated" if rotated else "created")
    session.flush()
    return token


def revoke(session: Session, user: User, now: datetime) -> None:
    feed = get(session, user)
    if not is_active(feed):
        return
    assert feed is not None
    feed.token_hash, feed.revoked_at = None, now
    session.add(feed)
    audit.record(session, AuditAction.DELETE, user_id=user.id, object_type="calendar_feed",
                 object_id=feed.id or "", detail="revoked")
    session.flush()


def set_show_names(session: Session, user: User, show: bool, now: datetime) -> CalendarFeed:
    assert user.id is not None
    feed = get(session, user) or CalendarFeed(user_id=user.id, created_at=now)
    changed = feed.show_names != show
    feed.show_names = show
    session.add(feed)
    session.flush()
    if changed:
        audit.record(session, AuditAction.UPDATE, user_id=user.id, object_type="calendar_feed",
                     object_id=feed.id or "", detail=f"show_names={show}")
    session.flush()
    return feed


def by_token(session: Session, token: str) -> tuple[CalendarFeed, User] | None:
    """The active feed and its (active) owner for a token, or None."""
    try:
        digest = ical.feed_token_hash(token)
    except ical.InviteError:
        return None
    row = session.exec(
        select(CalendarFeed, User).join(User, col(User.id) == CalendarFeed.user_id)
        .where(CalendarFeed.token_hash == digest, col(CalendarFeed.revoked_at).is_(None))
    ).first()
    if row is None:
        return None
    feed, user = row
    if feed.token_hash is None or not ical.feed_token_matches(token, feed.token_hash):
        return None
    if not user.is_active:
        return None
    return feed, user


def meetings_for(session: Session, user: User, now: datetime) -> list[tuple[Meeting, Youth]]:
    """The user's meetings (organiser, or invited as a user and not removed), not cancelled,
    for the young people the user may see."""
    invited = exists().where(
        col(MeetingInvitee.meeting_id) == col(Meeting.id), col(MeetingInvitee.user_id) == user.id,
        col(MeetingInvitee.removed_at).is_(None),
    )
    return [(m, y) for m, y in session.exec(
        select(Meeting, Youth).join(Youth, col(Youth.id) == Meeting.youth_id)
        .where(or_(col(Meeting.organiser_id) == user.id, invited),
               col(Meeting.status) != MeetingStatus.CANCELLED,
               col(Meeting.ends_at) >= now - HISTORY,
               youth_access(user))
        .order_by(col(Meeting.starts_at), col(Meeting.id))
    )]


def _name_parts(name: str) -> set[str]:
    words = name.split()
    return {name.strip(), *words} - {""}


def withheld_names(session: Session, youth_ids: set[int]) -> set[str]:
    """The names of the young people and of the family on their network maps."""
    if not youth_ids:
        return set()
    names: set[str] = set()
    for youth in session.exec(select(Youth).where(col(Youth.id).in_(youth_ids))):
        names |= _name_parts(youth.full_name)
        names |= _name_parts(youth.first_name)
        names |= _name_parts(youth.last_name)
    for person in session.exec(
        select(Person).join(NetworkMember, col(NetworkMember.person_id) == Person.id)
        .where(col(NetworkMember.youth_id).in_(youth_ids),
               col(NetworkMember.sector) == Sector.FAMILY)
    ):
        names |= _name_parts(person.name)
    return names


def body(session: Session, settings: Settings, feed: CalendarFeed, user: User,
         now: datetime) -> bytes:
    """The feed's iCalendar text. Deterministic for unchanged meetings (the ETag)."""
    rows = meetings_for(session, user, now)
    organisers = {u.id: u for u in session.exec(
        select(User).where(col(User.id).in_({m.organiser_id for m, _ in rows})))}
    events = []
    with i18n.locale("da"):
        for meeting, youth in rows:
            organiser = organisers.get(meeting.organiser_id)
            if organiser is None:
                continue
            try:
                event = as_ical(settings, meeting, youth, organiser, meeting.updated_at)
            except ical.InviteError:
                log.warning("meeting %s left out of a calendar feed: not valid iCalendar",
                            meeting.id)
                continue
            if meeting.place_kind is PlaceKind.HOME and not feed.show_names:
                event = dataclasses.replace(event, location=i18n.gettext(PLACE[PlaceKind.HOME]))
            events.append(event)
        return ical.feed(
            events, name=i18n.gettext(CALENDAR_NAME),
            description=i18n.gettext(CALENDAR_DESCRIPTION),
            withheld_names=withheld_names(session, {y.id for _, y in rows if y.id is not None}),
            show_names=feed.show_names, neutral_summary=i18n.gettext(NEUTRAL_SUMMARY),
        )


def record_fetch(session: Session, feed: CalendarFeed, user: User, count: int,
                 client_addr: str) -> None:
    """One audit row per delivered feed (not for 304 answers)."""
    audit.record(session, AuditAction.READ, user_id=user.id, object_type="calendar_feed",
                 object_id=feed.id or "", client_addr=client_addr,
                 detail=f"meetings={count}")
    session.flush()
