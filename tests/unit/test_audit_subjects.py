"""The audit log says what was read or changed: every page that reads a young person's data,
and every kind of object a change of theirs touches, has its own words."""

from __future__ import annotations

import re
from pathlib import Path

from app.domain import labels
from app.models.audit import AuditAction
from app.services.access import OWNED_BY_YOUTH

APP = Path(__file__).resolve().parents[2] / "app"


def test_a_read_names_the_page_it_showed():
    def read(path: str) -> str | None:
        return labels.audit_subject(AuditAction.READ, "youth", f"GET {path}")

    assert read("/youths/{youth_id}") == "the young person's page"
    assert read("/api/v1/youths/{youth_id}") == "the young person's page"
    assert read("/youths/{youth_id}/network/members/{member_id}/{action}") == "the network map"
    assert read("/meetings/{meeting_id}/invite.ics") == "the meetings"
    assert read("/inquiries/{inquiry_id}/answer") == "the inquiries"
    assert read("/borger/unge/{youth_id}") == "the family's page"
    assert read("/borger/unge/{youth_id}/samtykker/{consent_id}") == \
        "the consents on the family's page"
    assert read("/api/v1/youths/{youth_id}/documents") == "the handover checklist"


def test_a_change_names_the_kind_of_object():
    assert labels.audit_subject(AuditAction.UPDATE, "consent", "withdrawn") == "a consent"
    assert labels.audit_subject(AuditAction.CREATE, "meeting", "") == "a meeting"
    assert labels.audit_subject(AuditAction.LOGIN, "", "") is None


def test_every_object_type_written_for_a_young_person_has_words():
    """The object types of the path scope and every literal written by a service."""
    written = {
        match for path in APP.rglob("*.py")
        for match in re.findall(r'object_type="(\w+)"', path.read_text(encoding="utf-8"))
    }
    written |= {owned.object_type for owned in OWNED_BY_YOUTH.values()}
    not_of_a_young_person = {"user", "calendar_feed", "closing_day", "letter_template",
                             "overview", "review_list", "review_report", "review_sample",
                             "review_finding"}
    assert not_of_a_young_person <= written
    assert sorted(written - not_of_a_young_person - set(labels.AUDIT_OBJECT)) == []
