"""The family's page as a family sees it: where they are in the transition and why, who to
call, meetings with accept/decline, the network, consents (sharing the page after 18 and
withdrawing), papers, letters, messages to the caseworker and the communication agreement."""

from __future__ import annotations

from datetime import date, timedelta
from html.parser import HTMLParser
from typing import ClassVar

from sqlmodel import Session, select

from app.domain import inquiry as inquiry_rules
from app.domain.inquiry import AnswerData
from app.domain.letters import lix
from app.models.audit import AuditEvent
from app.models.family import CommunicationProposal, ProposalStatus
from app.models.handover import Consent, ConsentMethod, GiverRole, Purpose
from app.models.inquiry import Inquiry, InquirySender
from app.models.meeting import (
    Answer,
    Meeting,
    MeetingInvitee,
    MeetingKind,
    PlaceKind,
)
from app.models.outbox import OutboxKind, OutboxMessage
from app.models.youth import Channel, EventKind, Frequency, Youth, YouthEvent
from app.services import inquiries
from tests.conftest import at_copenhagen, csrf_from, login
from tests.integration.family_world import (
    ANNE_CPR,
    FREJA_CPR,
    Family,
    citizen_login,
    make_family,
)

BEFORE, LATER = date(2026, 1, 12), date(2027, 6, 1)  # Freja is 17, then 19
MAX_LIX = 40


class _MainText(HTMLParser):
    """The text a reader gets from <main>, one line per block (headings, items, cells)."""

    BLOCKS: ClassVar[set[str]] = {"p", "li", "h1", "h2", "h3", "h4", "td", "th", "label",
                                  "summary", "option", "button", "a", "caption", "div", "span"}

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        self._in_main = False
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "main":
            self._in_main = True
        if tag in ("svg", "script"):
            self._skip += 1
        if tag in self.BLOCKS:
            self.lines.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("svg", "script"):
            self._skip -= 1
        if tag == "main":
            self._in_main = False

    def handle_data(self, data: str) -> None:
        if self._in_main and not self._skip and data.strip():
            if not self.lines:
                self.lines.append("")
            self.lines[-1] += " " + " ".join(data.split())


def main_text(html: str) -> str:
    parser = _MainText()
    parser.feed(html)
    return "\n".join(line.strip() for line in parser.lines if line.strip())


def _meeting(session: Session, family: Family, days: int) -> tuple[Meeting, MeetingInvitee,
                                                                    MeetingInvitee]:
    start = at_copenhagen(BEFORE, 10) + timedelta(days=days)
    meeting = Meeting(uid=f"0d7c8f1e-1111-4c5e-9a1b-00000000000{days % 10}",
                      youth_id=family.freja.id or 0, kind=MeetingKind.COORDINATION,
                      starts_at=start, ends_at=start + timedelta(hours=1),
                      place_kind=PlaceKind.TOWN_HALL, place_detail="Mødelokale 2",
                      organiser_id=family.coordinator.id or 0)
    session.add(meeting)
    session.flush()
    freja = MeetingInvitee(meeting_id=meeting.id or 0, name="Freja Holm")
    anne = MeetingInvitee(meeting_id=meeting.id or 0, member_id=family.anne.id,
                          name="Anne Holm")
    session.add_all([freja, anne])
    session.commit()
    return meeting, freja, anne


def test_the_page_tells_where_they_are_who_to_call_and_why(client, session, settings, clock):
    clock.set(at_copenhagen(BEFORE))
    family = make_family(session, settings, BEFORE)
    citizen_login(client, session, settings, FREJA_CPR, "Freja Holm")
    page = client.get(f"/borger/unge/{family.freja.id}")
    assert page.status_code == 200
    text = main_text(page.text)
    assert "Freja fylder 18 år den 4. marts 2026." in text
    assert "Det sker der nu:" in text  # the next open steps of the timeline, with dates
    assert "Når man er 18 år, bestemmer man selv." in text  # the shipped letter's words
    assert "Lars Bech Nielsen" in text and "Birgitte Dahl" in text
    assert "+45 12 34 56 78" in text and "lars@kommune.example" in text
    assert "Anne Holm" in text  # the network table


