"""The consent rule: a table of consent scope x document type x recipient x date, the input
rules, withdrawal effects, and a state machine showing that no sequence of actions hands a
document over without a covering consent."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from app.domain.consent import (
    ConsentData,
    ConsentFacts,
    DocumentFacts,
    ShownDate,
    all_required_handed_over,
    check_giver,
    corrections,
    counts_until,
    coverage,
    eighteenth_birthday,
    handover_decision,
    handover_plan,
    is_correction,
    next_steps,
    own_consent_needed,
    plan_changes,
    timing_problem,
    transition_problem,
    undo_status_problem,
    withdraw,
    withdrawal_effects,
)
from app.domain.validation import FieldError
from app.i18n import Msg
from app.models.handover import DocumentStatus, GiverRole, Purpose, Recipient

# Born 29 February: the 18th birthday is 28 February 2026 (relativedelta, as everywhere).
BIRTH = date(2008, 2, 29)
EIGHTEEN = date(2026, 2, 28)
PPR, PLAN, SCHOOL = 1, 2, 3
NAMES = {PPR: "PPR-vurdering", PLAN: "Handleplan", SCHOOL: "Statusudtalelse fra skole"}
ADULT, JOBCENTER = Recipient.ADULT_DEPARTMENT, Recipient.JOBCENTER
SHARE, OBTAIN = Purpose.SHARE_WITH_ADULT, Purpose.OBTAIN_FROM_SOURCES

GIVEN = date(2025, 9, 1)
BEFORE_18 = date(2025, 11, 3)
DAY_BEFORE_18 = date(2026, 2, 27)
AFTER_18 = date(2026, 4, 1)
WITHDRAWN = date(2025, 12, 1)
AFTER_WITHDRAWAL = date(2026, 1, 5)

SCOPES = {
    "ppr+plan to adult": ({SHARE}, {PPR, PLAN}, {ADULT}),
    "plan only": ({SHARE}, {PLAN}, {ADULT}),
    "obtain only": ({OBTAIN}, {PPR, PLAN}, {ADULT}),
    "jobcentre only": ({SHARE}, {PPR, PLAN}, {JOBCENTER}),
}
GIVERS = {
    "mother": (GiverRole.CUSTODY_HOLDER, "Anne Hansen"),
    "youth": (GiverRole.YOUTH, "Freja Østergaard"),
    "guardian": (GiverRole.GUARDIAN, "Ole Berg"),
}
MOTHER = Msg("%(name)s (parent)", name="Anne Hansen")
YOUNG = Msg("the young person")
GUARD = Msg("%(name)s (guardian)", name="Ole Berg")


def ended_at_18() -> Msg:
    return Msg("The parents' consent ended when the young person turned 18 on %(date)s. "
               "Record the young person's own consent or a guardian's.",
               date=ShownDate(EIGHTEEN))


def not_cover(giver: object, document: str) -> Msg:
    return Msg("The consent from %(giver)s does not cover %(document)s.", giver=giver,
               document=document)


def not_recipient(giver: object, recipient: str) -> Msg:
    return Msg("The consent from %(giver)s does not cover %(recipient)s.", giver=giver,
               recipient=Msg(recipient))


def no_sharing(giver: object) -> Msg:
    return Msg("The consent from %(giver)s does not cover handing information to the adult "
               "department.", giver=giver)


def withdrawn(giver: object) -> Msg:
    return Msg("The consent from %(giver)s was withdrawn on %(date)s.", giver=giver,
               date=ShownDate(WITHDRAWN))


ENDED = ended_at_18()
# (giver, scope, document, recipient, day, withdrawn, expected reason or None for allowed)
MATRIX = [
    ("mother", "ppr+plan to adult", PPR, ADULT, BEFORE_18, False, None),
    ("mother", "ppr+plan to adult", PLAN, ADULT, BEFORE_18, False, None),
    ("mother", "ppr+plan to adult", PPR, ADULT, DAY_BEFORE_18, False, None),
    ("mother", "ppr+plan to adult", PPR, ADULT, EIGHTEEN, False, ENDED),
    ("mother", "ppr+plan to adult", PLAN, ADULT, AFTER_18, False, ENDED),
    ("mother", "ppr+plan to adult", SCHOOL, ADULT, BEFORE_18, False,
     not_cover(MOTHER, "Statusudtalelse fra skole")),
    ("mother", "ppr+plan to adult", PPR, JOBCENTER, BEFORE_18, False,
     not_recipient(MOTHER, "the job centre")),
    ("mother", "ppr+plan to adult", PPR, ADULT, AFTER_WITHDRAWAL, True, withdrawn(MOTHER)),
    ("mother", "ppr+plan to adult", PPR, ADULT, WITHDRAWN, True, withdrawn(MOTHER)),
    ("mother", "ppr+plan to adult", PPR, ADULT, WITHDRAWN - timedelta(days=1), True, None),
    ("mother", "ppr+plan to adult", PPR, ADULT, GIVEN - timedelta(days=1), False,
     Msg("The consent from %(giver)s applies only from %(date)s.", giver=MOTHER,
         date=ShownDate(GIVEN))),
    ("mother", "plan only", PPR, ADULT, BEFORE_18, False, not_cover(MOTHER, "PPR-vurdering")),
    ("mother", "plan only", PLAN, ADULT, BEFORE_18, False, None),
    ("mother", "plan only", PPR, ADULT, AFTER_18, False, ENDED),
    ("mother", "obtain only", PPR, ADULT, BEFORE_18, False, no_sharing(MOTHER)),
    ("mother", "jobcentre only", PPR, ADULT, BEFORE_18, False,
     not_recipient(MOTHER, "the adult department")),
    ("mother", "jobcentre only", PPR, JOBCENTER, BEFORE_18, False, None),
    ("youth", "ppr+plan to adult", PPR, ADULT, BEFORE_18, False, None),
    ("youth", "ppr+plan to adult", PPR, ADULT, AFTER_18, False, None),
    ("youth", "ppr+plan to adult", SCHOOL, ADULT, AFTER_18, False,
     not_cover(YOUNG, "Statusudtalelse fra skole")),
    ("youth", "ppr+plan to adult", PLAN, ADULT, AFTER_WITHDRAWAL, True, withdrawn(YOUNG)),
    ("youth", "plan only", PPR, ADULT, AFTER_18, False, not_cover(YOUNG, "PPR-vurdering")),
    ("guardian", "ppr+plan to adult", PPR, ADULT, AFTER_18, False, None),
    ("guardian", "ppr+plan to adult", PLAN, ADULT, BEFORE_18, False, None),
    ("guardian", "obtain only", PLAN, ADULT, AFTER_18, False, no_sharing(GUARD)),
    ("guardian", "ppr+plan to adult", PPR, ADULT, AFTER_WITHDRAWAL, True, withdrawn(GUARD)),
]


def consent(cid: int, giver: str, scope: str, *, given_on: date = GIVEN,
            valid_until: date | None = None, withdrawn_on: date | None = None
            ) -> ConsentFacts:
    role, name = GIVERS[giver]
    purposes, docs, recipients = SCOPES[scope]
    return ConsentFacts(cid, role, name, frozenset(purposes), frozenset(docs),
                        frozenset(recipients), given_on, valid_until, withdrawn_on)


@pytest.mark.parametrize(("giver", "scope", "document", "recipient", "day", "withdrawn",
                          "expected"), MATRIX)
def test_the_consent_matrix(giver: str, scope: str, document: int, recipient: Recipient,
                            day: date, withdrawn: bool, expected: Msg | None) -> None:
    facts = consent(7, giver, scope, withdrawn_on=WITHDRAWN if withdrawn else None)
    decision = handover_decision([facts], document, NAMES[document], BIRTH, day, recipient)
    if expected is None:
        assert decision.allowed and decision.consent_id == 7
        assert decision.reason is None
    else:
        assert not decision.allowed and decision.consent_id is None
        assert decision.reason == expected
        assert str(decision.reason)  # renders: every parameter is filled


def test_born_on_29_february_turns_18_on_28_february() -> None:
    assert eighteenth_birthday(BIRTH) == EIGHTEEN
    assert eighteenth_birthday(date(2008, 3, 1)) == date(2026, 3, 1)


def test_it_refuses_handover_without_any_consent() -> None:
    decision = handover_decision([], PPR, "PPR-vurdering", BIRTH, BEFORE_18)
    assert not decision
    assert decision.reason == Msg(
        "No consent lets %(document)s be handed over to %(recipient)s.",
        document="PPR-vurdering", recipient=Msg("the adult department"))


def test_a_consent_ends_after_its_valid_until_date() -> None:
    facts = consent(1, "youth", "ppr+plan to adult", valid_until=date(2025, 10, 31))
    assert handover_decision([facts], PPR, "PPR-vurdering", BIRTH, date(2025, 10, 31))
    decision = handover_decision([facts], PPR, "PPR-vurdering", BIRTH, date(2025, 11, 1))
    assert decision.reason == Msg("The consent from %(giver)s applied only until %(date)s.",
                                  giver=YOUNG, date=ShownDate(date(2025, 10, 31)))


def test_the_reason_names_the_consent_that_would_have_covered_the_document() -> None:
    """The mother's lapsed consent covered PPR; the young person's own does not: the
    refusal says that the parents' consent ended, not that the youth's lacks PPR."""
    mother = consent(1, "mother", "ppr+plan to adult")
    own = consent(2, "youth", "plan only", given_on=EIGHTEEN)
    decision = handover_decision([mother, own], PPR, "PPR-vurdering", BIRTH, AFTER_18)
    assert decision.reason == ENDED
    assert handover_decision([mother, own], PLAN, "Handleplan", BIRTH, AFTER_18).consent_id == 2


def test_the_newest_covering_consent_is_relied_on() -> None:
    older = consent(1, "mother", "ppr+plan to adult")
    newer = consent(2, "guardian", "ppr+plan to adult", given_on=date(2025, 10, 1))
    assert handover_decision([older, newer], PPR, "PPR", BIRTH, BEFORE_18).consent_id == 2


def test_a_custody_holder_cannot_consent_after_18_and_others_cannot_consent_at_all() -> None:
    check_giver(GiverRole.CUSTODY_HOLDER, custody_holder=True, guardian=False,
                given_on=DAY_BEFORE_18, birth_date=BIRTH)
    with pytest.raises(FieldError) as ended:
        check_giver(GiverRole.CUSTODY_HOLDER, custody_holder=True, guardian=False,
                    given_on=EIGHTEEN, birth_date=BIRTH)
    assert ended.value.field == "giver"
    for role in (GiverRole.CUSTODY_HOLDER, GiverRole.GUARDIAN):
        with pytest.raises(FieldError, match="only by the young person"):
            check_giver(role, custody_holder=False, guardian=False, given_on=GIVEN,
                        birth_date=BIRTH)
    check_giver(GiverRole.GUARDIAN, custody_holder=False, guardian=True, given_on=AFTER_18,
                birth_date=BIRTH)
    check_giver(GiverRole.YOUTH, custody_holder=False, guardian=False, given_on=GIVEN,
                birth_date=BIRTH)


FORM = {"giver": "12", "purposes": "share_with_adult_department",
        "document_type_ids": ["1", "2"], "recipients": "adult_department",
        "method": "written", "given_on": "2025-09-01", "valid_until": ""}


def test_the_consent_form_rules() -> None:
    data = ConsentData.model_validate(FORM)
    assert data.document_type_ids == [1, 2] and data.valid_until is None
    with pytest.raises(ValueError, match="end before"):
        ConsentData.model_validate({**FORM, "valid_until": "2025-08-31"})
    with pytest.raises(ValueError, match="documents the consent covers"):
        ConsentData.model_validate({**FORM, "document_type_ids": []})
    with pytest.raises(ValueError, match="at least one purpose"):
        ConsentData.model_validate({**FORM, "purposes": []})
    with pytest.raises(ValueError):
        ConsentData.model_validate({**FORM, "giver": "<script>"})
    with pytest.raises(FieldError, match="future"):
        data.check_dates(date(2025, 8, 31))


@pytest.mark.parametrize(("current", "target", "refused"), [
    (DocumentStatus.NEEDED, DocumentStatus.REQUESTED, False),
    (DocumentStatus.NEEDED, DocumentStatus.RECEIVED, False),
    (DocumentStatus.RECEIVED, DocumentStatus.REQUESTED, False),
    (DocumentStatus.RECEIVED, DocumentStatus.HANDED_OVER, False),
    (DocumentStatus.HANDED_OVER, DocumentStatus.ACKNOWLEDGED, False),
    (DocumentStatus.RECEIVED, DocumentStatus.ACKNOWLEDGED, True),
    (DocumentStatus.NEEDED, DocumentStatus.ACKNOWLEDGED, True),
    (DocumentStatus.HANDED_OVER, DocumentStatus.RECEIVED, True),
    (DocumentStatus.ACKNOWLEDGED, DocumentStatus.HANDED_OVER, True),
    (DocumentStatus.RECEIVED, DocumentStatus.RECEIVED, True),
])
def test_document_status_transitions(current: DocumentStatus, target: DocumentStatus,
                                     refused: bool) -> None:
    assert (transition_problem(current, target) is not None) is refused


def test_acknowledging_a_document_not_handed_over_says_why() -> None:
    problem = transition_problem(DocumentStatus.RECEIVED, DocumentStatus.ACKNOWLEDGED)
    assert problem == Msg("A document can be acknowledged only after it has been handed over.")


def _doc(did: int, type_id: int, status: DocumentStatus, under: int | None = None,
         required: bool = True) -> DocumentFacts:
    return DocumentFacts(did, type_id, NAMES[type_id], status, required, under)


def test_withdrawal_blocks_what_is_not_handed_over_and_lists_what_was() -> None:
    mother = consent(1, "mother", "ppr+plan to adult")
    guardian = consent(2, "guardian", "plan only")
    documents = [
        _doc(10, PPR, DocumentStatus.HANDED_OVER, under=1),
        _doc(11, PLAN, DocumentStatus.RECEIVED),
        _doc(12, SCHOOL, DocumentStatus.NEEDED),
    ]
    effects = withdrawal_effects([mother], 1, BEFORE_18, documents, BIRTH)
    assert [d.id for d in effects.handed_over] == [10]
    assert [d.id for d in effects.blocked] == [11]  # PPR is already over; school never was
    # the guardian's consent still covers the plan, so nothing is blocked by the withdrawal
    both = withdrawal_effects([mother, guardian], 1, BEFORE_18, documents, BIRTH)
    assert both.blocked == ()


def test_every_required_document_handed_over() -> None:
    assert not all_required_handed_over([])
    docs = [_doc(1, PPR, DocumentStatus.HANDED_OVER),
            _doc(2, PLAN, DocumentStatus.ACKNOWLEDGED),
            _doc(3, SCHOOL, DocumentStatus.NEEDED, required=False)]
    assert all_required_handed_over(docs)
    assert not all_required_handed_over([*docs, _doc(4, SCHOOL, DocumentStatus.RECEIVED)])


def test_from_18_the_young_persons_own_consent_is_asked_for() -> None:
    mother = consent(1, "mother", "ppr+plan to adult")
    assert not own_consent_needed([mother], BIRTH, DAY_BEFORE_18)
    assert own_consent_needed([mother], BIRTH, EIGHTEEN)
    early_own = consent(2, "youth", "plan only", given_on=GIVEN)
    assert own_consent_needed([mother, early_own], BIRTH, AFTER_18)
    own = consent(3, "youth", "plan only", given_on=AFTER_18)
    assert not own_consent_needed([mother, own], BIRTH, AFTER_18)
    assert own_consent_needed([withdraw(own, AFTER_18)], BIRTH, AFTER_18)


# --- no sequence of actions hands a document over without a covering consent -------------

DOC_TYPES = [PPR, PLAN, SCHOOL]
purposes_st = st.frozensets(st.sampled_from(list(Purpose)), min_size=1)
docs_st = st.frozensets(st.sampled_from(DOC_TYPES))
recipients_st = st.frozensets(st.sampled_from(list(Recipient)))


def covers_on(c: ConsentFacts, type_id: int, day: date) -> bool:
    """The plain definition, written out separately from the rule under test."""
    if c.withdrawn_on is not None and day >= c.withdrawn_on:
        return False
    if c.giver_role is GiverRole.CUSTODY_HOLDER and day >= EIGHTEEN:
        return False
    return (c.given_on <= day and (c.valid_until is None or day <= c.valid_until)
            and SHARE in c.purposes and ADULT in c.recipients and type_id in c.document_type_ids)


class HandoverMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.today = date(2025, 6, 1)
        self.consents: dict[int, ConsentFacts] = {}
        self.status = dict.fromkeys(DOC_TYPES, DocumentStatus.NEEDED)
        # (type, day, the consent relied on as it stood that day)
        self.handed: list[tuple[int, date, ConsentFacts]] = []

    @rule(role=st.sampled_from(list(GiverRole)), purposes=purposes_st, docs=docs_st,
          recipients=recipients_st, back=st.integers(0, 60),
          length=st.one_of(st.none(), st.integers(0, 400)))
    def record_consent(self, role: GiverRole, purposes: frozenset[Purpose],
                       docs: frozenset[int], recipients: frozenset[Recipient], back: int,
                       length: int | None) -> None:
        given = self.today - timedelta(days=back)
        until = None if length is None else given + timedelta(days=length)
        cid = len(self.consents) + 1
        self.consents[cid] = ConsentFacts(cid, role, f"giver {cid}", purposes, docs,
                                          recipients, given, until)

    @precondition(lambda self: self.consents)
    @rule(data=st.data())
    def withdraw_consent(self, data: st.DataObject) -> None:
        cid = data.draw(st.sampled_from(sorted(self.consents)))
        if self.consents[cid].withdrawn_on is None:
            self.consents[cid] = withdraw(self.consents[cid], self.today)

    @rule(days=st.integers(1, 200))
    def time_passes(self, days: int) -> None:
        self.today += timedelta(days=days)

    @rule(type_id=st.sampled_from(DOC_TYPES),
          status=st.sampled_from([DocumentStatus.REQUESTED, DocumentStatus.RECEIVED]))
    def prepare(self, type_id: int, status: DocumentStatus) -> None:
        if transition_problem(self.status[type_id], status) is None:
            self.status[type_id] = status

    @rule(type_id=st.sampled_from(DOC_TYPES))
    def try_handover(self, type_id: int) -> None:
        consents = list(self.consents.values())
        problem = transition_problem(self.status[type_id], DocumentStatus.HANDED_OVER)
        decision = handover_decision(consents, type_id, NAMES[type_id], BIRTH, self.today)
        if decision.allowed and problem is None:
            assert decision.consent_id is not None
            self.status[type_id] = DocumentStatus.HANDED_OVER
            self.handed.append((type_id, self.today, self.consents[decision.consent_id]))
        if not decision.allowed:
            assert decision.reason is not None and str(decision.reason)
            assert not any(covers_on(c, type_id, self.today) for c in consents)
        else:
            assert any(covers_on(c, type_id, self.today) for c in consents)

    @rule(type_id=st.sampled_from(DOC_TYPES))
    def try_acknowledge(self, type_id: int) -> None:
        if transition_problem(self.status[type_id], DocumentStatus.ACKNOWLEDGED) is None:
            self.status[type_id] = DocumentStatus.ACKNOWLEDGED

    @invariant()
    def every_handover_had_a_covering_consent(self) -> None:
        for type_id, day, stood in self.handed:
            assert covers_on(stood, type_id, day)
        for type_id, status in self.status.items():
            if status in (DocumentStatus.HANDED_OVER, DocumentStatus.ACKNOWLEDGED):
                assert any(t == type_id for t, _day, _cid in self.handed)


HandoverMachine.TestCase.settings = settings(max_examples=150, stateful_step_count=30,
                                             deadline=None)
TestHandoverMachine = HandoverMachine.TestCase


def test_the_checklist_offers_exactly_the_moves_the_state_machine_allows() -> None:
    for current in DocumentStatus:
        offered = set(next_steps(current)) | set(corrections(current))
        allowed = {t for t in DocumentStatus if transition_problem(current, t) is None}
        assert offered == allowed, current
        assert all(is_correction(current, t) for t in corrections(current))
        assert not any(is_correction(current, t) for t in next_steps(current))
    assert corrections(DocumentStatus.RECEIVED) == (DocumentStatus.REQUESTED,
                                                    DocumentStatus.NEEDED)
    assert corrections(DocumentStatus.HANDED_OVER) == ()  # a handover is not undone


# --- what the checklist shows before the click: coverage, and "hand over all" ---------------

def doc(did: int, type_id: int, status: DocumentStatus = DocumentStatus.NEEDED) -> DocumentFacts:
    return DocumentFacts(did, type_id, NAMES[type_id], status)


@pytest.mark.parametrize("giver", sorted(GIVERS))
@pytest.mark.parametrize("valid_until", [None, date(2025, 12, 24), date(2026, 6, 30)])
@pytest.mark.parametrize("withdrawn_on", [None, WITHDRAWN])
def test_counts_until_is_the_last_day_timing_problem_lets_the_consent_count(
        giver, valid_until, withdrawn_on):
    c = consent(1, giver, "ppr+plan to adult", valid_until=valid_until,
                withdrawn_on=withdrawn_on)
    last = counts_until(c, BIRTH)
    days = [GIVEN + timedelta(days=n) for n in range(0, 800, 1)]
    counting = [d for d in days if timing_problem(c, BIRTH, d) is None]
    assert counting[0] == GIVEN
    if last is None:
        assert counting[-1] == days[-1]
    else:
        assert counting[-1] == last and len(counting) == (last - GIVEN).days + 1


def test_coverage_names_the_consent_the_rule_relies_on_or_its_reason():
    mother = consent(1, "mother", "ppr+plan to adult")
    youth = consent(2, "youth", "plan only", given_on=date(2025, 10, 1),
                    valid_until=date(2027, 3, 1))
    documents = [doc(10, PPR), doc(11, PLAN), doc(12, SCHOOL),
                 doc(13, PPR, DocumentStatus.HANDED_OVER)]
    found = {c.document.id: c for c in coverage([mother, youth], documents, BIRTH, BEFORE_18)}
    assert set(found) == {10, 11, 12}  # a handed-over document is not offered again
    assert found[10].consent == mother and found[10].until == DAY_BEFORE_18
    assert found[10].text == Msg(
        "Covered by the consent from %(giver)s of %(date)s (until %(until)s).", giver=MOTHER,
        date=ShownDate(GIVEN), until=ShownDate(DAY_BEFORE_18))
    assert found[11].consent == youth  # the newest consent that covers it
    assert not found[12].covered
    assert found[12].text == handover_decision([mother, youth], SCHOOL, NAMES[SCHOOL], BIRTH,
                                               BEFORE_18).reason
    # the same answer as the rule, for every document and day
    for day in (BEFORE_18, DAY_BEFORE_18, EIGHTEEN, AFTER_18):
        for c in coverage([mother, youth], documents, BIRTH, day):
            decision = handover_decision([mother, youth], c.document.document_type_id,
                                         c.document.name, BIRTH, day)
            assert c.covered == decision.allowed
            assert (c.consent.id if c.consent else None) == decision.consent_id
    own = consent(3, "youth", "ppr+plan to adult")
    assert coverage([own], [doc(10, PPR)], BIRTH, AFTER_18)[0].text == Msg(
        "Covered by the consent from %(giver)s of %(date)s (until it is withdrawn).",
        giver=YOUNG, date=ShownDate(GIVEN))


def test_plan_changes_are_empty_when_nothing_changed_and_name_each_difference():
    mother = consent(1, "mother", "ppr+plan to adult")
    documents = [doc(10, PPR), doc(11, PLAN), doc(12, SCHOOL)]
    before = coverage([mother], documents, BIRTH, BEFORE_18)
    confirmed = handover_plan(before)
    assert confirmed == {10: 1, 11: 1}
    assert plan_changes(confirmed, documents, before) == ()

    # the mother's consent was withdrawn, the school statement is covered by the young
    # person's own, and the action plan was handed over in the meantime
    after_docs = [doc(10, PPR), doc(11, PLAN, DocumentStatus.HANDED_OVER), doc(12, SCHOOL)]
    own = ConsentFacts(2, GiverRole.YOUTH, "Freja Østergaard", frozenset({SHARE}),
                       frozenset({SCHOOL}), frozenset({ADULT}), GIVEN)
    now = coverage([withdraw(mother, BEFORE_18), own], after_docs, BIRTH, BEFORE_18)
    changes = {c.document.id: c.reason for c in plan_changes(confirmed, after_docs, now)}
    assert changes[10] == Msg(
        "The consent from %(giver)s was withdrawn on %(date)s.", giver=MOTHER,
        date=ShownDate(BEFORE_18))
    assert changes[11] == Msg("It has been handed over since the list was made.")
    assert changes[12].msgid.startswith("It was not on the list")

    # the same document, now relied on under another (newer) consent
    newer = consent(5, "youth", "ppr+plan to adult", given_on=BEFORE_18)
    switched = coverage([mother, newer], documents, BIRTH, BEFORE_18)
    assert [c.document.id for c in plan_changes(confirmed, documents, switched)] == [10, 11]


@pytest.mark.parametrize(("current", "previous", "allowed"), [
    (DocumentStatus.REQUESTED, DocumentStatus.NEEDED, True),
    (DocumentStatus.RECEIVED, DocumentStatus.REQUESTED, True),
    (DocumentStatus.RECEIVED, DocumentStatus.NEEDED, True),
    (DocumentStatus.NEEDED, DocumentStatus.RECEIVED, True),  # undoing a correction
    (DocumentStatus.HANDED_OVER, DocumentStatus.RECEIVED, False),
    (DocumentStatus.ACKNOWLEDGED, DocumentStatus.HANDED_OVER, False),
    (DocumentStatus.RECEIVED, DocumentStatus.HANDED_OVER, False),  # an undo never hands over
    (DocumentStatus.NEEDED, DocumentStatus.NEEDED, False),
])
def test_a_status_change_may_be_undone_only_where_the_state_machine_goes_back(
        current, previous, allowed):
    assert (undo_status_problem(current, previous) is None) is allowed
