from __future__ import annotations

from app.models.user import Role
from app.services import auth
from tests.conftest import make_user

BODY = {"cpr": "0101094321", "first_name": "Emil", "last_name": "Skov",
        "adult_support_expected": "yes"}


def _bearer(session, role: Role, username: str) -> dict[str, str]:
    user = make_user(session, role, username)
    return {"Authorization": f"Bearer {auth.issue_api_token(session, user)}"}


def test_it_answers_401_without_credentials(client):
    response = client.get("/api/v1/youths")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert client.post("/api/v1/youths", json=BODY).status_code == 401


def test_it_creates_a_young_person_and_answers_201_with_id_and_iso_birth_date(client, session):
    headers = _bearer(session, Role.CHILD_CASEWORKER, "sara")
    response = client.post("/api/v1/youths", json=BODY, headers=headers)
    assert response.status_code == 201, response.text
    body = response.json()
    assert isinstance(body["id"], int)
    assert body["birth_date"] == "2009-01-01"
    assert body["cpr_masked"] == "010109-xxxx"
    assert "4321" not in response.text  # the full number is never returned
    again = client.get(f"/api/v1/youths/{body['id']}", headers=headers)
    assert again.status_code == 200 and again.json()["first_name"] == "Emil"


def test_it_answers_422_with_danish_field_messages_for_bad_input(client, session):
    headers = _bearer(session, Role.CHILD_CASEWORKER, "sara")
    bad = client.post("/api/v1/youths", json={**BODY, "cpr": "3102094321"}, headers=headers)
    assert bad.status_code == 422
    assert bad.json()["detail"] == [
        {"field": "cpr", "message": "De første seks cifre i CPR-nummeret er ikke en rigtig dato."}
    ]
    letters = client.post("/api/v1/youths", json={**BODY, "cpr": "01010A4321"}, headers=headers)
    assert letters.status_code == 422
    missing = client.post("/api/v1/youths", json={"cpr": "0101094321"}, headers=headers)
    assert {e["field"] for e in missing.json()["detail"]} == {"first_name", "last_name"}
    assert "0101094321" not in missing.text  # input is never echoed back


def test_a_duplicate_cpr_answers_409(client, session):
    headers = _bearer(session, Role.COORDINATOR, "kim")
    assert client.post("/api/v1/youths", json=BODY, headers=headers).status_code == 201
    dup = client.post("/api/v1/youths", json={**BODY, "cpr": "010109-4321"}, headers=headers)
    assert dup.status_code == 409


def test_it_answers_403_for_a_young_person_the_user_may_not_see_and_404_for_none(
    client, session
):
    child = _bearer(session, Role.CHILD_CASEWORKER, "sara")
    adult = _bearer(session, Role.ADULT_CASEWORKER, "villy")
    youth_id = client.post("/api/v1/youths", json=BODY, headers=child).json()["id"]
    assert client.get(f"/api/v1/youths/{youth_id}", headers=adult).status_code == 403
    assert client.patch(
        f"/api/v1/youths/{youth_id}", json={"city": "Egebjerg"}, headers=adult
    ).status_code == 403
    assert client.get("/api/v1/youths/999999", headers=child).status_code == 404
    listed = client.get("/api/v1/youths", headers=adult).json()
    assert listed["total"] == 0


def test_patch_changes_fields_with_the_same_validation(client, session):
    headers = _bearer(session, Role.COORDINATOR, "kim")
    youth_id = client.post("/api/v1/youths", json=BODY, headers=headers).json()["id"]
    ok = client.patch(f"/api/v1/youths/{youth_id}", json={"city": "Egebjerg"}, headers=headers)
    assert ok.status_code == 200 and ok.json()["city"] == "Egebjerg"
    script = client.patch(
        f"/api/v1/youths/{youth_id}", json={"city": "<img src=x onerror=alert(1)>"},
        headers=headers,
    )
    assert script.status_code == 422
    closed = client.patch(f"/api/v1/youths/{youth_id}", json={"status": "closed"},
                          headers=headers)
    assert closed.status_code == 422
    assert closed.json()["detail"][0]["field"] == "closed_reason"
    unknown = client.patch(f"/api/v1/youths/{youth_id}", json={"role": "admin"}, headers=headers)
    assert unknown.status_code == 422


def test_the_list_filters_and_pages(client, session):
    headers = _bearer(session, Role.COORDINATOR, "kim")
    for i in range(3):
        client.post("/api/v1/youths", json={**BODY, "cpr": f"01010943{i:02d}",
                                             "first_name": f"Navn{i}"}, headers=headers)
    listed = client.get("/api/v1/youths?q=navn1", headers=headers).json()
    assert listed["total"] == 1 and listed["items"][0]["first_name"] == "Navn1"
    assert client.get("/api/v1/youths?age=nonsense", headers=headers).status_code == 422


def test_the_list_sorts_by_the_pages_columns_and_names_the_next_due_date(client, session):
    headers = _bearer(session, Role.COORDINATOR, "kim")
    for i, cpr in enumerate(("0101094321", "0101084321", "0101074321")):  # born 2009, 08, 07
        client.post("/api/v1/youths", json={**BODY, "cpr": cpr, "last_name": f"Skov{i}"},
                    headers=headers)
    by_birth = client.get("/api/v1/youths?sort=turns18", headers=headers).json()["items"]
    assert [y["last_name"] for y in by_birth] == ["Skov2", "Skov1", "Skov0"]
    by_name = client.get("/api/v1/youths?sort=name&order=desc", headers=headers).json()["items"]
    assert [y["last_name"] for y in by_name] == ["Skov2", "Skov1", "Skov0"]
    assert all(y["next_open_due_on"] for y in by_name)
    assert client.get("/api/v1/youths?sort=cpr", headers=headers).status_code == 422


def test_session_authenticated_api_writes_need_the_csrf_header(client, session):
    from tests.conftest import login

    make_user(session, Role.COORDINATOR, "kim")
    token = login(client, "kim")
    assert client.post("/api/v1/youths", json=BODY).status_code == 403
    ok = client.post("/api/v1/youths", json=BODY, headers={"X-CSRF-Token": token})
    assert ok.status_code == 201


def test_the_openapi_description_is_for_administrators_only(client, session):
    from tests.conftest import login

    make_user(session, Role.COORDINATOR, "kim")
    make_user(session, Role.ADMIN, "ada")
    login(client, "kim")
    assert client.get("/docs").status_code == 403
    login(client, "ada")
    assert client.get("/docs").status_code == 200
    spec = client.get("/docs/openapi.json").json()
    assert "/api/v1/youths" in spec["paths"]
