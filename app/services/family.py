"""The family's own page (/borger): what the young person or a custody holder sees, and what
they do there: answer meetings, share the page or withdraw a consent, write to the caseworker,
propose changes to the communication agreement. The caller has found the young person through
the access rule (deps.youth_scope with the citizen as principal)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from app import i18n
from app.domain import inquiry as inquiry_rules
from app.domain.consent import eighteenth_birthday, timing_problem
from app.domain.cpr import CprError, cpr_lookup_hash, parse_cpr
from app.domain.family import Relation, share_counts
from app.domain.letters import SHIPPED, TemplateKey
from app.domain.meeting import ReplyClaim
from app.domain.principal import Citizen
from app.domain.validation import FieldError
from app.i18n import N_, Msg
from app.models.audit import AuditAction
from app.models.base import utcnow
from app.models.family import CommunicationProposal, ProposalStatus
from app.models.handover import Consent, ConsentMethod, GiverRole, Purpose
from app.models.inquiry import Inquiry, InquirySender
from app.models.meeting import Answer, Meeting, MeetingInvitee, MeetingStatus
from app.models.network import NetworkMember, Person
from app.models.outbox import OutboxKind, OutboxMessage
from app.models.user import User
from app.models.youth import Channel, EventKind, Frequency, Youth, YouthEvent
from app.services import audit, citizens, handover, inquiries, meetings, network, outbox
from app.services.letters import COPY_KINDS
from app.services.timeline import StepView, steps_for
from app.settings import Settings

INQUIRY_CHANNEL = Channel.DIGITAL_POST  # a written message through the family's page


class NotYoursError(Exception):
    """The object is not the citizen's to act on (answered as not found)."""


@dataclass(frozen=True)
class Viewer:
    citizen: Citizen
    youth: Youth
    relation: Relation
    member: NetworkMember | None  # the custody holder's place in the network

    @property
    def is_youth(self) -> bool:
        return self.relation is Relation.SELF


def viewer(session: Session, citizen: Citizen, youth: Youth) -> Viewer:
    relation = citizens.relation_to(session, citizen, youth)
    member = citizens.member_of(session, citizen, youth) if relation is Relation.CUSTODY else None
    return Viewer(citizen, youth, relation, member)


# --- what the page shows -------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingRow:
    meeting: Meeting
    invitee: MeetingInvitee | None  # the viewer's invitation, when they are invited
    ahead: bool

    @property
    def may_answer(self) -> bool:
        return (self.ahead and self.invitee is not None
                and self.meeting.status is MeetingStatus.PLANNED)


@dataclass(frozen=True)
class ConsentRow:
    consent: Consent
    counts: bool
    problem: Msg | None
    documents: list[str]
    people: list[str]
    mine: bool  # given by the viewer: they may withdraw it


@dataclass(frozen=True)
class ShareRow:
    member: network.MemberView
    shared: bool


@dataclass(frozen=True)
class FamilyPage:
    viewer: Viewer
    adult_from: date
    is_adult: bool
    steps: list[StepView]
    next_steps: list[StepView]
    changes_at_18: list[str]
    coordinator: User | None
    buddy: User | None
    meetings: list[MeetingRow]
    members: list[network.MemberView]
    consents: list[ConsentRow]
    shares: list[ShareRow]
    documents: list[handover.DocumentView]
    letters: list[OutboxMessage]
    inquiries: list[Inquiry]
    proposals: list[CommunicationProposal]


def changes_at_18() -> list[str]:
    """What changes at 18, in the words of the shipped letter about turning 18."""
    body = SHIPPED[TemplateKey.TURNING_18].body
    return [line[2:].strip() for line in body.splitlines() if line.startswith("- ")]


def _invitation(invitees: list[MeetingInvitee], who: Viewer) -> MeetingInvitee | None:
    for invitee in invitees:
        if invitee.removed_at is not None:
            continue
        if who.is_youth and invitee.member_id is None and invitee.user_id is None:
            return invitee
        if who.member is not None and invitee.member_id == who.member.id:
            return invitee
    return None


def meeting_rows(session: Session, who: Viewer, now: datetime) -> list[MeetingRow]:
    rows = []
    for meeting in meetings.for_youth(session, who.youth):
        invitees = meetings.invitees(session, meeting)
        rows.append(MeetingRow(meeting, _invitation(invitees, who), meeting.ends_at > now))
    ahead = sorted((r for r in rows if r.ahead), key=lambda r: r.meeting.starts_at)
    past = sorted((r for r in rows if not r.ahead), key=lambda r: r.meeting.starts_at,
                  reverse=True)
    return ahead + past


def _given_by(consent: Consent, who: Viewer) -> bool:
    if who.is_youth:
        return consent.giver_role is GiverRole.YOUTH
    return who.member is not None and consent.giver_member_id == who.member.id


