"""The messages a meeting sends, written to the outbox in the caller's transaction.

Each e-mail invitee gets their own message (their own reply links) carrying the same
calendar: ``ical.request`` for a new or changed meeting, ``ical.cancel`` when it is
cancelled, ``ical.cancel_for_removed_attendee`` for someone taken off the list. An invitee
without an e-mail address gets a letter or a phone call: a manual outbox row that says what
to send or say. Texts are Danish.

No CPR number goes out: the texts people wrote are checked where they write them
(``validation.OutgoingText`` and the meeting service), and once more here, from the stored
rows, before a message is written (``written_texts``, ``minutes_texts``), so text saved
before that check cannot leave either. A refusal is a ``FieldError`` naming the field the
text was written in. The generated parts (reply tokens, the meeting's address, dates) are
never checked: they are no one's CPR number, however their digits fall.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import datetime
from uuid import UUID

from sqlmodel import Session

from app import i18n
from app.domain import ical, itip, letters
from app.domain.invite_mail import InviteBody, Mailbox, format_when_da, invite_body, invite_message
from app.domain.labels import MEETING_KIND, PLACE
from app.domain.letters import TemplateKey
from app.domain.meeting import reply_token
from app.domain.validation import refuse_cpr
from app.models.meeting import ActionPoint, Meeting, MeetingInvitee, PlaceKind
from app.models.outbox import OutboxKind
from app.models.user import User
from app.models.youth import Channel, Youth
from app.services import letter_templates, outbox
from app.settings import Settings


def _people_texts(youth: Youth, people: Sequence[MeetingInvitee],
                  caseworker: User) -> Iterator[tuple[str, str]]:
    """The names and contact details a message shows, under the invitee list."""
    for text in (youth.first_name, youth.address, youth.city, caseworker.full_name,
                 caseworker.email, caseworker.phone):
        yield "invitees", text
    for person in people:
        for text in (person.name, person.role_label, person.email, person.phone,
                     person.address):
            yield "invitees", text


def written_texts(meeting: Meeting, youth: Youth, people: Sequence[MeetingInvitee],
                  organiser_user: User) -> list[tuple[str, str]]:
    """What people wrote that an invite, update or cancellation carries, by field."""
    return [("agenda", meeting.agenda), ("place_detail", meeting.place_detail),
            *_people_texts(youth, people, organiser_user)]


def minutes_texts(meeting: Meeting, youth: Youth, people: Sequence[MeetingInvitee],
                  points: Sequence[ActionPoint], sender: User) -> list[tuple[str, str]]:
    """What people wrote that the minutes carry, by field."""
    return [("minutes", meeting.minutes), ("decisions", meeting.decisions),
            *(("actions", point.text) for point in points),
            *_people_texts(youth, people, sender)]


def summary(meeting: Meeting, youth: Youth) -> str:
    return i18n.gettext("%(kind)s about %(name)s") % {
        "kind": i18n.gettext(MEETING_KIND[meeting.kind]), "name": youth.first_name}


def location(meeting: Meeting, youth: Youth) -> str:
    place = i18n.gettext(PLACE[meeting.place_kind])
    if meeting.place_kind is PlaceKind.HOME:
        address = ", ".join(p for p in (youth.address, f"{youth.postal_code} {youth.city}".strip())
                            if p)
        return f"{place}: {address}" if address else place
    return f"{place}: {meeting.place_detail}" if meeting.place_detail else place


def organiser(settings: Settings, user: User) -> ical.Organiser:
    """The caseworker organises; with a reply mailbox (``REPLY_ADDRESS``) the ORGANIZER
    address is that mailbox, with her name as CN, so calendar programs send their answers
    to the app (they reply to the ORGANIZER address, RFC 6047 2.3); SENT-BY names the
    mailbox the e-mail comes from when it is another one."""
    address = settings.reply_address or user.email
    sent_by = "" if address.casefold() == settings.mail_from.casefold() else settings.mail_from
    return ical.Organiser(name=user.full_name, email=address, sent_by=sent_by)


def staff_url(settings: Settings, meeting: Meeting) -> str:
    return f"{settings.public_base_url}/meetings/{meeting.id}"


def reply_url(settings: Settings, meeting: Meeting, invitee: MeetingInvitee) -> str:
    """The invitee's own page about the meeting: what, when, where, who, and their answer."""
    assert invitee.id is not None and meeting.id is not None
    token = reply_token(settings.key, invitee.id, meeting.id, meeting.ends_at)
    return f"{settings.public_base_url}/meetings/reply/{token}"


