"""An inquiry as entered (form, API) and its rules: when it is due and what is refused."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from app.domain import working_time
from app.domain.validation import FieldError, MultilineText, Text
from app.i18n import N_
from app.models.inquiry import InquirySender
from app.models.youth import Channel

RESPONSE_HOURS = working_time.DEFAULT_RESPONSE_HOURS


class InquiryData(BaseModel):
    """A new inquiry: when it came, how, from whom, and what it is about."""

    received_on: date
    received_time: time
    channel: Channel
    sender_kind: InquirySender
    sender_name: Text = Field(default="", max_length=120)
    summary: MultilineText = Field(min_length=1, max_length=2000)

    def received_at(self, tz: ZoneInfo) -> datetime:
        return datetime.combine(self.received_on, self.received_time, tz)

    def check(self, tz: ZoneInfo, now: datetime) -> datetime:
        """The moment it was received; refused when it lies in the future."""
        received = self.received_at(tz)
        if received > now + timedelta(minutes=1):
            raise FieldError(N_("An inquiry cannot be received in the future."),
                             field="received_on")
        return received


class AnswerData(BaseModel):
    answered_on: date
    answered_time: time
    note: MultilineText = Field(default="", max_length=2000)

    def answered_at(self, tz: ZoneInfo, received_at: datetime, now: datetime) -> datetime:
        answered = datetime.combine(self.answered_on, self.answered_time, tz)
        if answered < received_at:
            raise FieldError(N_("The answer cannot be dated before the inquiry was received."),
                             field="answered_on")
        if answered > now + timedelta(minutes=1):
            raise FieldError(N_("The answer cannot be dated in the future."),
                             field="answered_on")
        return answered


def due_at(received_at: datetime, closing_days: frozenset[date], tz: ZoneInfo) -> datetime:
    """48 hours counted on working days only (see domain/working_time)."""
    return working_time.due_at(received_at, RESPONSE_HOURS, closing_days, tz)


class ClosingDayData(BaseModel):
    """A day the administration is closed, such as 24 December."""

    day: date
    reason: Text = Field(default="", max_length=120)
