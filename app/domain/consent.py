"""Consent and document handover: the rules. Pure: no I/O, no clock.

`handover_decision` is the one rule every path (pages, htmx actions, the API, imports) asks
before a document is marked as handed over to the adult department. It answers allowed (with
the consent relied on) or refused with a message id and parameters, translated where shown.

Dates: a consent counts from `given_on` to `valid_until` inclusive, and stops counting on the
day it is withdrawn. A custody holder's consent stops counting on the young person's 18th
birthday. The 18th birthday is computed with `relativedelta`, like every age in the app
(`network_input.is_adult`, the timeline): someone born 29 February turns 18 on 28 February
in a year that is not a leap year.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Any

from dateutil.relativedelta import relativedelta
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from app.domain.rules import Checked, rule
from app.domain.validation import FieldError, MultilineText, Text, empty_to_none
from app.i18n import N_, Msg, format_date
from app.models.handover import (
    ConsentMethod,
    DocumentStatus,
    GiverRole,
    Purpose,
    Recipient,
    Storage,
)

ADULT_AGE = 18
STATUS_ORDER = tuple(DocumentStatus)
BEFORE_HANDOVER = frozenset({DocumentStatus.NEEDED, DocumentStatus.REQUESTED,
                             DocumentStatus.RECEIVED})
HANDED_OVER = frozenset({DocumentStatus.HANDED_OVER, DocumentStatus.ACKNOWLEDGED})
RECIPIENT_LABELS = {
    Recipient.ADULT_DEPARTMENT: N_("the adult department"),
    Recipient.JOBCENTER: N_("the job centre"),
    Recipient.EDUCATION: N_("the place of education or UU"),
    Recipient.HEALTH: N_("the doctor or hospital"),
}


def eighteenth_birthday(birth_date: date) -> date:
    result: date = birth_date + relativedelta(years=ADULT_AGE)
    return result


def giver_text(role: GiverRole, name: str) -> Msg:
    """Who gave a consent, as messages name them: "the young person", "Anne Hansen (parent)"."""
    if role is GiverRole.CUSTODY_HOLDER:
        return Msg(N_("%(name)s (parent)"), name=name)
    if role is GiverRole.GUARDIAN:
        return Msg(N_("%(name)s (guardian)"), name=name)
    return Msg(N_("the young person"))


@dataclass(frozen=True)
class ShownDate:
    """A date parameter, formatted in the reader's language when the message is shown."""

    value: date

    def __str__(self) -> str:
        return format_date(self.value)


@dataclass(frozen=True)
class ConsentFacts:
    """What the rule needs to know about a consent."""

    id: int
    giver_role: GiverRole
    giver: str
    purposes: frozenset[Purpose]
    document_type_ids: frozenset[int]
    recipients: frozenset[Recipient]
    given_on: date
    valid_until: date | None = None
    withdrawn_on: date | None = None

    @property
    def giver_text(self) -> Msg:
        return giver_text(self.giver_role, self.giver)


@dataclass(frozen=True)
class DocumentFacts:
    id: int
    document_type_id: int
    name: str
    status: DocumentStatus
    required: bool = True
    handed_over_consent_id: int | None = None


@dataclass(frozen=True)
class Decision:
    allowed: bool
    consent_id: int | None = None
    reason: Msg | None = None

    def __bool__(self) -> bool:
        return self.allowed


def timing_problem(consent: ConsentFacts, birth_date: date, on: date) -> Msg | None:
    """Why the consent does not count on the day `on`, or None when it does."""
    giver = consent.giver_text
    if on < consent.given_on:
        return Msg(N_("The consent from %(giver)s applies only from %(date)s."),
                   giver=giver, date=ShownDate(consent.given_on))
    if consent.withdrawn_on is not None and on >= consent.withdrawn_on:
        return Msg(N_("The consent from %(giver)s was withdrawn on %(date)s."),
                   giver=giver, date=ShownDate(consent.withdrawn_on))
    adult_from = eighteenth_birthday(birth_date)
    if consent.giver_role is GiverRole.CUSTODY_HOLDER and on >= adult_from:
        return Msg(N_("The parents' consent ended when the young person turned 18 on "
                      "%(date)s. Record the young person's own consent or a guardian's."),
                   date=ShownDate(adult_from))
    if consent.valid_until is not None and on > consent.valid_until:
        return Msg(N_("The consent from %(giver)s applied only until %(date)s."),
                   giver=giver, date=ShownDate(consent.valid_until))
    return None