def as_ical(settings: Settings, meeting: Meeting, youth: Youth, user: User,
            now: datetime, url: str | None = None) -> ical.Meeting:
    """The meeting as an iCalendar event; ``url`` is the link it carries (the staff page
    unless given: an invitee's message carries their reply page)."""
    return ical.Meeting(
        uid=UUID(meeting.uid), sequence=meeting.sequence, dtstamp=now,
        start=meeting.starts_at, end=meeting.ends_at, summary=summary(meeting, youth),
        organiser=organiser(settings, user), description=meeting.agenda,
        location=location(meeting, youth),
        url=staff_url(settings, meeting) if url is None else url,
        last_modified=meeting.updated_at,
    )


def attendees(invitees: Sequence[MeetingInvitee]) -> list[ical.Attendee]:
    """The e-mail invitees as iCalendar attendees, one per address, each with their role's
    label in the current language and the answer they have given (by the reply page or
    from their calendar program)."""
    seen: set[str] = set()
    out = []
    for invitee in invitees:
        if invitee.channel is Channel.EMAIL and invitee.email:
            key = invitee.email.casefold()
            if key not in seen:
                seen.add(key)
                out.append(ical.Attendee(invitee.name, invitee.email, invitee.required,
                                         i18n.gettext(invitee.role_label),
                                         itip.partstat(invitee.answer)))
    return out


def contact_text(user: User) -> str:
    if user.phone:
        return i18n.gettext("Call %(name)s on %(phone)s, or write to %(email)s.") % {
            "name": user.full_name, "phone": user.phone, "email": user.email}
    return i18n.gettext("Write to %(name)s at %(email)s.") % {
        "name": user.full_name, "email": user.email}


def _with_reply_links(body: InviteBody, settings: Settings, meeting: Meeting,
                      invitee: MeetingInvitee) -> InviteBody:
    base = reply_url(settings, meeting, invitee)
    yes, no = f"{base}?answer=accepted", f"{base}?answer=declined"
    accept, decline = i18n.gettext("I will come"), i18n.gettext("I cannot come")
    ask = i18n.gettext("Please tell us whether you will come:")
    text = body.text + f"\n{ask}\n{accept}: {yes}\n{decline}: {no}\n"
    links = (f'<p>{ask}</p><p><a href="{yes}">{accept}</a> &middot; '
             f'<a href="{no}">{decline}</a></p>')
    return InviteBody(text=text, html=body.html.replace("</body>", links + "</body>"))


def _intro(session: Session, kind: OutboxKind, meeting: Meeting,
           youth: Youth) -> tuple[str, str]:
    what = summary(meeting, youth)
    when = format_when_da(meeting.starts_at, meeting.ends_at)
    if kind is OutboxKind.MEETING_CANCEL:  # the administrator's template
        subject, body = letter_templates.texts(session, TemplateKey.MEETING_CANCELLED)
        values = {"fornavn": youth.first_name, "mødet": what, "tidspunkt": when,
                  "sted": location(meeting, youth)}
        return letters.render(subject, values), letters.render(body, values)
    texts = {
        OutboxKind.MEETING_INVITE: (i18n.gettext("Invitation: %(what)s, %(when)s"),
                                    i18n.gettext("You are invited to a meeting.")),
        OutboxKind.MEETING_UPDATE: (i18n.gettext("Changed: %(what)s, %(when)s"),
                                    i18n.gettext("The meeting has been changed. See the "
                                                 "time and place below.")),
        OutboxKind.MEETING_REMOVED: (i18n.gettext("You are no longer invited: %(what)s"),
                                     i18n.gettext("You are no longer invited to this "
                                                  "meeting.")),
        OutboxKind.MEETING_COUNTER_DECLINED: (
            i18n.gettext("Your proposal: %(what)s"),
            i18n.gettext("Thank you for proposing another time. The meeting stays at the "
                         "time below until the organiser moves it. Get in touch if it does "
                         "not suit you.")),
    }
    subject, intro = texts[kind]
    return subject % {"what": what, "when": when}, intro


def queue(session: Session, settings: Settings, *, kind: OutboxKind, meeting: Meeting,
          youth: Youth, organiser_user: User, invitees: Sequence[MeetingInvitee],
          calendar_to: Sequence[MeetingInvitee], sender: User, now: datetime) -> int:
    """Writes one message per invitee in ``invitees`` to the outbox; the calendar lists
    ``calendar_to`` (all current invitees, or only the removed one). Returns the count.
    Raises ``FieldError`` when a text people wrote looks like it holds a CPR number."""
    refuse_cpr(written_texts(meeting, youth, [*invitees, *calendar_to], organiser_user))
    with i18n.locale("da"):
        return _queue(session, settings, kind, meeting, youth, organiser_user, invitees,
                      calendar_to, sender, now)


