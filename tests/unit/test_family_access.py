"""Who may see a young person's page on the family's side: the young person always; a custody
holder until the 18th birthday, and from it only while the young person's consent to share
the page with them counts."""

from __future__ import annotations

from datetime import date

from app.domain.consent import ConsentFacts
from app.domain.family import Relation, may_see, share_counts
from app.models.handover import GiverRole, Purpose

BORN = date(2008, 3, 4)
BIRTHDAY = date(2026, 3, 4)
LEAP_BORN = date(2008, 2, 29)


def _share(given_on: date, *, withdrawn_on: date | None = None, valid_until: date | None = None,
           giver: GiverRole = GiverRole.YOUTH,
           purposes: frozenset[Purpose] = frozenset({Purpose.SHARE_WITH_FAMILY})
           ) -> ConsentFacts:
    return ConsentFacts(1, giver, "Freja Holm", purposes, frozenset(), frozenset(), given_on,
                        valid_until, withdrawn_on)


def test_the_young_person_always_sees_their_own_page():
    for today in (date(2020, 1, 1), BIRTHDAY, date(2040, 1, 1)):
        assert may_see(Relation.SELF, BORN, today)


def test_a_custody_holder_sees_the_page_until_the_day_before_the_18th_birthday():
    assert may_see(Relation.CUSTODY, BORN, date(2026, 3, 3))
    assert not may_see(Relation.CUSTODY, BORN, BIRTHDAY)
    assert not may_see(Relation.CUSTODY, BORN, date(2027, 1, 1))


def test_someone_born_on_29_february_comes_of_age_on_28_february():
    assert may_see(Relation.CUSTODY, LEAP_BORN, date(2026, 2, 27))
    assert not may_see(Relation.CUSTODY, LEAP_BORN, date(2026, 2, 28))


def test_after_18_the_young_persons_share_keeps_the_page_open_while_it_counts():
    share = _share(date(2026, 2, 1))
    assert may_see(Relation.CUSTODY, BORN, BIRTHDAY, [share])
    assert may_see(Relation.CUSTODY, BORN, date(2030, 1, 1), [share])


def test_a_share_given_after_the_birthday_counts_from_the_day_it_is_given():
    share = _share(date(2026, 4, 1))
    assert not may_see(Relation.CUSTODY, BORN, date(2026, 3, 31), [share])
    assert may_see(Relation.CUSTODY, BORN, date(2026, 4, 1), [share])


def test_a_withdrawn_or_expired_share_closes_the_page_again():
    withdrawn = _share(date(2026, 2, 1), withdrawn_on=date(2026, 5, 1))
    assert may_see(Relation.CUSTODY, BORN, date(2026, 4, 30), [withdrawn])
    assert not may_see(Relation.CUSTODY, BORN, date(2026, 5, 1), [withdrawn])
    expired = _share(date(2026, 2, 1), valid_until=date(2026, 6, 30))
    assert may_see(Relation.CUSTODY, BORN, date(2026, 6, 30), [expired])
    assert not may_see(Relation.CUSTODY, BORN, date(2026, 7, 1), [expired])


def test_only_the_young_persons_own_consent_to_share_the_page_counts():
    by_parent = _share(date(2026, 2, 1), giver=GiverRole.CUSTODY_HOLDER)
    other_purpose = _share(date(2026, 2, 1), purposes=frozenset({Purpose.INVITE_NETWORK}))
    assert not share_counts(by_parent, BORN, BIRTHDAY)
    assert not share_counts(other_purpose, BORN, BIRTHDAY)
    assert not may_see(Relation.CUSTODY, BORN, BIRTHDAY, [by_parent, other_purpose])
