"""The start page: each caseworker's due and overdue tasks in short lists, each with what
closes it; a coordinator's month at a glance and the cases without an adult caseworker; and
the count beside "My tasks" in the navigation, equal to what "My tasks" lists."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.clock import FrozenClock
from app.domain.inquiry import InquiryData
from app.domain.youth import YouthData
from app.models.inquiry import InquirySender
from app.models.meeting import Answer, Meeting, MeetingInvitee, MeetingKind, PlaceKind
from app.models.user import Role, User
from app.models.youth import Channel, Frequency, SupportExpected, Youth
from app.services import inquiries, youths
from app.settings import Settings
from tests.conftest import login, make_user

CPH = ZoneInfo("Europe/Copenhagen")
# Alma (born 10 September 2010) turned 17 on 10 September 2027: her first coordination
# meeting is overdue three weeks later.
TODAY = date(2027, 10, 1)
NOW = datetime.combine(TODAY, time(10), CPH)
_NAV_COUNT = re.compile(r'<span class="nav-count" aria-hidden="true">(\d+)</span>'
                        r'<span class="sr-only"> \((\d+) opgaver?\)</span>')


def _youth(session: Session, settings: Settings, actor: User, birth: date, name: str,
           **extra: object) -> Youth:
    data = YouthData(birth_date=birth, birth_date_reason="Test", first_name=name,
                     last_name="Testesen", adult_support_expected=SupportExpected.YES,
                     **extra)  # type: ignore[arg-type]
    return youths.create(session, settings, actor, data, TODAY - timedelta(days=200))


@pytest.fixture
def world(session: Session, settings: Settings, clock: FrozenClock) -> dict[str, object]:
    clock.set(NOW)
    sara = make_user(session, Role.CHILD_CASEWORKER, "sara")
    mette = make_user(session, Role.CHILD_CASEWORKER, "mette")
    make_user(session, Role.COORDINATOR, "kirsten")
    alma = _youth(session, settings, sara, date(2010, 9, 10), "Alma",
                  child_caseworker_id=sara.id)
    carl = _youth(session, settings, mette, date(2010, 9, 10), "Carl",
                  child_caseworker_id=mette.id)
    session.commit()
    return {"sara": sara, "mette": mette, "alma": alma, "carl": carl}


def _nav_count(html: str) -> int:
    """The count beside "My tasks" (0 when there is none), the same seen and read out."""
    found = _NAV_COUNT.findall(html)
    if not found:
        return 0
    assert len(found) == 2, found  # the wide navigation and the mobile menu
    (seen, heard), _mobile = found
    assert seen == heard
    return int(seen)


def _listed_on_my_tasks(client: TestClient) -> int:
    """Steps, inquiries and status updates as "My tasks" lists them."""
    page = client.get("/tasks").text
    steps = len(re.findall(r'<span class="step-status step-(?:due|overdue)">', page))
    open_inquiries = len(re.findall(r'href="/inquiries/\d+/answer"', page))
    updates = len(re.findall(r'href="/youths/\d+/letters/new"', page))
    return steps + open_inquiries + updates


def test_an_overdue_first_meeting_offers_to_plan_the_meeting_for_that_young_person(
    client: TestClient, world: dict[str, object]
) -> None:
    login(client, "sara")
    page = client.get("/")
    assert page.status_code == 200
    alma, carl = world["alma"], world["carl"]
    assert isinstance(alma, Youth) and isinstance(carl, Youth)
    steps = page.text.split('id="h-start-steps"')[1].split("</section>")[0]
    item = steps.split("Første koordineringsmøde")[0].rsplit("<li>", 1)[1]
    assert "Overskredet" in item
    after = steps.split("Første koordineringsmøde")[1].split("</li>")[0]
    assert f'<a href="/youths/{alma.id}/meetings/new">Planlæg mødet' in after
    # A colleague's young person is not Sara's task.
    assert f"/youths/{carl.id}" not in page.text
    # A caseworker has no month at a glance.
    assert "Måneden i overblik" not in page.text


def test_an_open_inquiry_offers_to_record_the_answer_and_says_when_it_is_overdue(
    client: TestClient, session: Session, settings: Settings, clock: FrozenClock,
    world: dict[str, object]
) -> None:
    sara, alma = world["sara"], world["alma"]
    assert isinstance(sara, User) and isinstance(alma, Youth) and alma.id
    inquiry = inquiries.create(session, settings, sara, alma.id, InquiryData(
        received_on=TODAY - timedelta(days=7), received_time=time(9), channel=Channel.PHONE,
        sender_kind=InquirySender.FAMILY, summary="Mor spørger til bolig efter 18 år."),
        NOW)
    session.commit()
    login(client, "sara")
    page = client.get("/").text
    section = page.split('id="h-start-inquiries"')[1].split("</section>")[0]
    assert "Mor spørger til bolig efter 18 år." in section
    assert f'<a href="/inquiries/{inquiry.id}/answer">Registrér svaret' in section
    assert "Overskredet" in section


def test_the_count_beside_my_tasks_is_what_my_tasks_lists(
    client: TestClient, session: Session, settings: Settings, clock: FrozenClock,
    world: dict[str, object]
) -> None:
    sara, alma = world["sara"], world["alma"]
    assert isinstance(sara, User) and isinstance(alma, Youth) and alma.id
    # A status update is due too: weekly, and the case was created a fortnight ago.
    clock.set(NOW - timedelta(days=14))
    weekly = _youth(session, settings, sara, date(2012, 1, 1), "Bo",
                    child_caseworker_id=sara.id, comm_frequency=Frequency.WEEKLY)
    inquiries.create(session, settings, sara, alma.id, InquiryData(
        received_on=TODAY - timedelta(days=14), received_time=time(9),
        channel=Channel.PHONE, sender_kind=InquirySender.FAMILY, summary="Et spørgsmål"),
        NOW - timedelta(days=14))
    session.commit()
    clock.set(NOW)
    login(client, "sara")

    home = client.get("/").text
    listed = _listed_on_my_tasks(client)
    assert listed >= 3  # Alma's steps, the inquiry, Bo's status update
    assert f'href="/youths/{weekly.id}/letters/new"' in home
    assert _nav_count(home) == listed
    assert _nav_count(client.get("/youths").text) == listed
    assert _nav_count(client.get("/tasks").text) == listed
    # One step fewer when Sara marks one as done: the count follows.
    token = re.search(r'name="csrf_token" value="([^"]+)"', home)
    assert token
    row = re.search(r'action="/steps/(\d+)/complete"', client.get("/tasks").text)
    assert row
    client.post(f"/steps/{row[1]}/complete", data={"csrf_token": token[1], "back": "tasks"})
    assert _nav_count(client.get("/").text) == listed - 1


def test_someone_with_nothing_due_is_told_so_and_has_no_count(
    client: TestClient, world: dict[str, object], session: Session
) -> None:
    make_user(session, Role.ADULT_CASEWORKER, "ole")
    login(client, "ole")
    page = client.get("/").text
    assert "Du har ingen opgaver i dag." in page
    assert "Du har ingen møder den kommende uge." in page
    assert _nav_count(page) == 0


def test_an_error_page_has_the_navigation_without_a_count(
    client: TestClient, world: dict[str, object]
) -> None:
    login(client, "sara")
    assert _nav_count(client.get("/").text) > 0
    missing = client.get("/youths/999999")
    assert missing.status_code == 404
    assert 'href="/tasks"' in missing.text
    assert "nav-count" not in missing.text


def test_a_coordinator_sees_the_month_and_who_turns_18_without_an_adult_caseworker(
    client: TestClient, session: Session, settings: Settings, world: dict[str, object]
) -> None:
    sara = world["sara"]
    assert isinstance(sara, User)
    adult = make_user(session, Role.ADULT_CASEWORKER, "ole")
    # 18 in three months, with and without an adult caseworker; and 18 in a year.
    soon = _youth(session, settings, sara, date(2010, 1, 5), "Dagmar",
                  child_caseworker_id=sara.id)
    covered = _youth(session, settings, sara, date(2010, 1, 6), "Erik",
                     child_caseworker_id=sara.id, adult_caseworker_id=adult.id)
    later = _youth(session, settings, sara, date(2010, 12, 1), "Frida",
                   child_caseworker_id=sara.id)
    session.commit()
    login(client, "kirsten")
    page = client.get("/")
    assert page.status_code == 200
    section = page.text.split('id="h-start-no-adult"')[1].split("</section>")[0]
    assert re.search(r'<span class="badge start-count">1</span>', section)
    assert (f'<a href="/youths/{soon.id}/edit#f-adult_caseworker_id">'
            "Tildel en voksensagsbehandler") in section
    assert f"/youths/{covered.id}" not in section
    assert f"/youths/{later.id}" not in section
    # The month at a glance, with the way to the whole overview.
    month = page.text.split('id="h-start-month"')[1].split("</section>")[0]
    assert "Oktober 2027" in month
    assert "Unge med et overskredet trin" in month
    assert 'href="/overview"' in month
    # The page the action leads to has the field it points at.
    form = client.get(f"/youths/{soon.id}/edit").text
    assert 'id="f-adult_caseworker_id"' in form


def test_the_weeks_meetings_show_the_answers_received_and_later_ones_wait(
    client: TestClient, session: Session, world: dict[str, object]
) -> None:
    sara, alma, mette = world["sara"], world["alma"], world["mette"]
    assert isinstance(sara, User) and isinstance(alma, Youth) and isinstance(mette, User)
    assert sara.id and alma.id and mette.id

    def meeting(days: int, organiser: int) -> Meeting:
        start = NOW + timedelta(days=days)
        row = Meeting(uid=f"start-{days}-{organiser}", youth_id=alma.id,
                      kind=MeetingKind.COORDINATION, starts_at=start,
                      ends_at=start + timedelta(hours=1), place_kind=PlaceKind.TOWN_HALL,
                      place_detail="Lokale 2", organiser_id=organiser)
        session.add(row)
        session.flush()
        return row

    soon, later, colleagues = meeting(2, sara.id), meeting(9, sara.id), meeting(3, mette.id)
    invited_to = meeting(4, mette.id)
    assert soon.id and invited_to.id
    session.add_all([
        MeetingInvitee(meeting_id=soon.id, name="Mor", answer=Answer.ACCEPTED),
        MeetingInvitee(meeting_id=soon.id, name="Far", answer=Answer.ACCEPTED),
        MeetingInvitee(meeting_id=soon.id, name="Alma", answer=Answer.DECLINED),
        MeetingInvitee(meeting_id=soon.id, name="Skolen"),
        MeetingInvitee(meeting_id=invited_to.id, name="Sara", user_id=sara.id),
    ])
    session.commit()
    login(client, "sara")
    page = client.get("/").text
    section = page.split('id="h-start-meetings"')[1].split("</section>")[0]
    assert f'href="/meetings/{soon.id}"' in section
    assert "Kommer: 2 · Kommer ikke: 1 · Ikke svaret: 1" in section
    assert f'href="/meetings/{invited_to.id}"' in section  # Sara is invited
    assert f'href="/meetings/{later.id}"' not in section  # in nine days
    assert f'href="/meetings/{colleagues.id}"' not in section  # not Sara's


def test_a_long_list_shows_five_and_links_to_all_of_them(
    client: TestClient, session: Session, settings: Settings, world: dict[str, object]
) -> None:
    sara = world["sara"]
    assert isinstance(sara, User)
    for name in ("Dorte", "Egon"):
        _youth(session, settings, sara, date(2010, 9, 10), name, child_caseworker_id=sara.id)
    session.commit()
    login(client, "sara")
    page = client.get("/").text
    section = page.split('id="h-start-steps"')[1].split("</section>")[0]
    listed = section.count("<li>")
    total = int(re.findall(r'<span class="badge start-count">(\d+)</span>', page)[0])
    assert listed == 5 < total
    assert f'<a href="/tasks#tasks">Se alle {total}' in section


def test_an_administrator_starts_at_the_administration_and_others_do_not_see_it(client, session):
    make_user(session, Role.ADMIN, "ada")
    make_user(session, Role.COORDINATOR, "kirsten")
    session.commit()
    login(client, "ada")
    page = client.get("/").text
    assert 'href="/admin/users/new">Opret bruger</a>' in page
    assert 'id="h-start-admin">Dine opgaver som administrator</h2>' in page
    client.cookies.clear()
    login(client, "kirsten")
    assert "h-start-admin" not in client.get("/").text
