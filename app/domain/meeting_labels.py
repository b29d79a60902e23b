"""Labels for meetings (message ids; translate with _() where shown)."""

from __future__ import annotations

from app.i18n import N_
from app.models.meeting import Answer, MeetingKind, MeetingStatus, PlaceKind
from app.models.outbox import OutboxStatus
from app.models.youth import Channel

KIND = {
    MeetingKind.COORDINATION: N_("Coordination meeting"),
    MeetingKind.TRANSITION: N_("Transition meeting"),
    MeetingKind.FOLLOW_UP: N_("Follow-up meeting"),
    MeetingKind.INFO_18: N_("Information meeting about turning 18"),
}
STATUS = {
    MeetingStatus.PLANNED: N_("Planned"),
    MeetingStatus.HELD: N_("Held"),
    MeetingStatus.CANCELLED: N_("Cancelled"),
}
PLACE = {
    PlaceKind.HOME: N_("At the young person's home"),
    PlaceKind.TOWN_HALL: N_("At the town hall"),
    PlaceKind.ONLINE: N_("Online"),
    PlaceKind.OTHER: N_("Other place"),
}
ANSWER = {
    Answer.NEEDS_ACTION: N_("Not answered"),
    Answer.ACCEPTED: N_("Coming"),
    Answer.DECLINED: N_("Not coming"),
    Answer.TENTATIVE: N_("Maybe coming"),
}
OUTBOX_STATUS = {
    OutboxStatus.PENDING: N_("Waiting to be sent"),
    OutboxStatus.SENT: N_("Sent"),
    OutboxStatus.FAILED: N_("Could not be sent"),
    OutboxStatus.MANUAL: N_("To send by hand"),
}
CONTACT = {
    Channel.EMAIL: N_("E-mail"),
    Channel.LETTER: N_("Letter"),
    Channel.PHONE: N_("Phone call"),
}
