"""Message catalogues (Babel gettext) and Danish formatting.

Message ids are English; Danish is the default locale. Catalogues are compiled from
app/locale/<lang>/LC_MESSAGES/messages.po when first used, so no build step is needed.
"""

from __future__ import annotations

import gettext as _gettext
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LOCALES = ("da", "en")
DEFAULT_LOCALE = "da"

_locale: ContextVar[str] = ContextVar("locale", default=DEFAULT_LOCALE)
_DEFAULT_TZ = ZoneInfo("Europe/Copenhagen")
_tz: ContextVar[ZoneInfo | None] = ContextVar("tz", default=None)


@cache
def translations(locale: str) -> _gettext.NullTranslations:
    po_file = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not po_file.exists():
        return _gettext.NullTranslations()
    with po_file.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def set_locale(locale: str) -> None:
    _locale.set(locale if locale in LOCALES else DEFAULT_LOCALE)


def set_timezone(tz: ZoneInfo) -> None:
    _tz.set(tz)


@contextmanager
def locale(name: str) -> Iterator[None]:
    """Temporarily another language (messages to people without an account)."""
    token = _locale.set(name)
    try:
        yield
    finally:
        _locale.reset(token)


def current_locale() -> str:
    return _locale.get()


def gettext(message: str) -> str:
    return translations(_locale.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_locale.get()).ngettext(singular, plural, n)


_ = gettext


def N_(message: str) -> str:
    """Marks a message for extraction; it is translated where it is shown."""
    return message


@cache
def _babel_locale(name: str) -> Locale:
    return Locale.parse(name)


def format_date(value: date | None, fmt: str = "d. MMMM y") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(_tz.get() or _DEFAULT_TZ).date()
    return _format_date(value, format=fmt, locale=_babel_locale(_locale.get()))


def format_short_date(value: date | None) -> str:
    return format_date(value, "dd.MM.y")


def format_datetime(value: datetime | None, fmt: str = "d. MMMM y 'kl.' HH:mm") -> str:
    if value is None:
        return ""
    if _locale.get() != "da":
        fmt = fmt.replace("'kl.'", "'at'")
    return _format_datetime(
        value, format=fmt, tzinfo=_tz.get() or _DEFAULT_TZ, locale=_babel_locale(_locale.get())
    )


def format_number(value: float | int) -> str:
    return format_decimal(value, locale=_babel_locale(_locale.get()))


class Msg:
    """A message id with parameters, translated when it is shown (str())."""

    __slots__ = ("msgid", "params")

    def __init__(self, msgid: str, **params: object) -> None:
        self.msgid = msgid
        self.params = params

    def __str__(self) -> str:
        text = gettext(self.msgid)
        return text % self.params if self.params else text

    def __repr__(self) -> str:
        return f"Msg({self.msgid!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Msg) and (self.msgid, self.params) == (other.msgid, other.params)

    def __hash__(self) -> int:
        return hash(self.msgid)