def scope_problem(consent: ConsentFacts, document_type_id: int, document_name: str,
                  recipient: Recipient) -> Msg | None:
    """Why the consent does not cover handing this document to `recipient`, or None."""
    giver = consent.giver_text
    if Purpose.SHARE_WITH_ADULT not in consent.purposes:
        return Msg(N_("The consent from %(giver)s does not cover handing information to "
                      "the adult department."), giver=giver)
    if recipient not in consent.recipients:
        return Msg(N_("The consent from %(giver)s does not cover %(recipient)s."),
                   giver=giver, recipient=Msg(RECIPIENT_LABELS[recipient]))
    if document_type_id not in consent.document_type_ids:
        return Msg(N_("The consent from %(giver)s does not cover %(document)s."),
                   giver=giver, document=document_name)
    return None


def _latest(consents: Iterable[ConsentFacts]) -> ConsentFacts:
    return max(consents, key=lambda c: (c.given_on, c.id))


def handover_decision(
    consents: Sequence[ConsentFacts], document_type_id: int, document_name: str,
    birth_date: date, on: date, recipient: Recipient = Recipient.ADULT_DEPARTMENT,
) -> Decision:
    """May a document of this type be handed to `recipient` on the day `on`?

    Allowed when a consent counts on that day and covers the purpose, the recipient and the
    document type; the newest such consent is the one relied on. Refused otherwise, with the
    reason that helps most: why a consent that would cover the document no longer counts;
    else what a consent that counts does not cover; else that the parents' consent ended at
    18; else that there is no such consent.
    """
    checked = [(c, timing_problem(c, birth_date, on),
                scope_problem(c, document_type_id, document_name, recipient))
               for c in consents]
    fine = [c for c, timing, scope in checked if timing is None and scope is None]
    if fine:
        return Decision(True, consent_id=_latest(fine).id)
    covering = {c.id: timing for c, timing, scope in checked if scope is None}
    if covering:
        chosen = _latest(c for c in consents if c.id in covering)
        return Decision(False, reason=covering[chosen.id])
    counting = {c.id: scope for c, timing, scope in checked if timing is None}
    if counting:
        chosen = _latest(c for c in consents if c.id in counting)
        return Decision(False, reason=counting[chosen.id])
    lapsed = [timing for c, timing, _scope in checked
              if c.giver_role is GiverRole.CUSTODY_HOLDER and timing is not None
              and c.withdrawn_on is None and on >= eighteenth_birthday(birth_date)]
    if lapsed:  # what is needed now is the young person's own consent or a guardian's
        return Decision(False, reason=lapsed[0])
    return Decision(False, reason=Msg(
        N_("No consent lets %(document)s be handed over to %(recipient)s."),
        document=document_name, recipient=Msg(RECIPIENT_LABELS[recipient])))


def counts_until(consent: ConsentFacts, birth_date: date) -> date | None:
    """The last day the consent counts, as `timing_problem` decides it: its end date, the day
    before its withdrawal, and for a custody holder's consent the day before the 18th
    birthday, whichever comes first. None: it counts until it is withdrawn."""
    ends = [d for d in (consent.valid_until,) if d is not None]
    if consent.withdrawn_on is not None:
        ends.append(consent.withdrawn_on - timedelta(days=1))
    if consent.giver_role is GiverRole.CUSTODY_HOLDER:
        ends.append(eighteenth_birthday(birth_date) - timedelta(days=1))
    return min(ends) if ends else None


@dataclass(frozen=True)
class Coverage:
    """Whether a document still to be handed over may be handed over on a given day, as
    `handover_decision` answers it: the consent it would be handed over under, or why not."""

    document: DocumentFacts
    consent: ConsentFacts | None
    until: date | None = None
    reason: Msg | None = None

    @property
    def covered(self) -> bool:
        return self.consent is not None

    @property
    def text(self) -> Msg:
        """"Covered by the consent from … of 3 March 2026 (until 1 March 2027)", or the
        reason it is not covered."""
        if self.consent is None:
            assert self.reason is not None
            return self.reason
        if self.until is None:
            return Msg(N_("Covered by the consent from %(giver)s of %(date)s (until it is "
                          "withdrawn)."), giver=self.consent.giver_text,
                       date=ShownDate(self.consent.given_on))
        return Msg(N_("Covered by the consent from %(giver)s of %(date)s (until %(until)s)."),
                   giver=self.consent.giver_text, date=ShownDate(self.consent.given_on),
                   until=ShownDate(self.until))


