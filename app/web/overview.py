"""The coordinators' monthly overview page, its CSV export and its JSON twin."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from app.deps import CoordinatorUser, SessionDep, SettingsDep, TodayDep, client_addr
from app.domain import labels
from app.domain import overview as rules
from app.domain.validation import FieldError
from app.models.user import Department
from app.services import overview, overview_export, users
from app.web.routing import make_router
from app.web.templating import render

router = make_router()


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


def query_values(request: Request, today: date) -> tuple[date, overview.Filters, dict[str, str]]:
    """The month and filters from the query string; a bad month raises FieldError."""
    q = request.query_params
    month = rules.parse_month(q.get("month"), today)
    try:
        department = Department(q["department"]) if q.get("department") else None
    except ValueError:
        department = None
    filters = overview.Filters(department=department, caseworker_id=_int(q.get("caseworker")))
    query = {k: v for k, v in {
        "month": f"{month:%Y-%m}", "department": department or "",
        "caseworker": str(filters.caseworker_id or ""),
    }.items() if v}
    return month, filters, query


@router.get("/overview")
def overview_page(request: Request, session: SessionDep, settings: SettingsDep,
                  user: CoordinatorUser, today: TodayDep) -> Response:
    context: dict[str, Any] = {
        "caseworkers": users.caseworker_names(session), "labels": labels, "today": today,
        "month_error": None,
    }
    try:
        month, filters, query = query_values(request, today)
    except FieldError as exc:
        month, filters, query = today.replace(day=1), overview.Filters(), {}
        context["month_error"] = exc.msg
    expand = request.query_params.get("cohort", "")[:10]
    result = overview.build(session, user, month, filters, today, settings.tz,
                            client_addr(request), shown=overview.COHORT_SHOWN, expand=expand)
    context.update(cohort_limit=overview.COHORT_LIMIT, result=result, filters=filters, query=query,
                   previous=rules.add_months(month, -1), next=rules.add_months(month, 1))
    return render(request, "overview.html", context,
                  status_code=400 if context["month_error"] else 200)


@router.get("/overview.csv")
def overview_csv(request: Request, session: SessionDep, settings: SettingsDep,
                 user: CoordinatorUser, today: TodayDep) -> Response:
    month, filters, _query_values = query_values(request, today)
    result = overview.build(session, user, month, filters, today, settings.tz,
                            client_addr(request))
    with_cpr = request.query_params.get("cpr") == "1"
    body = overview_export.export_csv(session, user, result, with_cpr=with_cpr,
                               client_addr=client_addr(request))
    return Response(body, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="overblik-{month:%Y-%m}.csv"',
    })
