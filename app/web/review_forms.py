"""Management review pages: reading the draw and review forms, and the values they show."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from pydantic import ValidationError

from app.domain.review import AREA_LABELS, DEFAULT_SIZE, AnswerData, ReviewData
from app.i18n import N_, Msg
from app.models.review import ReviewArea, ReviewPoint
from app.services.review import ReviewView
from app.web.forms import Errors, field_errors, parse_form

FOLLOW_UP_DAYS = 30
CHOOSE_JUDGEMENT = N_("Choose met, not met or not relevant.")


def draw_defaults(today: date) -> dict[str, Any]:
    """This month so far, ten cases (Nordfyn: at least ten a year in each area)."""
    return {"period_start": today.replace(day=1).isoformat(), "period_end": today.isoformat(),
            "size": DEFAULT_SIZE, "area": ReviewArea.TRANSITION.value}


def area_options() -> list[tuple[str, str]]:
    return [(area.value, label) for area, label in AREA_LABELS.items()]


def parse_review(values: Mapping[str, Any]
                 ) -> tuple[dict[ReviewPoint, AnswerData], ReviewData | None, Errors]:
    """The judgements (named `judgement_<point>`, `note_<point>`) and the rest of the form;
    errors are keyed by the form's field names."""
    answers: dict[ReviewPoint, AnswerData] = {}
    errors: Errors = {}
    for point in ReviewPoint:
        judgement = values.get(f"judgement_{point.value}") or ""
        if not judgement:
            errors[f"judgement_{point.value}"] = Msg(CHOOSE_JUDGEMENT)
            continue
        try:
            answers[point] = AnswerData.model_validate(
                {"judgement": judgement, "note": values.get(f"note_{point.value}", "")})
        except ValidationError as exc:
            for name, message in field_errors(exc.errors()).items():
                errors[f"{name}_{point.value}"] = message
    data, data_errors = parse_form(ReviewData, values)
    errors.update(data_errors)
    return answers, data, errors


FIELD_ORDER = [f"{part}_{point.value}" for point in ReviewPoint for part in ("judgement", "note")]
FIELD_ORDER += ["findings", "follow_up_text", "follow_up_owner_id", "follow_up_due_on"]


def in_form_order(errors: Errors) -> Errors:
    """The error summary lists the problems in the order of the form."""
    rank = {name: n for n, name in enumerate(FIELD_ORDER)}
    return dict(sorted(errors.items(), key=lambda item: rank.get(item[0], len(rank))))


def review_values(view: ReviewView, today: date) -> dict[str, Any]:
    """The form as stored (or, before the review, the app's findings as the suggestion)."""
    values: dict[str, Any] = {"findings": view.case.findings}
    for point in view.points:
        values[f"judgement_{point.point.value}"] = point.judgement.value if point.judgement else ""
        values[f"note_{point.point.value}"] = point.note
    follow_up = view.follow_up
    if follow_up is not None:
        values.update(follow_up_text=follow_up.text, follow_up_owner_id=follow_up.owner_id,
                      follow_up_due_on=follow_up.due_on.isoformat())
    else:
        owner = view.youth.coordinator_id or (view.caseworkers[0].id if view.caseworkers else "")
        values.update(follow_up_owner_id=owner,
                      follow_up_due_on=(today + timedelta(days=FOLLOW_UP_DAYS)).isoformat())
    return values
