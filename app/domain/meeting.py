"""Meeting input and rules: pure, no I/O, no clock (``now`` is an argument).

* ``MeetingData``: the plan/edit form and the API body; local date and times in the
  municipality's zone, converted by ``MeetingData.span``.
* ``DEFAULT_AGENDA``: the six areas of barnets lov § 123.
* ``MeetingData.place_detail`` and ``agenda`` are sent in every invite: they refuse a
  CPR-like number (``validation.OutgoingText``), each with the error on its own field.
* Reply links: ``reply_token`` signs (invitee, meeting, expiry) with the app's key;
  ``read_reply_token`` refuses an altered or expired token. The token is one URL-safe
  base64 string that never holds six digits in a row, so no part of a reply link can read
  as a CPR number (the first format wrote the expiry as a 10-digit Unix time, which for a
  meeting ending between 26 January and 14 June 2027 reads as a date). Links in that first
  format are still read until they expire at the meeting's end. The services give a
  meeting a UID with no six digits in a row either (``no_six_digits_in_a_row``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import Field

from app.domain.rules import Checked, FieldErrors, rule
from app.domain.validation import FieldError, OutgoingMultilineText, OutgoingText
from app.i18n import N_
from app.models.meeting import MeetingKind, PlaceKind

# The six areas of the preparation (barnets lov § 123).
AGENDA_AREAS = (
    N_("Support needs"),
    N_("Education"),
    N_("Work and income"),
    N_("Housing"),
    N_("Social conditions"),
    N_("Other"),
)
MAX_LENGTH = timedelta(hours=8)


class MeetingData(Checked):
    """The rules across fields all run (``rules.Checked``); the rules on the time
    (``check_when``) run when the context gives ``now`` and ``tz``."""

    kind: MeetingKind
    day: date
    start_time: time
    end_time: time
    place_kind: PlaceKind
    place_detail: OutgoingText = Field(default="", max_length=300)
    agenda: OutgoingMultilineText = Field(default="", max_length=5000)

    @rule
    def _ends_after_start(self, context: Mapping[str, Any]) -> None:
        if self.end_time <= self.start_time:
            raise FieldError(N_("The meeting must end after it starts."), "end_time")

    @rule
    def _place(self, context: Mapping[str, Any]) -> None:
        if self.place_kind is PlaceKind.TOWN_HALL and not self.place_detail:
            raise FieldError(N_("Write which room at the town hall."), "place_detail")
        if self.place_kind is PlaceKind.ONLINE and not self.place_detail.startswith("https://"):
            raise FieldError(N_("Give the meeting link, starting with https://."), "place_detail")
        if self.place_kind is PlaceKind.OTHER and not self.place_detail:
            raise FieldError(N_("Write where the meeting is held."), "place_detail")

    @rule
    def _when(self, context: Mapping[str, Any]) -> None:
        if "now" in context and "tz" in context:
            self.check_when(context["now"], context["tz"])

    def span(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """Start and end in UTC. A wall time that does not exist (the spring-forward hour)
        is read as the time after the change, as clocks show it."""
        start = _aware(self.day, self.start_time, tz)
        end = _aware(self.day, self.end_time, tz)
        return start, end

    def when_errors(self, now: datetime, tz: ZoneInfo) -> list[FieldError]:
        start, end = self.span(tz)
        errors = []
        if end <= start:
            errors.append(FieldError(N_("The meeting must end after it starts."), "end_time"))
        elif end - start > MAX_LENGTH:
            errors.append(FieldError(N_("A meeting can last at most 8 hours."), "end_time"))
        if start < now:
            errors.append(FieldError(N_("The meeting cannot start in the past."), "day"))
        return errors

    def check_when(self, now: datetime, tz: ZoneInfo) -> None:
        """The rules on the meeting's time, all reported at once (``rules.FieldErrors``)."""
        errors = self.when_errors(now, tz)
        if errors:
            raise FieldErrors(errors)


def _aware(day: date, clock: time, tz: ZoneInfo) -> datetime:
    local = datetime.combine(day, clock, tzinfo=tz)
    # Round-trip through UTC normalises a non-existent local time.
    return local.astimezone(UTC)


