"""The yearly report's figures against a hand count: the page, the printable version and the
CSV file, with findings written so that a spreadsheet never runs them."""

from __future__ import annotations

import csv
import io
from datetime import date

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.deps import get_today
from app.models.review import (
    PointResult,
    ReviewArea,
    ReviewFollowUp,
    ReviewPoint,
    ReviewSample,
    ReviewStatus,
    SampledCase,
)
from app.models.user import Role, User
from app.services import review
from app.settings import Settings
from seeds import demo
from tests.conftest import login, make_user
from tests.integration import review_data as data

TODAY = date(2026, 6, 15)
MET, NOT_MET, NOT_RELEVANT = PointResult.MET, PointResult.NOT_MET, PointResult.NOT_RELEVANT


def _reviews(session: Session, settings: Settings) -> None:
    """In transition: five young people, drawn in 2025 (two reviewed) and in 2026 (four
    reviewed, one left pending); in the adult area one review in 2026."""
    koord = make_user(session, Role.COORDINATOR, "koord")
    names = ["Anna", "Bo", "Cecilie", "Dennis", "Emil"]
    people = [data.make_youth(session, settings, koord, n) for n in names]
    adult = data.make_youth(session, settings, koord, "Voksen", area=ReviewArea.ADULTS)
    ids = [p.id or 0 for p in people]

    last_year = data.draw_all(session, settings, koord, ReviewArea.TRANSITION, TODAY,
                              start=date(2025, 3, 1), end=date(2025, 3, 31))
    data.judge(session, settings, koord, last_year[ids[0]], TODAY)
    data.judge(session, settings, koord, last_year[ids[1]], TODAY)

    this_year = data.draw_all(session, settings, koord, ReviewArea.TRANSITION, TODAY,
                              start=date(2026, 2, 1), end=date(2026, 2, 28))
    data.judge(session, settings, koord, this_year[ids[0]], TODAY)
    data.judge(session, settings, koord, this_year[ids[1]], TODAY, timeline_on_time=NOT_MET,
               case_notes=NOT_RELEVANT)
    data.judge(session, settings, koord, this_year[ids[2]], TODAY, timeline_on_time=NOT_MET,
               consent_before_handover=NOT_RELEVANT)
    data.judge(session, settings, koord, this_year[ids[3]], TODAY, first_meeting_by_17=NOT_MET)
    # Emil (ids[4]) is drawn but not reviewed: he does not count.

    adults = data.draw_all(session, settings, koord, ReviewArea.ADULTS, TODAY,
                           start=date(2026, 4, 1), end=date(2026, 4, 30))
    data.judge(session, settings, koord, adults[adult.id or 0], TODAY,
               youth_say_in_coordinator=NOT_MET)


# The hand count for 2026, in transition (2025 in brackets):
#   reviewed                        4 (2)
#   timeline on time                met 2, not met 2           -> 50 % (100 %): 50 points down
#   consent before each handover    met 3, not relevant 1      -> 100 % (100 %): unchanged
#   first meeting by 17             met 3, not met 1           -> 75 % (100 %): 25 points down
#   case notes                      met 3, not relevant 1      -> 100 % (100 %): unchanged
# Adult area: 1 reviewed (0 the year before); the young person's say 0 %.
TRANSITION, ADULT = "I overgangen", "Voksenområdet"
EXPECTED_ROWS = {
    (TRANSITION, "Tidslinjens trin blev nået til tiden"):
        ["4", "2", "2", "0", "50", "100", "-50"],
    (TRANSITION, "Der forelå samtykke, før hvert dokument blev overdraget"):
        ["4", "3", "0", "1", "100", "100", "0"],
    (TRANSITION, "Det første koordineringsmøde blev holdt, senest da den unge fyldte 17 år"):
        ["4", "3", "1", "0", "75", "100", "-25"],
    (TRANSITION, "Sagsnotater, sprog og skriftlige begrundelser er i orden"):
        ["4", "3", "0", "1", "100", "100", "0"],
    (ADULT, "Den unge havde indflydelse på valget af koordinerende sagsbehandler"):
        ["1", "0", "1", "0", "0", "", ""],
    (ADULT, "Tidslinjens trin blev nået til tiden"): ["1", "1", "0", "0", "100", "", ""],
    ("Børneområdet", "Tidslinjens trin blev nået til tiden"): ["0", "0", "0", "0", "", "", ""],
}


