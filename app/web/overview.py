"""The coordinators' monthly overview page, its CSV export and its JSON twin."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from app.deps import CoordinatorUser, SessionDep, SettingsDep, TodayDep, client_addr
from app.domain import overview as rules
from app.domain.validation import FieldError
from app.models.user import Department
from app.services import overview, users
from app.web import labels
from app.web.templating import render

router = APIRouter()


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


def _query(request: Request, today: date) -> tuple[date, overview.Filters, dict[str, str]]:
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
        "caseworkers": users.caseworkers(session), "labels": labels, "today": today,
        "month_error": None,
    }
    try:
        month, filters, query = _query(request, today)
    except FieldError as exc:
        month, filters, query = today.replace(day=1), overview.Filters(), {}
        context["month_error"] = exc.msg
    result = overview.build(session, user, month, filters, today, settings.tz,
                            client_addr(request))
    context.update(result=result, filters=filters, query=query,
                   previous=rules.add_months(month, -1), next=rules.add_months(month, 1))
    return render(request, "overview.html", context,
                  status_code=400 if context["month_error"] else 200)


@router.get("/overview.csv")
def overview_csv(request: Request, session: SessionDep, settings: SettingsDep,
                 user: CoordinatorUser, today: TodayDep) -> Response:
    month, filters, _query_values = _query(request, today)
    result = overview.build(session, user, month, filters, today, settings.tz,
                            client_addr(request))
    with_cpr = request.query_params.get("cpr") == "1"
    body = overview.export_csv(session, user, result, with_cpr=with_cpr,
                               client_addr=client_addr(request))
    return Response(body, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="overblik-{month:%Y-%m}.csv"',
    })


@router.get("/api/v1/overview", tags=["overview"])
def overview_api(request: Request, session: SessionDep, settings: SettingsDep,
                 user: CoordinatorUser, today: TodayDep) -> Response:
    try:
        month, filters, _query_values = _query(request, today)
    except FieldError as exc:
        return JSONResponse({"detail": [{"loc": ["query", "month"], "msg": str(exc.msg)}]},
                            status_code=422)
    result = overview.build(session, user, month, filters, today, settings.tz,
                            client_addr(request))
    return JSONResponse({
        "month": f"{month:%Y-%m}",
        "cohorts": [{
            "key": cohort.key, "from": cohort.first.isoformat(), "to": cohort.last.isoformat(),
            "total": cohort.total,
            "young_people": [{
                "id": row.youth.id, "name": row.youth.full_name,
                "birth_date": row.youth.birth_date.isoformat(),
                "ready": row.readiness.ready,
                "readiness": {
                    "adult_caseworker": row.readiness.adult_caseworker,
                    "coordinator_and_buddy": row.readiness.coordinator_and_buddy,
                    "network_started": row.readiness.network_started,
                    "consent_for_adult_department": row.readiness.consent_for_adult_department,
                    "first_meeting_held": row.readiness.first_meeting_held,
                    "documents_handed_over": row.readiness.documents_handed_over,
                    "documents_required": row.readiness.documents_required,
                    "own_consent_needed": row.readiness.own_consent_needed,
                    "own_consent": row.readiness.own_consent,
                    "overdue_steps": row.readiness.overdue_steps,
                },
            } for row in cohort.rows],
        } for cohort in result.cohorts],
        "overdue": result.overdue.total,
        "late_inquiries": result.late_inquiries.total,
        "soon_18_without_adult_caseworker": result.soon_18_without_adult.total,
    })
