from __future__ import annotations

from sqlmodel import func, select

from app.clock import now as clock_now
from app.models.audit import AuditAction, AuditEvent
from app.models.user import Role
from app.models.youth import Youth
from tests.conftest import login, make_user

VALID = {
    "cpr": "150610-4123",
    "first_name": "Freja",
    "last_name": "Østergaard",
    "adult_support_expected": "yes",
    "comm_channel": "email",
    "comm_frequency": "monthly",
    "status": "active",
}


def _count(session) -> int:
    return session.exec(select(func.count()).select_from(Youth)).one()


def test_a_caseworker_creates_a_young_person_and_finds_them_again_by_cpr(client, session):
    worker = make_user(session, Role.CHILD_CASEWORKER, "sara")
    token = login(client, "sara")
    response = client.post(
        "/youths/new", data={**VALID, "child_caseworker_id": worker.id, "csrf_token": token}
    )
    assert response.status_code == 303
    youth_url = response.headers["location"]
    page = client.get(youth_url)
    assert "Freja Østergaard" in page.text
    assert "150610-xxxx" in page.text and "150610-4123" not in page.text
    assert "15. juni 2010" in page.text  # birth date derived from the CPR number, Danish format
    found = client.post("/youths/search-cpr", data={"cpr": "1506104123", "csrf_token": token})
    assert found.status_code == 303 and found.headers["location"] == youth_url


def test_an_impossible_cpr_date_is_refused_next_to_the_field_and_nothing_is_lost(client, session):
    make_user(session, Role.CHILD_CASEWORKER, "sara")
    token = login(client, "sara")
    response = client.post(
        "/youths/new", data={**VALID, "cpr": "310210-4123", "csrf_token": token}
    )
    assert response.status_code == 400
    assert "De første seks cifre i CPR-nummeret er ikke en rigtig dato" in response.text
    assert 'value="310210-4123"' in response.text and 'value="Freja"' in response.text
    assert _count(session) == 0


def test_script_in_a_text_field_is_refused_and_nothing_is_saved(client, session):
    make_user(session, Role.CHILD_CASEWORKER, "sara")
    token = login(client, "sara")
    response = client.post(
        "/youths/new",
        data={**VALID, "school": "<script>alert(1)</script>", "csrf_token": token},
    )
    assert response.status_code == 400
    assert "Teksten må ikke indeholde HTML eller scriptkode" in response.text
    assert "<script>alert(1)</script>" not in response.text  # echoed back escaped
    assert _count(session) == 0


def test_a_duplicate_cpr_and_an_overlong_name_are_refused(client, session):
    make_user(session, Role.CHILD_CASEWORKER, "sara")
    token = login(client, "sara")
    assert client.post("/youths/new", data={**VALID, "csrf_token": token}).status_code == 303
    again = client.post("/youths/new", data={**VALID, "csrf_token": token})
    assert again.status_code == 400
    assert "Der er allerede en ung med dette CPR-nummer i registret" in again.text
    long_name = client.post(
        "/youths/new",
        data={**VALID, "cpr": "150610-4124", "first_name": "x" * 101, "csrf_token": token},
    )
    assert "Indtast højst 100 tegn" in long_name.text
    assert _count(session) == 1


def test_a_buddy_who_is_also_the_coordinator_and_a_forged_caseworker_id_are_refused(
    client, session
):
    worker = make_user(session, Role.CHILD_CASEWORKER, "sara")
    adult = make_user(session, Role.ADULT_CASEWORKER, "villy")
    token = login(client, "sara")
    same = client.post("/youths/new", data={
        **VALID, "coordinator_id": worker.id, "buddy_id": worker.id, "csrf_token": token,
    })
    assert "Makkeren skal være en anden end den koordinerende sagsbehandler" in same.text
    forged = client.post("/youths/new", data={
        **VALID, "child_caseworker_id": 99999, "adult_caseworker_id": worker.id,
        "csrf_token": token,
    })
    assert forged.status_code == 400
    assert "Vælg en sagsbehandler fra listen" in forged.text
    assert "Den valgte person arbejder ikke i den rigtige afdeling" in forged.text
    assert adult.id is not None
    assert _count(session) == 0


def test_someone_without_a_cpr_number_needs_a_birth_date_and_a_reason(client, session):
    make_user(session, Role.CHILD_CASEWORKER, "sara")
    token = login(client, "sara")
    data = {**VALID, "cpr": "", "birth_date": "2010-03-04", "csrf_token": token}
    missing_reason = client.post("/youths/new", data=data)
    assert "Skriv, hvorfor den unge ikke har et CPR-nummer" in missing_reason.text
    ok = client.post("/youths/new", data={**data, "birth_date_reason": "Ikke tildelt endnu"})
    assert ok.status_code == 303
    youth = session.exec(select(Youth)).one()
    assert youth.cpr is None and str(youth.birth_date) == "2010-03-04"


