"""A young person with a family for the tests of the family's page: Freja (born 4 March 2008,
18 on 4 March 2026), her mother Anne who holds custody, her grandmother Grete who does not,
and another young person, Karl, with his mother Lone. Citizens log in with a session opened
by the same service the MitID callback uses (the OpenID flow itself is tested against the
real provider in test_family_login.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.deps import CITIZEN_COOKIE
from app.domain.cpr import cpr_lookup_hash
from app.domain.youth import YouthData
from app.models.handover import Consent, ConsentMethod, GiverRole, Purpose
from app.models.network import NetworkMember, NetworkRole, Person, PersonKind, Sector
from app.models.user import Role, User
from app.models.youth import Youth
from app.services import citizens, youths
from app.settings import Settings
from tests.conftest import make_user

FREJA_CPR, ANNE_CPR, GRETE_CPR = "0403084123", "1203784321", "0101504322"
KARL_CPR, LONE_CPR, STRANGER_CPR = "0506084124", "0707804325", "0202804323"
FREJA_BIRTHDAY = date(2026, 3, 4)


@dataclass
class Family:
    coordinator: User
    freja: Youth
    karl: Youth
    anne: NetworkMember
    grete: NetworkMember
    lone: NetworkMember


def _member(session: Session, settings: Settings, youth: Youth, name: str, cpr: str,
            role: NetworkRole, *, custody: bool) -> NetworkMember:
    person = Person(kind=PersonKind.PRIVATE, name=name, email=f"{name.split()[0].lower()}@x.dk",
                    cpr_hash=cpr_lookup_hash(cpr, settings.key))
    session.add(person)
    session.flush()
    member = NetworkMember(youth_id=youth.id or 0, person_id=person.id or 0,
                           sector=Sector.FAMILY, ring=1, role=role, custody_holder=custody,
                           invited_to_meetings=True, youth_agreed=True)
    session.add(member)
    session.flush()
    return member


def make_family(session: Session, settings: Settings, today: date) -> Family:
    make_user(session, Role.COORDINATOR, "koordinator", "Kirsten Koordinator")
    coordinator = make_user(session, Role.CHILD_CASEWORKER, "lars", "Lars Bech Nielsen")
    buddy = make_user(session, Role.ADULT_CASEWORKER, "birgitte", "Birgitte Dahl")
    freja = youths.create(session, settings, coordinator, YouthData(
        cpr=FREJA_CPR, first_name="Freja", last_name="Holm", coordinator_id=coordinator.id,
        buddy_id=buddy.id, email="freja@x.dk"), today)
    karl = youths.create(session, settings, coordinator, YouthData(
        cpr=KARL_CPR, first_name="Karl", last_name="Berg"), today)
    anne = _member(session, settings, freja, "Anne Holm", ANNE_CPR, NetworkRole.MOTHER,
                   custody=True)
    grete = _member(session, settings, freja, "Grete Holm", GRETE_CPR,
                    NetworkRole.GRANDPARENT, custody=False)
    lone = _member(session, settings, karl, "Lone Berg", LONE_CPR, NetworkRole.MOTHER,
                   custody=True)
    session.commit()
    return Family(coordinator, freja, karl, anne, grete, lone)


def share(session: Session, youth: Youth, member: NetworkMember, given_on: date,
          withdrawn_on: date | None = None) -> Consent:
    """The young person's consent to let a custody holder keep seeing the page."""
    consent = Consent(youth_id=youth.id or 0, giver_role=GiverRole.YOUTH,
                      giver_name=youth.full_name, purposes=[Purpose.SHARE_WITH_FAMILY.value],
                      invitee_member_ids=[member.id], method=ConsentMethod.DIGITAL,
                      given_on=given_on, withdrawn_on=withdrawn_on)
    session.add(consent)
    session.commit()
    return consent


def citizen_login(client: TestClient, session: Session, settings: Settings, cpr: str,
                  name: str = "") -> None:
    """A citizen's session, as the MitID callback opens it."""
    client.cookies.clear()
    result = citizens.login_with_claims(
        session, settings, {settings.citizen_cpr_claim: cpr, "name": name}, "testclient")
    assert result.token is not None
    session.commit()
    client.cookies.set(CITIZEN_COOKIE, result.token)


def csrf_for_citizen(client: TestClient, youth_id: int) -> str:
    from tests.conftest import csrf_from
    page = client.get(f"/borger/unge/{youth_id}")
    assert page.status_code == 200, page.text
    return csrf_from(page.text)
