"""Rules for a young person's record: validation and age bands. Pure: no I/O, no clock."""

from __future__ import annotations

import re
from datetime import date, timedelta
from enum import StrEnum
from typing import Annotated

from dateutil.relativedelta import relativedelta
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from app.domain.cpr import Cpr, CprError, CprErrorCode, parse_cpr
from app.domain.validation import (
    Email,
    FieldError,
    MultilineText,
    OptionalInt,
    OutgoingMultilineText,
    OutgoingText,
    Phone,
    Text,
    empty_to_none,
)
from app.i18n import N_
from app.models.user import Role
from app.models.youth import Channel, Frequency, SupportExpected, YouthStatus

CPR_MESSAGES = {
    CprErrorCode.EMPTY: N_("Enter the CPR number."),
    CprErrorCode.FORMAT: N_("A CPR number has 10 digits: DDMMYY-SSSS, with or without the dash."),
    CprErrorCode.DATE: N_("The first six digits of the CPR number are not a real date."),
}
OLDEST_BIRTH_DATE = date(1990, 1, 1)

OptionalDate = Annotated[date | None, BeforeValidator(empty_to_none)]
OptionalText = Annotated[str | None, BeforeValidator(empty_to_none)]


def checked_cpr(text: str) -> Cpr:
    try:
        return parse_cpr(text)
    except CprError as exc:
        raise FieldError(CPR_MESSAGES[exc.code], field="cpr") from None


class YouthData(BaseModel):
    """A young person's record as entered in a form, the API or an import row."""

    model_config = ConfigDict(hide_input_in_errors=True)

    cpr: OptionalText = None
    birth_date: OptionalDate = None
    birth_date_reason: Annotated[Text, Field(max_length=300)] = ""
    first_name: Annotated[OutgoingText, Field(min_length=1, max_length=100)]
    last_name: Annotated[OutgoingText, Field(min_length=1, max_length=100)]
    address: Annotated[OutgoingMultilineText, Field(max_length=200)] = ""  # a postal address
    postal_code: Annotated[str, Field(max_length=4, pattern=r"^(\d{4})?$")] = ""
    city: Annotated[OutgoingText, Field(max_length=60)] = ""
    email: Annotated[Email, Field(max_length=254)] = ""
    phone: Annotated[Phone, Field(max_length=32)] = ""
    school: Annotated[Text, Field(max_length=200)] = ""
    adult_support_expected: SupportExpected = SupportExpected.NOT_ASSESSED
    child_caseworker_id: OptionalInt = None
    adult_caseworker_id: OptionalInt = None
    coordinator_id: OptionalInt = None
    buddy_id: OptionalInt = None
    youth_had_say: bool = False
    comm_channel: Channel = Channel.DIGITAL_POST
    comm_frequency: Frequency = Frequency.ON_CHANGE
    plain_language: bool = False
    interpreter_language: Annotated[Text, Field(max_length=60)] = ""
    sign_language: bool = False
    other_needs: Annotated[MultilineText, Field(max_length=500)] = ""
    bisidder_offered: bool = False
    status: YouthStatus = YouthStatus.ACTIVE
    closed_reason: Annotated[Text, Field(max_length=300)] = ""

    @field_validator("cpr")
    @classmethod
    def _cpr(cls, value: str | None) -> str | None:
        return None if value is None else checked_cpr(value).digits

    @model_validator(mode="after")
    def _rules(self) -> YouthData:
        if self.cpr:
            self.birth_date = checked_cpr(self.cpr).birth_date
            self.birth_date_reason = ""
        elif self.birth_date is None:
            raise FieldError(
                N_("Enter the CPR number, or the birth date if the young person has none."),
                field="cpr",
            )
        elif not self.birth_date_reason:
            raise FieldError(
                N_("Say why the young person has no CPR number."), field="birth_date_reason"
            )
        elif self.birth_date < OLDEST_BIRTH_DATE:
            raise FieldError(N_("The birth date is too far back."), field="birth_date")
        if self.buddy_id is not None and self.buddy_id == self.coordinator_id:
            raise FieldError(
                N_("The buddy must be someone other than the coordinating caseworker."),
                field="buddy_id",
            )
        if self.status is YouthStatus.CLOSED and not self.closed_reason:
            raise FieldError(N_("Give a reason for closing the case."), field="closed_reason")
        return self

    def check_not_born_in_future(self, today: date) -> None:
        if self.birth_date and self.birth_date > today:
            field = "cpr" if self.cpr else "birth_date"
            raise FieldError(N_("The birth date lies in the future."), field=field)