def test_the_page_reads_plainly_for_the_young_person_and_the_parent(
        client, session, settings, clock):
    clock.set(at_copenhagen(BEFORE))
    family = make_family(session, settings, BEFORE)
    _meeting(session, family, 7)
    for cpr in (FREJA_CPR, ANNE_CPR):
        citizen_login(client, session, settings, cpr)
        text = main_text(client.get(f"/borger/unge/{family.freja.id}").text)
        assert len(text.split()) > 150
        assert lix(text) <= MAX_LIX, (cpr, lix(text))


def test_each_answers_their_own_invitation_as_the_reply_link_does(
        client, session, settings, clock):
    clock.set(at_copenhagen(BEFORE))
    family = make_family(session, settings, BEFORE)
    _, freja_invite, anne_invite = _meeting(session, family, 7)
    _past, _a, _b = _meeting(session, family, -7)
    citizen_login(client, session, settings, ANNE_CPR)
    csrf = csrf_from(client.get(f"/borger/unge/{family.freja.id}").text)
    url = f"/borger/unge/{family.freja.id}/moeder"
    assert client.post(f"{url}/{freja_invite.id}", data={"answer": "accepted",
                                                       "csrf_token": csrf}).status_code == 404
    done = client.post(f"{url}/{anne_invite.id}", data={"answer": "declined",
                                                       "csrf_token": csrf})
    assert done.status_code == 303
    assert client.post(f"{url}/{_b.id}", data={"answer": "accepted",
                                              "csrf_token": csrf}).status_code == 404  # past
    session.expire_all()
    assert session.get(MeetingInvitee, anne_invite.id).answer is Answer.DECLINED
    assert session.get(MeetingInvitee, freja_invite.id).answer is Answer.NEEDS_ACTION
    citizen_login(client, session, settings, FREJA_CPR)
    csrf = csrf_from(client.get(f"/borger/unge/{family.freja.id}").text)
    client.post(f"{url}/{freja_invite.id}", data={"answer": "accepted", "csrf_token": csrf})
    session.expire_all()
    assert session.get(MeetingInvitee, freja_invite.id).answer is Answer.ACCEPTED
    text = main_text(client.get(f"/borger/unge/{family.freja.id}").text)
    assert "Dit svar: Kommer" in text


def test_a_parent_withdraws_their_consent_which_is_kept_and_the_caseworker_told(
        client, session, settings, clock):
    clock.set(at_copenhagen(BEFORE))
    family = make_family(session, settings, BEFORE)
    consent = Consent(youth_id=family.freja.id or 0, giver_role=GiverRole.CUSTODY_HOLDER,
                      giver_member_id=family.anne.id, giver_name="Anne Holm",
                      purposes=[Purpose.INVITE_NETWORK.value],
                      invitee_member_ids=[family.grete.id], method=ConsentMethod.WRITTEN,
                      given_on=BEFORE - timedelta(days=30))
    session.add(consent)
    session.commit()
    citizen_login(client, session, settings, FREJA_CPR)  # not hers: no way to withdraw it
    assert client.get(f"/borger/unge/{family.freja.id}/samtykker/{consent.id}"
                      ).status_code == 404
    citizen_login(client, session, settings, ANNE_CPR, "Anne Holm")
    page = client.get(f"/borger/unge/{family.freja.id}")
    assert "Tag samtykket tilbage" in page.text and "Grete Holm" in main_text(page.text)
    confirm = client.get(f"/borger/unge/{family.freja.id}/samtykker/{consent.id}")
    assert confirm.status_code == 200 and "Ja, træk samtykket tilbage" in confirm.text
    done = client.post(f"/borger/unge/{family.freja.id}/samtykker/{consent.id}",
                       data={"csrf_token": csrf_from(confirm.text)})
    assert done.status_code == 303
    session.expire_all()
    kept = session.get(Consent, consent.id)
    assert kept is not None and kept.withdrawn_on == BEFORE
    assert session.exec(select(YouthEvent).where(
        YouthEvent.kind == EventKind.CONSENT_WITHDRAWN)).first() is not None
    notices = session.exec(select(OutboxMessage).where(
        OutboxMessage.kind == OutboxKind.FAMILY_NOTICE)).all()
    assert sorted(n.recipient_name for n in notices) == ["Birgitte Dahl", "Lars Bech Nielsen"]
    for notice in notices:  # the coordinating caseworker and the buddy
        assert "samtykke" in notice.body and f"/youths/{family.freja.id}" in notice.body
        assert ANNE_CPR not in notice.body and "Holm" not in notice.body
    again = client.post(f"/borger/unge/{family.freja.id}/samtykker/{consent.id}",
                        data={"csrf_token": csrf_from(confirm.text)})
    assert again.status_code == 409


