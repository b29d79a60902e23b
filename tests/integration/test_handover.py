"""Handover documents and consents through the services, the pages (htmx) and the API: the
catalogue, consent enforcement with its reasons, withdrawal, the 18th birthday, step
completion, events, access and bad input."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

from dateutil.relativedelta import relativedelta
from sqlmodel import col, func, select

from app.clock import now as clock_now
from app.domain.consent import ConsentData, ShownDate, WithdrawalData, eighteenth_birthday
from app.domain.network_input import MemberData
from app.domain.youth import YouthData
from app.i18n import N_, Msg, format_date, locale
from app.models.audit import AuditAction, AuditEvent
from app.models.handover import Consent, DocumentStatus, DocumentType, HandoverDocument
from app.models.timeline import TimelineStep, YouthStep
from app.models.user import Role
from app.models.youth import EventKind, Youth, YouthEvent
from app.services import handover, network, youths
from tests.conftest import login, make_user

HTMX = {"HX-Request": "true"}


def _today(settings) -> date:
    return clock_now().astimezone(settings.tz).date()


def _youth(session, settings, user, *, age_years: int = 17, age_months: int = 2,
           first_name: str = "Freja") -> Youth:
    born = _today(settings) - relativedelta(years=age_years, months=age_months)
    data = YouthData(birth_date=born, birth_date_reason="Ikke tildelt endnu",
                     first_name=first_name, last_name="Østergaard")
    return youths.create(session, settings, user, data, _today(settings))


def _member(session, settings, user, youth, name: str, role: str = "mother", **flags):
    data = MemberData(kind="private", name=name, role=role, **flags)
    return network.add_member(session, user, youth.id, data, _today(settings))


def _types(session) -> dict[str, DocumentType]:
    return {t.key: t for t in session.exec(select(DocumentType))}


def _doc(session, youth, key: str) -> HandoverDocument:
    entry = _types(session)[key]
    handover.checklist(session, youth)
    return session.exec(select(HandoverDocument).where(
        HandoverDocument.youth_id == youth.id, HandoverDocument.document_type_id == entry.id)
    ).one()


def _consent_data(session, giver: str, keys: list[str], given_on: date, **extra) -> ConsentData:
    types = _types(session)
    return ConsentData.model_validate({
        "giver": giver, "purposes": ["share_with_adult_department"],
        "document_type_ids": [types[k].id for k in keys], "recipients": ["adult_department"],
        "method": "written", "given_on": given_on.isoformat(), **extra})


def _kinds(session, youth_id: int) -> list[EventKind]:
    return list(session.exec(select(YouthEvent.kind).where(YouthEvent.youth_id == youth_id)
                             .order_by(col(YouthEvent.id))))


def _da(message: Msg | None) -> str:
    with locale("da"):
        return str(message)


def test_the_default_catalogue_is_seeded(session):
    entries = handover.catalogue(session)
    names = [e.name for e in entries]
    assert len(entries) == 10
    assert names[0] == "Børnefaglig undersøgelse" and "PPR-vurdering" in names
    assert "Den unges egne ønsker (“om mig”)" in names
    required = {e.key for e in entries if e.required}
    assert "ppr_assessment" in required and "network_map" not in required


def test_a_handover_needs_a_covering_consent_and_the_refusal_says_what_is_missing(
        session, settings):
    kim = make_user(session, Role.COORDINATOR, "kim")
    youth = _youth(session, settings, kim)
    today = _today(settings)
    mother = _member(session, settings, kim, youth, "Anne Hansen", custody_holder=True)
    ppr, plan, school = (_doc(session, youth, k) for k in
                         ("ppr_assessment", "action_plan", "school_statement"))

    try:
        handover.set_status(session, kim, youth.id, ppr.id, DocumentStatus.HANDED_OVER, today)
        raise AssertionError("handed over without any consent")
    except handover.StatusRefusedError as exc:
        assert exc.reason.msgid.startswith("No consent lets")

    consent = handover.record_consent(
        session, kim, youth.id,
        _consent_data(session, str(mother.id), ["ppr_assessment", "action_plan"], today), today)
    assert consent.giver_role == "custody_holder" and consent.giver_name == "Anne Hansen"

    handover.set_status(session, kim, youth.id, ppr.id, DocumentStatus.HANDED_OVER, today)
    session.refresh(ppr)
    assert ppr.status == "handed_over" and ppr.handed_over_consent_id == consent.id
    assert ppr.handed_over_by_id == kim.id and ppr.handed_over_at is not None

    try:
        handover.set_status(session, kim, youth.id, school.id, DocumentStatus.HANDED_OVER,
                            today)
        raise AssertionError("handed over a document the consent does not cover")
    except handover.StatusRefusedError as exc:
        assert exc.reason == Msg(N_("The consent from %(giver)s does not cover %(document)s."),
                                 giver=Msg(N_("%(name)s (parent)"), name="Anne Hansen"),
                                 document="Statusudtalelse fra skole")
    session.refresh(school)
    assert school.status == "needed"
    kinds = _kinds(session, youth.id)
    assert kinds.count(EventKind.DOCUMENT_HANDOVER_REFUSED) == 2
    assert EventKind.CONSENT_RECORDED in kinds and EventKind.DOCUMENT_HANDED_OVER in kinds
    assert plan.status == "needed"


def test_the_parents_consent_ends_at_the_18th_birthday(session, settings):
    kim = make_user(session, Role.COORDINATOR, "kim")
    youth = _youth(session, settings, kim, age_years=17, age_months=11)
    today = _today(settings)
    mother = _member(session, settings, kim, youth, "Anne Hansen", custody_holder=True)
    handover.record_consent(session, kim, youth.id,
                            _consent_data(session, str(mother.id), ["ppr_assessment"], today),
                            today)
    ppr = _doc(session, youth, "ppr_assessment")
    birthday = eighteenth_birthday(youth.birth_date)
    try:
        handover.set_status(session, kim, youth.id, ppr.id, DocumentStatus.HANDED_OVER,
                            birthday)
        raise AssertionError("the parent's consent counted after the 18th birthday")
    except handover.StatusRefusedError as exc:
        assert exc.reason.msgid.startswith("The parents' consent ended")
    # the day before, it still counted
    handover.set_status(session, kim, youth.id, ppr.id, DocumentStatus.HANDED_OVER,
                        birthday - timedelta(days=1))
    assert handover.overview(session, youth, birthday).own_consent_needed


def test_after_18_the_young_persons_own_consent_completes_the_consent_part(session, settings):
    kim = make_user(session, Role.COORDINATOR, "kim")
    youth = _youth(session, settings, kim, age_years=18, age_months=1)
    today = _today(settings)
    assert handover.overview(session, youth, today).own_consent_needed
    handover.record_consent(session, kim, youth.id,
                            _consent_data(session, "youth", ["ppr_assessment"], today), today)
    summary = handover.overview(session, youth, today)
    assert summary.own_consent_recorded and not summary.own_consent_needed


def test_bad_consent_input_is_refused(session, settings):
    kim = make_user(session, Role.COORDINATOR, "kim")
    youth = _youth(session, settings, kim)
    today = _today(settings)
    sibling = _member(session, settings, kim, youth, "Bo Hansen", role="sibling")
    other_youth = _youth(session, settings, kim, first_name="Ida")
    stranger = _member(session, settings, kim, other_youth, "Eva Berg", custody_holder=True)

    for giver, field in ((str(sibling.id), "giver"), (str(stranger.id), "giver")):
        try:
            handover.record_consent(session, kim, youth.id,
                                    _consent_data(session, giver, ["ppr_assessment"], today),
                                    today)
            raise AssertionError("consent from someone who may not give it")
        except youths.ValidationFailedError as exc:
            assert set(exc.errors) == {field}
    try:
        handover.record_consent(
            session, kim, youth.id,
            _consent_data(session, "youth", ["ppr_assessment"], today + timedelta(days=1)),
            today)
        raise AssertionError("consent dated in the future")
    except youths.ValidationFailedError as exc:
        assert set(exc.errors) == {"given_on"}
    assert session.exec(select(func.count()).select_from(Consent)).one() == 0


def test_withdrawal_blocks_what_is_left_and_lists_what_was_handed_over(session, settings):
    kim = make_user(session, Role.COORDINATOR, "kim")
    youth = _youth(session, settings, kim)
    today = _today(settings)
    consent = handover.record_consent(
        session, kim, youth.id,
        _consent_data(session, "youth", ["ppr_assessment", "action_plan"], today), today)
    ppr, plan = _doc(session, youth, "ppr_assessment"), _doc(session, youth, "action_plan")
    handover.set_status(session, kim, youth.id, ppr.id, DocumentStatus.HANDED_OVER, today)

    withdrawn, effects = handover.withdraw_consent(
        session, kim, youth.id, consent.id,
        WithdrawalData(withdrawn_on=today, reason="Den unge ønsker det ikke længere"), today)
    assert [d.id for d in effects.handed_over] == [ppr.id]
    assert [d.id for d in effects.blocked] == [plan.id]
    assert withdrawn.withdrawn_on == today and withdrawn.withdrawn_by_id == kim.id
    try:
        handover.set_status(session, kim, youth.id, plan.id, DocumentStatus.HANDED_OVER, today)
        raise AssertionError("handed over under a withdrawn consent")
    except handover.StatusRefusedError as exc:
        assert exc.reason.msgid.startswith("The consent from %(giver)s was withdrawn")
    assert session.exec(select(func.count()).select_from(Consent)).one() == 1  # kept
    session.refresh(ppr)
    assert ppr.status == "handed_over"  # stays, listed for review
    assert EventKind.CONSENT_WITHDRAWN in _kinds(session, youth.id)


def test_acknowledging_needs_a_handover_and_records_who_and_when(session, settings):
    kim = make_user(session, Role.COORDINATOR, "kim")
    vera = make_user(session, Role.ADULT_CASEWORKER, "vera")
    youth = _youth(session, settings, kim)
    youth.adult_caseworker_id = vera.id
    session.add(youth)
    session.commit()
    today = _today(settings)
    ppr = _doc(session, youth, "ppr_assessment")
    try:
        handover.set_status(session, vera, youth.id, ppr.id, DocumentStatus.ACKNOWLEDGED, today)
        raise AssertionError("acknowledged a document that was not handed over")
    except handover.StatusRefusedError as exc:
        assert exc.reason.msgid.startswith("A document can be acknowledged only")
    handover.record_consent(session, kim, youth.id,
                            _consent_data(session, "youth", ["ppr_assessment"], today), today)
    handover.set_status(session, kim, youth.id, ppr.id, DocumentStatus.RECEIVED, today)
    handover.set_status(session, kim, youth.id, ppr.id, DocumentStatus.HANDED_OVER, today)
    bo = make_user(session, Role.CHILD_CASEWORKER, "bo")
    try:
        handover.set_status(session, bo, youth.id, ppr.id, DocumentStatus.ACKNOWLEDGED, today)
        raise AssertionError("the children's department acknowledged its own handover")
    except handover.StatusRefusedError as exc:
        assert exc.reason == Msg(N_("Receipt is acknowledged by the adult department."))
    handover.set_status(session, vera, youth.id, ppr.id, DocumentStatus.ACKNOWLEDGED, today)
    session.refresh(ppr)
    assert (ppr.received_by_id, ppr.handed_over_by_id, ppr.acknowledged_by_id) == (
        kim.id, kim.id, vera.id)
    assert _kinds(session, youth.id)[-3:] == [
        EventKind.DOCUMENT_RECEIVED, EventKind.DOCUMENT_HANDED_OVER,
        EventKind.DOCUMENT_ACKNOWLEDGED]


def test_handing_over_every_required_document_completes_the_17_and_a_half_step(
        session, settings):
    kim = make_user(session, Role.COORDINATOR, "kim")
    youth = _youth(session, settings, kim)
    today = _today(settings)
    required = [t.key for t in handover.catalogue(session) if t.required]
    handover.record_consent(session, kim, youth.id,
                            _consent_data(session, "youth", required, today), today)
    step = session.exec(
        select(YouthStep).join(TimelineStep, col(TimelineStep.id) == YouthStep.step_id)
        .where(YouthStep.youth_id == youth.id, TimelineStep.key == "handover")).one()
    views = handover.checklist(session, youth)
    assert all(v.due_on == step.due_on for v in views)
    for key in required:
        assert step.done_at is None
        handover.set_status(session, kim, youth.id, _doc(session, youth, key).id,
                            DocumentStatus.HANDED_OVER, today)
        session.refresh(step)
    assert step.done_at is not None


def _page_consent(client, youth, token, giver: str, type_ids: list[int], given_on: date):
    return client.post(f"/youths/{youth.id}/consents/new", data={
        "csrf_token": token, "giver": giver, "purposes": "share_with_adult_department",
        "document_type_ids": [str(i) for i in type_ids], "recipients": "adult_department",
        "method": "verbal_noted", "given_on": given_on.isoformat(), "valid_until": ""})


def test_the_pages_record_consent_and_the_htmx_action_shows_the_refusal(
        client, session, settings):
    kim = make_user(session, Role.COORDINATOR, "kim")
    youth = _youth(session, settings, kim)
    today = _today(settings)
    mother = _member(session, settings, kim, youth, "Anne Hansen", custody_holder=True)
    types = _types(session)
    token = login(client, "kim")

    page = client.get(f"/youths/{youth.id}")
    assert page.status_code == 200
    assert 'id="handover"' in page.text and "PPR-vurdering" in page.text

    form = client.get(f"/youths/{youth.id}/consents/new")
    assert form.status_code == 200 and "Anne Hansen" in form.text
    bad = _page_consent(client, youth, token, str(mother.id), [types["ppr_assessment"].id],
                        today)
    assert bad.status_code == 303, bad.text
    late = client.post(f"/youths/{youth.id}/consents/new", data={
        "csrf_token": token, "giver": "youth", "purposes": "share_with_adult_department",
        "document_type_ids": str(types["action_plan"].id), "recipients": "adult_department",
        "method": "written", "given_on": today.isoformat(),
        "valid_until": (today - timedelta(days=1)).isoformat()})
    assert late.status_code == 400
    assert _da(Msg(N_("The consent cannot end before the date it was given."))) in late.text

    ppr, school = _doc(session, youth, "ppr_assessment"), _doc(session, youth, "school_statement")
    ok = client.post(f"/youths/{youth.id}/documents/{ppr.id}/status",
                     data={"csrf_token": token, "status": "handed_over"}, headers=HTMX)
    assert ok.status_code == 200 and "<html" not in ok.text
    refused = client.post(f"/youths/{youth.id}/documents/{school.id}/status",
                          data={"csrf_token": token, "status": "handed_over"}, headers=HTMX)
    assert refused.status_code == 409
    expected = _da(Msg(N_("The consent from %(giver)s does not cover %(document)s."),
                       giver=Msg(N_("%(name)s (parent)"), name="Anne Hansen"),
                       document="Statusudtalelse fra skole"))
    assert expected in refused.text.replace("&#34;", '"').replace("&#39;", "'")

    history = client.get(f"/youths/{youth.id}").text
    assert "Statusudtalelse fra skole" in history
    overview = client.get(f"/youths/{youth.id}/consents")
    assert overview.status_code == 200 and "PPR-vurdering" in overview.text
    assert session.exec(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == AuditAction.READ, AuditEvent.youth_id == youth.id)).one() >= 2


def test_a_document_or_consent_of_another_young_person_is_not_found(client, session, settings):
    kim = make_user(session, Role.COORDINATOR, "kim")
    freja, ida = _youth(session, settings, kim), _youth(session, settings, kim, first_name="Ida")
    today = _today(settings)
    consent = handover.record_consent(
        session, kim, ida.id, _consent_data(session, "youth", ["ppr_assessment"], today), today)
    ida_doc = _doc(session, ida, "ppr_assessment")
    token = login(client, "kim")
    assert client.post(f"/youths/{freja.id}/documents/{ida_doc.id}/status",
                       data={"csrf_token": token, "status": "received"}).status_code == 404
    assert client.get(f"/youths/{freja.id}/consents/{consent.id}/withdraw").status_code == 404
    assert client.post(f"/api/v1/youths/{freja.id}/documents/{ida_doc.id}/status",
                       json={"status": "received"},
                       headers={"X-CSRF-Token": token}).status_code == 404


def test_a_caseworker_without_access_cannot_read_or_act(client, session, settings):
    kim = make_user(session, Role.COORDINATOR, "kim")
    make_user(session, Role.ADULT_CASEWORKER, "vera")
    youth = _youth(session, settings, kim)  # not in the transition: hidden from adults
    ppr = _doc(session, youth, "ppr_assessment")
    token = login(client, "vera")
    assert client.get(f"/youths/{youth.id}/consents").status_code == 403
    assert client.get(f"/api/v1/youths/{youth.id}/documents").status_code == 403
    assert client.post(f"/youths/{youth.id}/documents/{ppr.id}/status",
                       data={"csrf_token": token, "status": "received"}).status_code in (403, 404)


def test_the_api_enforces_the_same_rule(client, session, settings):
    kim = make_user(session, Role.COORDINATOR, "kim")
    youth = _youth(session, settings, kim)
    today = _today(settings)
    mother = _member(session, settings, kim, youth, "Anne Hansen", custody_holder=True)
    sibling = _member(session, settings, kim, youth, "Bo Hansen", role="sibling")
    types = _types(session)
    token = login(client, "kim")
    headers = {"X-CSRF-Token": token}
    base = f"/api/v1/youths/{youth.id}"
    body = {"giver": str(mother.id), "purposes": ["share_with_adult_department"],
            "document_type_ids": [types["ppr_assessment"].id],
            "recipients": ["adult_department"], "method": "digital",
            "given_on": today.isoformat()}

    bad_dates = client.post(f"{base}/consents", json={
        **body, "valid_until": (today - timedelta(days=1)).isoformat()}, headers=headers)
    assert bad_dates.status_code == 422
    not_allowed = client.post(f"{base}/consents", json={**body, "giver": str(sibling.id)},
                              headers=headers)
    assert not_allowed.status_code == 422
    assert not_allowed.json()["detail"][0]["field"] == "giver"
    created = client.post(f"{base}/consents", json=body, headers=headers)
    assert created.status_code == 201, created.text
    consent_id = created.json()["id"]

    docs = {d["name"]: d for d in client.get(f"{base}/documents").json()}
    assert len(docs) == 10
    ppr, plan = docs["PPR-vurdering"], docs["Handleplan"]
    ack = client.post(f"{base}/documents/{ppr['id']}/status", json={"status": "acknowledged"},
                      headers=headers)
    assert ack.status_code == 409
    handed = client.post(f"{base}/documents/{ppr['id']}/status",
                         json={"status": "handed_over"}, headers=headers)
    assert handed.status_code == 200 and handed.json()["handed_over_consent_id"] == consent_id
    refused = client.post(f"{base}/documents/{plan['id']}/status",
                          json={"status": "handed_over"}, headers=headers)
    assert refused.status_code == 409
    assert "Handleplan" in refused.json()["detail"][0]["message"]

    listed = client.get(f"{base}/consents").json()
    assert [c["valid_today"] for c in listed] == [True]
    withdrawn = client.post(f"{base}/consents/{consent_id}/withdraw",
                            json={"withdrawn_on": today.isoformat(), "reason": "Ønske"},
                            headers=headers)
    assert withdrawn.status_code == 200
    assert withdrawn.json()["handed_over_document_ids"] == [ppr["id"]]
    again = client.post(f"{base}/consents/{consent_id}/withdraw",
                        json={"withdrawn_on": today.isoformat(), "reason": "Ønske"},
                        headers=headers)
    assert again.status_code == 409


def test_administrators_edit_the_catalogue(client, session, settings):
    make_user(session, Role.ADMIN, "ada")
    make_user(session, Role.CHILD_CASEWORKER, "bo")
    token = login(client, "bo")
    assert client.get("/admin/documents").status_code == 403
    client.cookies.clear()
    token = login(client, "ada")
    page = client.get("/admin/documents")
    assert page.status_code == 200 and "PPR-vurdering" in page.text
    empty = client.post("/admin/documents/new", data={"csrf_token": token, "name": ""})
    assert empty.status_code == 400
    added = client.post("/admin/documents/new", data={
        "csrf_token": token, "name": "Ergoterapeutisk vurdering", "required": "true",
        "active": "true", "position": "55"})
    assert added.status_code == 303
    entry = session.exec(select(DocumentType).where(
        DocumentType.name == "Ergoterapeutisk vurdering")).one()
    assert entry.required and entry.key.startswith("custom_")
    ppr = _types(session)["ppr_assessment"]
    client.post(f"/admin/documents/{ppr.id}", data={
        "csrf_token": token, "name": ppr.name, "position": "40"})
    session.refresh(ppr)
    assert not ppr.required and not ppr.active


def test_withdrawal_goes_through_a_confirmation_page(client, session, settings):
    kim = make_user(session, Role.COORDINATOR, "kim")
    youth = _youth(session, settings, kim)
    today = _today(settings)
    consent = handover.record_consent(
        session, kim, youth.id,
        _consent_data(session, "youth", ["ppr_assessment", "action_plan"], today), today)
    ppr = _doc(session, youth, "ppr_assessment")
    handover.set_status(session, kim, youth.id, ppr.id, DocumentStatus.HANDED_OVER, today)
    token = login(client, "kim")
    url = f"/youths/{youth.id}/consents/{consent.id}/withdraw"

    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Handleplan" in confirm.text and "PPR-vurdering" in confirm.text
    assert "hx-confirm" not in confirm.text
    session.refresh(consent)
    assert consent.withdrawn_on is None  # asking changes nothing

    no_reason = client.post(url, data={"csrf_token": token, "withdrawn_on": today.isoformat(),
                                       "reason": ""})
    assert no_reason.status_code == 400
    too_early = client.post(url, data={"csrf_token": token, "reason": "Ønske",
                                       "withdrawn_on": (today - timedelta(days=9)).isoformat()})
    assert too_early.status_code == 400
    done = client.post(url, data={"csrf_token": token, "withdrawn_on": today.isoformat(),
                                  "reason": "Den unge ønsker det ikke"})
    assert done.status_code == 200 and "PPR-vurdering" in done.text
    session.refresh(consent)
    assert consent.withdrawn_on == today and consent.withdrawal_reason == "Den unge ønsker det ikke"


def test_where_a_document_is_kept_is_recorded_with_its_journal_reference(
        client, session, settings):
    kim = make_user(session, Role.COORDINATOR, "kim")
    youth = _youth(session, settings, kim)
    ppr = _doc(session, youth, "ppr_assessment")
    token = login(client, "kim")
    url = f"/youths/{youth.id}/documents/{ppr.id}/place"
    assert client.get(url).status_code == 200
    other = client.post(url, data={"csrf_token": token, "storage": "other", "journal_ref": ""})
    assert other.status_code == 400
    markup = client.post(url, data={"csrf_token": token, "storage": "dubu",
                                    "journal_ref": "<script>x</script>"})
    assert markup.status_code == 400
    saved = client.post(url, data={"csrf_token": token, "storage": "dubu",
                                   "journal_ref": "27.24.00-G01-123-25"})
    assert saved.status_code == 303
    session.refresh(ppr)
    assert (ppr.storage, ppr.journal_ref) == ("dubu", "27.24.00-G01-123-25")
    assert EventKind.DOCUMENT_PLACE_CHANGED in _kinds(session, youth.id)


def test_the_checklist_offers_the_corrections_the_state_machine_allows(client, session,
                                                                         settings):
    kim = make_user(session, Role.COORDINATOR, "kim")
    youth = _youth(session, settings, kim)
    ppr = _doc(session, youth, "ppr_assessment")
    session.commit()
    token = login(client, "kim")
    received = client.post(f"/youths/{youth.id}/documents/{ppr.id}/status",
                           data={"csrf_token": token, "status": "received"}, headers=HTMX)
    assert received.status_code == 200
    row = received.text[received.text.index(f'id="doc-{ppr.id}"'):]
    row = row[:row.index("</tr>")]
    assert "Ret status" in row
    assert "Påkrævet" in row and "Skal udfyldes" not in row  # the document is required
    assert "Sæt tilbage til “Mangler”" in row and "Sæt tilbage til “Bestilt”" in row
    # no consent covers it yet: no handover offered, and the row says why
    assert 'value="received"' not in row and 'value="handed_over"' not in row
    assert "Der er intet samtykke, der giver lov til at overdrage PPR-vurdering" in unescape(row)
    back = client.post(f"/youths/{youth.id}/documents/{ppr.id}/status",
                       data={"csrf_token": token, "status": "needed"}, headers=HTMX)
    assert back.status_code == 200
    session.expire_all()
    assert session.get(HandoverDocument, ppr.id).status is DocumentStatus.NEEDED
    assert _kinds(session, youth.id)[-1] is EventKind.DOCUMENT_STATUS_CORRECTED
    assert "Ret status" not in back.text[back.text.index(f'id="doc-{ppr.id}"'):].split(
        "</tr>")[0]


# --- the checklist shows coverage before the click; "hand over all"; undo --------------------

def _row_html(html: str, document_id: int) -> str:
    match = re.search(rf'<tr id="doc-{document_id}">(.*?)</tr>', html, re.S)
    assert match is not None, document_id
    return unescape(match[1])


def _section_html(html: str) -> str:
    start = html.index('<section id="handover"')
    return html[start:html.index("</section>", start)]


def _confirmed(html: str) -> list[str]:
    return re.findall(r'name="documents" value="(\d+:\d+)"', html)


def test_the_checklist_shows_which_consent_covers_each_document_before_the_click(
        client, session, settings):
    kim = make_user(session, Role.COORDINATOR, "kim")
    youth = _youth(session, settings, kim)
    today = _today(settings)
    mother = _member(session, settings, kim, youth, "Anne Hansen", custody_holder=True)
    until = today + timedelta(days=200)
    handover.record_consent(session, kim, youth.id, _consent_data(
        session, str(mother.id), ["ppr_assessment", "action_plan"], today,
        valid_until=until.isoformat()), today)
    ppr, school = _doc(session, youth, "ppr_assessment"), _doc(session, youth, "school_statement")
    login(client, "kim")

    page = client.get(f"/youths/{youth.id}/handover")

    assert page.status_code == 200
    covered = _row_html(page.text, ppr.id)
    with locale("da"):
        expected = (f"Dækket af samtykket fra Anne Hansen (forælder) af {format_date(today)} "
                    f"(til {format_date(until)}).")
    assert expected in covered
    assert 'name="status" value="handed_over"' in covered
    not_covered = _row_html(page.text, school.id)
    assert 'value="handed_over"' not in not_covered  # no hand-over button where nothing covers
    assert _da(Msg(N_("The consent from %(giver)s does not cover %(document)s."),
                   giver=Msg(N_("%(name)s (parent)"), name="Anne Hansen"),
                   document="Statusudtalelse fra skole")) in not_covered
    link = f"/youths/{youth.id}/consents/new?document={school.document_type_id}"
    assert f'href="{link}"' in not_covered
    # one primary action: "hand over all covered", with the count
    section = _section_html(page.text)
    assert section.count("button-primary") == 1
    assert "Overdrag alle, der er dækket af samtykke (2)" in section
    # the link to record a consent ticks the document in advance
    form = client.get(link)
    assert re.search(rf'name="document_type_ids" value="{school.document_type_id}" checked',
                     form.text)


def test_hand_over_all_lists_exactly_the_covered_documents_and_hands_over_only_those(
        client, session, settings):
    kim = make_user(session, Role.COORDINATOR, "kim")
    youth = _youth(session, settings, kim)
    today = _today(settings)
    mother = _member(session, settings, kim, youth, "Anne Hansen", custody_holder=True)
    consent = handover.record_consent(session, kim, youth.id, _consent_data(
        session, str(mother.id), ["ppr_assessment", "action_plan"], today), today)
    ppr, plan = _doc(session, youth, "ppr_assessment"), _doc(session, youth, "action_plan")
    token = login(client, "kim")

    confirm = client.get(f"/youths/{youth.id}/handover/all")

    assert confirm.status_code == 200
    assert sorted(_confirmed(confirm.text)) == sorted(
        [f"{ppr.id}:{consent.id}", f"{plan.id}:{consent.id}"])
    rows = re.findall(r'<tr><th scope="row">([^<]*)</th><td>([^<]*)</td></tr>', confirm.text)
    assert sorted(unescape(name) for name, _ in rows) == ["Handleplan", "PPR-vurdering"]
    assert all("Dækket af samtykket fra Anne Hansen (forælder)" in unescape(text)
               for _, text in rows)
    session.expire_all()
    assert {d.status for d in session.exec(select(HandoverDocument).where(
        HandoverDocument.youth_id == youth.id))} == {DocumentStatus.NEEDED}  # nothing yet

    done = client.post(f"/youths/{youth.id}/handover/all",
                       data={"csrf_token": token, "documents": _confirmed(confirm.text)})

    assert done.status_code == 200, done.text
    assert "Dokumenterne er overdraget" in done.text
    session.expire_all()
    handed = {d.id: d for d in session.exec(select(HandoverDocument).where(
        HandoverDocument.youth_id == youth.id,
        HandoverDocument.status == DocumentStatus.HANDED_OVER))}
    assert set(handed) == {ppr.id, plan.id}
    assert {d.handed_over_consent_id for d in handed.values()} == {consent.id}
    # history and audit as for a single handover
    assert _kinds(session, youth.id).count(EventKind.DOCUMENT_HANDED_OVER) == 2
    assert session.exec(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.youth_id == youth.id, AuditEvent.object_type == "handover_document",
        AuditEvent.detail == "needed -> handed_over")).one() == 2


def test_hand_over_all_hands_nothing_over_when_the_coverage_changed_before_the_post(
        client, session, settings):
    kim = make_user(session, Role.COORDINATOR, "kim")
    youth = _youth(session, settings, kim)
    today = _today(settings)
    mother = _member(session, settings, kim, youth, "Anne Hansen", custody_holder=True)
    for_ppr = handover.record_consent(session, kim, youth.id, _consent_data(
        session, str(mother.id), ["ppr_assessment"], today), today)
    for_plan = handover.record_consent(session, kim, youth.id, _consent_data(
        session, str(mother.id), ["action_plan"], today), today)
    ppr, plan = _doc(session, youth, "ppr_assessment"), _doc(session, youth, "action_plan")
    token = login(client, "kim")
    listed = _confirmed(client.get(f"/youths/{youth.id}/handover/all").text)
    assert sorted(listed) == sorted([f"{ppr.id}:{for_ppr.id}", f"{plan.id}:{for_plan.id}"])

    # meanwhile the consent for the action plan is withdrawn
    handover.withdraw_consent(session, kim, youth.id, for_plan.id,
                              WithdrawalData(withdrawn_on=today, reason="Ønske"), today)
    again = client.post(f"/youths/{youth.id}/handover/all",
                        data={"csrf_token": token, "documents": listed})

    assert again.status_code == 409
    text = unescape(again.text)
    assert "Der er ændret noget, efter listen blev lavet. Intet er overdraget." in text
    assert "<strong>Handleplan</strong>: " + _da(Msg(
        N_("The consent from %(giver)s was withdrawn on %(date)s."),
        giver=Msg(N_("%(name)s (parent)"), name="Anne Hansen"),
        date=ShownDate(today))) in text
    session.expire_all()
    assert session.get(HandoverDocument, ppr.id).status == DocumentStatus.NEEDED  # not half
    assert session.get(HandoverDocument, plan.id).status == DocumentStatus.NEEDED
    assert EventKind.DOCUMENT_HANDED_OVER not in _kinds(session, youth.id)
    assert _confirmed(again.text) == [f"{ppr.id}:{for_ppr.id}"]  # the list as it is now

    confirmed = client.post(f"/youths/{youth.id}/handover/all",
                            data={"csrf_token": token, "documents": _confirmed(again.text)})

    assert confirmed.status_code == 200
    session.expire_all()
    assert session.get(HandoverDocument, ppr.id).status == DocumentStatus.HANDED_OVER
    assert session.get(HandoverDocument, plan.id).status == DocumentStatus.NEEDED
    # a document of another young person is not found
    other = _youth(session, settings, kim, first_name="Ida")
    foreign = _doc(session, other, "ppr_assessment")
    assert client.post(f"/youths/{youth.id}/handover/all", data={
        "csrf_token": token, "documents": [f"{foreign.id}:{for_ppr.id}"]}).status_code == 404


def _undo_form(html: str) -> dict[str, str]:
    form = re.search(r'<form method="post" action="([^"]+/undo)".*?</form>', html, re.S)
    assert form is not None, html
    fields = dict(re.findall(r'name="(previous|since)" value="([^"]*)"', form[0]))
    return {"url": form[1], **fields}


def test_a_document_status_change_can_be_undone_shortly_after_if_nothing_changed(
        client, session, settings, clock):
    kim = make_user(session, Role.COORDINATOR, "kim")
    youth = _youth(session, settings, kim)
    today = _today(settings)
    handover.record_consent(session, kim, youth.id,
                            _consent_data(session, "youth", ["ppr_assessment"], today), today)
    ppr, plan = _doc(session, youth, "ppr_assessment"), _doc(session, youth, "action_plan")
    token = login(client, "kim")
    status_url = f"/youths/{youth.id}/documents/{plan.id}/status"

    requested = client.post(status_url, data={"csrf_token": token, "status": "requested"},
                            headers=HTMX)
    assert requested.status_code == 200
    assert "Handleplan: Bestilt." in unescape(requested.text)
    undo = _undo_form(requested.text)
    assert undo["previous"] == "needed"
    clock.advance(timedelta(minutes=2))
    undone = client.post(undo.pop("url"), data={"csrf_token": token, **undo}, headers=HTMX)
    assert undone.status_code == 200
    assert "Fortrudt: Handleplan har igen status “Mangler”." in unescape(undone.text)
    session.expire_all()
    row = session.get(HandoverDocument, plan.id)
    assert row.status == DocumentStatus.NEEDED and row.requested_at is None
    assert session.exec(select(AuditEvent).where(
        AuditEvent.object_id == str(plan.id),
        AuditEvent.detail == "requested -> needed (undo)")).first() is not None
    # the same undo once more: the document has changed since
    url = f"/youths/{youth.id}/documents/{plan.id}/undo"
    twice = client.post(url, data={"csrf_token": token, **undo}, headers=HTMX)
    assert twice.status_code == 409 and "Der er ændret noget siden" in unescape(twice.text)

    # after the window, the undo is refused and the status stays
    received = client.post(status_url, data={"csrf_token": token, "status": "received"},
                           headers=HTMX)
    late = _undo_form(received.text)
    clock.advance(timedelta(minutes=11))
    refused = client.post(late.pop("url"), data={"csrf_token": token, **late}, headers=HTMX)
    assert refused.status_code == 409
    assert "kan kun fortrydes inden for 10 minutter" in unescape(refused.text)
    session.expire_all()
    assert session.get(HandoverDocument, plan.id).status == DocumentStatus.RECEIVED

    # a handover is not undone: the confirmation says why, and a forged undo is refused
    handed = client.post(f"/youths/{youth.id}/documents/{ppr.id}/status",
                         data={"csrf_token": token, "status": "handed_over"}, headers=HTMX)
    assert handed.status_code == 200
    text = unescape(handed.text)
    assert "Dokumentet er overdraget: PPR-vurdering." in text
    assert "/undo" not in text and "kan ikke fortrydes" in text
    session.expire_all()
    stamp = session.get(HandoverDocument, ppr.id).updated_at.isoformat()
    forged = client.post(f"/youths/{youth.id}/documents/{ppr.id}/undo", data={
        "csrf_token": token, "previous": "needed", "since": stamp}, headers=HTMX)
    assert forged.status_code == 409
    session.expire_all()
    assert session.get(HandoverDocument, ppr.id).status == DocumentStatus.HANDED_OVER
