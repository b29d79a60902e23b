"""Every route that names a young person or one of their objects is access-checked and, for a
read, audit-logged, by the one scope the whole application installs: these tests walk the route
table, so a new route cannot forget either."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from sqlmodel import Session, col, func, select

from app.clock import now as clock_now
from app.deps import youth_scope
from app.domain import labels
from app.domain.cpr import cpr_lookup_hash
from app.models.audit import AuditAction, AuditEvent
from app.models.handover import Consent, ConsentMethod, DocumentType, GiverRole, HandoverDocument
from app.models.inquiry import Inquiry, InquirySender
from app.models.meeting import ActionPoint, Meeting, MeetingInvitee, MeetingKind, PlaceKind
from app.models.network import NetworkMember, NetworkRole, Person, PersonKind, Sector
from app.models.outbox import OutboxKind, OutboxMessage
from app.models.review import ReviewArea, ReviewFollowUp, ReviewSample, SampledCase
from app.models.timeline import YouthStep
from app.models.user import Role
from app.models.youth import Channel, Youth, YouthStatus
from app.services.access import NOT_YOUTH_PARAMS, OWNED_BY_YOUTH
from app.web.routing import UnitOfWorkRoute
from tests.conftest import TEST_PASSWORD, csrf_from, login, make_user, today_cph
from tests.integration.family_world import citizen_login

PARAM = re.compile(r"{(\w+)}")
YOUTH_PARAMS = set(OWNED_BY_YOUTH) | {"youth_id"}
# The verbs a path may hold in place of {action}.
ACTIONS = {"/youths/{youth_id}/network/members/{member_id}/{action}": ["edit", "move", "remove"]}


def _api_routes(app) -> list:  # type: ignore[no-untyped-def]
    """Every API route as served (included routers resolved), with its effective dependencies."""
    routes = [c for c in iter_route_contexts(app.routes) if isinstance(c.original_route, APIRoute)]
    assert len(routes) > 100
    return routes


def _calls(dependant: Dependant) -> set[object]:
    found = {dependant.call}
    for sub in dependant.dependencies:
        found |= _calls(sub)
    return found


def test_every_path_parameter_is_known_to_the_access_scope(app):
    unknown = {
        (route.path, name) for route in _api_routes(app) for name in PARAM.findall(route.path)
        if name not in YOUTH_PARAMS | NOT_YOUTH_PARAMS
    }
    assert unknown == set(), "add each to services/access.OWNED_BY_YOUTH or NOT_YOUTH_PARAMS"


def test_every_route_runs_in_the_scope_and_the_unit_of_work(app):
    for route in _api_routes(app):
        assert isinstance(route.original_route, UnitOfWorkRoute), route.path
        assert youth_scope in _calls(route.dependant), route.path


def test_the_audit_log_names_the_page_of_every_read(app):
    """The audit view says what each read showed ("Læst: netværkskortet")."""
    reads = [path for path, _ in _urls(app, dict.fromkeys(YOUTH_PARAMS | {"action"}, 1), "GET")]
    assert len(reads) > 20
    unnamed = [p for p in reads
               if labels.audit_subject(AuditAction.READ, "", f"GET {p}") is None]
    assert unnamed == [], "add the page to domain/labels.AUDIT_PAGE"


@dataclass
class World:
    youth: Youth
    other: Youth
    ids: dict[str, int]


def _world(session: Session) -> World:
    coordinator = make_user(session, Role.COORDINATOR, "koordinator")
    make_user(session, Role.ADULT_CASEWORKER, "fremmed")  # cannot see an active child case
    youth = Youth(first_name="Freja", last_name="Holm", birth_date=date(2009, 5, 1),
                  name_search="freja holm", status=YouthStatus.ACTIVE)
    other = Youth(first_name="Karl", last_name="Berg", birth_date=date(2009, 6, 1),
                  name_search="karl berg", status=YouthStatus.ACTIVE)
    session.add_all([youth, other])
    session.flush()
    assert youth.id is not None and coordinator.id is not None
    now = clock_now()
    person = Person(kind=PersonKind.PRIVATE, name="Anne Holm", email="anne@example.dk")
    session.add(person)
    session.flush()
    member = NetworkMember(youth_id=youth.id, person_id=person.id or 0, sector=Sector.FAMILY,
                           role=NetworkRole.MOTHER, custody_holder=True)
    meeting = Meeting(uid="0d7c8f1e-1111-4c5e-9a1b-000000000001", youth_id=youth.id,
                      kind=MeetingKind.COORDINATION, starts_at=now + timedelta(days=7),
                      ends_at=now + timedelta(days=7, hours=1), place_kind=PlaceKind.TOWN_HALL,
                      organiser_id=coordinator.id)
    session.add_all([member, meeting])
    session.flush()
    doc_type = session.exec(select(DocumentType)).first()
    assert doc_type is not None and meeting.id is not None
    rows = {
        "member_id": member,
        "meeting_id": meeting,
        "invitee_id": MeetingInvitee(meeting_id=meeting.id, member_id=member.id,
                                     name="Anne Holm", email="anne@example.dk"),
        "action_id": ActionPoint(meeting_id=meeting.id, youth_id=youth.id, text="Ring til PPR",
                                 owner_id=coordinator.id, due_on=today_cph()),
        "document_id": HandoverDocument(youth_id=youth.id, document_type_id=doc_type.id or 0),
        "consent_id": Consent(youth_id=youth.id, giver_role=GiverRole.CUSTODY_HOLDER,
                              giver_name="Anne Holm", method=ConsentMethod.WRITTEN,
                              given_on=today_cph()),
        "inquiry_id": Inquiry(youth_id=youth.id, received_at=now, channel=Channel.PHONE,
                              sender_kind=InquirySender.FAMILY, summary="Et spørgsmål",
                              due_at=now + timedelta(days=2)),
        "message_id": OutboxMessage(message_id="<route-access@kommune.example>",
                                    kind=OutboxKind.LETTER, youth_id=youth.id,
                                    subject="Brev", body="Hej", deadline_at=now),
        "row_id": YouthStep(youth_id=youth.id, step_id=1, due_on=today_cph()),
    }
    session.add_all(rows.values())
    rows.update(_review_rows(session, youth, coordinator.id))
    session.commit()
    ids = {name: row.id for name, row in rows.items()} | {"youth_id": youth.id}
    return World(youth, other, ids)  # type: ignore[arg-type]


def _review_rows(session: Session, youth: Youth, coordinator_id: int) -> dict[str, object]:
    """A management review of the young person, with a follow-up."""
    sample = ReviewSample(area=ReviewArea.CHILDREN, period_start=today_cph(),
                          period_end=today_cph(), size=1, seed="s", population=[youth.id])
    session.add(sample)
    session.flush()
    case = SampledCase(sample_id=sample.id or 0, youth_id=youth.id or 0, position=1)
    session.add(case)
    session.flush()
    follow_up = ReviewFollowUp(case_id=case.id or 0, youth_id=youth.id or 0,
                               owner_id=coordinator_id, text="Ring til PPR", due_on=today_cph())
    session.add(follow_up)
    session.flush()
    return {"case_id": case, "follow_up_id": follow_up}


def _urls(app, ids: dict[str, int], method: str) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(route path, url) for every route of `method` whose path names a young person's
    object, with every verb an {action} may take."""
    out = []
    for route in _api_routes(app):
        names = set(PARAM.findall(route.path))
        if method not in route.methods or not names & YOUTH_PARAMS:
            continue
        for action in ACTIONS.get(route.path, [""]):
            url = route.path.replace("{action}", action)
            for name in names - {"action"}:
                url = url.replace("{" + name + "}", str(ids[name]))
            out.append((route.path, url))
    return out


