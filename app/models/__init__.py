"""All tables, imported so that SQLModel.metadata knows them (Alembic reads it)."""

from sqlmodel import SQLModel

from app.models.audit import AuditEvent
from app.models.base import add_enum_checks
from app.models.caseworker import CaseworkerChange
from app.models.family import CitizenSession, CommunicationProposal
from app.models.handover import Consent, DocumentType, HandoverDocument
from app.models.inquiry import ClosingDay, Inquiry
from app.models.letter import LetterTemplate, StatusUpdate
from app.models.meeting import ActionPoint, CalendarFeed, Meeting, MeetingInvitee
from app.models.network import NetworkMember, Person
from app.models.outbox import OutboxMessage
from app.models.review import (
    ReviewAnswer,
    ReviewEvent,
    ReviewFinding,
    ReviewFollowUp,
    ReviewSample,
    SampledCase,
)
from app.models.timeline import TimelineStep, YouthStep
from app.models.user import ApiToken, LoginThrottle, User, UserSession
from app.models.youth import Youth, YouthEvent

__all__ = [
    "ActionPoint",
    "ApiToken",
    "AuditEvent",
    "CalendarFeed",
    "CaseworkerChange",
    "CitizenSession",
    "ClosingDay",
    "CommunicationProposal",
    "Consent",
    "DocumentType",
    "HandoverDocument",
    "Inquiry",
    "LetterTemplate",
    "LoginThrottle",
    "Meeting",
    "MeetingInvitee",
    "NetworkMember",
    "OutboxMessage",
    "Person",
    "ReviewAnswer",
    "ReviewEvent",
    "ReviewFinding",
    "ReviewFollowUp",
    "ReviewSample",
    "SampledCase",
    "StatusUpdate",
    "TimelineStep",
    "User",
    "UserSession",
    "Youth",
    "YouthEvent",
    "YouthStep",
]

add_enum_checks(SQLModel.metadata)
