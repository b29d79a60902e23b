"""The labels of every enum value shown to people: one message id per value.

Pages, letters, e-mails and calendar files translate these with ``gettext`` (templates: ``_()``)
where they are shown; nothing shows an enum's raw value. The labels are written here, except
those that live beside their rule in the domain (age bands, consent recipients, review areas,
points and results, milestones). ``ENUM_LABELS`` lists every labelled enum with its labels, and
``label`` finds the message id of any value in it; a unit test checks that every enum in the
models has labels here (or is listed as never shown) and that every label has a Danish
translation.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from app.domain.consent import RECIPIENT_LABELS
from app.domain.overview import MILESTONE_LABELS, Milestone
from app.domain.review import AREA_LABELS, POINT_LABELS, RESULT_LABELS
from app.domain.timeline import StepStatus
from app.domain.youth import AGE_BAND_LABELS, AgeBand
from app.i18n import N_
from app.models.audit import AuditAction
from app.models.caseworker import CaseRole, ChangeKind
from app.models.family import ProposalStatus
from app.models.handover import (
    ConsentMethod,
    DocumentStatus,
    GiverRole,
    Purpose,
    Recipient,
    Storage,
)
from app.models.inquiry import InquirySender
from app.models.meeting import Answer, AnsweredVia, MeetingKind, MeetingStatus, PlaceKind
from app.models.network import ROLE_KIND as NETWORK_ROLE_KIND
from app.models.network import NetworkRole, PersonKind, RoleKind, Sector
from app.models.outbox import OutboxStatus
from app.models.review import PointResult, ReviewArea, ReviewPoint
from app.models.timeline import Completion, StepDepartment
from app.models.user import Department, Role
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
    EventKind.NETWORK_MEMBER_ADDED: N_("Added to the network"),
    EventKind.NETWORK_MEMBER_CHANGED: N_("Network member changed"),
    EventKind.NETWORK_MEMBER_MOVED: N_("Moved on the network map"),
    EventKind.NETWORK_MEMBER_REMOVED: N_("Removed from the network"),
    EventKind.HANDOVER_NOTE_SEEN: N_("Handover note read"),
    EventKind.DOCUMENT_REQUESTED: N_("Document requested"),
    EventKind.DOCUMENT_RECEIVED: N_("Document received"),
    EventKind.DOCUMENT_HANDED_OVER: N_("Document handed over to the adult department"),
    EventKind.DOCUMENT_ACKNOWLEDGED: N_("Document acknowledged by the adult department"),
    EventKind.DOCUMENT_STATUS_CORRECTED: N_("Document status corrected"),
    EventKind.DOCUMENT_HANDOVER_REFUSED: N_("Handover refused: no covering consent"),
    EventKind.DOCUMENT_PLACE_CHANGED: N_("Where a document is kept was changed"),
    EventKind.CONSENT_RECORDED: N_("Consent recorded"),
    EventKind.CONSENT_WITHDRAWN: N_("Consent withdrawn"),
    EventKind.MEETING_PLANNED: N_("Meeting planned"),
    EventKind.MEETING_CHANGED: N_("Meeting changed"),
    EventKind.MEETING_CANCELLED: N_("Meeting cancelled"),
    EventKind.MEETING_HELD: N_("Meeting held"),
    EventKind.FLAGGED: N_("Flagged for the transition"),
    EventKind.STEP_DONE: N_("Step done"),
    EventKind.STEP_REOPENED: N_("Step reopened"),
    EventKind.STEP_NOT_APPLICABLE: N_("Step marked as not applicable"),
    EventKind.INQUIRY_RECEIVED: N_("Inquiry received"),
    EventKind.INQUIRY_ACKNOWLEDGED: N_("Inquiry acknowledged"),
    EventKind.INQUIRY_ANSWERED: N_("Inquiry answered"),
    EventKind.INQUIRY_ESCALATED: N_("Inquiry escalated"),
    EventKind.LETTER_SENT: N_("Letter sent"),
    EventKind.STATUS_UPDATE_GIVEN: N_("Status update given"),
}
# The events whose detail (the document or consent it is about) the history shows after the label.
EVENT_WITH_DETAIL = frozenset({
    EventKind.DOCUMENT_REQUESTED, EventKind.DOCUMENT_RECEIVED, EventKind.DOCUMENT_HANDED_OVER,
    EventKind.DOCUMENT_ACKNOWLEDGED, EventKind.DOCUMENT_STATUS_CORRECTED,
    EventKind.DOCUMENT_HANDOVER_REFUSED, EventKind.DOCUMENT_PLACE_CHANGED,
    EventKind.CONSENT_RECORDED, EventKind.CONSENT_WITHDRAWN,
    EventKind.NETWORK_MEMBER_ADDED, EventKind.NETWORK_MEMBER_CHANGED,
    EventKind.NETWORK_MEMBER_MOVED, EventKind.NETWORK_MEMBER_REMOVED,
})
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


NETWORK_ROLE = {
    NetworkRole.MOTHER: N_("Mother"),
    NetworkRole.FATHER: N_("Father"),
    NetworkRole.STEP_PARENT: N_("Step-parent"),
    NetworkRole.FOSTER_PARENT: N_("Foster parent"),
    NetworkRole.SIBLING: N_("Sibling"),
    NetworkRole.GRANDPARENT: N_("Grandparent"),
    NetworkRole.OTHER_RELATIVE: N_("Other relative"),
    NetworkRole.FRIEND: N_("Friend"),
    NetworkRole.PARTNER: N_("Boyfriend or girlfriend"),
    NetworkRole.LEISURE: N_("Leisure (coach, club)"),
    NetworkRole.OTHER_PRIVATE: N_("Other private contact"),
    NetworkRole.GUARDIAN: N_("Guardian (værge)"),
    NetworkRole.BISIDDER: N_("Bisidder (supporter)"),
    NetworkRole.TEACHER: N_("Teacher"),
    NetworkRole.MENTOR: N_("Mentor at school or work"),
    NetworkRole.EMPLOYER: N_("Employer"),
    NetworkRole.OTHER_SCHOOL_WORK: N_("Other at school or work"),
    NetworkRole.UU_COUNSELLOR: N_("UU counsellor (UU-vejleder)"),
    NetworkRole.PPR_PSYCHOLOGIST: N_("PPR psychologist"),
    NetworkRole.GP: N_("Own doctor (GP)"),
    NetworkRole.PSYCHIATRIST: N_("Psychiatrist"),
    NetworkRole.CONTACT_PERSON: N_("Contact person"),
    NetworkRole.CASEWORKER: N_("Caseworker"),
    NetworkRole.SUPPORT_WORKER: N_("Support worker or educator"),
    NetworkRole.THERAPIST: N_("Physiotherapist or occupational therapist"),
    NetworkRole.OTHER_PROFESSIONAL: N_("Other professional"),
}
SECTOR = {
    Sector.FAMILY: N_("Family"),
    Sector.FRIENDS: N_("Friends and leisure"),
    Sector.SCHOOL: N_("School, education and work"),
    Sector.PROFESSIONALS: N_("Professionals"),
}
RING = {
    1: N_("Closest"),
    2: N_("Close"),
    3: N_("Further away"),
}
PERSON_KIND = {
    PersonKind.PRIVATE: N_("Relative or private network"),
    PersonKind.PROFESSIONAL: N_("Professional"),
}
ROLE_KIND = {
    RoleKind.RELATIVE: N_("Relative"),
    RoleKind.PRIVATE: N_("Friend or leisure"),
    RoleKind.SUPPORT: N_("Guardian or bisidder"),
    RoleKind.SCHOOL_WORK: N_("School or work"),
    RoleKind.PROFESSIONAL: N_("Professional"),
}
CASE_ROLE = {
    CaseRole.COORDINATOR: N_("Coordinating caseworker"),
    CaseRole.BUDDY: N_("Buddy"),
}
CHANGE_KIND = {
    ChangeKind.PLANNED_TEMPORARY: N_("Planned, temporary"),
    ChangeKind.PLANNED_PERMANENT: N_("Planned, permanent"),
    ChangeKind.UNPLANNED_PERMANENT: N_("Unplanned, permanent"),
}
RING_OPTIONS = [
    (1, N_("1 – closest")),
    (2, N_("2 – close")),
    (3, N_("3 – further away")),
]


def _roles(kind: RoleKind) -> list[NetworkRole]:
    return [role for role, k in NETWORK_ROLE_KIND.items() if k is kind]


ROLE_GROUPS = [
    (N_("Family"), _roles(RoleKind.RELATIVE)),
    (N_("Friends and leisure"), _roles(RoleKind.PRIVATE)),
    (N_("Guardian or bisidder"), _roles(RoleKind.SUPPORT)),
    (N_("School, education and work"), _roles(RoleKind.SCHOOL_WORK)),
    (N_("Professionals"), _roles(RoleKind.PROFESSIONAL)),
]

DOCUMENT_STATUS = {
    DocumentStatus.NEEDED: N_("Needed"),
    DocumentStatus.REQUESTED: N_("Requested"),
    DocumentStatus.RECEIVED: N_("Received"),
    DocumentStatus.HANDED_OVER: N_("Handed over"),
    DocumentStatus.ACKNOWLEDGED: N_("Acknowledged"),
}
# The same statuses in the family's plain words (their page keeps to LIX 40).
DOCUMENT_STATUS_PLAIN = {
    DocumentStatus.NEEDED: N_("We need it"),
    DocumentStatus.REQUESTED: N_("We have asked for it"),
    DocumentStatus.RECEIVED: N_("We have it"),
    DocumentStatus.HANDED_OVER: N_("Given to the adult department"),
    DocumentStatus.ACKNOWLEDGED: N_("The adult department has it"),
}
DOCUMENT_ACTION = {
    DocumentStatus.REQUESTED: N_("Mark as requested"),
    DocumentStatus.RECEIVED: N_("Mark as received"),
    DocumentStatus.HANDED_OVER: N_("Hand over"),
    DocumentStatus.ACKNOWLEDGED: N_("Acknowledge receipt"),
}
STORAGE = {
    Storage.DUBU: N_("DUBU"),
    Storage.SBSYS: N_("SBSYS"),
    Storage.CURA: N_("Cura"),
    Storage.NEXUS: N_("Nexus"),
    Storage.PAPER: N_("On paper"),
    Storage.OTHER: N_("Elsewhere"),
}
PURPOSE = {
    Purpose.SHARE_WITH_ADULT: N_("Hand information to the adult department"),
    Purpose.OBTAIN_FROM_SOURCES: N_("Obtain information from named sources"),
    Purpose.INVITE_NETWORK: N_("Invite named network members"),
    Purpose.SHARE_WITH_FAMILY: N_("Let named parents keep seeing the family's page after 18"),
}
CONSENT_METHOD = {
    ConsentMethod.WRITTEN: N_("Written"),
    ConsentMethod.VERBAL: N_("Verbal, noted in the case"),
    ConsentMethod.DIGITAL: N_("Digital"),
}
GIVER_ROLE = {
    GiverRole.YOUTH: N_("The young person"),
    GiverRole.CUSTODY_HOLDER: N_("Custody holder"),
    GiverRole.GUARDIAN: N_("Guardian (værge)"),
}
INQUIRY_SENDER = {
    InquirySender.YOUTH: N_("The young person"),
    InquirySender.FAMILY: N_("The family"),
    InquirySender.PROFESSIONAL: N_("A professional"),
    InquirySender.OTHER: N_("Someone else"),
}
USER_ROLE = {
    Role.CHILD_CASEWORKER: N_("Caseworker, children's department"),
    Role.ADULT_CASEWORKER: N_("Caseworker, adult department"),
    Role.COORDINATOR: N_("Coordinator"),
    Role.ADMIN: N_("Administrator"),
}

# --- meetings ---------------------------------------------------------------------------------

MEETING_KIND = {
    MeetingKind.COORDINATION: N_("Coordination meeting"),
    MeetingKind.TRANSITION: N_("Transition meeting"),
    MeetingKind.FOLLOW_UP: N_("Follow-up meeting"),
    MeetingKind.INFO_18: N_("Information meeting about turning 18"),
}
MEETING_STATUS = {
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
PROPOSAL_STATUS = {
    ProposalStatus.PROPOSED: N_("Waiting for the caseworker"),
    ProposalStatus.CONFIRMED: N_("Confirmed"),
    ProposalStatus.DECLINED: N_("Not changed"),
}
ANSWERED_VIA = {
    AnsweredVia.LINK: N_("by the reply link"),
    AnsweredVia.CALENDAR: N_("from their calendar"),
}
OUTBOX_STATUS = {
    OutboxStatus.PENDING: N_("Waiting to be sent"),
    OutboxStatus.SENT: N_("Sent"),
    OutboxStatus.FAILED: N_("Could not be sent"),
    OutboxStatus.MANUAL: N_("To send by hand"),
}
# Who is on an invitee list besides the network: their role in parentheses after the name.
YOUNG_PERSON = N_("the young person")
STAFF_ON_CASE = N_("caseworker")

# --- the timeline -----------------------------------------------------------------------------

STEP_STATUS = {
    StepStatus.UPCOMING: N_("Upcoming"),
    StepStatus.DUE: N_("Due soon"),
    StepStatus.OVERDUE: N_("Overdue"),
    StepStatus.DONE: N_("Done"),
    StepStatus.NOT_APPLICABLE: N_("Not applicable"),
}
STEP_DEPARTMENT = {
    StepDepartment.CHILDREN: N_("Children's department"),
    StepDepartment.ADULTS: N_("Adult department"),
    StepDepartment.BOTH: N_("Both departments"),
}
COMPLETION = {
    Completion.MANUAL: N_("By hand"),
    Completion.EVENT: N_("By an event"),
}

# Every labelled enum, with its labels.
ENUM_LABELS: dict[type[StrEnum], Mapping[Any, str]] = {
    SupportExpected: SUPPORT_EXPECTED,
    YouthStatus: STATUS,
    Channel: CHANNEL,
    Frequency: FREQUENCY,
    Department: DEPARTMENT,
    EventKind: EVENT,
    AuditAction: AUDIT,
    AgeBand: AGE_BAND,
    NetworkRole: NETWORK_ROLE,
    Sector: SECTOR,
    PersonKind: PERSON_KIND,
    RoleKind: ROLE_KIND,
    CaseRole: CASE_ROLE,
    ChangeKind: CHANGE_KIND,
    DocumentStatus: DOCUMENT_STATUS,
    Storage: STORAGE,
    Purpose: PURPOSE,
    ConsentMethod: CONSENT_METHOD,
    GiverRole: GIVER_ROLE,
    Recipient: RECIPIENT_LABELS,
    InquirySender: INQUIRY_SENDER,
    Role: USER_ROLE,
    MeetingKind: MEETING_KIND,
    MeetingStatus: MEETING_STATUS,
    PlaceKind: PLACE,
    Answer: ANSWER,
    AnsweredVia: ANSWERED_VIA,
    ProposalStatus: PROPOSAL_STATUS,
    OutboxStatus: OUTBOX_STATUS,
    StepStatus: STEP_STATUS,
    StepDepartment: STEP_DEPARTMENT,
    Completion: COMPLETION,
    ReviewArea: AREA_LABELS,
    ReviewPoint: POINT_LABELS,
    PointResult: RESULT_LABELS,
    Milestone: MILESTONE_LABELS,
}


def label(value: StrEnum) -> str:
    """The message id of an enum value's label (translate it where it is shown)."""
    return ENUM_LABELS[type(value)][value]


