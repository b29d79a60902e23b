"""Message ids for the values of status enums, shown in pages and letters."""

from __future__ import annotations

from app.domain.youth import AGE_BAND_LABELS
from app.i18n import N_
from app.models.audit import AuditAction
from app.models.user import Department
from app.models.youth import Channel, EventKind, Frequency, SupportExpected, YouthStatus

SUPPORT_EXPECTED = {
    SupportExpected.YES: N_("Yes"),
    SupportExpected.NO: N_("No"),
    SupportExpected.NOT_ASSESSED: N_("Not yet assessed"),
}
STATUS = {
    YouthStatus.ACTIVE: N_("Active"),
    YouthStatus.TRANSFERRED: N_("Transferred to the adult department"),
    YouthStatus.CLOSED: N_("Closed"),
}
CHANNEL = {
    Channel.DIGITAL_POST: N_("Digital Post"),
    Channel.EMAIL: N_("E-mail"),
    Channel.LETTER: N_("Letter by post"),
    Channel.PHONE: N_("Phone call"),
    Channel.SMS: N_("Text message (SMS)"),
    Channel.MEETING: N_("In person"),
}
FREQUENCY = {
    Frequency.ON_CHANGE: N_("When something changes"),
    Frequency.WEEKLY: N_("Every week"),
    Frequency.FORTNIGHTLY: N_("Every other week"),
    Frequency.MONTHLY: N_("Every month"),
    Frequency.QUARTERLY: N_("Every three months"),
}
DEPARTMENT = {
    Department.CHILDREN: N_("Children's department"),
    Department.ADULTS: N_("Adult department"),
}
EVENT = {
    EventKind.CREATED: N_("Record created"),
    EventKind.UPDATED: N_("Record changed"),
    EventKind.STATUS_CHANGED: N_("Status changed"),
    EventKind.CASEWORKER_CHANGED: N_("Caseworker changed"),
    EventKind.IMPORTED: N_("Record imported"),
}
AUDIT = {
    AuditAction.LOGIN: N_("Logged in"),
    AuditAction.LOGIN_FAILED: N_("Failed login"),
    AuditAction.LOGIN_THROTTLED: N_("Login blocked"),
    AuditAction.LOGOUT: N_("Logged out"),
    AuditAction.READ: N_("Read"),
    AuditAction.CREATE: N_("Created"),
    AuditAction.UPDATE: N_("Changed"),
    AuditAction.DELETE: N_("Deleted"),
    AuditAction.REVEAL_CPR: N_("Full CPR number shown"),
    AuditAction.SEARCH_CPR: N_("Searched by CPR number"),
    AuditAction.IMPORT: N_("Import"),
    AuditAction.EXPORT: N_("Export"),
}
AGE_BAND = AGE_BAND_LABELS
