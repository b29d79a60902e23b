"""The list of young people, as filtered and sorted, as a CSV file for Excel: the same file
format as the overview's (services/overview_export), written in chunks while it is sent."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, tzinfo

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from app import i18n
from app.db import new_session
from app.domain import labels
from app.domain.consent import eighteenth_birthday
from app.domain.spreadsheet import safe_row
from app.i18n import format_short_date, gettext
from app.models.audit import AuditAction
from app.models.user import User
from app.models.youth import Youth
from app.services import audit, timeline, users
from app.services.youths import YouthFilters, filtered_query, order_by

CHUNK = 1000
COLUMNS = (col(Youth.id), col(Youth.first_name), col(Youth.last_name), col(Youth.birth_date),
           col(Youth.status), col(Youth.child_caseworker_id), col(Youth.adult_caseworker_id))


@dataclass(frozen=True)
class Export:
    """What the file holds, decided (and audit-logged) within the request."""

    ids: list[int]
    with_cpr: bool
    locale: str


def start(session: Session, user: User, filters: YouthFilters, today: date, tz: tzinfo, *,
          with_cpr: bool, client_addr: str = "") -> Export:
    """The young people of the filtered list, in the list's order (every page, the same
    access rule), and the export's audit row, written with the request's unit of work."""
    stmt = filtered_query(user, filters, today, tz).with_only_columns(col(Youth.id))
    ids = [int(row[0]) for row in session.execute(stmt.order_by(*order_by(filters)))]
    sort = f"{filters.sort}{' desc' if filters.descending else ''}"
    audit.record(session, AuditAction.EXPORT, user_id=user.id, object_type="youth_list",
                 client_addr=client_addr,
                 detail=f"rows={len(ids)} sort={sort} cpr={'yes' if with_cpr else 'no'}")
    session.flush()
    return Export(ids, with_cpr, i18n.current_locale())


def header(with_cpr: bool) -> list[str]:
    names = [gettext("Name"), gettext("Birth date"), gettext("Turns 18")]
    if with_cpr:
        names.append(gettext("CPR number"))
    return [*names, gettext("Status"), gettext("Children's caseworker"),
            gettext("Adult caseworker"), gettext("Next step"), gettext("Due")]


def chunks(engine: Engine, export: Export) -> Iterator[bytes]:
    """The file, a thousand young people at a time (three queries each), in a session of
    its own: the request's has been committed before the first byte is sent. UTF-8 with BOM,
    semicolons and Danish dates as the overview's; every cell goes through `safe_row`, so a
    name such as ``=HYPERLINK(...)`` is shown as text, never run."""
    i18n.set_locale(export.locale)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(safe_row(header(export.with_cpr)))
    yield ("\ufeff" + _take(out)).encode("utf-8")
    columns = (*COLUMNS, col(Youth.cpr)) if export.with_cpr else COLUMNS
    with new_session(engine) as session:
        for start in range(0, len(export.ids), CHUNK):
            ids = export.ids[start:start + CHUNK]
            rows = {row.id: row for row in session.execute(
                select(*columns).where(col(Youth.id).in_(ids)))}
            steps = timeline.next_open_steps(session, ids)
            names = users.names_by_id(session, {
                i for row in rows.values() for i in (row.child_caseworker_id,
                                                     row.adult_caseworker_id)})
            for youth_id in ids:
                row = rows.get(youth_id)
                if row is None:  # deleted since the export began
                    continue
                step_name, due_on = steps.get(youth_id, ("", None))
                line = [f"{row.first_name} {row.last_name}", format_short_date(row.birth_date),
                        format_short_date(eighteenth_birthday(row.birth_date))]
                if export.with_cpr:
                    line.append(row.cpr or "")
                line += [gettext(labels.STATUS[row.status]),
                         names.get(row.child_caseworker_id, ""),
                         names.get(row.adult_caseworker_id, ""),
                         step_name, format_short_date(due_on)]
                writer.writerow(safe_row(line))
            yield _take(out).encode("utf-8")


def _take(out: io.StringIO) -> str:
    text = out.getvalue()
    out.seek(0)
    out.truncate()
    return text
