"""Form parsing with pydantic: one model per form, per-field errors in the user's language."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from app.domain.validation import FieldError
from app.i18n import N_, Msg

M = TypeVar("M", bound=BaseModel)
Errors = dict[str, Msg]

def message_for(error: Mapping[str, Any]) -> Msg:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "value_error":
        exc = ctx.get("error")
        if isinstance(exc, FieldError):
            return exc.msg
        return Msg(str(exc) if exc else N_("The value is not valid."))
    if kind == "missing" or (
        kind in ("string_too_short", "too_short") and ctx.get("min_length") == 1
    ):
        return Msg(N_("This field is required."))
    if kind in ("string_too_short", "too_short"):
        return Msg(N_("Enter at least %(n)s characters."), n=ctx.get("min_length"))
    if kind in ("string_too_long", "too_long"):
        return Msg(N_("Enter at most %(n)s characters."), n=ctx.get("max_length"))
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return Msg(N_("Enter a whole number."))
    if kind.startswith("date") or kind.startswith("datetime"):
        return Msg(N_("Enter a valid date."))
    if kind in ("enum", "literal_error"):
        return Msg(N_("Choose one of the options."))
    if kind.startswith("bool"):
        return Msg(N_("Choose yes or no."))
    return Msg(N_("The value is not valid."))


def field_errors(errors: Sequence[Mapping[str, Any]]) -> Errors:
    out: Errors = {}
    for error in errors:
        loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "query")]
        name = loc[0] if loc else "__all__"
        exc = (error.get("ctx") or {}).get("error")
        if isinstance(exc, FieldError) and exc.field:
            name = exc.field
        out.setdefault(name, message_for(error))
    return out


def api_errors(errors: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    return [
        {"field": str(field), "message": str(message)}
        for field, message in field_errors(errors).items()
    ]


def form_dict(form: FormData) -> dict[str, Any]:
    """A submitted form as a dict; repeated fields become lists."""
    out: dict[str, Any] = {}
    for key in form:
        values = form.getlist(key)
        out[key] = values if len(values) > 1 else values[0]
    return out


def parse_form(model: type[M], data: Mapping[str, Any]) -> tuple[M | None, Errors]:
    try:
        return model.model_validate(dict(data)), {}
    except ValidationError as exc:
        return None, field_errors(exc.errors())