def network_role(role: NetworkRole, role_other: str = "") -> str:
    """A network member's role as shown: what the caseworker wrote, else the role's label
    (a message id)."""
    return role_other or NETWORK_ROLE[role]


# --- the audit log's "what" ----------------------------------------------------------------

AUDIT_OBJECT = {
    "youth": N_("the young person's record"),
    "youth_list": N_("the register"),
    "youth_step": N_("a step on the timeline"),
    "network_member": N_("a person in the network"),
    "caseworker_change": N_("the caseworkers"),
    "meeting": N_("a meeting"),
    "meeting_invitee": N_("an answer to a meeting invitation"),
    "action_point": N_("an action point"),
    "handover_document": N_("a document on the handover checklist"),
    "consent": N_("a consent"),
    "inquiry": N_("an inquiry"),
    "letter": N_("a letter"),
    "status_update": N_("a status update"),
    "communication_proposal": N_("the family's proposal for the communication agreement"),
    "review": N_("a case in the management review"),
    "review_follow_up": N_("a follow-up of the management review"),
}
"""What a change or a read was about, by the audit row's object type (rows of a young person)."""

AUDIT_PAGE: tuple[tuple[str, str], ...] = (
    ("/borger/unge/{youth_id}/samtykker", N_("the consents on the family's page")),
    ("/borger", N_("the family's page")),
    ("/audit", N_("the audit log")),
    ("/edit", N_("the form for the young person's details")),
    ("/family", N_("the family's page as the family sees it")),
    ("/network", N_("the network map")),
    ("/caseworkers", N_("the change of caseworker")),
    ("/meetings", N_("the meetings")),
    ("/handover", N_("the handover checklist")),
    ("/documents", N_("the handover checklist")),
    ("/consents", N_("the consents")),
    ("/inquiries", N_("the inquiries")),
    ("/letters", N_("the letters")),
    ("/status-updates", N_("the status updates")),
    ("/reviews", N_("the management review")),
)
"""What a read showed, by the start of the route's path after the young person's own part:
``GET /youths/{youth_id}/network/members/new`` read the network map."""
YOUTH_PAGE = N_("the young person's page")


def audit_subject(action: AuditAction, object_type: str, detail: str) -> str | None:
    """The message id saying what an audit row of a young person was about: the page a read
    showed (its detail is ``"GET <route>"``), or the kind of object a change touched."""
    if action is AuditAction.READ and " /" in detail:
        path = detail.split(" ", 1)[1].removeprefix("/api/v1")
        tail = path.removeprefix("/youths/{youth_id}")
        if not tail:
            return YOUTH_PAGE
        for start, subject in AUDIT_PAGE:
            if tail.startswith(start):
                return subject
    return AUDIT_OBJECT.get(object_type)
