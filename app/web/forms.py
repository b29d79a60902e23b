"""Form parsing with pydantic: one model per form, per-field errors in the user's language."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from app.domain.errors import Errors, field_errors, message_for
from app.domain.validation import FieldError

M = TypeVar("M", bound=BaseModel)
__all__ = ["Errors", "FieldError", "api_errors", "field_errors", "form_dict", "message_for",
           "parse_form"]


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
