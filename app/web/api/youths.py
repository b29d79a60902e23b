"""JSON API for the youth register: the same validation and access rules as the pages."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from fastapi import Body, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError

from app.deps import CurrentUser, SessionDep, SettingsDep, TodayDep, client_addr
from app.domain.timeline import StepStatus
from app.domain.validation import FieldError
from app.domain.youth import NO_CPR_MATCH, AgeBand, YouthData, looks_like_cpr_search
from app.i18n import N_, Msg, gettext
from app.models.user import Department
from app.models.youth import (
    Channel,
    Frequency,
    SupportExpected,
    Youth,
    YouthStatus,
)
from app.services import timeline, youths
from app.web.forms import api_errors
from app.web.routing import make_router

router = make_router(prefix="/api/v1/youths", tags=["youths"])
CPR_IN_NAME_SEARCH_API = N_("Do not search for a CPR number in q: it would be written in "
                            "addresses and logs. Use POST /api/v1/youths/search-cpr.")


class YouthOut(BaseModel):
    id: int
    cpr_masked: str | None
    birth_date: date
    birth_date_reason: str
    first_name: str
    last_name: str
    address: str
    postal_code: str
    city: str
    email: str
    phone: str
    school: str
    adult_support_expected: SupportExpected
    child_caseworker_id: int | None
    adult_caseworker_id: int | None
    coordinator_id: int | None
    buddy_id: int | None
    youth_had_say: bool
    comm_channel: Channel
    comm_frequency: Frequency
    plain_language: bool
    interpreter_language: str
    sign_language: bool
    other_needs: str
    bisidder_offered: bool
    status: YouthStatus
    closed_reason: str
    transition_started_on: date | None
    flag_date: date | None
    flagged_at: datetime | None
    flag_late: bool
    flag_for_assessment: bool
    next_open_due_on: date | None = Field(
        None, description="The due date of the earliest step not yet done (the list's "
                          "\"next step\"); none when every step is done.")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, youth: Youth) -> YouthOut:
        values = youth.model_dump(exclude={"cpr", "cpr_hash", "name_search", "created_by_id"})
        values["cpr_masked"] = f"{youth.cpr[:6]}-xxxx" if youth.cpr else None
        values["flag_date"] = youth.flag_due_on
        return cls.model_validate(values)


class StepOut(BaseModel):
    key: str
    name: str
    due_on: date
    status: StepStatus
    done_at: datetime | None
    not_applicable_reason: str


class YouthDetailOut(YouthOut):
    steps: list[StepOut]


class YouthList(BaseModel):
    items: list[YouthOut]
    total: int
    page: int
    page_size: int


def _error(status: int, errors: dict[str, Any]) -> JSONResponse:
    detail = [{"field": field, "message": str(message)} for field, message in errors.items()]
    return JSONResponse({"detail": detail}, status_code=status)


def _not_visible(exc: Exception) -> JSONResponse:
    if isinstance(exc, youths.YouthNotFoundError):
        return JSONResponse({"detail": "Not found"}, status_code=404)
    return JSONResponse({"detail": "Forbidden"}, status_code=403)


@router.get("", response_model=YouthList)
def list_youths(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    today: TodayDep,
    q: str = Query("", max_length=100),
    department: Department | None = None,
    caseworker: int | None = None,
    age: AgeBand | None = None,
    status: YouthStatus | None = None,
    page: int = Query(1, ge=1, le=100_000),
    sort: Literal["name", "turns18", "next_due"] = "name",
    order: Literal["asc", "desc"] = "asc",
) -> Any:
    if looks_like_cpr_search(q):
        return _error(400, {"q": Msg(CPR_IN_NAME_SEARCH_API)})
    filters = youths.YouthFilters(
        name=q, department=department, caseworker_id=caseworker, age_band=age, status=status,
        page=page, sort=sort, descending=order == "desc",
    )
    result = youths.list_youths(session, user, filters, today, client_addr(request))
    return YouthList(
        items=[YouthOut.of(y) for y in result.rows], total=result.total, page=result.page,
        page_size=result.page_size,
    )


class CprSearchIn(BaseModel):
    cpr: str = Field(max_length=20)


@router.post("/search-cpr", response_model=YouthOut, responses={404: {}})
def search_cpr(request: Request, data: CprSearchIn, session: SessionDep, settings: SettingsDep,
               user: CurrentUser) -> Any:
    """Exact search by CPR number, in the body so that the number never appears in a URL."""
    try:
        found = youths.find_by_cpr(session, settings, user, data.cpr, client_addr(request))
    except FieldError as exc:
        return _error(422, {"cpr": exc.msg})
    if found is None:
        return JSONResponse({"detail": gettext(NO_CPR_MATCH)}, status_code=404)
    return YouthOut.of(found)


@router.post("", response_model=YouthOut, status_code=201)
def create_youth(
    data: YouthData, session: SessionDep, settings: SettingsDep, user: CurrentUser,
    today: TodayDep,
) -> Any:
    try:
        return YouthOut.of(youths.create(session, settings, user, data, today))
    except youths.ValidationFailedError as exc:
        return _error(409 if exc.conflict else 422, exc.errors)


@router.get("/{youth_id}", response_model=YouthDetailOut)
def get_youth(
    request: Request, youth_id: int, session: SessionDep, user: CurrentUser, today: TodayDep
) -> Any:
    try:
        youth = youths.get_visible(session, user, youth_id)
    except (youths.YouthNotFoundError, youths.YouthForbiddenError) as exc:
        return _not_visible(exc)
    steps = [
        StepOut(key=v.step.key, name=v.step.name, due_on=v.row.due_on, status=v.status,
                done_at=v.row.done_at, not_applicable_reason=v.row.not_applicable_reason)
        for v in timeline.steps_for(session, youth_id, today)
    ]
    return YouthDetailOut(**YouthOut.of(youth).model_dump(), steps=steps)


@router.patch("/{youth_id}", response_model=YouthOut)
def patch_youth(
    youth_id: int, session: SessionDep, settings: SettingsDep, user: CurrentUser,
    today: TodayDep, changes: dict[str, Any] = Body(...),
) -> Any:
    try:
        youth = youths.get_visible(session, user, youth_id)
    except (youths.YouthNotFoundError, youths.YouthForbiddenError) as exc:
        return _not_visible(exc)
    unknown = set(changes) - set(YouthData.model_fields)
    if unknown:
        return JSONResponse(
            {"detail": [{"field": f, "message": "Unknown field"} for f in sorted(unknown)]},
            status_code=422,
        )
    try:
        data = YouthData.model_validate({**youths.as_data(youth), **changes})
    except ValidationError as exc:
        return JSONResponse({"detail": api_errors(exc.errors())}, status_code=422)
    try:
        return YouthOut.of(youths.update(session, settings, user, youth_id, data, today))
    except youths.ValidationFailedError as exc:
        return _error(403 if exc.forbidden else 409 if exc.conflict else 422, exc.errors)
