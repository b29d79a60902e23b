from __future__ import annotations

import re
from datetime import date, datetime

from playwright.sync_api import expect
from sqlmodel import select

from app.db import make_engine, unit_of_work
from app.domain import review as rules
from app.domain.youth import YouthData
from app.models.review import PointResult, ReviewArea, ReviewPoint, SampledCase
from app.models.user import User
from app.services import review, youths
from tests.e2e.conftest import log_in


def test_a_coordinator_draws_a_sample_reviews_a_case_and_opens_the_yearly_report(
    page, live_server
):
    log_in(page, "koordinator")
    page.goto("/youths/new")
    page.get_by_label("CPR-nummer", exact=True).fill("150612-4388")
    page.get_by_label("Fornavn(e)").fill("Tove")
    page.get_by_label("Efternavn").fill("Tilsynsen")
    page.get_by_label("Forventes støtte som voksen?").select_option("yes")
    page.get_by_label("Sagsbehandler på børneområdet").select_option(label="Boern Testesen")
    page.get_by_role("button", name="Gem").click()
    page.wait_for_url(re.compile(r"/youths/\d+$"))

    page.get_by_role("navigation", name="Hovedmenu").get_by_role(
        "link", name="Ledelsestilsyn").click()
    page.wait_for_url(re.compile(r"/reviews$"))
    page.get_by_role("link", name="Udtag en stikprøve").click()
    page.get_by_role("radio", name="Børneområdet").check()
    page.get_by_label("Antal sager").fill("50")
    page.get_by_label("Startværdi").fill("proeve-1")
    page.get_by_role("button", name="Udtag stikprøven").click()
    page.wait_for_url(re.compile(r"/reviews/samples/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Børneområdet")
    expect(page.get_by_text("proeve-1")).to_be_visible()

    page.get_by_role("link", name="Gennemgå af sagen om Tove Tilsynsen").click()
    page.wait_for_url(re.compile(r"/reviews/cases/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tove Tilsynsen")
    involvement = page.get_by_role(
        "group", name=re.compile("Din vurdering.*Det fremgår af sagen, hvordan"))
    involvement.get_by_role("radio", name="Opfyldt", exact=True).check()
    notes = page.get_by_role("group", name=re.compile("Din vurdering.*Sagsnotater"))
    notes.get_by_role("radio", name="Ikke opfyldt", exact=True).check()
    page.get_by_label("Bemærkning til punkt 9").fill("Afgørelsen mangler en begrundelse.")
    # The app found no agreement noted; the reviewer finds it in the case, and must say so.
    agreement = page.get_by_role("group", name=re.compile("Din vurdering.*Kommunikationsaftalen"))
    agreement.get_by_role("radio", name="Opfyldt", exact=True).check()
    page.get_by_label("Hvad skal der gøres?").fill("Skriv begrundelsen ind i afgørelsen.")
    page.get_by_role("button", name="Gem gennemgangen").click()
    expect(page.get_by_role("alert")).to_contain_text("Skriv, hvorfor din vurdering")
    expect(page.get_by_label("Hvad skal der gøres?")).to_have_value(
        "Skriv begrundelsen ind i afgørelsen.")
    page.get_by_label("Bemærkning til punkt 4").fill("Aftalt på mødet: Digital Post ved ændringer.")
    page.get_by_role("button", name="Gem gennemgangen").click()
    page.wait_for_url(re.compile(r"/reviews/samples/\d+(#case-\d+)?$"))
    row = page.get_by_role("row", name=re.compile("Tove Tilsynsen"))
    expect(row).to_contain_text("Gennemgået")

    page.goto("/reviews")
    page.get_by_role("link", name="Årsrapport").click()
    page.wait_for_url(re.compile(r"/reviews/report$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("årsrapport")
    children = page.locator("#area-children")
    expect(children).to_contain_text("1 sag gennemgået")
    expect(children.get_by_role("img", name=re.compile("Andel opfyldt pr. punkt"))).to_be_visible()
    expect(children.get_by_role("table")).to_contain_text("Sagsnotater")
    page.get_by_role("link", name="Udskriftsvenlig udgave").click()
    page.wait_for_url(re.compile(r"/reviews/report/print\?year=\d{4}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("årsrapport")


def _reviewed_with_follow_up(settings) -> None:  # type: ignore[no-untyped-def]
    """A case of the children's caseworker "boern", reviewed with a follow-up for them."""
    today = datetime.now(settings.tz).date()
    engine = make_engine(settings)
    with unit_of_work(engine) as session:
        users = {u.username: u for u in session.exec(select(User))}
        youth = youths.create(session, settings, users["koordinator"], YouthData(
            first_name="Mikkel", last_name="Opfølgning", birth_date=date(2011, 4, 2),
            birth_date_reason="Ingen CPR-nummer endnu",
            child_caseworker_id=users["boern"].id), today)
        sample = review.draw_sample(session, settings, users["koordinator"], rules.SampleData(
            area=ReviewArea.CHILDREN, period_start=today.replace(day=1), period_end=today,
            size=rules.MAX_SIZE, include_reviewed=True), today)
        case = session.exec(select(SampledCase).where(SampledCase.sample_id == sample.id,
                                                      SampledCase.youth_id == youth.id)).one()
        answers = {p: rules.AnswerData(judgement=PointResult.MET, note="Set i sagen")
                   for p in ReviewPoint}
        review.save_review(session, settings, users["koordinator"], case.id or 0, answers,
                           rules.ReviewData(follow_up_text="Notér Mikkels ønsker i handleplanen.",
                                            follow_up_owner_id=users["boern"].id,
                                            follow_up_due_on=today), today)
    engine.dispose()


def test_the_caseworker_reads_the_review_of_their_case_and_does_the_follow_up(
    page, live_server
):
    _reviewed_with_follow_up(live_server["settings"])
    log_in(page, "boern")
    menu = page.get_by_role("navigation", name="Hovedmenu")
    menu.get_by_role("link", name="Mine opgaver").click()
    section = page.locator("#review-follow-ups")
    expect(section.get_by_role("heading")).to_have_text("Opfølgning fra ledelsestilsyn")
    section.get_by_role("link", name="Notér Mikkels ønsker i handleplanen.").click()
    page.wait_for_url(re.compile(r"/reviews/cases/\d+#follow-up$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mikkel Opfølgning")
    expect(page.get_by_role("button", name="Gem gennemgangen")).to_have_count(0)
    page.get_by_role("button", name="Markér som udført").click()
    page.wait_for_url(re.compile(r"/reviews/cases/\d+$"))
    expect(page.get_by_text(re.compile(r"Udført \d"))).to_be_visible()
    menu.get_by_role("link", name="Mine opgaver").click()
    page.wait_for_url(re.compile(r"/tasks$"))
    expect(page.get_by_role("link", name="Notér Mikkels ønsker i handleplanen.")).to_have_count(0)
    page.get_by_role("link", name="Ledelsestilsyn i dine sager").click()
    page.wait_for_url(re.compile(r"/reviews$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Ledelsestilsyn i dine sager")
    expect(page.get_by_role("row", name=re.compile("Mikkel Opfølgning"))).to_be_visible()