def test_after_18_the_young_person_shares_the_page_with_a_parent_and_takes_it_back(
        client, session, settings, clock):
    clock.set(at_copenhagen(LATER))
    family = make_family(session, settings, LATER)
    citizen_login(client, session, settings, ANNE_CPR)
    assert client.get(f"/borger/unge/{family.freja.id}").status_code == 404
    citizen_login(client, session, settings, FREJA_CPR)
    page = client.get(f"/borger/unge/{family.freja.id}")
    assert "Lad en forælder se siden" in page.text
    shared = client.post(f"/borger/unge/{family.freja.id}/del",
                         data={"member_id": str(family.anne.id),
                               "csrf_token": csrf_from(page.text)})
    assert shared.status_code == 303
    bad = client.post(f"/borger/unge/{family.freja.id}/del",
                      data={"member_id": str(family.grete.id),  # no custody
                            "csrf_token": csrf_from(page.text)})
    assert bad.status_code == 400 and "Vælg en forælder på listen." in bad.text
    citizen_login(client, session, settings, ANNE_CPR)
    assert client.get(f"/borger/unge/{family.freja.id}").status_code == 200
    session.expire_all()
    consent = session.exec(select(Consent).where(Consent.youth_id == family.freja.id)).one()
    assert consent.giver_role is GiverRole.YOUTH
    assert consent.method is ConsentMethod.DIGITAL and consent.given_on == LATER
    citizen_login(client, session, settings, FREJA_CPR)
    confirm = client.get(f"/borger/unge/{family.freja.id}/samtykker/{consent.id}")
    client.post(f"/borger/unge/{family.freja.id}/samtykker/{consent.id}",
                data={"csrf_token": csrf_from(confirm.text)})
    citizen_login(client, session, settings, ANNE_CPR)
    assert client.get(f"/borger/unge/{family.freja.id}").status_code == 404


def test_papers_show_titles_and_status_and_letters_only_the_readers_own(
        client, session, settings, clock):
    clock.set(at_copenhagen(BEFORE))
    family = make_family(session, settings, BEFORE)
    now = at_copenhagen(BEFORE)
    for name, subject in (("Freja Holm", "Til Freja om 18 år"), ("Anne Holm", "Til Anne")):
        session.add(OutboxMessage(message_id=f"<{name[:4]}@kommune.example>",
                                  kind=OutboxKind.LETTER, youth_id=family.freja.id,
                                  recipient_name=name, subject=subject, body="Kære " + name,
                                  deadline_at=now))
    session.commit()
    citizen_login(client, session, settings, FREJA_CPR)
    client.get("/youths")  # a citizen's session does not open the checklist for staff
    text = main_text(client.get(f"/borger/unge/{family.freja.id}").text)
    assert "Til Freja om 18 år" in text and "Til Anne" not in text
    assert "Vi mangler den" in text  # the checklist's documents: title and status only
    citizen_login(client, session, settings, ANNE_CPR)
    text = main_text(client.get(f"/borger/unge/{family.freja.id}").text)
    assert "Til Anne" in text and "Til Freja om 18 år" not in text


def test_a_message_is_an_inquiry_with_the_48_hour_clock_and_its_answer_is_shown(
        client, session, settings, clock):
    clock.set(at_copenhagen(BEFORE))
    family = make_family(session, settings, BEFORE)
    citizen_login(client, session, settings, ANNE_CPR, "Anne Holm")
    page = client.get(f"/borger/unge/{family.freja.id}")
    empty = client.post(f"/borger/unge/{family.freja.id}/beskeder",
                        data={"summary": "  ", "csrf_token": csrf_from(page.text)})
    assert empty.status_code == 400 and "Skriv din besked." in empty.text
    session.expire_all()
    assert session.exec(select(Inquiry)).all() == []
    sent = client.post(f"/borger/unge/{family.freja.id}/beskeder",
                       data={"summary": "Hvornår er næste møde?",
                             "csrf_token": csrf_from(page.text)})
    assert sent.status_code == 303
    session.expire_all()
    row = session.exec(select(Inquiry)).one()
    assert row.sender_kind is InquirySender.FAMILY and row.sender_name == "Anne Holm"
    assert row.due_at == inquiry_rules.due_at(row.received_at, frozenset(), settings.tz)
    assert "Sendt. Vi har ikke læst den endnu" in client.get(
        f"/borger/unge/{family.freja.id}").text
    inquiries.acknowledge(session, family.coordinator, row.id or 0, at_copenhagen(BEFORE, 11))
    inquiries.answer(session, settings, family.coordinator, row.id or 0, AnswerData(
        answered_on=BEFORE, answered_time="12:00", note="Den 20. januar kl. 10."),
        at_copenhagen(BEFORE, 13))
    session.commit()
    text = main_text(client.get(f"/borger/unge/{family.freja.id}").text)
    assert "Besvaret" in text and "Den 20. januar kl. 10." in text