def coverage(consents: Sequence[ConsentFacts], documents: Sequence[DocumentFacts],
             birth_date: date, on: date) -> tuple[Coverage, ...]:
    """For each document not yet handed over: the consent `handover_decision` relies on for
    handing it to the adult department on the day `on`, or its reason for refusing."""
    by_id = {c.id: c for c in consents}
    result = []
    for document in documents:
        if document.status not in BEFORE_HANDOVER:
            continue
        decision = handover_decision(consents, document.document_type_id, document.name,
                                     birth_date, on)
        if decision.allowed and decision.consent_id in by_id:
            consent = by_id[decision.consent_id]
            result.append(Coverage(document, consent, counts_until(consent, birth_date)))
        else:
            result.append(Coverage(document, None, reason=decision.reason))
    return tuple(result)


def handover_plan(coverages: Iterable[Coverage]) -> dict[int, int]:
    """What "hand over everything covered" hands over: document id -> the consent's id."""
    return {c.document.id: c.consent.id for c in coverages if c.consent is not None}


@dataclass(frozen=True)
class PlanChange:
    """A difference between the handover the user confirmed and what is covered now."""

    document: DocumentFacts
    reason: Msg


def plan_changes(confirmed: Mapping[int, int], documents: Sequence[DocumentFacts],
                 coverages: Sequence[Coverage]) -> tuple[PlanChange, ...]:
    """How the handover confirmed (document id -> consent id) differs from what may be
    handed over now: a document no longer covered (and why), one handed over meanwhile, one
    covered now that was not listed, one now covered by another consent. Empty: unchanged."""
    now = {c.document.id: c for c in coverages}
    changes = []
    for document in documents:
        current = now.get(document.id)
        covered_now = current is not None and current.consent is not None
        if document.id in confirmed:
            if current is None:
                changes.append(PlanChange(document, Msg(
                    N_("It has been handed over since the list was made."))))
            elif current.consent is None:
                assert current.reason is not None
                changes.append(PlanChange(document, current.reason))
            elif current.consent.id != confirmed[document.id]:
                changes.append(PlanChange(document, Msg(
                    N_("It is now covered by another consent: %(coverage)s"),
                    coverage=current.text)))
        elif covered_now:
            assert current is not None
            changes.append(PlanChange(document, Msg(
                N_("It was not on the list, but is covered now: %(coverage)s"),
                coverage=current.text)))
    return tuple(changes)


# The document checklist's state machine: where a document may go from each status. Forward
# is the handover's order; before the handover a status can also move back (a correction); a
# handed-over document stays handed over and only a handed-over document is acknowledged.
TRANSITIONS: dict[DocumentStatus, tuple[DocumentStatus, ...]] = {
    DocumentStatus.NEEDED: (DocumentStatus.REQUESTED, DocumentStatus.RECEIVED,
                            DocumentStatus.HANDED_OVER),
    DocumentStatus.REQUESTED: (DocumentStatus.RECEIVED, DocumentStatus.HANDED_OVER,
                               DocumentStatus.NEEDED),
    DocumentStatus.RECEIVED: (DocumentStatus.HANDED_OVER, DocumentStatus.REQUESTED,
                              DocumentStatus.NEEDED),
    DocumentStatus.HANDED_OVER: (DocumentStatus.ACKNOWLEDGED,),
    DocumentStatus.ACKNOWLEDGED: (),
}


def is_correction(current: DocumentStatus, target: DocumentStatus) -> bool:
    """Whether the move goes back in the handover's order (a correction)."""
    return STATUS_ORDER.index(target) < STATUS_ORDER.index(current)


def next_steps(current: DocumentStatus) -> tuple[DocumentStatus, ...]:
    """The moves forward from `current`, the checklist's actions."""
    return tuple(t for t in TRANSITIONS[current] if not is_correction(current, t))


def corrections(current: DocumentStatus) -> tuple[DocumentStatus, ...]:
    """The moves back from `current`, offered as corrections."""
    return tuple(t for t in TRANSITIONS[current] if is_correction(current, t))


def transition_problem(current: DocumentStatus, target: DocumentStatus) -> Msg | None:
    """Whether a document may move from `current` to `target` (consent aside): None when
    `TRANSITIONS` allows it, else why not."""
    if target in TRANSITIONS[current]:
        return None
    if current is target:
        return Msg(N_("The document already has this status."))
    if target is DocumentStatus.ACKNOWLEDGED:
        return Msg(N_("A document can be acknowledged only after it has been handed "
                      "over."))
    return Msg(N_("The document has been handed over; that cannot be undone."))


