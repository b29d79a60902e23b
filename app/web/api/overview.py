"""JSON API for the monthly overview: the same cohorts and readiness as the page."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from app.deps import CoordinatorUser, SessionDep, SettingsDep, TodayDep, client_addr
from app.domain.validation import FieldError
from app.services import overview
from app.web.overview import query_values
from app.web.routing import make_router

router = make_router()


@router.get("/api/v1/overview", tags=["overview"])
def overview_api(request: Request, session: SessionDep, settings: SettingsDep,
                 user: CoordinatorUser, today: TodayDep) -> Response:
    try:
        month, filters, _query_values = query_values(request, today)
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
