"""A request's principal is a member of staff or a citizen: the access rule and the audit log
take either."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.domain.cpr import cpr_lookup_hash
from app.domain.principal import ActorKind, Citizen
from app.domain.youth import YouthData
from app.models.audit import AuditAction, AuditEvent
from app.models.user import Role
from app.models.youth import Youth
from app.services import access, audit, youths
from tests.conftest import make_user


def _two(session, settings, today):
    worker = make_user(session, Role.CHILD_CASEWORKER)
    freja = youths.create(session, settings, worker, YouthData(
        cpr="180812-4559", first_name="Freja", last_name="Holm"), today)
    karl = youths.create(session, settings, worker, YouthData(
        cpr="190812-4551", first_name="Karl", last_name="Berg"), today)
    return worker, freja, karl


def test_a_citizen_sees_only_their_own_record_and_nothing_tells_them_others_exist(
    session, settings, today
):
    _worker, freja, karl = _two(session, settings, today)
    citizen = Citizen(cpr_lookup_hash("1808124559", settings.key), "Freja Holm")
    seen = session.exec(select(Youth.id).where(access.youth_access(citizen))).all()
    assert seen == [freja.id]
    assert access.visible_youth(session, citizen, freja.id or 0).id == freja.id
    with pytest.raises(access.YouthNotFoundError):  # 404, never 403, for a citizen
        access.visible_youth(session, citizen, karl.id or 0)
    stranger = Citizen(cpr_lookup_hash("0101094321", settings.key))
    assert session.exec(select(Youth.id).where(access.youth_access(stranger))).all() == []


def test_staff_are_still_told_that_a_record_they_may_not_see_exists(session, settings, today):
    _worker, freja, _karl = _two(session, settings, today)
    adult = make_user(session, Role.ADULT_CASEWORKER)
    with pytest.raises(access.YouthForbiddenError):
        access.visible_youth(session, adult, freja.id or 0)


def test_the_audit_log_names_a_citizen_by_a_part_of_the_keyed_hash_never_the_number(
    session, settings, today
):
    worker, freja, _karl = _two(session, settings, today)
    citizen = Citizen(cpr_lookup_hash("1808124559", settings.key))
    audit.record(session, AuditAction.READ, actor=citizen, object_type="youth",
                 object_id=freja.id, youth_id=freja.id)
    audit.record(session, AuditAction.READ, actor=worker, object_type="youth",
                 object_id=freja.id, youth_id=freja.id)
    session.flush()
    rows = session.exec(select(AuditEvent).where(AuditEvent.youth_id == freja.id,
                                                 AuditEvent.action == AuditAction.READ)).all()
    by_kind = {row.actor_kind: row for row in rows}
    assert by_kind[ActorKind.CITIZEN].user_id is None
    assert by_kind[ActorKind.CITIZEN].actor_ref == citizen.ref
    assert "4559" not in by_kind[ActorKind.CITIZEN].actor_ref
    assert by_kind[ActorKind.STAFF].user_id == worker.id