def undo_status_problem(current: DocumentStatus, previous: DocumentStatus) -> Msg | None:
    """Whether a status change from `previous` to `current` may be undone (the time and
    whether anything changed since aside, `domain.undo`): None when the state machine
    allows the move back. A handed-over document stays handed over, and an undo never hands
    a document over."""
    if current in HANDED_OVER:
        return Msg(N_("A document that has been handed over stays handed over, so this "
                      "cannot be undone. If it was a mistake, tell the adult department."))
    if previous not in BEFORE_HANDOVER:
        return Msg(N_("Only a status before the handover can be restored."))
    return transition_problem(current, previous)


def all_required_handed_over(documents: Sequence[DocumentFacts]) -> bool:
    required = [d for d in documents if d.required]
    return bool(required) and all(d.status in HANDED_OVER for d in required)


@dataclass(frozen=True)
class WithdrawalEffects:
    """What a withdrawal means: the documents it blocks from now on (nothing else covers
    them), and the documents already handed over under it, to be reviewed."""

    blocked: tuple[DocumentFacts, ...]
    handed_over: tuple[DocumentFacts, ...]


def withdraw(consent: ConsentFacts, on: date) -> ConsentFacts:
    return ConsentFacts(
        consent.id, consent.giver_role, consent.giver, consent.purposes,
        consent.document_type_ids, consent.recipients, consent.given_on, consent.valid_until,
        on,
    )


def withdrawal_effects(consents: Sequence[ConsentFacts], consent_id: int, on: date,
                       documents: Sequence[DocumentFacts], birth_date: date,
                       ) -> WithdrawalEffects:
    after = [withdraw(c, on) if c.id == consent_id else c for c in consents]
    blocked = tuple(
        d for d in documents
        if d.status in BEFORE_HANDOVER
        and handover_decision(consents, d.document_type_id, d.name, birth_date, on)
        and not handover_decision(after, d.document_type_id, d.name, birth_date, on)
    )
    handed = tuple(d for d in documents if d.handed_over_consent_id == consent_id)
    return WithdrawalEffects(blocked, handed)


def own_consent_needed(consents: Sequence[ConsentFacts], birth_date: date, today: date
                       ) -> bool:
    """From 18 the timeline asks for the young person's own consent or a guardian's."""
    if today < eighteenth_birthday(birth_date):
        return False
    return not own_consent_recorded(consents, birth_date, today)


def own_consent_recorded(consents: Sequence[ConsentFacts], birth_date: date, today: date
                         ) -> bool:
    """The consent part of the 18-year step: a consent from the young person or a guardian,
    given on or after the 18th birthday, that counts today."""
    adult_from = eighteenth_birthday(birth_date)
    return any(
        c.giver_role in (GiverRole.YOUTH, GiverRole.GUARDIAN) and c.given_on >= adult_from
        and timing_problem(c, birth_date, today) is None
        for c in consents
    )


def check_giver(role: GiverRole, *, custody_holder: bool, guardian: bool, given_on: date,
                birth_date: date) -> None:
    """Only the young person, a custody holder (before the 18th birthday) or a guardian
    can give consent."""
    if role is GiverRole.YOUTH:
        return
    if role is GiverRole.GUARDIAN and guardian:
        return
    if role is GiverRole.CUSTODY_HOLDER and custody_holder:
        if given_on >= eighteenth_birthday(birth_date):
            raise FieldError(N_("A parent cannot give consent after the young person turned "
                                "18. Record the young person's own consent or a guardian's."),
                             field="giver")
        return
    raise FieldError(N_("Consent can be given only by the young person, a custody holder or "
                        "a guardian (værge) from the network map."), field="giver")


def _as_list(value: object) -> object:
    if value is None or value == "":
        return []
    return value if isinstance(value, list) else [value]


OptionalDate = Annotated[date | None, BeforeValidator(empty_to_none)]
ListOf = BeforeValidator(_as_list)


