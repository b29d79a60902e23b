"""Importing young people from a CSV file: the upload page, the dry run and the import."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from app.deps import SessionDep, SettingsDep, TodayDep, require_roles
from app.domain import youth_csv
from app.i18n import N_, Msg
from app.models.user import User
from app.services import youth_import
from app.web.routing import make_router
from app.web.templating import render

router = make_router(prefix="/youths/import")

ImportUser = Annotated[User, Depends(require_roles(*youth_import.IMPORT_ROLES))]
MAX_ERRORS_SHOWN = 1000
# What each accepted column holds, and how to fill it in (shown as a hint on the page).
COLUMN_HELP: dict[str, tuple[str, str]] = {
    "cpr": (N_("CPR number"), N_("DDMMYY-SSSS, with or without the dash.")),
    "first_name": (N_("First name(s)"), ""),
    "last_name": (N_("Last name"), ""),
    "address": (N_("Address"), ""),
    "postal_code": (N_("Postal code"), N_("Four digits.")),
    "city": (N_("City"), ""),
    "school": (N_("School or education"), ""),
    "adult_support_expected": (
        N_("Is adult support expected?"), N_("ja, nej or ikke vurderet (empty: not assessed).")
    ),
    "caseworker": (
        N_("Caseworker in the children's department"),
        N_("The caseworker's username in Overgang."),
    ),
    "birth_date": (
        N_("Birth date"), N_("dd-mm-yyyy or yyyy-mm-dd, only for someone without a CPR number."),
    ),
    "birth_date_reason": (N_("Why there is no CPR number"), ""),
}
TEMPLATE = "youths/import.html"


def _context(**values: Any) -> dict[str, Any]:
    return {
        "columns": youth_csv.COLUMNS,
        "column_help": COLUMN_HELP,
        "required": youth_csv.REQUIRED_COLUMNS,
        "max_mb": youth_csv.MAX_BYTES // (1024 * 1024),
        "max_rows": youth_csv.MAX_ROWS,
        "max_errors_shown": MAX_ERRORS_SHOWN,
        "report": None,
        "action": None,
        "file_error": None,
        **values,
    }


@router.get("")
def import_page(request: Request, _user: ImportUser) -> Response:
    return render(request, TEMPLATE, _context())


@router.post("")
async def import_upload(
    request: Request, session: SessionDep, settings: SettingsDep, user: ImportUser,
    today: TodayDep,
) -> Response:
    form = await request.form()
    action = "import" if form.get("action") == "import" else "check"
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        error = Msg(N_("Choose a CSV file."))
        return render(request, TEMPLATE, _context(file_error=error), status_code=400)
    raw = await upload.read(youth_csv.MAX_BYTES + 1)
    if action == "import":
        report = youth_import.run(session, settings, user, raw, today)
    else:
        report = youth_import.check(session, settings, raw, today)
    status = 200 if report.ok else 400
    return render(
        request, TEMPLATE, _context(report=report, action=action), status_code=status
    )