def _reads(session: Session, youth_id: int) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.youth_id == youth_id, AuditEvent.action == AuditAction.READ)).one()


def _login(client, username: str) -> None:  # type: ignore[no-untyped-def]
    login(client, username, TEST_PASSWORD)


CITIZEN_PREFIX = "/borger"  # the family's pages: for citizens, 404 to staff
MOTHER_CPR = "1203784321"


def _as_custody_holder(client, session: Session, settings, world: World) -> None:  # type: ignore[no-untyped-def]
    """Logs in as the young person's mother (custody holder, the young person under 18),
    who gave the world's consent: a citizen who may see every family page of the world."""
    member = session.get(NetworkMember, world.ids["member_id"])
    assert member is not None
    person = session.get(Person, member.person_id)
    consent = session.get(Consent, world.ids["consent_id"])
    assert person is not None and consent is not None
    person.cpr_hash = cpr_lookup_hash(MOTHER_CPR, settings.key)
    consent.giver_member_id = member.id
    world.youth.birth_date = today_cph() - relativedelta(years=17)  # custody holds at 17
    session.add_all([person, consent, world.youth])
    session.commit()
    citizen_login(client, session, settings, MOTHER_CPR)


def test_every_read_of_a_young_persons_object_writes_one_audit_row(app, client, session,
                                                                   settings):
    world = _world(session)
    _login(client, "koordinator")
    urls = [(p, u) for p, u in _urls(app, world.ids, "GET") if not p.startswith(CITIZEN_PREFIX)]
    assert len(urls) > 20
    _check_reads(client, session, world, urls)
    citizen_urls = [(p, u) for p, u in _urls(app, world.ids, "GET")
                    if p.startswith(CITIZEN_PREFIX)]
    assert len(citizen_urls) >= 2
    for _path, url in citizen_urls:  # staff do not see the family's pages
        assert client.get(url).status_code == 404, url
    _as_custody_holder(client, session, settings, world)
    _check_reads(client, session, world, citizen_urls)
    for _path, url in urls:  # nor does a citizen see the staff pages
        assert client.get(url).status_code == 404, url