def test_reading_a_record_and_revealing_the_cpr_number_are_audit_logged(client, session):
    make_user(session, Role.COORDINATOR, "kim")
    token = login(client, "kim")
    url = client.post("/youths/new", data={**VALID, "csrf_token": token}).headers["location"]
    youth_id = int(url.rsplit("/", 1)[1])
    client.get(url)
    revealed = client.post(f"{url}/reveal-cpr", data={"csrf_token": token},
                           headers={"HX-Request": "true"})
    assert "150610-4123" in revealed.text
    assert "<html" not in revealed.text  # only the fragment
    actions = session.exec(
        select(AuditEvent.action).where(AuditEvent.youth_id == youth_id)
    ).all()
    assert AuditAction.READ in actions and AuditAction.REVEAL_CPR in actions
    log = client.get(f"{url}/audit")
    assert log.status_code == 200 and "Fuldt CPR-nummer vist: den unges sag" in log.text
    assert "Læst: den unges side" in log.text  # what was read, not only that something was


def test_pages_with_personal_data_are_not_cached_and_carry_security_headers(client, session):
    make_user(session, Role.COORDINATOR, "kim")
    login(client, "kim")
    response = client.get("/youths")
    assert response.headers["cache-control"] == "no-store"
    csp = response.headers["content-security-policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


def test_a_post_without_a_csrf_token_is_refused_in_danish(client, session):
    make_user(session, Role.CHILD_CASEWORKER, "sara")
    login(client, "sara")
    response = client.post("/youths/new", data=VALID)
    assert response.status_code == 403
    assert "Formularen er udløbet" in response.text
    htmx = client.post("/youths/new", data=VALID, headers={"X-CSRF-Token": "forged"})
    assert htmx.status_code == 403
    assert _count(session) == 0


def test_the_list_filters_by_name_and_age_band_and_pages(client, session):
    make_user(session, Role.COORDINATOR, "kim")
    token = login(client, "kim")
    for i in range(30):
        client.post("/youths/new", data={
            **VALID, "cpr": f"1506104{i:03d}", "first_name": f"Navn{i:02d}", "csrf_token": token,
        })
    page1 = client.get("/youths")
    assert "30 unge" in page1.text and "Side 1 af 2" in page1.text
    assert "Navn07" in client.get("/youths?q=navn07").text
    assert "Ingen unge matcher søgningen" in client.get("/youths?age=under_16").text
    fragment = client.get("/youths?q=navn1", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and "10 unge" in fragment.text


def test_the_pages_today_is_copenhagens_day_on_the_apps_clock(client, session, clock):
    from datetime import UTC, datetime

    clock.set(datetime(2027, 3, 27, 23, 30, tzinfo=UTC))  # 00:30 on 28 March in Copenhagen
    worker = make_user(session, Role.CHILD_CASEWORKER, "sara")
    token = login(client, "sara")
    url = client.post("/youths/new", data={**VALID, "child_caseworker_id": worker.id,
                                           "csrf_token": token}).headers["location"]
    page = client.get(f"{url}/consents")
    assert page.status_code == 200
    assert "28. marts 2027" in page.text


def test_the_young_persons_page_starts_with_a_summary_and_a_menu_in_page_order(
        client, session, settings, today):
    """Age, stage, next step with its date, coordinator and buddy, consent and open inquiries
    at the top; the section menu lists every section, Møder and Henvendelser too, in the
    order they come on the page; the history names who joined the network."""
    import re
    from datetime import time

    from app.domain.inquiry import InquiryData
    from app.domain.network_input import MemberData
    from app.models.network import NetworkRole, PersonKind
    from app.models.youth import Channel
    from app.services import inquiries, network

    worker = make_user(session, Role.CHILD_CASEWORKER, "sara", "Sara Holm")
    buddy = make_user(session, Role.ADULT_CASEWORKER, "lars", "Lars Bech")
    token = login(client, "sara")
    created = client.post("/youths/new", data={
        **VALID, "child_caseworker_id": worker.id, "coordinator_id": worker.id,
        "buddy_id": buddy.id, "csrf_token": token})
    youth_id = int(created.headers["location"].rsplit("/", 1)[1])
    inquiries.create(session, settings, worker, youth_id, InquiryData(
        received_on=today, received_time=time(0, 0), channel=Channel.PHONE,
        sender_kind="family", summary="Mor ringede."), clock_now())
    network.add_member(session, worker, youth_id, MemberData(
        kind=PersonKind.PRIVATE, name="Karen Østergaard", role=NetworkRole.MOTHER), today)
    session.commit()
    page = client.get(f"/youths/{youth_id}").text
    history = page[page.index('id="history"'):]
    assert re.search(r"Tilføjet netværket: Karen Østergaard", history)  # who, not just what
    glance = page[page.index('class="summary-list summary-glance"'):page.index("</dl>",
                                                 page.index("summary-glance"))]
    assert "Alder" in glance and " år" in glance
    assert "Koordinerende sagsbehandler</dt><dd>Sara Holm" in glance
    assert "Makker</dt><dd>Lars Bech" in glance
    assert re.search(r"Næste skridt</dt><dd><a href=\"#timeline\">[^<]+</a>, frist \d+\.", glance)
    assert "Intet samtykke gælder i dag" in glance
    assert re.search(r"Åbne henvendelser</dt><dd><a href=\"#inquiries\">1</a>", glance)
    nav = page[page.index('class="section-nav"'):page.index("</nav>", page.index("section-nav"))]
    menu = re.findall(r'href="#([a-z]+)"', nav)
    sections = re.findall(r'<section id="([a-z]+)"', page)
    assert {"meetings", "inquiries"} <= set(menu)
    assert menu == [s for s in sections if s in menu] and set(sections) <= set(menu)
