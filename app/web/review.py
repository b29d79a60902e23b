"""Management review (ledelsestilsyn): drawing samples, reviewing the sampled cases, the
yearly report (page, printable version, CSV), and the caseworker's read-only view."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from app.deps import (
    CoordinatorUser,
    CurrentUser,
    ForbiddenError,
    NotFoundError,
    SessionDep,
    SettingsDep,
    TodayDep,
    client_addr,
)
from app.domain import review as rules
from app.domain.validation import FieldError
from app.i18n import N_, Msg
from app.models.user import User
from app.services import review
from app.services.youths import ValidationFailedError
from app.web import review_forms
from app.web.forms import form_dict, parse_form
from app.web.routing import make_router
from app.web.templating import render

router = make_router(prefix="/reviews")
NO_ACCESS = N_("You do not have access to this review.")


def _common(**extra: Any) -> dict[str, Any]:
    return {"rules": rules, "area_options": review_forms.area_options(), **extra}


@router.get("")
def review_home(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """Coordinators: the samples; caseworkers: the reviews of their own cases."""
    if user.role in review.REVIEWERS:
        return render(request, "review/index.html", _common(samples=review.samples(session)))
    rows = review.own_reviews(session, user, client_addr(request))
    return render(request, "review/mine.html", _common(rows=rows))


def _draw_form(request: Request, values: dict[str, Any], errors: dict[str, Msg],
               status_code: int = 200) -> Response:
    return render(request, "review/new.html", _common(values=values, errors=errors),
                  status_code=status_code)


@router.get("/new")
def draw_new(request: Request, _user: CoordinatorUser, today: TodayDep) -> Response:
    return _draw_form(request, review_forms.draw_defaults(today), {})


@router.post("/new")
async def draw_create(request: Request, session: SessionDep, settings: SettingsDep,
                      user: CoordinatorUser, today: TodayDep) -> Response:
    values = form_dict(await request.form())
    data, errors = parse_form(rules.SampleData, values)
    if data is not None:
        try:
            sample = review.draw_sample(session, settings, user, data, today)
            return RedirectResponse(f"/reviews/samples/{sample.id}", status_code=303)
        except FieldError as exc:
            errors = {exc.field or "__all__": exc.msg}
    return _draw_form(request, values, errors, 400)


@router.get("/samples/{sample_id}")
def sample_page(request: Request, sample_id: int, session: SessionDep,
                user: CoordinatorUser) -> Response:
    try:
        view = review.get_sample(session, user, sample_id, client_addr(request))
    except review.ReviewNotFoundError:
        raise NotFoundError() from None
    return render(request, "review/sample.html", _common(view=view))


def _review_view(session: SessionDep, settings: SettingsDep, user: User, case_id: int,
                 today: date) -> review.ReviewView:
    try:
        return review.review_view(session, settings, user, case_id, today)
    except review.ReviewNotFoundError:
        raise NotFoundError() from None
    except review.ReviewForbiddenError:
        raise ForbiddenError(NO_ACCESS) from None


def _case_page(request: Request, view: review.ReviewView, user: User, values: dict[str, Any],
               errors: dict[str, Msg], status_code: int = 200) -> Response:
    return render(request, "review/case.html", _common(
        view=view, values=values, errors=review_forms.in_form_order(errors),
        editable=user.role in review.REVIEWERS,
    ), status_code=status_code)


@router.get("/cases/{case_id}")
def case_page(request: Request, case_id: int, session: SessionDep, settings: SettingsDep,
              user: CurrentUser, today: TodayDep) -> Response:
    view = _review_view(session, settings, user, case_id, today)
    return _case_page(request, view, user, review_forms.review_values(view, today), {})


@router.post("/cases/{case_id}")
async def case_save(request: Request, case_id: int, session: SessionDep, settings: SettingsDep,
                    user: CoordinatorUser, today: TodayDep) -> Response:
    values = form_dict(await request.form())
    answers, data, errors = review_forms.parse_review(values)
    if data is not None and not errors:
        try:
            saved = review.save_review(session, settings, user, case_id, answers, data, today,
                                       client_addr(request))
            return RedirectResponse(f"/reviews/samples/{saved.sample_id}#case-{case_id}",
                                    status_code=303)
        except ValidationFailedError as exc:
            errors = exc.errors
        except review.ReviewNotFoundError:
            raise NotFoundError() from None
    view = _review_view(session, settings, user, case_id, today)
    errors = {**review.answer_errors(view, answers), **errors}  # every problem at once
    return _case_page(request, view, user, values, errors, 400)


@router.post("/follow-ups/{follow_up_id}/done")
async def follow_up_done(request: Request, follow_up_id: int, session: SessionDep,
                         user: CurrentUser) -> Response:
    back = form_dict(await request.form()).get("back")
    try:
        row = review.complete_follow_up(session, user, follow_up_id, client_addr(request))
    except review.ReviewNotFoundError:
        raise NotFoundError() from None
    except review.ReviewForbiddenError:
        raise ForbiddenError(NO_ACCESS) from None
    target = "/tasks#review-follow-ups" if back == "tasks" else f"/reviews/cases/{row.case_id}"
    return RedirectResponse(target, status_code=303)


# --- the yearly report -----------------------------------------------------------------------

def _year(request: Request, today: date) -> tuple[int, Msg | None]:
    text = request.query_params.get("year", "")
    if not text:
        return today.year, None
    if text.isdigit() and 2000 <= int(text) <= 2100:
        return int(text), None
    return today.year, Msg(N_("Choose a year from 2000 to 2100."))


def _report_context(request: Request, session: SessionDep, user: User, today: date,
                    ) -> dict[str, Any]:
    year, error = _year(request, today)
    result = review.report(session, user, year, client_addr(request))
    return _common(result=result, year_error=error, years=review.report_years(session, today))


@router.get("/report")
def report_page(request: Request, session: SessionDep, user: CoordinatorUser,
                today: TodayDep) -> Response:
    context = _report_context(request, session, user, today)
    return render(request, "review/report.html", context,
                  status_code=400 if context["year_error"] else 200)


@router.get("/report/print")
def report_print(request: Request, session: SessionDep, user: CoordinatorUser,
                 today: TodayDep) -> Response:
    return render(request, "review/report_print.html",
                  _report_context(request, session, user, today))


@router.get("/report.csv")
def report_csv(request: Request, session: SessionDep, user: CoordinatorUser,
               today: TodayDep) -> Response:
    year, _error = _year(request, today)
    result = review.report(session, user, year, client_addr(request))
    body = review.export_csv(session, user, result, client_addr(request))
    return Response(body, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="ledelsestilsyn-{year}.csv"'})


@router.post("/report/findings")
async def findings_save(request: Request, session: SessionDep, user: CoordinatorUser,
                        today: TodayDep) -> Response:
    """The findings for one area, saved for the year in the address."""
    values = form_dict(await request.form())
    data, errors = parse_form(rules.FindingsData, values)
    year, year_error = _year(request, today)
    if data is None or year_error:
        context = _report_context(request, session, user, today)
        context.update(findings_errors=errors, findings_values=values)
        return render(request, "review/report.html", context, status_code=400)
    review.save_findings(session, user, year, data.area, data.text, client_addr(request))
    return RedirectResponse(f"/reviews/report?year={year}#findings-{data.area.value}",
                            status_code=303)
