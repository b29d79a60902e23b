"""The timeline's pages: "My tasks", completing steps with htmx, the register's timeline
filters, the API's timeline fields and the template editor."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from html import unescape

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, func, select

from app.clock import now as clock_now
from app.deps import get_today
from app.domain.youth import YouthData
from app.models.audit import AuditEvent
from app.models.timeline import TimelineStep, YouthStep
from app.models.user import Role, User
from app.models.youth import EventKind, SupportExpected, Youth, YouthEvent
from app.services import flagging, timeline, youths
from app.settings import Settings
from tests.conftest import csrf_from, login, make_user

CREATED_ON = date(2026, 3, 2)
_TASK_ROW = re.compile(
    r'<a href="/youths/(\d+)">[^<]*</a></td>\s*<td>([^<]*)</td>\s*'
    r'<td>\s*<span class="step-status step-(\w+)">.*?action="/steps/(\d+)/complete"',
    re.S,
)
_YOUTH_LINK = re.compile(r'href="/youths/(\d+)"')


def _freeze(client: TestClient, day: date) -> None:
    """The pages' "today" (the app's clock dependency), frozen for the test."""
    client.app.dependency_overrides[get_today] = lambda: day  # type: ignore[attr-defined]


def _youth(session: Session, settings: Settings, actor: User, birth: date, name: str,
           **extra: object) -> Youth:
    values: dict[str, object] = {"adult_support_expected": SupportExpected.YES, **extra}
    data = YouthData(birth_date=birth, birth_date_reason="Test", first_name=name,
                     last_name="Testesen", **values)  # type: ignore[arg-type]
    return youths.create(session, settings, actor, data, CREATED_ON)


def _row(session: Session, youth: Youth, key: str) -> YouthStep:
    return session.exec(
        select(YouthStep).join(TimelineStep, col(TimelineStep.id) == YouthStep.step_id)
        .where(YouthStep.youth_id == youth.id, TimelineStep.key == key)
    ).one()


def _step(session: Session, key: str) -> TimelineStep:
    return session.exec(select(TimelineStep).where(TimelineStep.key == key)).one()


def _flag(session: Session, settings: Settings, now: datetime) -> flagging.FlagResult:
    return flagging.run(session, settings, now.astimezone(settings.tz).date(), now)


def _listed(html: str) -> set[int]:
    return {int(n) for n in _YOUTH_LINK.findall(html)}


def _events(session: Session, kind: EventKind) -> int:
    return session.exec(
        select(func.count()).select_from(YouthEvent).where(YouthEvent.kind == kind)
    ).one()


# --- My tasks ------------------------------------------------------------------------

TASKS_DAY = date(2027, 8, 20)


@pytest.fixture
def caseload(session, settings):  # type: ignore[no-untyped-def]
    """Sara's two young people and a colleague's; on TASKS_DAY the first of Sara's has two
    overdue steps and one due within 30 days, the second has nothing due yet."""
    sara = make_user(session, Role.CHILD_CASEWORKER, "sara")
    mette = make_user(session, Role.CHILD_CASEWORKER, "mette")
    busy = _youth(session, settings, sara, date(2010, 9, 10), "Alma",
                  child_caseworker_id=sara.id)
    young = _youth(session, settings, sara, date(2012, 1, 1), "Bo", child_caseworker_id=sara.id)
    other = _youth(session, settings, mette, date(2010, 9, 10), "Carl",
                   child_caseworker_id=mette.id)
    return {"sara": sara, "mette": mette, "busy": busy, "young": young, "other": other}


def test_my_tasks_lists_due_and_overdue_steps_of_my_own_young_people_only(
    client, session, caseload
):
    login(client, "sara")
    _freeze(client, TASKS_DAY)

    page = client.get("/tasks")

    assert page.status_code == 200
    assert "Mine opgaver" in page.text
    rows = _TASK_ROW.findall(page.text)
    busy = caseload["busy"]
    assert [(int(y), name, status) for y, name, status, _ in rows] == [
        (busy.id, _step(session, "early_notice").name, "overdue"),  # 10 September 2026
        (busy.id, _step(session, "flag").name, "overdue"),  # 10 March 2027, not yet flagged
        (busy.id, _step(session, "first_meeting").name, "due"),  # 10 September 2027
    ]
    assert [int(r) for *_, r in rows] == [
        _row(session, busy, key).id for key in ("early_notice", "flag", "first_meeting")
    ]
    # The colleague's young person is visible to Sara in the register, but not her task.
    assert caseload["other"].id not in _listed(page.text)
    assert client.get(f"/youths/{caseload['other'].id}").status_code == 200


def test_my_tasks_says_so_when_nothing_is_due(client, session, caseload):
    login(client, "mette")
    _freeze(client, date(2026, 1, 1))
    page = client.get("/tasks")
    assert page.status_code == 200
    assert "Du har ingen opgaver med frist inden for 30 dage eller overskredet frist." in page.text
    assert _TASK_ROW.findall(page.text) == []


def test_completing_a_task_inline_with_htmx_marks_it_done_with_who_and_when(
    client, session, caseload
):
    sara, busy = caseload["sara"], caseload["busy"]
    login(client, "sara")
    _freeze(client, TASKS_DAY)
    page = client.get("/tasks")
    row = _row(session, busy, "first_meeting")
    assert f'hx-post="/steps/{row.id}/complete"' in page.text
    before = clock_now()

    response = client.post(
        f"/steps/{row.id}/complete", data={"back": "tasks"},
        headers={"HX-Request": "true", "X-CSRF-Token": csrf_from(page.text)},
    )

    after = clock_now()
    assert response.status_code == 200
    assert "<html" not in response.text and 'id="tasks"' in response.text  # the fragment
    remaining = {int(r) for *_, r in _TASK_ROW.findall(response.text)}
    assert remaining == {_row(session, busy, k).id for k in ("early_notice", "flag")}
    session.expire_all()
    done = session.get(YouthStep, row.id)
    assert done.done_by_id == sara.id
    assert done.done_at is not None and before <= done.done_at <= after
    event = session.exec(select(YouthEvent).where(YouthEvent.kind == EventKind.STEP_DONE)).one()
    assert (event.youth_id, event.actor_id) == (busy.id, sara.id)
    assert event.detail == _step(session, "first_meeting").name
    # The young person's page shows the step as done, by whom.
    youth_page = client.get(f"/youths/{busy.id}")
    assert "step-status step-done" in youth_page.text and sara.full_name in youth_page.text
    assert f'action="/steps/{row.id}/reopen"' in youth_page.text


def test_completing_a_step_works_without_javascript_too(client, session, caseload):
    login(client, "sara")
    _freeze(client, TASKS_DAY)
    page = client.get("/tasks")
    row = _row(session, caseload["busy"], "early_notice")

    response = client.post(f"/steps/{row.id}/complete",
                           data={"back": "tasks", "csrf_token": csrf_from(page.text)})

    assert response.status_code == 303 and response.headers["location"] == "/tasks"
    session.expire_all()
    assert session.get(YouthStep, row.id).done_by_id == caseload["sara"].id


def test_completing_the_step_of_a_young_person_out_of_reach_is_refused_and_changes_nothing(
    client, session, caseload
):
    make_user(session, Role.ADULT_CASEWORKER, "anders")
    busy = caseload["busy"]  # not in the transition yet: adult caseworkers cannot see them
    token = login(client, "anders")
    _freeze(client, TASKS_DAY)
    row = _row(session, busy, "first_meeting")

    for back in ("tasks", "youth"):
        response = client.post(
            f"/steps/{row.id}/complete", data={"back": back},
            headers={"HX-Request": "true", "X-CSRF-Token": token},
        )
        assert response.status_code == 403
    assert client.post(f"/steps/{row.id}/complete",
                       data={"back": "youth", "csrf_token": token}).status_code == 403

    session.expire_all()
    unchanged = session.get(YouthStep, row.id)
    assert unchanged.done_at is None and unchanged.done_by_id is None
    assert _events(session, EventKind.STEP_DONE) == 0
    assert _TASK_ROW.findall(client.get("/tasks").text) == []


def test_reopening_a_done_step_out_of_reach_is_refused(client, session, caseload):
    sara, busy = caseload["sara"], caseload["busy"]
    row = _row(session, busy, "early_notice")
    timeline.complete(session, sara, row.id)
    make_user(session, Role.ADULT_CASEWORKER, "anders")
    token = login(client, "anders")

    response = client.post(f"/steps/{row.id}/reopen", data={"csrf_token": token})

    assert response.status_code == 403
    session.expire_all()
    assert session.get(YouthStep, row.id).done_by_id == sara.id
    assert _events(session, EventKind.STEP_REOPENED) == 0


# --- the register's filters ---------------------------------------------------------------

LIST_DAY = date(2027, 3, 15)


def test_the_register_filters_flagged_this_month_and_overdue(client, session, settings):
    worker = make_user(session, Role.CHILD_CASEWORKER)
    make_user(session, Role.COORDINATOR, "kirsten")
    last_month = _youth(session, settings, worker, date(2010, 8, 20), "Februar")
    at_midnight = _youth(session, settings, worker, date(2010, 9, 1), "Midnat")
    this_month = _youth(session, settings, worker, date(2010, 9, 5), "Marts")
    not_yet = _youth(session, settings, worker, date(2012, 1, 1), "Senere")
    no_support = _youth(session, settings, worker, date(2010, 1, 1), "Uden",
                        adult_support_expected=SupportExpected.NO)
    assert _flag(session, settings, datetime(2027, 2, 20, 5, 0, tzinfo=UTC)).flagged == 1
    # 23:30 UTC on 28 February is 00:30 on 1 March in Copenhagen: this month.
    assert _flag(session, settings, datetime(2027, 2, 28, 23, 30, tzinfo=UTC)).flagged == 1
    assert _flag(session, settings, datetime(2027, 3, 5, 5, 0, tzinfo=UTC)).flagged == 1
    # Everything that fell due before LIST_DAY is done for the one flagged last month.
    timeline.complete(session, worker, _row(session, last_month, "early_notice").id)
    login(client, "kirsten")
    _freeze(client, LIST_DAY)

    everyone = client.get("/youths")
    flagged = client.get("/youths", params={"flagged": "month"})
    overdue = client.get("/youths", params={"overdue": "1"})
    both = client.get("/youths", params={"flagged": "month", "overdue": "1"},
                      headers={"HX-Request": "true"})

    ids = {y.id for y in (last_month, at_midnight, this_month, not_yet, no_support)}
    assert _listed(everyone.text) == ids
    assert _listed(flagged.text) == {at_midnight.id, this_month.id}
    assert 'id="f-flagged" name="flagged" value="month" checked' in flagged.text
    assert _listed(overdue.text) == {at_midnight.id, this_month.id, no_support.id}
    assert 'id="f-overdue" name="overdue" value="1" checked' in overdue.text
    assert _listed(both.text) == {at_midnight.id, this_month.id}
    assert "<html" not in both.text and 'id="results"' in both.text  # the htmx fragment


# --- the API ------------------------------------------------------------------------


def test_the_api_gives_the_flag_date_the_flag_time_and_every_step(client, session, settings):
    worker = make_user(session, Role.CHILD_CASEWORKER)
    make_user(session, Role.COORDINATOR, "kirsten")
    flagged = _youth(session, settings, worker, date(2010, 9, 10), "Alma")
    waiting = _youth(session, settings, worker, date(2011, 9, 10), "Bo")
    flagged_at = datetime(2027, 3, 10, 5, 0, tzinfo=UTC)
    assert _flag(session, settings, flagged_at).flagged == 1
    timeline.not_applicable(session, worker, _row(session, flagged, "adult_assessment").id,
                            "Udredningen er lavet i forvejen")
    login(client, "kirsten")
    _freeze(client, TASKS_DAY)

    body = client.get(f"/api/v1/youths/{flagged.id}").json()

    assert body["flag_date"] == "2027-03-10"
    assert datetime.fromisoformat(body["flagged_at"]) == flagged_at
    assert body["transition_started_on"] == "2027-03-10"
    assert [(s["key"], s["due_on"], s["status"]) for s in body["steps"]] == [
        ("early_notice", "2026-09-10", "overdue"),
        ("flag", "2027-03-10", "done"),
        ("first_meeting", "2027-09-10", "due"),
        ("adult_assessment", "2027-12-10", "not_applicable"),
        ("handover", "2028-03-10", "upcoming"),
        ("cut_over", "2028-09-10", "upcoming"),
        ("follow_up", "2028-12-10", "upcoming"),
    ]
    steps = {s["key"]: s for s in body["steps"]}
    assert steps["flag"]["done_at"] is not None and steps["early_notice"]["done_at"] is None
    assert steps["adult_assessment"]["not_applicable_reason"] == "Udredningen er lavet i forvejen"
    assert steps["flag"]["name"] == _step(session, "flag").name

    other = client.get(f"/api/v1/youths/{waiting.id}").json()
    assert other["flag_date"] == "2028-03-10" and other["flagged_at"] is None
    assert [s["status"] for s in other["steps"]][:2] == ["due", "upcoming"]  # 10 Sep 2027


def test_a_birth_date_correction_through_the_api_moves_every_due_date(
    client, session, settings
):
    worker = make_user(session, Role.CHILD_CASEWORKER, "sara")
    youth = _youth(session, settings, worker, date(2010, 8, 31), "Alma")
    token = login(client, "sara")
    _freeze(client, TASKS_DAY)
    before = client.get(f"/api/v1/youths/{youth.id}").json()
    assert before["flag_date"] == "2027-02-28"  # 31 August + 16½ years

    response = client.patch(f"/api/v1/youths/{youth.id}", json={"birth_date": "2010-09-30"},
                            headers={"X-CSRF-Token": token})

    assert response.status_code == 200
    after = client.get(f"/api/v1/youths/{youth.id}").json()
    assert after["flag_date"] == "2027-03-30"
    assert {s["key"]: s["due_on"] for s in after["steps"]} == {
        "early_notice": "2026-09-30", "flag": "2027-03-30", "first_meeting": "2027-09-30",
        "adult_assessment": "2027-12-30", "handover": "2028-03-30", "cut_over": "2028-09-30",
        "follow_up": "2028-12-30",
    }
    assert len(after["steps"]) == len(before["steps"])  # moved, not added


# --- the template editor ------------------------------------------------------------------


@pytest.fixture
def admin_token(client, session):  # type: ignore[no-untyped-def]
    make_user(session, Role.ADMIN, "ida")
    return login(client, "ida")


def _step_form(step: TimelineStep, token: str, **changes: object) -> dict[str, object]:
    return {
        "name": step.name, "description": step.description, "offset_years": step.offset_years,
        "offset_months": step.offset_months, "department": step.department.value,
        "completion": step.completion.value, "csrf_token": token, **changes,
    }


def _offsets(session: Session) -> dict[str, tuple[int, int]]:
    session.expire_all()
    return {s.key: (s.offset_years, s.offset_months) for s in session.exec(select(TimelineStep))}


NEGATIVE = "Alderen skal være nul eller flere år og 0 til 11 måneder."


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"offset_years": "-1"}, "offset_years", NEGATIVE),
        ({"offset_months": "-2"}, "offset_months", NEGATIVE),
        ({"offset_months": "12"}, "offset_months", NEGATIVE),
        ({"offset_years": "18", "offset_months": "0"}, "offset_years",
         "Et andet trin har allerede denne alder."),
    ],
)
def test_the_template_editor_refuses_a_negative_or_duplicate_offset_in_danish(
    client, session, settings, admin_token, changes, field, message
):
    worker = make_user(session, Role.CHILD_CASEWORKER)
    youth = _youth(session, settings, worker, date(2010, 8, 31), "Alma")
    step = _step(session, "follow_up")
    before, due_before = _offsets(session), _row(session, youth, "follow_up").due_on

    response = client.post(
        f"/admin/timeline/{step.id}", data=_step_form(step, admin_token, **changes)
    )

    assert response.status_code == 400
    next_to_field = re.search(
        rf'id="f-{field}-error"><span class="sr-only">[^<]*</span> ([^<]*)</span>', response.text
    )
    assert next_to_field and next_to_field.group(1) == message
    for name, value in changes.items():  # what the administrator typed is kept
        assert re.search(rf'name="{name}"[^>]*value="{value}"', response.text)
    assert _offsets(session) == before
    assert _row(session, youth, "follow_up").due_on == due_before


def test_changing_a_template_offset_recomputes_every_young_persons_due_date(
    client, session, settings, admin_token
):
    worker = make_user(session, Role.CHILD_CASEWORKER)
    first = _youth(session, settings, worker, date(2010, 8, 31), "Alma")
    second = _youth(session, settings, worker, date(2011, 1, 15), "Bo")
    step = _step(session, "follow_up")
    assert _row(session, first, "follow_up").due_on == date(2028, 11, 30)

    response = client.post(
        f"/admin/timeline/{step.id}",
        data=_step_form(step, admin_token, offset_years="18", offset_months="6"),
    )

    assert response.status_code == 303 and response.headers["location"] == "/admin/timeline"
    session.expire_all()
    assert _row(session, first, "follow_up").due_on == date(2029, 2, 28)
    assert _row(session, second, "follow_up").due_on == date(2029, 7, 15)
    assert _row(session, first, "cut_over").due_on == date(2028, 8, 31)  # others untouched
    assert "18 år 6 mdr." in client.get("/admin/timeline").text


@pytest.mark.parametrize(
    ("years", "months", "due"),
    [(17, 9, date(2028, 5, 31)), (0, 0, date(2010, 8, 31))],
)
def test_a_new_template_step_gets_a_due_date_for_every_young_person(
    client, session, settings, admin_token, years, months, due
):
    worker = make_user(session, Role.CHILD_CASEWORKER)
    youth = _youth(session, settings, worker, date(2010, 8, 31), "Alma")
    assert client.get("/admin/timeline/new").status_code == 200
    form = {"name": "Boligafklaring", "description": "", "offset_years": str(years),
            "offset_months": str(months), "department": "adults", "completion": "manual",
            "csrf_token": admin_token}

    response = client.post("/admin/timeline/new", data=form)

    assert response.status_code == 303 and response.headers["location"] == "/admin/timeline"
    session.expire_all()
    new = session.exec(select(TimelineStep).where(TimelineStep.name == "Boligafklaring")).one()
    row = session.exec(select(YouthStep).where(YouthStep.youth_id == youth.id,
                                               YouthStep.step_id == new.id)).one()
    assert row.due_on == due


def test_a_new_step_may_take_the_age_another_step_has_moved_away_from(
    client, session, admin_token
):
    def add(name: str) -> int:
        form = {"name": name, "description": "", "offset_years": "17", "offset_months": "9",
                "department": "both", "completion": "manual", "csrf_token": admin_token}
        return client.post("/admin/timeline/new", data=form).status_code

    assert add("Bolig") == 303
    moved = session.exec(select(TimelineStep).where(TimelineStep.name == "Bolig")).one()
    response = client.post(f"/admin/timeline/{moved.id}",
                           data=_step_form(moved, admin_token, offset_months="10"))
    assert response.status_code == 303
    assert add("Uddannelse") == 303
    offsets = _offsets(session)
    names = {s.name: s.key for s in session.exec(select(TimelineStep))}
    assert offsets[names["Bolig"]] == (17, 10) and offsets[names["Uddannelse"]] == (17, 9)


def test_only_administrators_may_edit_the_template(client, session):
    make_user(session, Role.COORDINATOR, "kirsten")
    token = login(client, "kirsten")
    step = _step(session, "follow_up")
    assert client.get("/admin/timeline").status_code == 403
    response = client.post(f"/admin/timeline/{step.id}",
                           data=_step_form(step, token, offset_years="19"))
    assert response.status_code == 403
    assert _offsets(session)["follow_up"] == (18, 3)


# --- the confirmation after marking a step as done, and undoing it --------------------------

def _undo_fields(html: str) -> tuple[str, dict[str, str]]:
    form = re.search(r'<form method="post" action="(/steps/\d+/undo)".*?</form>', html, re.S)
    assert form is not None, html
    return form[1], dict(re.findall(r'name="(since|back)" value="([^"]*)"', form[0]))


def _audited_undos(session: Session, row_id: int) -> int:
    return session.exec(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.object_type == "youth_step", AuditEvent.object_id == str(row_id),
        AuditEvent.detail == "done -> open (undo)")).one()


def test_a_step_marked_done_is_confirmed_and_can_be_undone_for_ten_minutes(
    client, session, caseload, clock
):
    busy = caseload["busy"]
    token = login(client, "sara")
    htmx = {"HX-Request": "true", "X-CSRF-Token": token}
    row = _row(session, busy, "early_notice")
    name = _step(session, "early_notice").name

    done = client.post(f"/steps/{row.id}/complete", data={"back": "youth"}, headers=htmx)

    assert done.status_code == 200 and 'id="timeline"' in done.text
    text = unescape(done.text)
    assert f"Trin markeret som udført: {name}." in text and "data-focus" in text
    url, fields = _undo_fields(done.text)
    assert url == f"/steps/{row.id}/undo"
    clock.advance(timedelta(minutes=9))
    undone = client.post(url, data=fields, headers=htmx)
    assert undone.status_code == 200
    assert f"Fortrudt: trinnet er åbent igen: {name}." in unescape(undone.text)
    session.expire_all()
    assert session.get(YouthStep, row.id).done_at is None
    assert _events(session, EventKind.STEP_REOPENED) == 1
    assert _audited_undos(session, row.id) == 1
    # the same undo again: the step has changed since
    again = client.post(url, data=fields, headers=htmx)
    assert again.status_code == 409
    assert "Der er ændret noget siden" in unescape(again.text)

    # marked as done again, and undone too late
    done = client.post(f"/steps/{row.id}/complete", data={"back": "tasks"}, headers=htmx)
    assert done.status_code == 200 and 'id="tasks"' in done.text  # on "My tasks" too
    url, fields = _undo_fields(done.text)
    assert fields["back"] == "tasks"
    clock.advance(timedelta(minutes=10, seconds=1))
    late = client.post(url, data=fields, headers=htmx)
    assert late.status_code == 409
    assert "kan kun fortrydes inden for 10 minutter" in unescape(late.text)
    session.expire_all()
    assert session.get(YouthStep, row.id).done_at is not None
    assert _audited_undos(session, row.id) == 1


def test_undoing_a_step_out_of_reach_is_refused(client, session, caseload):
    sara, busy = caseload["sara"], caseload["busy"]
    row = _row(session, busy, "early_notice")
    timeline.complete(session, sara, row.id)
    since = row.done_at.isoformat()
    make_user(session, Role.ADULT_CASEWORKER, "anders")
    token = login(client, "anders")

    response = client.post(f"/steps/{row.id}/undo", data={"csrf_token": token, "since": since})

    assert response.status_code == 403
    session.expire_all()
    assert session.get(YouthStep, row.id).done_by_id == sara.id
