"""A reminder the day before a meeting, to each invitee who asked for one on their reply
page, by the channel of the communication agreement: the young person's agreed channel
(``Youth.comm_channel``), a network member's preferred channel, otherwise the channel they
were invited by. E-mail and SMS carry the link to the invitee's reply page; a letter, a
phone call or Digital Post is a manual outbox row for a person to send, as every such
message is.

``send_due`` is idempotent: each reminder has a dedupe key naming the invitee and the
meeting's start (``outbox.enqueue_once``), so running the job again sends nothing twice,
and a meeting moved to another day gets a reminder for its new day. Declined invitees and
those taken off the list get none; nor do meetings held or cancelled.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta

from sqlmodel import Session, col, select

from app import i18n
from app.domain.invite_mail import format_when_da
from app.domain.validation import FieldError, refuse_cpr
from app.models.meeting import Answer, Meeting, MeetingInvitee, MeetingStatus
from app.models.network import NetworkMember
from app.models.outbox import OutboxKind
from app.models.user import User
from app.models.youth import Channel, Youth
from app.services import outbox
from app.services.meeting_mail import contact_text, location, reply_url, summary, written_texts
from app.settings import Settings

log = logging.getLogger("overgang.reminders")


def _channel(invitee: MeetingInvitee, youth: Youth, member: NetworkMember | None) -> Channel:
    agreed: Channel | None = None
    if invitee.member_id is None and invitee.user_id is None:
        agreed = youth.comm_channel  # the young person's communication agreement
    elif member is not None:
        agreed = member.preferred_channel
    channel = agreed if agreed not in (None, Channel.MEETING) else invitee.channel
    assert channel is not None
    if channel is Channel.EMAIL and not invitee.email:
        return Channel.LETTER
    if channel in (Channel.SMS, Channel.PHONE) and not invitee.phone:
        return Channel.EMAIL if invitee.email else Channel.LETTER
    return channel


def _text(settings: Settings, meeting: Meeting, youth: Youth, organiser: User,
          invitee: MeetingInvitee, link: bool) -> tuple[str, str]:
    with i18n.locale("da"):
        what = summary(meeting, youth)
        when = format_when_da(meeting.starts_at, meeting.ends_at)
        subject = i18n.gettext("Reminder: %(what)s tomorrow") % {"what": what}
        lines = [i18n.gettext("A reminder of the meeting tomorrow."), "",
                 f"{what}", when, location(meeting, youth), "", contact_text(organiser)]
        if link:
            lines += ["", i18n.gettext("See the meeting and your answer:"),
                      reply_url(settings, meeting, invitee)]
    return subject, "\n".join(lines)


def send_due(session: Session, settings: Settings, now: datetime) -> int:
    """Queues tomorrow's reminders (tomorrow in the municipality's zone). Returns how many
    were queued by this run."""
    tomorrow = now.astimezone(settings.tz).date() + timedelta(days=1)
    start = datetime.combine(tomorrow, time(0), tzinfo=settings.tz)
    end = datetime.combine(tomorrow + timedelta(days=1), time(0), tzinfo=settings.tz)
    rows = session.exec(
        select(Meeting, MeetingInvitee).join(
            MeetingInvitee, col(MeetingInvitee.meeting_id) == Meeting.id)
        .where(Meeting.status == MeetingStatus.PLANNED,
               col(Meeting.starts_at) >= start, col(Meeting.starts_at) < end,
               col(MeetingInvitee.wants_reminder).is_(True),
               col(MeetingInvitee.removed_at).is_(None),
               MeetingInvitee.answer != Answer.DECLINED)
        .order_by(col(Meeting.id), col(MeetingInvitee.id))
    ).all()
    queued = 0
    for meeting, invitee in rows:
        youth = session.get(Youth, meeting.youth_id)
        organiser = session.get(User, meeting.organiser_id)
        assert youth is not None and organiser is not None
        member = session.get(NetworkMember, invitee.member_id) if invitee.member_id else None
        try:
            refuse_cpr(written_texts(meeting, youth, [invitee], organiser))
        except FieldError:
            log.warning("reminder not sent: a stored text was refused (meeting %s)", meeting.id)
            continue
        channel = _channel(invitee, youth, member)
        subject, body = _text(settings, meeting, youth, organiser, invitee,
                              link=channel in (Channel.EMAIL, Channel.SMS))
        starts = meeting.starts_at.astimezone(settings.tz)
        key = f"meeting-reminder:{invitee.id}:{starts:%Y%m%dT%H%M}"
        queued += outbox.enqueue_once(
            session, settings, dedupe_key=key, kind=OutboxKind.MEETING_REMINDER,
            subject=subject, body=body, channel=channel,
            recipient_email=invitee.email if channel is Channel.EMAIL else None,
            recipient_name=invitee.name, recipient_phone=invitee.phone,
            recipient_address=invitee.address, recipient_user_id=invitee.user_id,
            youth_id=youth.id, meeting_id=meeting.id, created_by_id=organiser.id, now=now)
    session.flush()
    return queued