# --- reply links --------------------------------------------------------------------------


class ReplyTokenError(ValueError):
    def __init__(self, expired: bool) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


@dataclass(frozen=True)
class ReplyClaim:
    invitee_id: int
    meeting_id: int
    expires: datetime


_SIX_DIGITS = re.compile(r"[0-9]{6}")


def no_six_digits_in_a_row(token: str) -> bool:
    """Whether a generated token (a reply token, a meeting's UID) can go into a message: a
    CPR number starts with six digits, so a token without six digits in a row never reads
    as one, wherever its digits fall."""
    return _SIX_DIGITS.search(token) is None


# A token is URL-safe base64 (no padding) of: a variant byte, the invitee id, the meeting
# id and the expiry (Unix seconds), followed by the first 20 bytes of their HMAC-SHA256
# under the app's key. The variant is the first of 0, 1, 2 ... whose token holds no run of
# six digits: a CPR number starts with six digits, so such a token never reads as one. A
# run of six in 60 random base64 characters comes about once in 1,300 tokens.
_CLAIM = struct.Struct(">BQQq")
_MAC_BYTES = 20
_TOKEN_BYTES = _CLAIM.size + _MAC_BYTES
_SALT = b"meeting-reply-v2|"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _mac(key: bytes, claim: bytes) -> bytes:
    return hmac.new(key, _SALT + claim, hashlib.sha256).digest()[:_MAC_BYTES]


def _token(key: bytes, variant: int, invitee_id: int, meeting_id: int, expires: int) -> str:
    claim = _CLAIM.pack(variant, invitee_id, meeting_id, expires)
    return _b64(claim + _mac(key, claim))


def reply_token(key: bytes, invitee_id: int, meeting_id: int, expires: datetime) -> str:
    """The signed token of an invitee's reply link, valid until ``expires``."""
    seconds = int(expires.timestamp())
    for variant in range(256):
        token = _token(key, variant, invitee_id, meeting_id, seconds)
        if no_six_digits_in_a_row(token):
            return token
    raise AssertionError("no reply token without six digits in a row")  # pragma: no cover


def read_reply_token(key: bytes, token: str, now: datetime) -> ReplyClaim:
    """The claim in a reply token; ``ReplyTokenError`` when altered or expired."""
    claim = _read_legacy(key, token) if "." in token else _read(key, token)
    if now >= claim.expires:
        raise ReplyTokenError(expired=True)
    return claim


def _read(key: bytes, token: str) -> ReplyClaim:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raise ReplyTokenError(expired=False) from None
    # Re-encoding must give the token back: no second spelling of one token is accepted.
    if len(raw) != _TOKEN_BYTES or _b64(raw) != token:
        raise ReplyTokenError(expired=False)
    claim, mac = raw[: _CLAIM.size], raw[_CLAIM.size :]
    if not hmac.compare_digest(_mac(key, claim), mac):
        raise ReplyTokenError(expired=False)
    _variant, invitee_id, meeting_id, seconds = _CLAIM.unpack(claim)
    return ReplyClaim(invitee_id, meeting_id, _from_timestamp(seconds))


def _from_timestamp(seconds: int) -> datetime:
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        raise ReplyTokenError(expired=False) from None


def _legacy_sign(key: bytes, payload: str) -> str:
    digest = hmac.new(key, f"meeting-reply|{payload}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:20]).decode().rstrip("=")


def _read_legacy(key: bytes, token: str) -> ReplyClaim:
    """The first format, ``invitee.meeting.expiry.signature``, in links already sent. Such
    a link expires when its meeting ends; this can go once every meeting planned before
    the new format has ended."""
    parts = token.split(".")
    if (len(parts) != 4 or not all(p.isascii() and p.isdigit() for p in parts[:3])
            or not parts[3].isascii()):
        raise ReplyTokenError(expired=False)
    payload = ".".join(parts[:3])
    if not hmac.compare_digest(_legacy_sign(key, payload), parts[3]):
        raise ReplyTokenError(expired=False)
    return ReplyClaim(int(parts[0]), int(parts[1]), _from_timestamp(int(parts[2])))
