"""An id in the address beyond the database's integer range is a missing page, not a 500."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models.user import Role
from tests.conftest import login, make_user

HUGE = 10**15


def test_a_huge_id_in_the_address_answers_404(client: TestClient, session: Session) -> None:
    make_user(session, Role.COORDINATOR, "koord")
    login(client, "koord")
    for path in (f"/youths/{HUGE}", f"/meetings/{HUGE}", f"/api/v1/youths/{HUGE}",
                 f"/api/v1/youths/{HUGE}/inquiries"):
        response = client.get(path)
        assert response.status_code == 404, (path, response.status_code)