def consent_rows(session: Session, who: Viewer, today: date) -> list[ConsentRow]:
    youth = who.youth
    names = {t.id: t.name for t in handover.catalogue(session)}
    people = {v.id: v.person.name for v in network.members(session, youth, today)}
    rows = []
    for consent in handover.consents(session, youth):
        problem = timing_problem(handover.facts(consent), youth.birth_date, today)
        rows.append(ConsentRow(
            consent, problem is None, problem,
            [names.get(i, "?") for i in consent.document_type_ids],
            [people.get(i, "?") for i in consent.invitee_member_ids],
            _given_by(consent, who)))
    return rows


def share_rows(session: Session, who: Viewer, today: date) -> list[ShareRow]:
    """The custody holders the young person can let keep seeing the page after 18."""
    if not who.is_youth:
        return []
    youth = who.youth
    consents = citizens.share_consents(session, youth.id or 0)
    out = []
    for view in network.members(session, youth, today):
        if not view.member.custody_holder:
            continue
        shared = any(share_counts(handover.facts(c), youth.birth_date, today)
                     for c in consents if view.id in c.invitee_member_ids)
        out.append(ShareRow(view, shared))
    return out


def letters_to(session: Session, who: Viewer) -> list[OutboxMessage]:
    """The letters sent to the viewer about this young person (by the name they were sent
    to: the young person's, or the custody holder's on the network map)."""
    if who.is_youth:
        name = who.youth.full_name
    else:
        person = session.get(Person, who.member.person_id) if who.member else None
        name = person.name if person else ""
    if not name:
        return []
    return list(session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.youth_id == who.youth.id, col(OutboxMessage.kind).in_(COPY_KINDS),
               OutboxMessage.recipient_name == name)
        .order_by(col(OutboxMessage.created_at).desc(), col(OutboxMessage.id).desc())
        .limit(50)))


def family_inquiries(session: Session, youth: Youth) -> list[Inquiry]:
    return [i for i in inquiries.for_youth(session, youth.id or 0)
            if i.sender_kind in (InquirySender.YOUTH, InquirySender.FAMILY)]


def proposals(session: Session, youth: Youth) -> list[CommunicationProposal]:
    return list(session.exec(
        select(CommunicationProposal).where(CommunicationProposal.youth_id == youth.id)
        .order_by(col(CommunicationProposal.proposed_at).desc(),
                  col(CommunicationProposal.id).desc())))


def page(session: Session, citizen: Citizen, youth: Youth, today: date, now: datetime
         ) -> FamilyPage:
    who = viewer(session, citizen, youth)
    steps = steps_for(session, youth.id or 0, today)
    open_steps = [s for s in steps if s.row.done_at is None and not s.row.not_applicable_reason]
    users = {u.id: u for u in session.exec(select(User).where(
        col(User.id).in_([i for i in (youth.coordinator_id, youth.buddy_id) if i])))}
    adult_from = eighteenth_birthday(youth.birth_date)
    return FamilyPage(
        viewer=who, adult_from=adult_from, is_adult=today >= adult_from, steps=steps,
        next_steps=open_steps[:3], changes_at_18=changes_at_18(),
        coordinator=users.get(youth.coordinator_id), buddy=users.get(youth.buddy_id),
        meetings=meeting_rows(session, who, now),
        members=network.members(session, youth, today),
        consents=consent_rows(session, who, today), shares=share_rows(session, who, today),
        documents=handover.checklist(session, youth), letters=letters_to(session, who),
        inquiries=family_inquiries(session, youth), proposals=proposals(session, youth),
    )


# --- what the family does ------------------------------------------------------------------


def _event(session: Session, youth: Youth, kind: EventKind, detail: str) -> None:
    session.add(YouthEvent(youth_id=youth.id or 0, actor_id=None, kind=kind,
                           detail=detail[:500]))


def _who_text(who: Viewer, *, named: bool = True) -> str:
    """Who acted, for the case history (named) or an e-mail to staff (never named)."""
    with i18n.locale("da"):
        if who.is_youth:
            return i18n.gettext("the young person")
        if not named:
            return i18n.gettext("a parent")
        return i18n.gettext("%(name)s (parent)") % {"name": who.citizen.name or "?"}


def tell_caseworkers(session: Session, settings: Settings, youth: Youth, what: str,
                     now: datetime) -> None:
    """An e-mail to the coordinating caseworker and the buddy: something happened on the
    family's page. No name and no CPR number: the link leads to the case after login."""
    ids = [i for i in (youth.coordinator_id, youth.buddy_id) if i is not None]
    people = list(session.exec(select(User).where(col(User.id).in_(ids),
                                                  col(User.is_active).is_(True)))) if ids else []
    with i18n.locale("da"):
        subject = i18n.gettext("News from the family's page")
        body = "\n\n".join([
            what,
            i18n.gettext("See the case (log in first): %(url)s")
            % {"url": f"{settings.public_base_url}/youths/{youth.id}"},
        ])
    for person in people:
        outbox.enqueue(session, settings, kind=OutboxKind.FAMILY_NOTICE, subject=subject,
                       body=body, recipient_email=person.email,
                       recipient_name=person.full_name, recipient_user_id=person.id,
                       youth_id=youth.id, now=now)


