"""The CPR number stays out of forms and URLs, and only those with the authority reassign or
close a case: on the pages and in the API alike."""

from __future__ import annotations

import re

from sqlmodel import select

from app.models.user import Role
from app.models.youth import Youth, YouthStatus
from app.services import auth
from tests.conftest import login, make_user

VALID = {
    "cpr": "180812-4559", "first_name": "Freja", "last_name": "Holm",
    "adult_support_expected": "yes", "comm_channel": "email", "comm_frequency": "monthly",
    "status": "active",
}


def _create(client, token: str, **extra: object) -> str:
    response = client.post("/youths/new", data={**VALID, **extra, "csrf_token": token})
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def _youth(session, url: str) -> Youth:
    session.expire_all()
    youth = session.get(Youth, int(url.rsplit("/", 1)[1]))
    assert youth is not None
    return youth


def _form(page: str) -> dict[str, str]:
    """The values a browser would send back from the edit form."""
    values = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page))
    for name, block in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', block)
        values[name] = chosen.group(1) if chosen else ""
    return values


def test_the_edit_form_shows_the_cpr_number_masked_and_an_empty_field_keeps_it(client, session):
    worker = make_user(session, Role.CHILD_CASEWORKER, "sara")
    token = login(client, "sara")
    url = _create(client, token, child_caseworker_id=worker.id)
    page = client.get(f"{url}/edit")
    assert page.status_code == 200
    assert "180812-4559" not in page.text and "1808124559" not in page.text
    assert "180812-xxxx" in page.text
    values = _form(page.text)
    assert values["cpr"] == ""
    saved = client.post(f"{url}/edit", data={**values, "city": "Vejle"})
    assert saved.status_code == 303, saved.text
    youth = _youth(session, url)
    assert youth.cpr == "1808124559" and youth.city == "Vejle"
    # a failed save does not put the stored number back into the page either
    failed = client.post(f"{url}/edit", data={**values, "first_name": ""})
    assert failed.status_code == 400 and "4559" not in failed.text
    # typing a new number changes it
    changed = client.post(f"{url}/edit", data={**values, "cpr": "190812-4551"})
    assert changed.status_code == 303
    assert _youth(session, url).cpr == "1908124551"


def test_a_cpr_number_in_the_name_search_is_refused_and_pointed_to_the_cpr_search(
    client, session
):
    worker = make_user(session, Role.CHILD_CASEWORKER, "sara")
    token = login(client, "sara")
    _create(client, token, child_caseworker_id=worker.id)
    for q in ("180812-4559", "1808124559", "180812 4559", "180812"):
        page = client.get("/youths", params={"q": q})
        assert page.status_code == 400
        assert "Find med CPR-nummer" in page.text
        assert "Freja" not in page.text.split('id="results"')[1]
    assert client.get("/youths", params={"q": "Freja"}).status_code == 200
    api = {"Authorization": f"Bearer {auth.issue_api_token(session, worker)}"}
    refused = client.get("/api/v1/youths", params={"q": "180812-4559"}, headers=api)
    assert refused.status_code == 400
    assert "search-cpr" in refused.json()["detail"][0]["message"]
    found = client.post("/api/v1/youths/search-cpr", json={"cpr": "1808124559"}, headers=api)
    assert found.status_code == 200 and found.json()["first_name"] == "Freja"
    assert "4559" not in found.text
    missing = client.post("/api/v1/youths/search-cpr", json={"cpr": "0101094321"}, headers=api)
    assert missing.status_code == 404
    bad = client.post("/api/v1/youths/search-cpr", json={"cpr": "3102094321"}, headers=api)
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "cpr"


def test_a_childrens_caseworker_cannot_take_over_or_close_a_colleagues_case(client, session):
    owner = make_user(session, Role.CHILD_CASEWORKER, "sara")
    other = make_user(session, Role.CHILD_CASEWORKER, "mette")
    token = login(client, "sara")
    url = _create(client, token, child_caseworker_id=owner.id)
    youth_id = int(url.rsplit("/", 1)[1])
    api = {"Authorization": f"Bearer {auth.issue_api_token(session, other)}"}
    for change in ({"child_caseworker_id": other.id},
                   {"status": "closed", "closed_reason": "Flyttet"},
                   {"child_caseworker_id": other.id, "status": "closed", "closed_reason": "x"}):
        response = client.patch(f"/api/v1/youths/{youth_id}", json=change, headers=api)
        assert response.status_code == 403, response.text
        assert "koordinerende sagsbehandler" in response.json()["detail"][0]["message"]
    youth = _youth(session, url)
    assert youth.child_caseworker_id == owner.id and youth.status is YouthStatus.ACTIVE
    # the same on the page: a forged form is refused with the reason next to the field
    client.cookies.clear()
    mette = login(client, "mette")
    page = client.get(f"{url}/edit").text
    assert 'id="f-child_caseworker_id"' not in page  # shown as a name, not offered
    assert 'value="closed"' not in page
    values = _form(page)
    assert values["child_caseworker_id"] == str(owner.id)
    forged = client.post(f"{url}/edit", data={**values, "child_caseworker_id": other.id,
                                              "csrf_token": mette})
    assert forged.status_code == 403
    assert "koordinerende sagsbehandler" in forged.text
    assert _youth(session, url).child_caseworker_id == owner.id
    # an ordinary edit by the colleague still works
    assert client.post(f"{url}/edit", data={**values, "city": "Vejle",
                                            "csrf_token": mette}).status_code == 303