_SIX_DIGITS = re.compile(r"\d{6}")
CPR_IN_NAME_SEARCH = N_("Search for a CPR number in the field “Find by CPR number”, so that the "
                        "number stays out of the address line and the logs.")


def looks_like_cpr_search(query: str) -> bool:
    """A name search that holds a birth date's six digits or more (with or without a dash or
    spaces): searching for it in a URL would put a CPR number in addresses and logs."""
    return bool(_SIX_DIGITS.search(re.sub(r"[\s\-‐‑–]", "", query)))


NO_CPR_MATCH = N_("No young person you have access to has this CPR number.")
ASSIGNMENT_FIELDS = ("child_caseworker_id", "adult_caseworker_id")
NEEDS_AUTHORITY = N_("Only a coordinator or the young person's coordinating caseworker may "
                     "change caseworkers or close the case.")


def may_reassign_and_close(role: Role, user_id: int | None, coordinator_id: int | None) -> bool:
    """Who may give a case to another caseworker, close it or reopen it: coordinators and
    administrators, and the young person's coordinating caseworker."""
    return role in (Role.COORDINATOR, Role.ADMIN) or (
        user_id is not None and user_id == coordinator_id)


def changes_needing_authority(
    assigned: dict[str, int | None], status: YouthStatus, data: YouthData, user_id: int | None
) -> list[str]:
    """The fields of an edit that only `may_reassign_and_close` may make: another caseworker
    for the case (taking an unassigned case oneself is not one), and closing or reopening."""
    fields = [
        name for name in ASSIGNMENT_FIELDS
        if getattr(data, name) != assigned[name]
        and not (assigned[name] is None and getattr(data, name) == user_id)
    ]
    if (status is YouthStatus.CLOSED) != (data.status is YouthStatus.CLOSED):
        fields.append("status")
    return fields


class AgeBand(StrEnum):
    UNDER_16 = "under_16"
    FROM_16 = "16"
    FROM_16_5 = "16_5"
    FROM_17 = "17"
    FROM_17_5 = "17_5"
    ADULT = "18"


AGE_BAND_LABELS = {
    AgeBand.UNDER_16: N_("Under 16"),
    AgeBand.FROM_16: N_("16 to 16½"),
    AgeBand.FROM_16_5: N_("16½ to 17"),
    AgeBand.FROM_17: N_("17 to 17½"),
    AgeBand.FROM_17_5: N_("17½ to 18"),
    AgeBand.ADULT: N_("18 or older"),
}
_BAND_AGES: dict[AgeBand, tuple[relativedelta | None, relativedelta | None]] = {
    AgeBand.UNDER_16: (None, relativedelta(years=16)),
    AgeBand.FROM_16: (relativedelta(years=16), relativedelta(years=16, months=6)),
    AgeBand.FROM_16_5: (relativedelta(years=16, months=6), relativedelta(years=17)),
    AgeBand.FROM_17: (relativedelta(years=17), relativedelta(years=17, months=6)),
    AgeBand.FROM_17_5: (relativedelta(years=17, months=6), relativedelta(years=18)),
    AgeBand.ADULT: (relativedelta(years=18), None),
}


def latest_birth_date_for_age(age: relativedelta, today: date) -> date:
    """The last birth date of someone who has reached `age` on `today`, by the same
    calendar arithmetic as the timeline (born 31 August: 16½ on the last day of February)."""
    candidate = today - age
    while candidate + timedelta(days=1) + age <= today:
        candidate += timedelta(days=1)
    while candidate + age > today:
        candidate -= timedelta(days=1)
    return candidate


def birth_date_range(band: AgeBand, today: date) -> tuple[date | None, date | None]:
    """(born after, born on or before): someone is in the band when
    after < birth_date <= on_or_before."""
    youngest, oldest = _BAND_AGES[band]
    on_or_before = latest_birth_date_for_age(youngest, today) if youngest else None
    after = latest_birth_date_for_age(oldest, today) if oldest else None
    return after, on_or_before


def age_on(birth_date: date, today: date) -> relativedelta:
    return relativedelta(today, birth_date)
