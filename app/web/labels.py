"""Message ids for the values of status enums, shown in pages and letters."""

from __future__ import annotations

from app.domain.meeting_labels import OUTBOX_STATUS
from app.domain.youth import AGE_BAND_LABELS
from app.i18n import N_
from app.models.audit import AuditAction
from app.models.caseworker import CaseRole, ChangeKind
from app.models.handover import ConsentMethod, DocumentStatus, GiverRole, Purpose, Storage
from app.models.network import ROLE_KIND as NETWORK_ROLE_KIND
from app.models.network import NetworkRole, PersonKind, RoleKind, Sector
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
OUTBOX = OUTBOX_STATUS  # a message's status, shown with the copy of a letter

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