class ConsentData(Checked):
    """A consent as a form or the API sends it. `giver` is "youth" or a network member's
    id; the service checks that the member holds custody or is a guardian. Its rules all
    run (``rules.Checked``), the date rule when the context gives ``today``."""

    model_config = ConfigDict(hide_input_in_errors=True)

    giver: Annotated[str, Field(min_length=1, max_length=20, pattern=r"^(youth|[0-9]+)$")]
    purposes: Annotated[list[Purpose], ListOf, Field(max_length=len(Purpose))]
    document_type_ids: Annotated[list[int], ListOf, Field(max_length=100)] = Field(
        default_factory=list)
    recipients: Annotated[list[Recipient], ListOf, Field(max_length=len(Recipient))] = Field(
        default_factory=list)
    sources: Annotated[Text, Field(max_length=300)] = ""
    invitee_member_ids: Annotated[list[int], ListOf, Field(max_length=100)] = Field(
        default_factory=list)
    method: ConsentMethod
    given_on: date
    valid_until: OptionalDate = None
    note: Annotated[MultilineText, Field(max_length=500)] = ""

    @rule
    def _a_purpose(self, context: Mapping[str, Any]) -> None:
        if not self.purposes:
            raise FieldError(N_("Choose at least one purpose."), field="purposes")

    @rule
    def _ends_after_given(self, context: Mapping[str, Any]) -> None:
        if self.valid_until is not None and self.valid_until < self.given_on:
            raise FieldError(N_("The consent cannot end before the date it was given."),
                             field="valid_until")

    @rule
    def _given_not_in_future(self, context: Mapping[str, Any]) -> None:
        if "today" in context:
            self.check_dates(context["today"])

    @rule
    def _documents(self, context: Mapping[str, Any]) -> None:
        if Purpose.SHARE_WITH_ADULT in self.purposes and not self.document_type_ids:
            raise FieldError(N_("Choose the documents the consent covers."),
                             field="document_type_ids")

    @rule
    def _recipients(self, context: Mapping[str, Any]) -> None:
        if Purpose.SHARE_WITH_ADULT in self.purposes and not self.recipients:
            raise FieldError(N_("Choose who may receive the documents."), field="recipients")

    @rule
    def _sources(self, context: Mapping[str, Any]) -> None:
        if Purpose.OBTAIN_FROM_SOURCES in self.purposes and not self.sources:
            raise FieldError(N_("Name the sources information may be obtained from."),
                             field="sources")

    @rule
    def _invitees(self, context: Mapping[str, Any]) -> None:
        if Purpose.INVITE_NETWORK in self.purposes and not self.invitee_member_ids:
            raise FieldError(N_("Choose the network members who may be invited."),
                             field="invitee_member_ids")
        if Purpose.SHARE_WITH_FAMILY in self.purposes and not self.invitee_member_ids:
            raise FieldError(N_("Choose the parents who may keep seeing the family's page."),
                             field="invitee_member_ids")

    @model_validator(mode="after")
    def _normalise(self) -> ConsentData:
        self.document_type_ids = sorted(set(self.document_type_ids))
        self.invitee_member_ids = sorted(set(self.invitee_member_ids))
        self.purposes = [p for p in Purpose if p in self.purposes]
        self.recipients = [r for r in Recipient if r in self.recipients]
        return self

    def check_dates(self, today: date) -> None:
        if self.given_on > today:
            raise FieldError(N_("The date the consent was given cannot be in the future."),
                             field="given_on")


class WithdrawalData(BaseModel):
    model_config = ConfigDict(hide_input_in_errors=True)

    withdrawn_on: date
    reason: Annotated[MultilineText, Field(min_length=1, max_length=500)]


    def check(self, given_on: date, today: date) -> None:
        if self.withdrawn_on > today:
            raise FieldError(N_("The withdrawal cannot be dated in the future."),
                             field="withdrawn_on")
        if self.withdrawn_on < given_on:
            raise FieldError(N_("The withdrawal cannot be dated before the consent was given."),
                             field="withdrawn_on")


OptionalStorage = Annotated[Storage | None, BeforeValidator(empty_to_none)]


class DocumentPlace(BaseModel):
    """Where a document is kept and its journal reference (the file stays there)."""

    model_config = ConfigDict(hide_input_in_errors=True)

    storage: OptionalStorage = None
    storage_other: Annotated[Text, Field(max_length=60)] = ""
    journal_ref: Annotated[Text, Field(max_length=60)] = ""

    @model_validator(mode="after")
    def _other(self) -> DocumentPlace:
        if self.storage is Storage.OTHER and not self.storage_other:
            raise FieldError(N_("Say where the document is kept."), field="storage_other")
        if self.storage is not Storage.OTHER:
            self.storage_other = ""
        return self
