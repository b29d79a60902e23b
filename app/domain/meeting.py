"""Meeting input and rules: pure, no I/O, no clock (``now`` is an argument).

* ``MeetingData``: the plan/edit form and the API body; local date and times in the
  municipality's zone, converted by ``MeetingData.span``.
* ``DEFAULT_AGENDA``: the six areas of barnets lov § 123.
* Reply links: ``reply_token`` signs (invitee, meeting, expiry) with the app's key;
  ``read_reply_token`` refuses an altered or expired token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field, model_validator

from app.domain.cpr import contains_cpr_like
from app.domain.validation import FieldError, Text
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


def _no_cpr(field: str, value: str) -> None:
    if contains_cpr_like(value):
        raise FieldError(N_("Do not write CPR numbers here: the text is sent by e-mail."),
                         field)


class MeetingData(BaseModel):
    kind: MeetingKind
    day: date
    start_time: time
    end_time: time
    place_kind: PlaceKind
    place_detail: Text = Field(default="", max_length=300)
    agenda: Text = Field(default="", max_length=5000)

    @model_validator(mode="after")
    def _check(self) -> MeetingData:
        if self.end_time <= self.start_time:
            raise FieldError(N_("The meeting must end after it starts."), "end_time")
        if self.place_kind is PlaceKind.TOWN_HALL and not self.place_detail:
            raise FieldError(N_("Write which room at the town hall."), "place_detail")
        if self.place_kind is PlaceKind.ONLINE and not self.place_detail.startswith("https://"):
            raise FieldError(N_("Give the meeting link, starting with https://."), "place_detail")
        if self.place_kind is PlaceKind.OTHER and not self.place_detail:
            raise FieldError(N_("Write where the meeting is held."), "place_detail")
        _no_cpr("place_detail", self.place_detail)
        _no_cpr("agenda", self.agenda)
        return self

    def span(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """Start and end in UTC. A wall time that does not exist (the spring-forward hour)
        is read as the time after the change, as clocks show it."""
        start = _aware(self.day, self.start_time, tz)
        end = _aware(self.day, self.end_time, tz)
        return start, end

    def check_when(self, now: datetime, tz: ZoneInfo) -> None:
        start, end = self.span(tz)
        if end <= start:
            raise FieldError(N_("The meeting must end after it starts."), "end_time")
        if start < now:
            raise FieldError(N_("The meeting cannot start in the past."), "day")
        if end - start > MAX_LENGTH:
            raise FieldError(N_("A meeting can last at most 8 hours."), "end_time")


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


def _sign(key: bytes, payload: str) -> str:
    digest = hmac.new(key, f"meeting-reply|{payload}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:20]).decode().rstrip("=")


def reply_token(key: bytes, invitee_id: int, meeting_id: int, expires: datetime) -> str:
    payload = f"{invitee_id}.{meeting_id}.{int(expires.timestamp())}"
    return f"{payload}.{_sign(key, payload)}"


def read_reply_token(key: bytes, token: str, now: datetime) -> ReplyClaim:
    """The claim in a reply token; ``ReplyTokenError`` when altered or expired."""
    parts = token.split(".")
    if len(parts) != 4 or not all(p.isdigit() for p in parts[:3]):
        raise ReplyTokenError(expired=False)
    payload = ".".join(parts[:3])
    if not hmac.compare_digest(_sign(key, payload), parts[3]):
        raise ReplyTokenError(expired=False)
    expires = datetime.fromtimestamp(int(parts[2]), UTC)
    if now >= expires:
        raise ReplyTokenError(expired=True)
    return ReplyClaim(int(parts[0]), int(parts[1]), expires)