def answer_meeting(session: Session, who: Viewer, invitee_id: int, answer: Answer,
                   now: datetime) -> Meeting:
    """The viewer's answer to an invitation: the same answer as the reply link records."""
    invitee = session.get(MeetingInvitee, invitee_id)
    meeting = session.get(Meeting, invitee.meeting_id) if invitee else None
    if invitee is None or meeting is None or meeting.youth_id != who.youth.id:
        raise NotYoursError()
    if _invitation([invitee], who) is None:
        raise NotYoursError()
    claim = ReplyClaim(invitee_id=invitee_id, meeting_id=meeting.id or 0, expires=now)
    meetings.record_answer(session, claim, answer, now)
    audit.record(session, AuditAction.UPDATE, actor=who.citizen, object_type="meeting_invitee",
                 object_id=invitee_id, youth_id=who.youth.id, detail=f"answer {answer.value}")
    return meeting


def withdraw_consent(session: Session, settings: Settings, who: Viewer, consent_id: int,
                     today: date, now: datetime) -> Consent:
    """Withdraws a consent the viewer gave, from today. The consent is kept with the
    withdrawal recorded on it; the caseworkers are told."""
    consent = session.get(Consent, consent_id)
    if consent is None or consent.youth_id != who.youth.id or not _given_by(consent, who):
        raise NotYoursError()
    session.refresh(consent, with_for_update=True)
    if consent.withdrawn_on is not None:
        raise FieldError(N_("The consent has already been withdrawn."), field="consent")
    with i18n.locale("da"):
        reason = i18n.gettext("Withdrawn on the family's page")
    consent.withdrawn_on = max(today, consent.given_on)
    consent.withdrawal_reason, consent.withdrawn_at = reason, now
    session.add(consent)
    _event(session, who.youth, EventKind.CONSENT_WITHDRAWN, f"{_who_text(who)}: {reason}")
    audit.record(session, AuditAction.UPDATE, actor=who.citizen, object_type="consent",
                 object_id=consent.id, youth_id=who.youth.id, detail="withdrawn")
    with i18n.locale("da"):
        what = i18n.gettext("A consent was withdrawn on the family's page by %(who)s.") % {
            "who": _who_text(who, named=False)}
    tell_caseworkers(session, settings, who.youth, what, now)
    session.flush()
    return consent


def share_with(session: Session, settings: Settings, who: Viewer, member_id: int,
               today: date, now: datetime) -> Consent:
    """The young person lets a custody holder keep seeing the page after 18: a consent of
    their own (digital, given on the page), recorded like the others."""
    if not who.is_youth:
        raise NotYoursError()
    view = next((v for v in network.members(session, who.youth, today)
                 if v.id == member_id and v.member.custody_holder), None)
    if view is None:
        raise FieldError(N_("Choose a parent from the list."), field="member_id")
    consent = Consent(
        youth_id=who.youth.id or 0, giver_role=GiverRole.YOUTH, giver_name=who.youth.full_name,
        purposes=[Purpose.SHARE_WITH_FAMILY.value], invitee_member_ids=[member_id],
        method=ConsentMethod.DIGITAL, given_on=today, note="",
    )
    session.add(consent)
    session.flush()
    _event(session, who.youth, EventKind.CONSENT_RECORDED, _who_text(who))
    audit.record(session, AuditAction.CREATE, actor=who.citizen, object_type="consent",
                 object_id=consent.id, youth_id=who.youth.id, detail="share with parent")
    with i18n.locale("da"):
        what = i18n.gettext("The young person let a parent keep seeing the family's page.")
    tell_caseworkers(session, settings, who.youth, what, now)
    return consent


def write_inquiry(session: Session, settings: Settings, who: Viewer, text: str,
                  now: datetime) -> Inquiry:
    """A message from the page: an inquiry with the 48-working-hour clock, like one the
    caseworker logs."""
    text = text.strip()
    if not text:
        raise FieldError(N_("Write your message."), field="summary")
    if len(text) > 2000:
        raise FieldError(N_("Write at most 2000 characters."), field="summary")
    row = Inquiry(
        youth_id=who.youth.id or 0, received_at=now, channel=INQUIRY_CHANNEL,
        sender_kind=InquirySender.YOUTH if who.is_youth else InquirySender.FAMILY,
        sender_name=(who.citizen.name or "")[:120], summary=text,
        due_at=inquiry_rules.due_at(now, inquiries.closing_days(session), settings.tz),
    )
    session.add(row)
    _event(session, who.youth, EventKind.INQUIRY_RECEIVED, _who_text(who))
    session.flush()
    audit.record(session, AuditAction.CREATE, actor=who.citizen, object_type="inquiry",
                 object_id=row.id, youth_id=who.youth.id)
    return row