def _calendar(kind: OutboxKind, event: ical.Meeting, listed: list[ical.Attendee]) -> bytes:
    if kind is OutboxKind.MEETING_CANCEL:
        return ical.cancel(event, listed)
    if kind is OutboxKind.MEETING_REMOVED:
        return ical.cancel_for_removed_attendee(event, listed[0])
    if kind is OutboxKind.MEETING_COUNTER_DECLINED:
        return ical.decline_counter(event, listed[0])
    return ical.request(event, listed)


def _queue(session: Session, settings: Settings, kind: OutboxKind, meeting: Meeting,
           youth: Youth, organiser_user: User, invitees: Sequence[MeetingInvitee],
           calendar_to: Sequence[MeetingInvitee], sender: User, now: datetime) -> int:
    subject, intro = _intro(session, kind, meeting, youth)
    event = as_ical(settings, meeting, youth, organiser_user, now)
    listed = attendees(calendar_to)
    body = invite_body(
        intro=intro, what=event.summary, when=format_when_da(meeting.starts_at, meeting.ends_at),
        where=event.location, attendees=listed, contact=contact_text(organiser_user),
    )
    count = 0
    for invitee in invitees:
        common = {"kind": kind, "subject": subject, "youth_id": youth.id,
                  "meeting_id": meeting.id, "recipient_name": invitee.name,
                  "recipient_user_id": invitee.user_id, "created_by_id": sender.id, "now": now}
        if invitee.channel is Channel.EMAIL and invitee.email and listed:
            personal = body
            if kind in (OutboxKind.MEETING_INVITE, OutboxKind.MEETING_UPDATE):
                personal = _with_reply_links(body, settings, meeting, invitee)
            # Each invitee's calendar links to their own reply page, never to a staff page.
            own = replace(event, url=reply_url(settings, meeting, invitee))
            calendar = _calendar(kind, own, listed)
            message_id = outbox.new_message_id(settings)
            email = invite_message(
                calendar=calendar, message_id=message_id,
                sender=Mailbox(settings.mail_from_name, settings.mail_from),
                recipients=[Mailbox(invitee.name, invitee.email)], subject=subject,
                body=personal, sent_at=now,
            )
            outbox.enqueue(session, settings, **common, body=personal.text,
                           recipient_email=invitee.email, message_id=message_id,
                           mime=bytes(email).decode("utf-8"))
        else:
            channel = invitee.channel if invitee.channel is not Channel.EMAIL else Channel.LETTER
            outbox.enqueue(session, settings, **common, body=body.text, recipient_email=None,
                           channel=channel, recipient_address=invitee.address,
                           recipient_phone=invitee.phone)
        count += 1
    return count


def minutes_messages(session: Session, settings: Settings, meeting: Meeting, youth: Youth,
                     people: Sequence[MeetingInvitee], points: Sequence[ActionPoint],
                     sender: User, now: datetime) -> int:
    """The minutes to ``people``. Raises ``FieldError`` when a text people wrote looks like
    it holds a CPR number."""
    refuse_cpr(minutes_texts(meeting, youth, people, points, sender))
    with i18n.locale("da"):
        what = summary(meeting, youth)
        subject = i18n.gettext("Minutes: %(what)s") % {"what": what}
        lines = [what, format_when_da(meeting.starts_at, meeting.ends_at), "",
                 i18n.gettext("Minutes"), meeting.minutes or "-", "",
                 i18n.gettext("Decisions"), meeting.decisions or "-", ""]
        if points:
            lines.append(i18n.gettext("Action points"))
            lines += [f"- {p.text} ({i18n.format_date(p.due_on)})" for p in points]
            lines.append("")
        lines.append(contact_text(sender))
        body = "\n".join(lines)
    for person in people:
        by_email = person.channel is Channel.EMAIL and bool(person.email)
        outbox.enqueue(
            session, settings, kind=OutboxKind.MEETING_MINUTES, subject=subject, body=body,
            recipient_email=person.email if by_email else None,
            channel=Channel.EMAIL if by_email else Channel.LETTER, youth_id=youth.id,
            meeting_id=meeting.id, recipient_name=person.name, recipient_user_id=person.user_id,
            recipient_address=person.address, created_by_id=sender.id, now=now,
        )
    return len(people)
