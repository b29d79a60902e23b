"""The list of young people: sorting, the next step and the adult caseworker per row, the
user's saved filter, the CSV download and assigning an adult caseworker to many at once."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

from dateutil.relativedelta import relativedelta
from sqlmodel import col, func, select

from app import i18n
from app.domain.youth import YouthData
from app.models.audit import AuditAction, AuditEvent
from app.models.outbox import OutboxMessage
from app.models.timeline import TimelineStep, YouthStep
from app.models.user import Role, User
from app.models.youth import EventKind, Youth, YouthEvent, YouthStatus
from app.services import timeline, youths
from tests.conftest import login, make_user

ROW_NAME = re.compile(r'<a href="/youths/(\d+)">([^<]+)</a>')
FORMULA = '=HYPERLINK("http://example.com","Klik")'


def _names(html: str) -> list[str]:
    return [name for _id, name in ROW_NAME.findall(html)]


def _aria(html: str) -> dict[str, str]:
    """aria-sort of each sortable column, by the sort key its link names."""
    found = re.findall(r'<th scope="col" aria-sort="(\w+)" class="sortable"><a href="([^"]+)"',
                       html)
    return {re.search(r"sort=(\w+)", href).group(1): aria  # type: ignore[union-attr]
            for aria, href in found}


def _youth(session, settings, actor: User, today: date, first: str, last: str, years: int,
           months: int = 0, **values) -> Youth:
    born = today - relativedelta(years=years, months=months)
    data = YouthData(birth_date=born, birth_date_reason="Ikke tildelt endnu", first_name=first,
                     last_name=last, **values)
    return youths.create(session, settings, actor, data, today)


def _world(session, settings, today: date):
    coordinator = make_user(session, Role.COORDINATOR, "kim", "Kim Koordinator")
    adult = make_user(session, Role.ADULT_CASEWORKER, "lars", "Lars Bech Nielsen")
    people = {
        "ida": _youth(session, settings, coordinator, today, "Ida", "Andersen", 17, 3),
        "bo": _youth(session, settings, coordinator, today, "Bo", "Clausen", 16, 1,
                     adult_caseworker_id=adult.id),
        "alma": _youth(session, settings, coordinator, today, "Alma", "Berg", 15, 7),
    }
    session.commit()
    return coordinator, adult, people


def test_the_list_sorts_by_each_column_both_ways_and_marks_the_sorted_column(
    client, session, settings, today
):
    _world(session, settings, today)
    login(client, "kim")

    by_name = client.get("/youths").text
    assert _names(by_name) == ["Andersen, Ida", "Berg, Alma", "Clausen, Bo"]
    assert _aria(by_name) == {"name": "ascending", "turns18": "none", "next_due": "none"}

    oldest_first = client.get("/youths?sort=turns18").text  # turns 18 soonest first
    assert _names(oldest_first) == ["Andersen, Ida", "Clausen, Bo", "Berg, Alma"]
    assert _aria(oldest_first) == {"name": "none", "turns18": "ascending", "next_due": "none"}

    youngest_first = client.get("/youths?sort=turns18&order=desc").text
    assert _names(youngest_first) == ["Berg, Alma", "Clausen, Bo", "Andersen, Ida"]
    assert _aria(youngest_first)["turns18"] == "descending"

    name_desc = client.get("/youths?sort=name&order=desc").text
    assert _names(name_desc) == ["Clausen, Bo", "Berg, Alma", "Andersen, Ida"]

    # Only the list's own columns sort: anything else is the name order.
    unknown = client.get("/youths?sort=cpr%20desc;drop").text
    assert _names(unknown) == _names(by_name)
    assert _aria(unknown)["name"] == "ascending"


def test_sorting_keeps_the_filters_and_the_pages_keep_the_sort(client, session, settings, today):
    coordinator = make_user(session, Role.COORDINATOR, "kim")
    for i in range(27):
        session.add(Youth(first_name=f"Ung{i:02d}", last_name="Side",
                          name_search=f"ung{i:02d} side",
                          birth_date=today - relativedelta(years=16, days=i)))
    session.add(Youth(first_name="Anden", last_name="Status", name_search="anden status",
                      birth_date=today - relativedelta(years=17), status=YouthStatus.CLOSED))
    session.commit()
    assert coordinator.id
    login(client, "kim")

    page = client.get("/youths?status=active&sort=turns18&order=desc").text
    # The filter form sends the sort along with a new filter.
    form = page[page.index('<form method="get" action="/youths"'):]
    form = form[:form.index("</form>")]
    assert '<input type="hidden" name="sort" value="turns18">' in form
    assert '<input type="hidden" name="order" value="desc">' in form
    # The column links keep the filter; the sorted column's link turns the order.
    assert 'href="/youths?status=active&amp;sort=turns18"' in page
    assert 'href="/youths?status=active&amp;sort=name"' in page
    # The pages keep filter and sort.
    assert 'href="/youths?status=active&amp;sort=turns18&amp;order=desc&amp;page=2"' in page
    second = client.get("/youths?status=active&sort=turns18&order=desc&page=2").text
    assert _names(second) == ["Side, Ung25", "Side, Ung26"]  # the oldest two, last
    assert "Status, Anden" not in second


def test_each_row_shows_the_next_open_step_with_its_due_date_and_the_adult_caseworker(
    client, session, settings, today
):
    coordinator, _adult, people = _world(session, settings, today)
    bo = people["bo"]
    open_steps = session.exec(
        select(YouthStep, TimelineStep)
        .join(TimelineStep, col(TimelineStep.id) == YouthStep.step_id)
        .where(YouthStep.youth_id == bo.id, col(YouthStep.done_at).is_(None))
        .order_by(col(YouthStep.due_on))).all()
    (first_row, first_step), (_second_row, second_step) = open_steps[0], open_steps[1]
    login(client, "kim")

    page = client.get("/youths?q=clausen").text
    row = page[page.index("Clausen, Bo"):page.index("</tr>", page.index("Clausen, Bo"))]
    assert first_step.name in row
    with i18n.locale("da"):
        assert i18n.format_date(first_row.due_on) in row  # "29. oktober 2026"
    assert ("Overskredet siden" if first_row.due_on < today else "Frist") in row
    assert "Lars Bech Nielsen" in row

    timeline.complete(session, coordinator, first_row.id or 0)
    session.commit()
    row = client.get("/youths?q=clausen").text
    assert second_step.name in row and first_step.name not in row


def test_sorting_by_the_next_step_puts_those_without_one_last_both_ways(
    client, session, settings, today
):
    _coordinator, _adult, people = _world(session, settings, today)
    session.add(Youth(first_name="Uden", last_name="Skridt", name_search="uden skridt",
                      birth_date=today - relativedelta(years=16)))
    session.commit()
    login(client, "kim")
    due = {name: y.next_open_due_on for name, y in people.items()}
    expected = sorted(people, key=lambda n: (due[n], people[n].id))
    full = {"ida": "Andersen, Ida", "bo": "Clausen, Bo", "alma": "Berg, Alma"}

    ascending = _names(client.get("/youths?sort=next_due").text)
    assert ascending == [full[n] for n in expected] + ["Skridt, Uden"]
    descending = _names(client.get("/youths?sort=next_due&order=desc").text)
    assert descending == [full[n] for n in reversed(expected)] + ["Skridt, Uden"]


def test_a_user_saves_the_filter_the_list_opens_with_it_and_clearing_forgets_it(
    client, session, settings, today
):
    _coordinator, _adult, people = _world(session, settings, today)
    closed = people["alma"]
    closed.status, closed.closed_reason = YouthStatus.CLOSED, "Flyttet"
    session.add(closed)
    session.commit()
    token = login(client, "kim")

    saved = client.post("/youths/my-filter", data={
        "status": "active", "sort": "turns18", "order": "desc", "page": "3", "cpr": "x",
        "action": "save", "csrf_token": token})
    assert saved.status_code == 303
    assert saved.headers["location"] == "/youths?status=active&sort=turns18&order=desc" \
                                        "&done=filter_saved"
    session.expire_all()
    kim = session.exec(select(User).where(User.username == "kim")).one()
    assert kim.youth_list_filter == "status=active&sort=turns18&order=desc"

    opened = client.get("/youths").text  # the list opens with the saved filter
    assert _names(opened) == ["Clausen, Bo", "Andersen, Ida"]
    assert _aria(opened)["turns18"] == "descending"
    assert "dit gemte filter" in opened
    assert "Gem som mit filter" not in opened and "Nulstil mit filter" in opened
    everyone = client.get("/youths?show=all").text  # "Clear filters" shows everyone
    assert len(_names(everyone)) == 3

    cleared = client.post("/youths/my-filter", data={"action": "clear", "csrf_token": token})
    assert cleared.status_code == 303
    assert len(_names(client.get("/youths").text)) == 3
    session.expire_all()
    assert session.get(User, kim.id).youth_list_filter == ""  # type: ignore[union-attr]


def test_a_cpr_number_is_never_saved_as_a_filter_and_saving_needs_the_csrf_token(
    client, session, settings, today
):
    _world(session, settings, today)
    token = login(client, "kim")
    refused = client.post("/youths/my-filter", data={
        "q": "150610-4123", "action": "save", "csrf_token": token})
    assert refused.status_code == 400
    no_token = client.post("/youths/my-filter", data={"status": "active", "action": "save"})
    assert no_token.status_code == 403
    session.expire_all()
    assert session.exec(select(User).where(User.username == "kim")).one().youth_list_filter == ""


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, as the overview's
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def test_the_csv_holds_the_filtered_list_in_order_and_a_formula_is_shown_as_text(
    client, session, settings, today
):
    coordinator, _adult, people = _world(session, settings, today)
    people["alma"].status, people["alma"].closed_reason = YouthStatus.CLOSED, "Flyttet"
    session.add(people["alma"])
    session.add(Youth(first_name=FORMULA, last_name="Holm", name_search="formel holm",
                      cpr="1506104123", birth_date=today - relativedelta(years=16, months=6)))
    session.commit()
    login(client, "kim")

    rows = _csv(client.get("/youths/export.csv?status=active&sort=turns18"))
    assert rows[0] == ["Navn", "Fødselsdato", "Fylder 18", "Status", "Sagsbehandler, børn",
                       "Voksensagsbehandler", "Næste skridt", "Frist"]
    names = [r[0] for r in rows[1:]]
    assert names == ["Ida Andersen", f"'{FORMULA} Holm", "Bo Clausen"]  # turns 18 soonest first
    bo = rows[3]
    assert "Lars Bech Nielsen" in bo
    assert bo[2] == (people["bo"].birth_date + relativedelta(years=18)).strftime("%d.%m.%Y")
    assert "1506104123" not in response_text(rows) and "150610" not in response_text(rows)

    export = session.exec(select(AuditEvent).where(
        AuditEvent.action == AuditAction.EXPORT, AuditEvent.object_type == "youth_list")).one()
    assert export.user_id == coordinator.id and "rows=3" in export.detail
    assert "cpr=no" in export.detail


def response_text(rows: list[list[str]]) -> str:
    return "\n".join(";".join(r) for r in rows)


def test_cpr_numbers_only_when_asked_for_and_only_for_coordinators(
    client, session, settings, today
):
    make_user(session, Role.COORDINATOR, "kim")
    make_user(session, Role.CHILD_CASEWORKER, "sara")
    session.add(Youth(first_name="Freja", last_name="Holm", name_search="freja holm",
                      cpr="1506104123", birth_date=date(2010, 6, 15)))
    session.commit()
    login(client, "kim")
    rows = _csv(client.get("/youths/export.csv?cpr=1"))
    assert "1506104123" in rows[1]
    assert session.exec(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == AuditAction.EXPORT, col(AuditEvent.detail).contains("cpr=yes"))
    ).one() == 1
    login(client, "sara")
    assert client.get("/youths/export.csv?cpr=1").status_code == 403
    plain = _csv(client.get("/youths/export.csv"))
    assert "1506104123" not in response_text(plain)
    # A CPR number typed as a name is refused here too: it would be in the address.
    assert client.get("/youths/export.csv?q=1506104123").status_code == 400


def test_the_csv_holds_only_the_young_people_the_user_may_see(client, session, settings, today):
    _coordinator, _adult, people = _world(session, settings, today)
    people["bo"].status = YouthStatus.TRANSFERRED
    session.add(people["bo"])
    make_user(session, Role.CHILD_CASEWORKER, "sara")
    session.commit()
    login(client, "sara")
    names = [r[0] for r in _csv(client.get("/youths/export.csv"))[1:]]
    assert names == ["Ida Andersen", "Alma Berg"]


# --- assigning an adult caseworker to many ----------------------------------------------------

def _events(session, youth: Youth) -> list[str]:
    return [e.detail for e in session.exec(select(YouthEvent).where(
        YouthEvent.youth_id == youth.id, YouthEvent.kind == EventKind.CASEWORKER_CHANGED))]


def _outbox(session) -> int:
    return session.exec(select(func.count()).select_from(OutboxMessage)).one()


def test_a_coordinator_assigns_an_adult_caseworker_to_several_after_confirming(
    client, session, settings, today
):
    _coordinator, adult, people = _world(session, settings, today)
    other = make_user(session, Role.ADULT_CASEWORKER, "hanne", "Hanne Holm")
    token = login(client, "kim")
    page = client.get("/youths").text
    assert 'name="youth"' in page and "Tildel" in page

    chosen = [people["ida"].id, people["bo"].id, people["alma"].id]
    confirm = client.post("/youths/assign", data={
        "youth": chosen, "adult_caseworker_id": other.id, "back": "status=active",
        "csrf_token": token})
    assert confirm.status_code == 200
    text = confirm.text
    assert "Hanne Holm bliver voksensagsbehandler for 3 unge" in text
    assert "Andersen, Ida" in text and "Berg, Alma" in text and "Clausen, Bo" in text
    assert "Lars Bech Nielsen" in text  # Bo's adult caseworker now
    session.expire_all()
    assert session.get(Youth, people["bo"].id).adult_caseworker_id == adult.id  # nothing yet

    done = client.post("/youths/assign/confirm", data={
        "youth": chosen, "adult_caseworker_id": other.id, "back": "status=active",
        "csrf_token": token})
    assert done.status_code == 303
    assert done.headers["location"] == "/youths?status=active&assigned=3"
    session.expire_all()
    for youth in people.values():
        assert session.get(Youth, youth.id).adult_caseworker_id == other.id  # type: ignore[union-attr]
        assert _events(session, youth) == ["adult_caseworker_id"]
    assert "3 unge har fået ny voksensagsbehandler" in client.get(done.headers["location"]).text

    # Those who already have the caseworker are named and left as they are.
    again = client.post("/youths/assign", data={
        "youth": chosen[:1], "adult_caseworker_id": other.id, "csrf_token": token})
    assert "Har allerede Hanne Holm som voksensagsbehandler" in again.text
    assert "Ja, tildel" not in again.text


def test_the_bulk_assignment_tells_the_family_exactly_what_a_single_assignment_does(
    client, session, settings, today
):
    coordinator, adult, people = _world(session, settings, today)
    token = login(client, "kim")
    # One young person through the edit form's service, one through the bulk pages.
    before = _outbox(session)
    single = people["ida"]
    data = YouthData.model_validate({**youths.as_data(single), "adult_caseworker_id": adult.id})
    youths.update(session, settings, coordinator, single.id or 0, data, today)
    session.commit()
    single_letters = _outbox(session) - before

    before = _outbox(session)
    response = client.post("/youths/assign/confirm", data={
        "youth": [people["alma"].id], "adult_caseworker_id": adult.id, "csrf_token": token})
    assert response.status_code == 303
    session.expire_all()
    assert _outbox(session) - before == single_letters
    assert _events(session, people["alma"]) == _events(session, single)


def test_caseworkers_see_no_checkboxes_and_are_refused_the_bulk_assignment(
    client, session, settings, today
):
    _coordinator, adult, people = _world(session, settings, today)
    make_user(session, Role.CHILD_CASEWORKER, "sara")
    token = login(client, "sara")
    page = client.get("/youths").text
    assert 'name="youth"' not in page and "/youths/assign" not in page
    ids = [people["ida"].id]
    for path in ("/youths/assign", "/youths/assign/confirm"):
        response = client.post(path, data={"youth": ids, "adult_caseworker_id": adult.id,
                                           "csrf_token": token})
        assert response.status_code == 403, path
    session.expire_all()
    assert session.get(Youth, people["ida"].id).adult_caseworker_id is None  # type: ignore[union-attr]


def test_a_bad_choice_is_refused_and_nothing_changes(client, session, settings, today):
    _coordinator, _adult, people = _world(session, settings, today)
    child_worker = make_user(session, Role.CHILD_CASEWORKER, "sara")
    token = login(client, "kim")
    wrong = client.post("/youths/assign/confirm", data={
        "youth": [people["ida"].id], "adult_caseworker_id": child_worker.id, "csrf_token": token})
    assert wrong.status_code == 400
    assert "Vælg en voksensagsbehandler på listen" in wrong.text
    nobody = client.post("/youths/assign", data={"adult_caseworker_id": "", "csrf_token": token})
    assert nobody.status_code == 400 and "Vælg mindst én ung" in nobody.text
    missing = client.post("/youths/assign", data={
        "youth": [999999], "adult_caseworker_id": _adult.id, "csrf_token": token})
    assert missing.status_code == 404
    session.expire_all()
    assert session.get(Youth, people["ida"].id).adult_caseworker_id is None  # type: ignore[union-attr]


def test_all_or_none_a_record_that_cannot_be_saved_stops_the_whole_assignment(
    client, session, settings, today
):
    _coordinator, adult, people = _world(session, settings, today)
    broken = Youth(first_name="<b>Gammel</b>", last_name="Post", name_search="gammel post",
                   birth_date=today - relativedelta(years=17))  # from before today's checks
    session.add(broken)
    session.commit()
    token = login(client, "kim")
    response = client.post("/youths/assign/confirm", data={
        "youth": [people["ida"].id, broken.id], "adult_caseworker_id": adult.id,
        "csrf_token": token})
    assert response.status_code == 400
    assert "kunne ikke gemmes" in response.text
    assert "&lt;b&gt;Gammel&lt;/b&gt; Post" in response.text  # named, and escaped
    session.expire_all()
    assert session.get(Youth, people["ida"].id).adult_caseworker_id is None  # type: ignore[union-attr]
    assert _events(session, people["ida"]) == []


def test_reading_the_list_is_audit_logged_once_per_page_and_not_when_it_fails(
    client, session, settings, today
):
    coordinator, _, _ = _world(session, settings, today)
    login(client, "kim")

    def reads() -> list[str]:
        session.expire_all()
        return list(session.exec(select(AuditEvent.detail).where(
            AuditEvent.action == AuditAction.READ, AuditEvent.object_type == "youth_list",
            AuditEvent.user_id == coordinator.id)))

    assert client.get("/youths?show=all").status_code == 200
    assert reads() == ["rows=3 page=1"]
    # A CPR-like search is refused before anything is read: nothing is logged as read.
    assert client.get("/youths?q=150610-4123").status_code == 400
    assert reads() == ["rows=3 page=1"]
