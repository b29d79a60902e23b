"""Errors every layer shares: a field's message, a refused change, an object not found or not
allowed. They live below the services, so that services, the web and imports use one set."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from app.domain.rules import FieldErrors
from app.domain.validation import FieldError
from app.i18n import N_, Msg

Errors = dict[str, Msg]


class ValidationFailedError(Exception):
    """A change refused, with a message per field. `conflict`: it clashes with what is stored
    (409 in the API); `forbidden`: the user may not make it (403)."""

    def __init__(self, errors: dict[str, Msg], *, conflict: bool = False,
                 forbidden: bool = False) -> None:
        super().__init__("validation failed")
        self.errors = errors
        self.conflict = conflict
        self.forbidden = forbidden


class YouthNotFoundError(Exception):
    """No such record (or an object that does not belong to the young person in the path)."""


class YouthForbiddenError(Exception):
    """The record exists, but the user may not see this young person."""


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
    ) or (kind.endswith("_type") and "input" in error and error["input"] is None):
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
    """One message per field (the first), from pydantic's errors; the errors of the rules
    across fields (``rules.FieldErrors``) each go to their own field."""
    out: Errors = {}
    for error in errors:
        loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "query")]
        name = loc[0] if loc else "__all__"
        exc = (error.get("ctx") or {}).get("error")
        if isinstance(exc, FieldErrors):
            add_errors(out, exc.errors, name)
            continue
        if isinstance(exc, FieldError) and exc.field:
            name = exc.field
        out.setdefault(name, message_for(error))
    return out


def add_errors(out: Errors, errors: Sequence[FieldError], default: str = "__all__") -> Errors:
    """Adds field errors to `out`, each to its field (or to `default`); a field keeps the
    first message it got."""
    for exc in errors:
        out.setdefault(exc.field or default, exc.msg)
    return out
