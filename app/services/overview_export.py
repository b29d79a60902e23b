"""The overview's cohorts as a CSV file for Excel."""

from __future__ import annotations

import csv
import io

from sqlmodel import Session, col, select

from app.domain.spreadsheet import safe_row
from app.i18n import N_, format_short_date, gettext
from app.models.audit import AuditAction
from app.models.user import User
from app.models.youth import Youth
from app.services import audit
from app.services.overview import Overview

CSV_READINESS = (
    ("adult_caseworker", N_("Adult caseworker assigned")),
    ("coordinator_and_buddy", N_("Coordinator and buddy set")),
    ("network_started", N_("Network map started")),
    ("consent_for_adult_department", N_("Consent covering the adult department")),
    ("first_meeting_held", N_("First coordination meeting held")),
)


def export_csv(session: Session, user: User, result: Overview, *, with_cpr: bool,
               client_addr: str = "") -> bytes:
    """The cohorts as a CSV file Danish Excel opens: UTF-8 with BOM, semicolons, Danish
    dates. CPR numbers only when asked for, and then audit-logged. Every cell goes through
    `safe_row`, so a name such as ``=HYPERLINK(...)`` is shown as text, never run."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    yes, no = gettext("Yes"), gettext("No")
    header = [gettext("Group"), gettext("Name"), gettext("Birth date")]
    if with_cpr:
        header.append(gettext("CPR number"))
    header += [gettext(label) for _key, label in CSV_READINESS]
    header += [gettext("Documents handed over"), gettext("Own consent after 18"),
               gettext("Overdue steps")]
    writer.writerow(safe_row(header))
    cprs: dict[int, str | None] = {}
    if with_cpr:
        ids = [row.youth.id for cohort in result.cohorts for row in cohort.rows]
        cprs = dict(session.execute(
            select(col(Youth.id), col(Youth.cpr)).where(col(Youth.id).in_(ids))).all())
    for cohort in result.cohorts:
        group = f"{gettext(cohort.label)} {format_short_date(cohort.first)}–" \
                f"{format_short_date(cohort.last)}"
        for row in cohort.rows:
            youth, ready = row.youth, row.readiness
            line = [group, youth.full_name, format_short_date(youth.birth_date)]
            if with_cpr:
                line.append(cprs.get(youth.id) or "")
            line += [yes if getattr(ready, key) else no for key, _label in CSV_READINESS]
            line.append(f"{ready.documents_handed_over} / {ready.documents_required}")
            line.append((yes if ready.own_consent else no) if ready.own_consent_needed else "")
            line.append(str(ready.overdue_steps))
            writer.writerow(safe_row(line))
    audit.record(session, AuditAction.EXPORT, user_id=user.id, object_type="overview",
                 client_addr=client_addr,
                 detail=f"month={result.month:%Y-%m} cpr={'yes' if with_cpr else 'no'}")
    session.flush()
    return ("\ufeff" + out.getvalue()).encode("utf-8")
