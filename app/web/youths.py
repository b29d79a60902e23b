"""The youth register's pages: list and search, create and edit, the shared view."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from app.deps import (
    CurrentUser,
    ForbiddenError,
    HtmxDep,
    NotFoundError,
    SessionDep,
    SettingsDep,
    TodayDep,
    client_addr,
)
from app.domain import labels
from app.domain.validation import FieldError
from app.domain.youth import (
    CPR_IN_NAME_SEARCH,
    NO_CPR_MATCH,
    AgeBand,
    YouthData,
    looks_like_cpr_search,
    may_reassign_and_close,
)
from app.i18n import N_, Msg
from app.models.audit import AuditEvent
from app.models.user import Department, Role, User
from app.models.youth import YouthStatus
from app.services import audit, caseworker_change, users, youths
from app.web.forms import form_dict, parse_form
from app.web.handover import handover_context
from app.web.inquiries import inquiry_context
from app.web.letters import communication_context
from app.web.network import network_context
from app.web.routing import make_router
from app.web.templating import render
from app.web.timeline import timeline_context

router = make_router(prefix="/youths")
E = TypeVar("E", bound=StrEnum)


def _enum(cls: type[E], value: str | None) -> E | None:
    try:
        return cls(value) if value else None
    except ValueError:
        return None


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


def _filters(request: Request) -> youths.YouthFilters:
    q = request.query_params
    return youths.YouthFilters(
        name=q.get("q", "").strip()[:100],
        department=_enum(Department, q.get("department")),
        caseworker_id=_int(q.get("caseworker")),
        age_band=_enum(AgeBand, q.get("age")),
        status=_enum(YouthStatus, q.get("status")),
        flagged_this_month=q.get("flagged") == "month",
        overdue=q.get("overdue") == "1",
        page=_int(q.get("page")) or 1,
    )


def _list_context(session: SessionDep, user: User, filters: youths.YouthFilters,
                  result: youths.YouthPage, today: Any) -> dict[str, Any]:
    people = users.caseworker_names(session)
    query = {k: v for k, v in {
        "q": filters.name, "department": filters.department, "caseworker": filters.caseworker_id,
        "age": filters.age_band, "status": filters.status,
        "flagged": "month" if filters.flagged_this_month else "",
        "overdue": "1" if filters.overdue else "",
    }.items() if v}
    return {
        "filters": filters, "result": result, "query": query, "caseworkers": people,
        "names": users.names_by_id(session, {y.child_caseworker_id for y in result.rows}),
        "labels": labels, "today": today,
    }


@router.get("")
def youth_list(
    request: Request, session: SessionDep, user: CurrentUser, today: TodayDep
) -> Response:
    filters = _filters(request)
    if looks_like_cpr_search(filters.name):  # nothing is searched, nor echoed back
        filters = youths.YouthFilters()
        context = _list_context(session, user, filters, youths.YouthPage([], 0, 1), today)
        context["q_error"] = Msg(CPR_IN_NAME_SEARCH)
        return render(request, "youths/list.html", context, block="results", status_code=400)
    result = youths.list_youths(session, user, filters, today, client_addr(request),
                                request.app.state.settings.tz)
    return render(
        request, "youths/list.html", _list_context(session, user, filters, result, today),
        block="results",
    )


@router.post("/search-cpr")
async def search_cpr(
    request: Request, session: SessionDep, settings: SettingsDep, user: CurrentUser,
    today: TodayDep,
) -> Response:
    """CPR search is a POST so the number never appears in a URL or an access log."""
    form = await request.form()
    cpr = str(form.get("cpr", ""))[:20]
    error: Msg | None = None
    try:
        found = youths.find_by_cpr(session, settings, user, cpr, client_addr(request))
    except FieldError as exc:
        found, error = None, exc.msg
    if found is not None:
        return RedirectResponse(f"/youths/{found.id}", status_code=303)
    error = error or Msg(NO_CPR_MATCH)
    filters = youths.YouthFilters()
    result = youths.list_youths(session, user, filters, today, client_addr(request))
    context = _list_context(session, user, filters, result, today)
    context.update({"cpr_error": error, "cpr_value": cpr})
    return render(request, "youths/list.html", context, status_code=400)


def _form_context(session: SessionDep, user: User, values: dict[str, Any],
                  errors: dict[str, Msg], youth: Any = None) -> dict[str, Any]:
    def options(role: Role | None) -> list[tuple[int | None, str]]:
        return list(users.caseworker_names(session, role))

    may_reassign = youth is None or may_reassign_and_close(
        user.role, user.id, youth.coordinator_id)
    statuses = list(labels.STATUS.items())
    if not may_reassign:  # closing and reopening are for those who may reassign
        closed = youth.status is YouthStatus.CLOSED
        statuses = [] if closed else [(k, v) for k, v in statuses if k is not YouthStatus.CLOSED]
    return {
        "values": values, "errors": errors, "youth": youth, "labels": labels,
        "may_reassign": may_reassign, "status_options": statuses,
        "child_caseworkers": options(Role.CHILD_CASEWORKER),
        "adult_caseworkers": options(Role.ADULT_CASEWORKER),
        "all_caseworkers": options(None),
    }


@router.get("/new")
def youth_new(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    values: dict[str, Any] = {}
    if user.role is Role.CHILD_CASEWORKER:
        values["child_caseworker_id"] = user.id
    return render(request, "youths/form.html", _form_context(session, user, values, {}))


@router.post("/new")
async def youth_create(
    request: Request, session: SessionDep, settings: SettingsDep, user: CurrentUser,
    today: TodayDep,
) -> Response:
    data = form_dict(await request.form())
    form, errors = parse_form(YouthData, data)
    if form is not None:
        try:
            youth = youths.create(session, settings, user, form, today)
            return RedirectResponse(f"/youths/{youth.id}", status_code=303)
        except youths.ValidationFailedError as exc:
            errors = exc.errors
    return render(
        request, "youths/form.html", _form_context(session, user, data, errors), status_code=400
    )


def _load(session: SessionDep, user: User, youth_id: int, addr: str, *, view: bool) -> Any:
    try:
        if view:
            return youths.get_visible(session, user, youth_id)
        return youths.get_visible(session, user, youth_id)
    except youths.YouthNotFoundError:
        raise NotFoundError() from None
    except youths.YouthForbiddenError:
        raise ForbiddenError(N_("You do not have access to this young person.")) from None


def _view_context(request: Request, session: SessionDep, settings: SettingsDep, user: User,
                  youth: Any, today: Any) -> dict[str, Any]:
    people = youths.users_by_id(session, {
        youth.child_caseworker_id, youth.adult_caseworker_id, youth.coordinator_id,
        youth.buddy_id,
    })
    events = youths.events(session, youth.id)
    handover_notes = caseworker_change.open_handover_notes(session, user, youth.id)
    changes = caseworker_change.history(session, youth.id)
    actors = youths.users_by_id(
        session, {e.actor_id for e in events} | {c.from_user_id for c in changes}
        | {c.to_user_id for c in changes} | {c.created_by_id for c in changes})
    return {
        "youth": youth, "people": people, "events": events, "actors": actors,
        "handover_notes": handover_notes, "changes": changes,
        "labels": labels, **timeline_context(session, youth, today),
        **network_context(request, session, youth, today),
        **handover_context(session, youth, today, user),
        **inquiry_context(session, youth),
        **communication_context(session, settings, youth),
    }


@router.get("/{youth_id}")
def youth_view(
    request: Request, youth_id: int, session: SessionDep, settings: SettingsDep,
    user: CurrentUser, today: TodayDep
) -> Response:
    youth = _load(session, user, youth_id, client_addr(request), view=True)
    return render(request, "youths/view.html",
                  _view_context(request, session, settings, user, youth, today))


@router.post("/{youth_id}/reveal-cpr")
def youth_reveal_cpr(
    request: Request, youth_id: int, session: SessionDep, settings: SettingsDep,
    user: CurrentUser, today: TodayDep, htmx: HtmxDep,
) -> Response:
    cpr = youths.reveal_cpr(session, user, youth_id, client_addr(request))
    youth = youths.get_visible(session, user, youth_id)
    if htmx:
        return render(request, "youths/view.html",
                      {"youth": youth, "revealed_cpr": cpr, "labels": labels}, block="cpr")
    # Without JavaScript the whole page comes back, with the number shown.
    context = _view_context(request, session, settings, user, youth, today)
    return render(request, "youths/view.html", {**context, "revealed_cpr": cpr})


@router.get("/{youth_id}/edit")
def youth_edit(request: Request, youth_id: int, session: SessionDep, user: CurrentUser) -> Response:
    youth = _load(session, user, youth_id, client_addr(request), view=True)
    values = {**youths.as_data(youth), "cpr": ""}  # shown masked; typing a new one changes it
    return render(request, "youths/form.html", _form_context(session, user, values, {}, youth))


@router.post("/{youth_id}/edit")
async def youth_update(
    request: Request, youth_id: int, session: SessionDep, settings: SettingsDep,
    user: CurrentUser, today: TodayDep,
) -> Response:
    youth = _load(session, user, youth_id, "", view=False)
    data = form_dict(await request.form())
    # The stored CPR number is never sent to the browser: an empty field keeps it.
    kept = {"cpr": youth.cpr} if youth.cpr and not data.get("cpr", "").strip() else {}
    form, errors = parse_form(YouthData, {**data, **kept})
    status = 400
    if form is not None:
        try:
            youths.update(session, settings, user, youth_id, form, today)
            return RedirectResponse(f"/youths/{youth_id}", status_code=303)
        except youths.ValidationFailedError as exc:
            errors, status = exc.errors, 403 if exc.forbidden else 400
    return render(
        request, "youths/form.html", _form_context(session, user, data, errors, youth),
        status_code=status,
    )


@router.get("/{youth_id}/audit")
def youth_audit(
    request: Request, youth_id: int, session: SessionDep, user: CurrentUser
) -> Response:
    if user.role not in (Role.COORDINATOR, Role.ADMIN):
        raise ForbiddenError()
    youth = _load(session, user, youth_id, client_addr(request), view=True)
    rows: list[AuditEvent] = audit.events_for_youth(session, youth_id)
    actors = youths.users_by_id(session, {r.user_id for r in rows})
    return render(request, "youths/audit.html",
                  {"youth": youth, "rows": rows, "actors": actors, "labels": labels})
