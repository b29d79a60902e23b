"""Input rules shared by forms, the API and imports: pure, no I/O."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator

from app.i18n import N_, Msg

_MARKUP = re.compile(r"<\s*[a-zA-Z!/?]|javascript\s*:|&#", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_EMAIL = re.compile(
    r"^[^@\s<>()\[\],;:\"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$"
)
_PHONE = re.compile(r"^\+?[0-9 ]{8,16}$")


class FieldError(ValueError):
    """A validation error whose message is a translatable message id."""

    def __init__(self, msgid: str, field: str | None = None, **params: object) -> None:
        super().__init__(msgid)
        self.msg = Msg(msgid, **params)
        self.field = field


def no_markup(value: str) -> str:
    if _MARKUP.search(value):
        raise FieldError(N_("Text must not contain HTML or script code (such as <script>)."))
    if _CONTROL.search(value):
        raise FieldError(N_("The text contains characters that are not allowed."))
    return value


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def empty_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


def valid_email(value: str) -> str:
    if value and not _EMAIL.match(value):
        raise FieldError(N_("Enter a valid e-mail address, such as navn@kommune.dk."))
    return value.lower()


def valid_phone(value: str) -> str:
    if value and not _PHONE.match(value):
        raise FieldError(N_("Enter a valid phone number of 8 digits, optionally with +45."))
    return value


Text = Annotated[str, BeforeValidator(strip), AfterValidator(no_markup)]
Email = Annotated[str, BeforeValidator(strip), AfterValidator(valid_email)]
Phone = Annotated[str, BeforeValidator(strip), AfterValidator(valid_phone)]
OptionalInt = Annotated[int | None, BeforeValidator(empty_to_none)]
