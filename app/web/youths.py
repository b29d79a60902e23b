"""The youth register's pages: list and search, create and edit, the shared view."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, TypeVar
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response, StreamingResponse
from starlette.datastructures import QueryParams

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
from app.domain.consent import eighteenth_birthday
from app.domain.validation import FieldError
from app.domain.youth import (
    CPR_IN_NAME_SEARCH,
    NO_CPR_MATCH,
    AgeBand,
    YouthData,
    looks_like_cpr_search,
    may_reassign_and_close,
)
from app.i18n import N_, Msg, gettext
from app.models.audit import AuditEvent
from app.models.user import Department, Role, User
from app.models.youth import YouthStatus
from app.services import audit, caseworker_change, users, youths
from app.services import youth_export as youth_export_service
from app.web.forms import form_dict, parse_form
from app.web.handover import handover_context
from app.web.inquiries import inquiry_context
from app.web.letters import communication_context
from app.web.network import network_context
from app.web.routing import make_router
from app.web.templating import render, use_request_locale
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


def _filters(values: Mapping[str, str]) -> youths.YouthFilters:
    """The list's filters and sort from a query string or a form: unknown keys and values
    are dropped, the sort key is one of the list's own."""
    return youths.YouthFilters(
        name=values.get("q", "").strip()[:100],
        department=_enum(Department, values.get("department")),
        caseworker_id=_int(values.get("caseworker")),
        age_band=_enum(AgeBand, values.get("age")),
        status=_enum(YouthStatus, values.get("status")),
        flagged_this_month=values.get("flagged") == "month",
        overdue=values.get("overdue") == "1",
        page=_int(values.get("page")) or 1,
        sort=youths.sort_key(values.get("sort")),
        descending=values.get("order") == "desc",
    )


def _query(filters: youths.YouthFilters) -> dict[str, Any]:
    """The filters and sort as query parameters (no page), the defaults left out."""
    return {k: v for k, v in {
        "q": filters.name, "department": filters.department, "caseworker": filters.caseworker_id,
        "age": filters.age_band, "status": filters.status,
        "flagged": "month" if filters.flagged_this_month else "",
        "overdue": "1" if filters.overdue else "",
        "sort": filters.sort if filters.sort != "name" else "",
        "order": "desc" if filters.descending else "",
    }.items() if v}


SORT_COLUMNS = ("name", "turns18", "next_due")


