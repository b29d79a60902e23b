"""Input rules shared by forms, the API and imports: pure, no I/O.

Text that leaves the system (e-mails, letters, calendar invites and feeds) must not carry a
CPR number. The rule is ``no_cpr`` (and ``refuse_cpr`` for named texts), with one message,
``CPR_IN_TEXT``; ``OutgoingText`` is ``Text`` under that rule. It is applied to what people
write (an agenda, minutes, a name, a link they paste), where they write it, so the error
lands on that field. It is never applied to what the app generates (reply tokens, UIDs,
addresses of its own pages, dates): a generated number that happens to read as a date is
not a CPR number, and refusing it would refuse text nobody can change.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator

from app.domain.cpr import contains_cpr_like
from app.i18n import N_, Msg

_MARKUP = re.compile(r"<\s*[a-zA-Z!/?]|javascript\s*:|&#", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_EMAIL = re.compile(
    r"^[^@\s<>()\[\],;:\"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$"
)
_LINE_BREAK = re.compile(r"[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]")
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


CPR_IN_TEXT = N_("Do not write CPR numbers here: the text is sent to people outside the "
                 "system.")


def no_cpr(value: str) -> str:
    """Refuses text that looks like it holds a CPR number (``cpr.contains_cpr_like``)."""
    if contains_cpr_like(value):
        raise FieldError(CPR_IN_TEXT)
    return value


def refuse_cpr(texts: Mapping[str, str] | Iterable[tuple[str, str]]) -> None:
    """``no_cpr`` over texts named by the field they were written in (a field may come more
    than once); the error names the first field whose text looks like it holds a CPR
    number. Each text is checked on its own, never joined to the next."""
    pairs = texts.items() if isinstance(texts, Mapping) else texts
    for field, text in pairs:
        if contains_cpr_like(text):
            raise FieldError(CPR_IN_TEXT, field)


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


def one_line(value: str) -> str:
    """A name, a title or an address is one line: a line break in it would end up in an
    e-mail header or a calendar property, where it breaks the message or smuggles in more."""
    if _LINE_BREAK.search(value):
        raise FieldError(N_("Write this on one line."))
    return value


# A field is one line unless it is declared multiline (a note, an agenda, a summary).
Text = Annotated[str, BeforeValidator(strip), AfterValidator(no_markup), AfterValidator(one_line)]
MultilineText = Annotated[str, BeforeValidator(strip), AfterValidator(no_markup)]
# Text a person writes that is sent out of the system (see the module docstring).
OutgoingText = Annotated[str, BeforeValidator(strip), AfterValidator(no_markup),
                         AfterValidator(one_line), AfterValidator(no_cpr)]
OutgoingMultilineText = Annotated[str, BeforeValidator(strip), AfterValidator(no_markup),
                                  AfterValidator(no_cpr)]
# E-mail addresses and phone numbers appear in invites, letters and their headers.
Email = Annotated[str, BeforeValidator(strip), AfterValidator(valid_email),
                  AfterValidator(no_cpr)]
Phone = Annotated[str, BeforeValidator(strip), AfterValidator(valid_phone),
                  AfterValidator(no_cpr)]
OptionalInt = Annotated[int | None, BeforeValidator(empty_to_none)]