def propose(session: Session, settings: Settings, who: Viewer, *, channel: Channel,
            frequency: Frequency, interpreter_language: str, plain_language: bool,
            note: str, now: datetime) -> CommunicationProposal:
    row = CommunicationProposal(
        youth_id=who.youth.id or 0, proposed_at=now, proposed_by_ref=who.citizen.ref,
        proposed_by_name=(who.citizen.name or "")[:120], comm_channel=channel,
        comm_frequency=frequency, interpreter_language=interpreter_language,
        plain_language=plain_language, note=note)
    session.add(row)
    session.flush()
    audit.record(session, AuditAction.CREATE, actor=who.citizen,
                 object_type="communication_proposal", object_id=row.id, youth_id=who.youth.id)
    with i18n.locale("da"):
        what = i18n.gettext(
            "%(who)s proposed a change of the communication agreement. Confirm or decline "
            "it on the young person's page.") % {"who": _who_text(who, named=False)}
    what = what[:1].upper() + what[1:]
    tell_caseworkers(session, settings, who.youth, what, now)
    return row


def open_proposals(session: Session, youth_id: int) -> list[CommunicationProposal]:
    return list(session.exec(
        select(CommunicationProposal).where(
            CommunicationProposal.youth_id == youth_id,
            CommunicationProposal.status == ProposalStatus.PROPOSED)
        .order_by(col(CommunicationProposal.proposed_at))))


def decide_proposal(session: Session, user: User, youth: Youth, proposal_id: int,
                    confirm: bool) -> CommunicationProposal:
    """The caseworker confirms (the agreement changes) or declines a proposal."""
    row = session.get(CommunicationProposal, proposal_id)
    if row is None or row.youth_id != youth.id:
        raise NotYoursError()
    if row.status is not ProposalStatus.PROPOSED:
        raise FieldError(N_("The proposal has already been answered."), field="proposal")
    row.status = ProposalStatus.CONFIRMED if confirm else ProposalStatus.DECLINED
    row.decided_at, row.decided_by_id = utcnow(), user.id
    if confirm:
        youth.comm_channel, youth.comm_frequency = row.comm_channel, row.comm_frequency
        youth.interpreter_language = row.interpreter_language
        youth.plain_language = row.plain_language
        youth.updated_at = utcnow()
        session.add(youth)
        session.add(YouthEvent(youth_id=youth.id or 0, actor_id=user.id,
                               kind=EventKind.UPDATED,
                               detail="communication agreement changed as proposed"))
    session.add(row)
    audit.record(session, AuditAction.UPDATE, actor=user, object_type="communication_proposal",
                 object_id=row.id, youth_id=youth.id,
                 detail="confirmed" if confirm else "declined")
    session.flush()
    return row



# --- the staff side: who can log in, and the proposals --------------------------------------


@dataclass(frozen=True)
class CustodyLogin:
    view: network.MemberView
    registered: bool  # a CPR number is registered for the login to the family's page


def custody_logins(session: Session, youth: Youth, today: date) -> list[CustodyLogin]:
    return [CustodyLogin(v, bool(v.person.cpr_hash))
            for v in network.members(session, youth, today) if v.member.custody_holder]


def register_custody_cpr(session: Session, settings: Settings, user: User, youth: Youth,
                         member_id: int, cpr_text: str, today: date) -> None:
    """Registers a custody holder's CPR number (only its keyed hash is kept) so that they
    can log in to the family's page with MitID. Raises FieldError on the field `cpr`."""
    view = next((v for v in network.members(session, youth, today)
                 if v.id == member_id and v.member.custody_holder), None)
    if view is None:
        raise NotYoursError()
    try:
        cpr = parse_cpr(cpr_text)
    except CprError:
        raise FieldError(N_("Enter the CPR number as DDMMYY-XXXX."), field="cpr") from None
    cpr_hash = cpr_lookup_hash(cpr.digits, settings.key)
    if cpr_hash == youth.cpr_hash:
        raise FieldError(N_("That is the young person's own CPR number."), field="cpr")
    view.person.cpr_hash = cpr_hash
    view.person.updated_at = utcnow()
    session.add(view.person)
    audit.record(session, AuditAction.UPDATE, actor=user, object_type="network_member",
                 object_id=member_id, youth_id=youth.id, detail="family page login registered")
    session.flush()