def _sorting(filters: youths.YouthFilters, query: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Per sortable column: the link that sorts by it (the same column again turns the
    order), and its aria-sort value; the filters are kept, the page starts over."""
    base = {k: v for k, v in query.items() if k not in ("sort", "order")}
    out = {}
    for key in SORT_COLUMNS:
        current = filters.sort == key
        descending = current and not filters.descending
        # The sort is always named: a bare /youths would open the user's saved filter.
        params = {**base, "sort": key, **({"order": "desc"} if descending else {})}
        aria = ("descending" if filters.descending else "ascending") if current else "none"
        out[key] = {"href": "/youths?" + urlencode(params), "aria": aria}
    return out


def _may_assign(user: User) -> bool:
    return user.role in (Role.COORDINATOR, Role.ADMIN)


def _list_context(session: SessionDep, user: User, filters: youths.YouthFilters,
                  result: youths.YouthPage, today: Any) -> dict[str, Any]:
    # One query for the filter's choices, the names in the rows and the choice of adult
    # caseworker; only former caseworkers still named on a case are looked up.
    active = users.caseworker_roles(session)
    names = {user_id: name for user_id, name, _ in active}
    query = _query(filters)
    ids = {y.child_caseworker_id for y in result.rows} | {y.adult_caseworker_id
                                                          for y in result.rows}
    names |= users.names_by_id(session, ids - set(names))
    may_assign = _may_assign(user)
    return {
        "filters": filters, "result": result, "query": query,
        "caseworkers": [(user_id, name) for user_id, name, _ in active],
        "names": names, "sorting": _sorting(filters, query),
        "turns_18": {y.id: eighteenth_birthday(y.birth_date) for y in result.rows},
        "labels": labels, "today": today, "may_assign": may_assign,
        "adult_caseworkers": [(user_id, name) for user_id, name, role in active
                              if role is Role.ADULT_CASEWORKER]
        if may_assign and result.rows else [],
        "from_saved": False, "notice": "", "assigned": None,
        "saved_query": user.youth_list_filter,
        "is_saved": bool(user.youth_list_filter) and urlencode(query) == user.youth_list_filter,
    }


@router.get("")
def youth_list(
    request: Request, session: SessionDep, user: CurrentUser, today: TodayDep
) -> Response:
    values: Mapping[str, str] = request.query_params
    from_saved = not values and bool(user.youth_list_filter)
    if from_saved:  # the list opens with the user's own filter
        values = QueryParams(user.youth_list_filter)
    filters = _filters(values)
    if looks_like_cpr_search(filters.name):  # nothing is searched, nor echoed back
        filters = youths.YouthFilters()
        context = _list_context(session, user, filters, youths.YouthPage([], 0, 1), today)
        context["q_error"] = Msg(CPR_IN_NAME_SEARCH)
        return render(request, "youths/list.html", context, block="results", status_code=400)
    result = youths.list_youths(session, user, filters, today, client_addr(request),
                                request.app.state.settings.tz, with_next_steps=True)
    context = _list_context(session, user, filters, result, today)
    context.update(from_saved=from_saved, notice=request.query_params.get("done", "")[:20],
                   assigned=_int(request.query_params.get("assigned")))
    return render(request, "youths/list.html", context, block="results")


def _cpr_in_search(request: Request) -> Response:
    use_request_locale(request)
    return PlainTextResponse(gettext(CPR_IN_NAME_SEARCH), status_code=400)


@router.get("/export.csv")
def youth_export(request: Request, session: SessionDep, settings: SettingsDep,
                 user: CurrentUser, today: TodayDep) -> Response:
    """The filtered list, every page, as a CSV file, sent while it is written. CPR numbers
    only when asked for, and only for coordinators and administrators (as the overview's)."""
    filters = _filters(request.query_params)
    if looks_like_cpr_search(filters.name):
        return _cpr_in_search(request)
    with_cpr = request.query_params.get("cpr") == "1"
    if with_cpr and not _may_assign(user):
        raise ForbiddenError()
    use_request_locale(request)
    export = youth_export_service.start(session, user, filters, today, settings.tz,
                                        with_cpr=with_cpr, client_addr=client_addr(request))
    return StreamingResponse(
        youth_export_service.chunks(request.app.state.engine, export),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="unge-{today:%Y-%m-%d}.csv"'},
    )


@router.post("/my-filter")
async def save_my_filter(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """Saves the list's current filters and sort as the user's own ("clear" forgets them)."""
    form = form_dict(await request.form())
    if form.get("action") == "clear":
        youths.save_list_filter(session, user, "")
        return RedirectResponse("/youths?done=filter_cleared", status_code=303)
    filters = _filters(form)
    if looks_like_cpr_search(filters.name):  # a CPR number is never kept
        return _cpr_in_search(request)
    query = urlencode(_query(filters))
    youths.save_list_filter(session, user, query)
    return RedirectResponse(f"/youths?{query}&done=filter_saved" if query
                            else "/youths?done=filter_saved", status_code=303)


def _back(value: str) -> str:
    """The list's query string to return to, rebuilt from its filters (nothing else kept)."""
    return urlencode(_query(_filters(QueryParams(value[:1000]))))


def _assign_page(request: Request, session: SessionDep, form: dict[str, Any],
                 errors: dict[str, Msg], plan: youths.BulkAssignment | None = None,
                 status: int = 200) -> Response:
    return render(request, "youths/assign_confirm.html", {
        "plan": plan, "errors": errors, "back": _back(str(form.get("back", ""))),
        "names": users.names_by_id(session, {y.adult_caseworker_id for y in plan.youths})
        if plan else {},
    }, status_code=status)


def _refused(user: User) -> ForbiddenError:
    """Only coordinators and administrators assign many at once; they see every case, so for
    them a refusal is about one young person."""
    if _may_assign(user):
        return ForbiddenError(N_("You do not have access to this young person."))
    return ForbiddenError()


async def _bulk_form(request: Request) -> tuple[dict[str, Any], list[int]]:
    data = await request.form()
    ids = [i for i in (_int(str(v)) for v in data.getlist("youth")) if i]
    return form_dict(data), ids


@router.post("/assign")
async def assign_confirm(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """The confirmation page: the chosen young people and the adult caseworker they get.
    Nothing is changed until it is confirmed."""
    form, ids = await _bulk_form(request)
    try:
        plan = youths.plan_adult_caseworker(session, user, ids,
                                            _int(str(form.get("adult_caseworker_id", ""))))
    except youths.YouthNotFoundError:
        raise NotFoundError() from None
    except youths.YouthForbiddenError:
        raise _refused(user) from None
    except youths.ValidationFailedError as exc:
        return _assign_page(request, session, form, exc.errors, status=400)
    return _assign_page(request, session, form, {}, plan)


@router.post("/assign/confirm")
async def assign_save(request: Request, session: SessionDep, settings: SettingsDep,
                      user: CurrentUser, today: TodayDep) -> Response:
    form, ids = await _bulk_form(request)
    worker_id = _int(str(form.get("adult_caseworker_id", "")))
    try:
        plan = youths.assign_adult_caseworker_to_many(session, settings, user, ids, worker_id,
                                                      today)
    except youths.YouthNotFoundError:
        raise NotFoundError() from None
    except youths.YouthForbiddenError:
        raise _refused(user) from None
    except youths.ValidationFailedError as exc:  # the 400 rolls every change back
        return _assign_page(request, session, form, exc.errors, status=400)
    back = _back(str(form.get("back", "")))
    return RedirectResponse(f"/youths?{back + '&' if back else ''}assigned={len(plan.youths)}",
                            status_code=303)


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
    result = youths.list_youths(session, user, filters, today, client_addr(request),
                                with_next_steps=True)
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