def _csv(client: TestClient, year: int) -> list[list[str]]:
    response = client.get(f"/reviews/report.csv?year={year}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_the_yearly_report_matches_a_hand_count(
    client: TestClient, session: Session, settings: Settings
) -> None:
    _reviews(session, settings)
    client.app.dependency_overrides[get_today] = lambda: TODAY  # type: ignore[attr-defined]
    token = login(client, "koord")
    saved = client.post("/reviews/report/findings?year=2026", data={
        "area": "transition", "text": '=HYPERLINK("http://x";"Klik")', "csrf_token": token})
    assert saved.status_code == 303

    rows = _csv(client, 2026)
    assert rows[0] == ["Område", "Punkt", "Gennemgået", "Opfyldt", "Ikke opfyldt",
                       "Ikke relevant", "Andel opfyldt (%)", "Sidste år (%)",
                       "Udvikling (procentpoint)"]
    figures = {(r[0], r[1]): r[2:] for r in rows[1:] if len(r) == 9}
    for key, expected in EXPECTED_ROWS.items():
        assert figures[key] == expected, key
    findings = {r[0]: r[1] for r in rows[rows.index([]) + 2:]}
    assert findings[TRANSITION] == '\'=HYPERLINK("http://x";"Klik")'
    assert findings[ADULT] == ""

    page = client.get("/reviews/report?year=2026")
    assert page.status_code == 200
    section = page.text.split('id="area-transition"')[1].split('id="area-adults"')[0]
    assert "4 sager gennemgået i 2026" in section and "2 året før" in section
    assert "50 %" in section and "75 %" in section
    assert "50 procentpoint ned" in section and "25 procentpoint ned" in section
    assert "Under målet på mindst 10 sager om året." in section
    assert "1 sag gennemgået i 2026" in page.text

    printable = client.get("/reviews/report/print?year=2026")
    assert printable.status_code == 200
    assert "review-print.css" in printable.text and "<form" not in printable.text
    assert "50 procentpoint ned" in printable.text
    assert "=HYPERLINK" in printable.text  # shown as text on the page

    last_year = {(r[0], r[1]): r[2:] for r in _csv(client, 2025)[1:] if len(r) == 9}
    assert last_year[(TRANSITION, "Tidslinjens trin blev nået til tiden")] == \
        ["2", "2", "0", "0", "100", "", ""]


def test_a_bad_year_or_findings_are_refused_and_nothing_is_saved(
    client: TestClient, session: Session, settings: Settings
) -> None:
    make_user(session, Role.COORDINATOR, "koord")
    client.app.dependency_overrides[get_today] = lambda: TODAY  # type: ignore[attr-defined]
    token = login(client, "koord")
    bad = client.get("/reviews/report?year=19")
    assert bad.status_code == 400
    assert "Vælg et år fra 2000 til 2100." in bad.text
    refused = client.post("/reviews/report/findings?year=2026", data={
        "area": "transition", "text": "<script>alert(1)</script>", "csrf_token": token})
    assert refused.status_code == 400
    assert 'id="f-findings-transition-error"' in refused.text
    page = client.get("/reviews/report?year=2026")
    assert "alert(1)" not in page.text


def test_the_demo_has_an_earlier_sample_with_reviews_so_the_report_shows_something(
    session: Session, settings: Settings, capsys: object
) -> None:
    today = date(2026, 3, 1)
    assert demo.main(settings, if_empty=True, today=today) == 0
    (sample,) = session.exec(select(ReviewSample)).all()
    assert (sample.area, sample.period_start, sample.seed) == (
        ReviewArea.TRANSITION, date(2026, 2, 1), "demo-2026")
    cases = session.exec(select(SampledCase)).all()
    assert [c.status for c in cases].count(ReviewStatus.REVIEWED) == 3 < len(cases)
    (follow_up,) = session.exec(select(ReviewFollowUp)).all()
    assert follow_up.done_at is None
    koord = session.exec(select(User).where(User.role == Role.COORDINATOR)).one()
    result = review.report(session, koord, 2026)
    transition = next(a for a in result.areas if a.area is ReviewArea.TRANSITION)
    assert transition.reviewed == 3
    involvement = {p.point: p for p in transition.points}[ReviewPoint.CITIZEN_INVOLVEMENT]
    assert (involvement.met, involvement.not_met) == (2, 1)
    assert result.findings[ReviewArea.TRANSITION]