def _check_reads(client, session: Session, world: World, urls: list[tuple[str, str]]) -> None:  # type: ignore[no-untyped-def]
    for path, url in urls:
        before = _reads(session, world.youth.id or 0)
        response = client.get(url)
        assert response.status_code < 400, (url, response.status_code)
        assert _reads(session, world.youth.id or 0) == before + 1, url
        row = session.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc())).first()
        assert row is not None and row.detail == f"GET {path}"


def test_a_user_who_may_not_see_the_young_person_gets_403_on_every_route(app, client, session):
    world = _world(session)
    _login(client, "fremmed")
    csrf = csrf_from(client.get("/profile").text)
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        for _path, url in _urls(app, world.ids, method):
            response = client.request(method, url, headers={"X-CSRF-Token": csrf})
            assert response.status_code == 403, (method, url, response.status_code)
            assert "Anne" not in response.text and "Freja" not in response.text
    assert _reads(session, world.youth.id or 0) == 0


@pytest.mark.parametrize("name", sorted(OWNED_BY_YOUTH))
def test_an_object_reached_through_another_young_persons_address_is_not_found(
    app, client, session, name
):
    world = _world(session)
    _login(client, "koordinator")
    ids = world.ids | {"youth_id": world.other.id or 0}
    urls = [u for p, u in _urls(app, ids, "GET") if "{youth_id}" in p and "{" + name + "}" in p]
    for url in urls:
        assert client.get(url).status_code == 404, url


def test_ids_beyond_the_integer_range_or_not_numbers_are_not_found(app, client, session):
    _world(session)
    make_user(session, Role.ADMIN, "admin")
    _login(client, "admin")
    for bad in ("9223372036854775808", "2147483648", "0", "-1", "abc"):
        for url in (f"/youths/{bad}", f"/api/v1/youths/{bad}", f"/meetings/{bad}",
                    f"/youths/1/network/members/{bad}/edit", f"/admin/users/{bad}",
                    f"/admin/timeline/{bad}", f"/admin/documents/{bad}"):
            assert client.get(url).status_code == 404, url


# Routes that name young people in the form instead of the path (the scope above does not see
# them): each checks every one it is given, and refuses the whole request for one it may not.
FORM_YOUTH_ROUTES = {("POST", "/youths/assign"), ("POST", "/youths/assign/confirm")}


def test_routes_that_name_young_people_in_the_form_check_each_of_them(app, client, session):
    served = {(m, r.path) for r in _api_routes(app) for m in r.methods}
    assert served >= FORM_YOUTH_ROUTES
    world = _world(session)
    adult = make_user(session, Role.ADULT_CASEWORKER, "voksen")
    for username, ids, status in (
        ("fremmed", [world.youth.id], 403),              # may not assign, nor see the case
        ("koordinator", [world.youth.id, 999_999], 404),  # one that does not exist
    ):
        _login(client, username)
        csrf = csrf_from(client.get("/profile").text)
        for _method, path in sorted(FORM_YOUTH_ROUTES):
            response = client.post(path, data={"youth": ids, "adult_caseworker_id": adult.id,
                                               "csrf_token": csrf})
            assert response.status_code == status, (username, path, response.status_code)
    session.expire_all()
    assert session.get(Youth, world.youth.id).adult_caseworker_id is None  # type: ignore[union-attr]