def test_a_proposal_for_the_agreement_is_confirmed_by_the_caseworker(
        client, session, settings, clock):
    clock.set(at_copenhagen(BEFORE))
    family = make_family(session, settings, BEFORE)
    citizen_login(client, session, settings, FREJA_CPR, "Freja Holm")
    page = client.get(f"/borger/unge/{family.freja.id}")
    bad = client.post(f"/borger/unge/{family.freja.id}/aftale", data={
        "comm_channel": "pigeon", "comm_frequency": "weekly",
        "interpreter_language": "", "csrf_token": csrf_from(page.text)})
    assert bad.status_code == 400 and "Vælg, hvordan vi skal kontakte dig." in bad.text
    sent = client.post(f"/borger/unge/{family.freja.id}/aftale", data={
        "comm_channel": "email", "comm_frequency": "weekly", "interpreter_language": "arabisk",
        "plain_language": "true", "csrf_token": csrf_from(page.text)})
    assert sent.status_code == 303
    session.expire_all()
    proposal = session.exec(select(CommunicationProposal)).one()
    assert proposal.status is ProposalStatus.PROPOSED
    assert session.get(Youth, family.freja.id).comm_channel is Channel.DIGITAL_POST
    client.cookies.clear()
    csrf = login(client, "lars")
    staff = client.get(f"/youths/{family.freja.id}/family")
    assert staff.status_code == 200 and "arabisk" in staff.text
    client.post(f"/youths/{family.freja.id}/family/proposals", data={
        "proposal_id": str(proposal.id), "decision": "confirm", "csrf_token": csrf})
    session.expire_all()
    freja = session.get(Youth, family.freja.id)
    assert (freja.comm_channel, freja.comm_frequency, freja.interpreter_language,
            freja.plain_language) == (Channel.EMAIL, Frequency.WEEKLY, "arabisk", True)
    assert session.get(CommunicationProposal, proposal.id).status is ProposalStatus.CONFIRMED
    citizen_login(client, session, settings, FREJA_CPR)
    assert "Bekræftet" in client.get(f"/borger/unge/{family.freja.id}").text


def test_staff_register_a_custody_holders_cpr_number_for_the_login(
        client, session, settings, clock):
    clock.set(at_copenhagen(BEFORE))
    family = make_family(session, settings, BEFORE)
    family_person_cpr = "2404804329"
    csrf = login(client, "lars")
    url = f"/youths/{family.freja.id}/family/logins"
    bad = client.post(url, data={"member_id": str(family.anne.id), "cpr": "12345",
                                 "csrf_token": csrf})
    assert bad.status_code == 400 and "Skriv CPR-nummeret som DDMMÅÅ-XXXX." in bad.text
    assert client.post(url, data={"member_id": str(family.grete.id), "cpr": family_person_cpr,
                                  "csrf_token": csrf}).status_code == 404  # no custody
    done = client.post(url, data={"member_id": str(family.anne.id),
                                  "cpr": "240480-4329", "csrf_token": csrf})
    assert done.status_code == 303
    citizen_login(client, session, settings, family_person_cpr)
    assert client.get(f"/borger/unge/{family.freja.id}").status_code == 200
    citizen_login(client, session, settings, ANNE_CPR)  # the number registered before
    assert client.get(f"/borger/unge/{family.freja.id}").status_code == 404
    session.expire_all()
    [row] = session.exec(select(AuditEvent).where(
        AuditEvent.detail == "family page login registered")).all()
    assert row.object_id == str(family.anne.id) and "2404" not in row.detail
