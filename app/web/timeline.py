"""The timeline on the youth page, completing steps, "My tasks" and the template editor."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import AfterValidator, AwareDatetime, BaseModel, Field
from sqlmodel import Session

from app import clock
from app.deps import (
    AdminUser,
    CurrentUser,
    NotFoundError,
    NowDep,
    SessionDep,
    SettingsDep,
    TodayDep,
)
from app.domain import labels
from app.domain.timeline import Offset, chart_ticks, chart_x
from app.domain.undo import UNDO_MINUTES, undo_offered
from app.domain.validation import FieldError, MultilineText, Text
from app.i18n import N_, Msg
from app.models.timeline import Completion, StepDepartment, TimelineStep, YouthStep
from app.models.youth import Youth
from app.services import caseworker_change, inquiries, letters, meetings, review, timeline, youths
from app.settings import Settings
from app.web.forms import form_dict, parse_form
from app.web.routing import make_router
from app.web.templating import render

router = make_router()


def timeline_context(session: Session, youth: Youth, today: date) -> dict[str, Any]:
    """What the youth page's timeline block needs."""
    assert youth.id is not None
    views = timeline.steps_for(session, youth.id, today)
    items = [{"view": v, "x": chart_x(youth.birth_date, v.row.due_on)} for v in views]
    people = youths.users_by_id(session, {v.row.done_by_id for v in views})
    return {
        "chart": {"points": items, "ticks": chart_ticks(),
                  "today_x": chart_x(youth.birth_date, today)},
        "step_labels": labels.STEP_STATUS, "step_people": people, "today": today,
    }


def _step_message(session: Session, row: YouthStep, message: str, now: datetime, *,
                  undo_for: Any = None, error: Msg | None = None) -> dict[str, Any]:
    """The confirmation (or refusal) an htmx step action shows, and whether it offers
    `undo_for` (the user who marked the step as done) to undo it."""
    name = timeline.step_name(session, row)
    since = None
    if (undo_for is not None and row.done_at is not None and row.done_by_id == undo_for.id
            and undo_offered(row.done_at, now)):
        since = row.done_at.isoformat()
    return {"step_message": {
        "text": Msg(message, step=name) if error is None else error, "error": error,
        "name": name, "row": row, "since": since, "minutes": UNDO_MINUTES}}


def _step_response(request: Request, session: Session, user: Any, row: YouthStep,
                   back: str, today: date, message: dict[str, Any] | None = None,
                   status: int = 200) -> Response:
    htmx = request.headers.get("hx-request") == "true"
    if back == "tasks":
        if htmx:
            return render(request, "tasks.html",
                          {**_steps_context(session, user, today), **(message or {})},
                          block="tasks", status_code=status)
        return RedirectResponse("/tasks", status_code=303)
    youth = youths.get_visible(session, user, row.youth_id)
    if htmx:
        return render(request, "youths/_timeline.html",
                      {"youth": youth, **timeline_context(session, youth, today),
                       **(message or {})}, status_code=status)
    return RedirectResponse(f"/youths/{youth.id}#timeline", status_code=303)


@router.post("/steps/{row_id}/complete")
def step_complete(request: Request, row_id: int, session: SessionDep, user: CurrentUser,
                  today: TodayDep, now: NowDep,
                  back: Annotated[str, Form(max_length=10)] = "youth") -> Response:
    try:
        row = timeline.complete(session, user, row_id)
    except timeline.StepNotFoundError:
        raise NotFoundError() from None
    message = _step_message(session, row, N_("Step marked as done: %(step)s."), now,
                            undo_for=user)
    return _step_response(request, session, user, row, back, today, message)


@router.post("/steps/{row_id}/reopen")
def step_reopen(request: Request, row_id: int, session: SessionDep, user: CurrentUser,
                today: TodayDep, now: NowDep,
                back: Annotated[str, Form(max_length=10)] = "youth") -> Response:
    try:
        row = timeline.reopen(session, user, row_id)
    except timeline.StepNotFoundError:
        raise NotFoundError() from None
    message = _step_message(session, row, N_("Step reopened: %(step)s."), now)
    return _step_response(request, session, user, row, back, today, message)


@router.post("/steps/{row_id}/undo")
def step_undo(request: Request, row_id: int, session: SessionDep, user: CurrentUser,
              today: TodayDep, now: NowDep, since: Annotated[AwareDatetime, Form()],
              back: Annotated[str, Form(max_length=10)] = "youth") -> Response:
    """Undoes marking a step as done ("Fortryd"), if `domain.undo` still allows it."""
    try:
        row = timeline.undo_complete(session, user, row_id, since, now)
    except timeline.StepNotFoundError:
        raise NotFoundError() from None
    except timeline.UndoRefusedError as exc:
        row = timeline.get_step(session, user, row_id)
        message = _step_message(session, row, "", now, error=exc.reason)
        return _step_response(request, session, user, row, back, today, message, status=409)
    message = _step_message(session, row, N_("Undone: the step is open again: %(step)s."), now)
    return _step_response(request, session, user, row, back, today, message)


def _changes_ending(session: Session, user: Any, today: date) -> dict[str, Any]:
    changes = caseworker_change.temporary_changes_ending(session, user, today)
    people = youths.users_by_id(session, {
        person for change, _youth in changes
        for person in (change.from_user_id, change.to_user_id)})
    return {"changes_ending": changes, "change_people": people}