def test_coordinators_and_the_coordinating_caseworker_may_reassign_and_close(client, session):
    owner = make_user(session, Role.CHILD_CASEWORKER, "sara")
    lead = make_user(session, Role.CHILD_CASEWORKER, "lone")
    other = make_user(session, Role.CHILD_CASEWORKER, "mette")
    boss = make_user(session, Role.COORDINATOR, "kim")
    token = login(client, "sara")
    url = _create(client, token, child_caseworker_id=owner.id, coordinator_id=lead.id)
    youth_id = int(url.rsplit("/", 1)[1])
    as_lead = {"Authorization": f"Bearer {auth.issue_api_token(session, lead)}"}
    moved = client.patch(f"/api/v1/youths/{youth_id}",
                         json={"child_caseworker_id": other.id}, headers=as_lead)
    assert moved.status_code == 200, moved.text
    as_boss = {"Authorization": f"Bearer {auth.issue_api_token(session, boss)}"}
    closed = client.patch(f"/api/v1/youths/{youth_id}",
                          json={"status": "closed", "closed_reason": "Fraflyttet"},
                          headers=as_boss)
    assert closed.status_code == 200
    youth = session.exec(select(Youth).where(Youth.id == youth_id)).one()
    session.refresh(youth)
    assert youth.child_caseworker_id == other.id and youth.status is YouthStatus.CLOSED


def test_a_caseworker_may_take_an_unassigned_case_herself(client, session):
    boss = make_user(session, Role.COORDINATOR, "kim")
    adult = make_user(session, Role.ADULT_CASEWORKER, "anders")
    token = login(client, "kim")
    url = _create(client, token, child_caseworker_id="")
    youth_id = int(url.rsplit("/", 1)[1])
    youth = _youth(session, url)
    youth.status = YouthStatus.TRANSFERRED
    session.add(youth)
    session.commit()
    api = {"Authorization": f"Bearer {auth.issue_api_token(session, adult)}"}
    taken = client.patch(f"/api/v1/youths/{youth_id}", json={"adult_caseworker_id": adult.id},
                         headers=api)
    assert taken.status_code == 200, taken.text
    assert boss.id is not None


def test_simultaneous_registrations_of_one_cpr_number_give_one_record_and_409s(
    app, session
):
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    from tests.live import serve

    worker = make_user(session, Role.CHILD_CASEWORKER, "sara")
    headers = {"Authorization": f"Bearer {auth.issue_api_token(session, worker)}"}
    body = {"cpr": "180812-4559", "first_name": "Freja", "last_name": "Holm",
            "child_caseworker_id": worker.id}
    session.commit()
    with serve(app) as base, ThreadPoolExecutor(8) as pool:
        def post(_: int) -> httpx.Response:
            return httpx.post(f"{base}/api/v1/youths", json=body, headers=headers, timeout=30)

        answers = list(pool.map(post, range(8)))
    statuses = sorted(r.status_code for r in answers)
    assert statuses == [201] + [409] * 7, statuses
    for refused in (r for r in answers if r.status_code == 409):
        assert refused.json()["detail"][0]["field"] == "cpr"
    assert len(session.exec(select(Youth)).all()) == 1


def test_a_line_break_in_a_name_is_refused_and_nothing_is_saved(client, session):
    """A name goes into e-mail headers and calendar properties: a line break there broke
    every invite for the person (or could add a header)."""
    worker = make_user(session, Role.CHILD_CASEWORKER, "sara")
    token = login(client, "sara")
    for name in ("Freja\r\nBcc: alle@example.dk", "Freja\nHolm", "Freja\u2028Holm"):
        response = client.post("/youths/new", data={**VALID, "first_name": name,
                                                    "child_caseworker_id": worker.id,
                                                    "csrf_token": token})
        assert response.status_code == 400
        assert "Skriv det på én linje" in response.text
    assert session.exec(select(Youth)).all() == []
    # a note may still have several lines
    saved = client.post("/youths/new", data={**VALID, "child_caseworker_id": worker.id,
                                             "other_needs": "Tolk\r\nog bisidder",
                                             "csrf_token": token})
    assert saved.status_code == 303
