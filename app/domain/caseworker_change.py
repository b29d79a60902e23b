"""A change of coordinating caseworker or buddy: the form, who is told, and the letter.

Pure: no I/O, no clock. Letters are plain Danish (Nordfyn A3; Hedensted's letters for the
three kinds of change) and never contain a CPR number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict, Field, model_validator

from app import i18n
from app.domain import letters
from app.domain.rules import Checked, rule
from app.domain.validation import FieldError, MultilineText, empty_to_none
from app.i18n import N_
from app.models.caseworker import CaseRole, ChangeKind
from app.models.youth import Channel

OptionalDate = Annotated[date | None, BeforeValidator(empty_to_none)]
WRITTEN_CHANNELS = (Channel.DIGITAL_POST, Channel.EMAIL, Channel.LETTER)


class ChangeData(Checked):
    """The form; its rules all run (``rules.Checked``), the date rule when the context
    gives ``today``."""

    model_config = ConfigDict(hide_input_in_errors=True)

    role: CaseRole
    kind: ChangeKind
    to_user_id: Annotated[int, BeforeValidator(empty_to_none), Field(ge=1, le=2_147_483_647)]
    ends_on: OptionalDate = None
    handover_note: Annotated[MultilineText, Field(min_length=1, max_length=2000)]

    @model_validator(mode="after")
    def _rules(self) -> ChangeData:
        if self.kind is not ChangeKind.PLANNED_TEMPORARY:
            self.ends_on = None
        return self

    @rule
    def _dates(self, context: Mapping[str, Any]) -> None:
        if "today" in context:
            self.check_dates(context["today"])

    def check_dates(self, today: date) -> None:
        temporary = self.kind is ChangeKind.PLANNED_TEMPORARY
        if temporary and self.ends_on is not None and self.ends_on < today:
            raise FieldError(N_("The end date lies in the past."), field="ends_on")


@dataclass(frozen=True)
class Recipient:
    """Someone a letter goes to, with what we know about reaching them."""

    name: str
    is_youth: bool
    preferred: Channel
    email: str = ""
    address: str = ""
    phone: str = ""
    digital_post: bool = False  # reachable through Digital Post (needs their CPR number)
    member_id: int | None = None


@dataclass(frozen=True)
class Caseworker:
    name: str
    email: str
    phone: str


def letter_channel(recipient: Recipient) -> Channel | None:
    """The agreed channel when it can carry a letter to this person; otherwise the first
    written channel that can (Digital Post, e-mail, post); None when none can. A phone call
    or a meeting is no letter, so those agreements get the letter in writing as well."""

    def reaches(channel: Channel) -> bool:
        return (
            (channel is Channel.DIGITAL_POST and recipient.digital_post)
            or (channel is Channel.EMAIL and bool(recipient.email))
            or (channel is Channel.LETTER and bool(recipient.address))
        )

    if reaches(recipient.preferred):
        return recipient.preferred
    return next((c for c in WRITTEN_CHANNELS if reaches(c)), None)


def genitive(name: str) -> str:
    """Danish possessive: "Frejas", "Lucas'"."""
    return f"{name}'" if name[-1:].lower() in ("s", "x", "z") else f"{name}s"


_ROLE = {CaseRole.COORDINATOR: N_("coordinating caseworker"), CaseRole.BUDDY: N_("buddy")}
_INTRO = {
    (CaseRole.COORDINATOR, True): N_(
        "The coordinating caseworker keeps track of your move from the children's to the "
        "adult department. It is also the person you can contact when you have questions."),
    (CaseRole.COORDINATOR, False): N_(
        "The coordinating caseworker keeps track of %(owner)s move from the children's to the "
        "adult department. It is also the person you can contact when you have questions."),
    (CaseRole.BUDDY, True): N_(
        "The buddy is the caseworker who takes over when your coordinating caseworker is "
        "away."),
    (CaseRole.BUDDY, False): N_(
        "The buddy is the caseworker who takes over when %(owner)s coordinating caseworker "
        "is away."),
}


def contact_lines(caseworker: Caseworker) -> str:
    """"Telefon: ..." (when there is a phone number) and "E-mail: ..." lines."""
    with i18n.locale("da"):
        return "\n".join([
            *([i18n.gettext("Phone: %(phone)s") % {"phone": caseworker.phone}]
              if caseworker.phone else []),
            i18n.gettext("E-mail address: %(email)s") % {"email": caseworker.email},
        ])


def addressed(to_youth: bool, youth_first_name: str) -> dict[str, str]:
    """{hvem} and {hvis}: "Du" and "din" to the young person, "Freja" and "Frejas" to
    anyone else."""
    if to_youth:
        return {"hvem": "Du", "hvis": "din"}
    return {"hvem": youth_first_name, "hvis": genitive(youth_first_name)}


def change_letter(template: tuple[str, str], *, role: CaseRole, recipient_name: str,
                  to_youth: bool, youth_first_name: str, old: str, new: Caseworker,
                  ends_on: date | None, sender: str) -> tuple[str, str]:
    """The letter (subject, body): ``template`` (subject, body) for the kind of change,
    rendered for this recipient."""
    with i18n.locale("da"):
        names = {"owner": genitive(youth_first_name)}
        values = {
            "modtager": recipient_name, "fornavn": youth_first_name,
            **addressed(to_youth, youth_first_name),
            "rolle": i18n.gettext(_ROLE[role]), "rolle_forklaring": (
                i18n.gettext(_INTRO[role, to_youth]) % names),
            "tidligere": old, "ny": new.name, "kontakt": contact_lines(new),
            "til_dato": " til og med " + i18n.format_date(ends_on) if ends_on else "",
            "afsender": sender,
        }
    subject, body = template
    return letters.render(subject, values), letters.render(body, values)