# "My tasks" shows the first TASKS_SHOWN of its long lists; "show more" (?show=steps or
# ?show=updates) the first TASKS_MORE of one of them.
TASKS_SHOWN = 20
TASKS_MORE = 100


def _first(rows: list[Any], shown: int) -> tuple[list[Any], bool]:
    """The first `shown` of rows fetched one over, and whether there were more."""
    return rows[:shown], len(rows) > shown


def _steps_context(session: Session, user: Any, today: date,
                   shown: int = TASKS_SHOWN) -> dict[str, Any]:
    """The steps on "My tasks": all its htmx fragment needs."""
    tasks, more = _first(timeline.my_tasks(session, user, today, limit=shown + 1), shown)
    return {"tasks": tasks, "more_tasks": more and shown < TASKS_MORE,
            "tasks_more": TASKS_MORE, "step_labels": labels.STEP_STATUS, "step_people": {},
            "today": today}


def _tasks_context(session: Session, settings: Settings, user: Any, today: date,
                   show: str = "") -> dict[str, Any]:
    steps_shown = TASKS_MORE if show == "steps" else TASKS_SHOWN
    updates_shown = TASKS_MORE if show == "updates" else TASKS_SHOWN
    updates, more_updates = _first(
        letters.updates_due_for(session, settings, user, today, limit=updates_shown),
        updates_shown)
    return {**_steps_context(session, user, today, steps_shown), "labels": labels,
            "inquiries": inquiries.open_for_user(session, user), "now": clock.now(),
            "status_updates": updates,
            "more_updates": more_updates and updates_shown < TASKS_MORE,
            **_changes_ending(session, user, today),
            "actions": meetings.open_actions_for(session, user),
            "review_follow_ups": review.follow_ups_for(session, user),
            "has_reviews": review.has_own_reviews(session, user),
            "failed_messages": meetings.failed_messages_for_organiser(session, user)}


@router.get("/tasks")
def my_tasks(request: Request, session: SessionDep, settings: SettingsDep, user: CurrentUser,
             today: TodayDep) -> Response:
    show = request.query_params.get("show", "")
    return render(request, "tasks.html", _tasks_context(session, settings, user, today, show))


OFFSET_RANGE = N_("The offset must be zero or more years and 0 to 11 months.")


def _offset_years(value: int) -> int:
    if value < 0:
        raise FieldError(OFFSET_RANGE)
    return value


def _offset_months(value: int) -> int:
    if not 0 <= value <= 11:
        raise FieldError(OFFSET_RANGE)
    return value


class StepForm(BaseModel):
    name: Annotated[Text, Field(min_length=1, max_length=120)]
    description: Annotated[MultilineText, Field(max_length=1000)] = ""
    offset_years: Annotated[int, Field(le=25), AfterValidator(_offset_years)]
    offset_months: Annotated[int, AfterValidator(_offset_months)]
    department: StepDepartment
    completion: Completion


@router.get("/admin/timeline")
def template_page(request: Request, session: SessionDep, _admin: AdminUser) -> Response:
    return render(request, "admin/timeline.html", {
        "steps": timeline.template(session), "department_labels": labels.STEP_DEPARTMENT,
        "completion_labels": labels.COMPLETION,
    })


def _step_form(request: Request, step: TimelineStep | None, values: dict[str, Any],
               errors: dict[str, Msg], status: int = 200) -> Response:
    return render(request, "admin/timeline_step.html", {
        "step": step, "values": values, "errors": errors,
        "department_labels": labels.STEP_DEPARTMENT, "completion_labels": labels.COMPLETION,
    }, status_code=status)


def _template_step(session: Session, step_id: int | None) -> TimelineStep:
    if step_id is None:
        return TimelineStep(key="", name="", offset_years=0, offset_months=0)
    step = timeline.template_step(session, step_id)
    if step is None:
        raise NotFoundError()
    return step


@router.get("/admin/timeline/new")
def template_new(request: Request, _admin: AdminUser) -> Response:
    return _step_form(request, None, {"department": "both", "completion": "manual"}, {})


@router.get("/admin/timeline/{step_id}")
def template_edit(request: Request, step_id: int, session: SessionDep,
                  _admin: AdminUser) -> Response:
    step = _template_step(session, step_id)
    return _step_form(request, step, step.model_dump(), {})


# "/new" is registered first (the decorator nearest the function runs first), so that
# "/admin/timeline/{step_id}" does not take "new" as a step id.
@router.post("/admin/timeline/{step_id}")
@router.post("/admin/timeline/new")
async def template_save(request: Request, session: SessionDep, settings: SettingsDep,
                        _admin: AdminUser, step_id: int | None = None) -> Response:
    step = _template_step(session, step_id)
    data = form_dict(await request.form())
    form, errors = parse_form(StepForm, data)
    if form is not None:
        if step.id is None:
            step.key = f"custom_{secrets.token_hex(8)}"  # offsets change; keys must not
        try:
            timeline.save_template_step(
                session, settings, step, name=form.name, description=form.description,
                offset=Offset(form.offset_years, form.offset_months),
                department=form.department, completion=form.completion,
            )
            return RedirectResponse("/admin/timeline", status_code=303)
        except FieldError as exc:
            errors = {"offset_years": exc.msg}
    return _step_form(request, step if step.id else None, data, errors, status=400)
