"""All tables, imported so that SQLModel.metadata knows them (Alembic reads it)."""

from app.models.audit import AuditEvent
from app.models.caseworker import CaseworkerChange
from app.models.network import NetworkMember, Person
from app.models.timeline import Notification, TimelineStep, YouthStep
from app.models.user import ApiToken, LoginThrottle, User, UserSession
from app.models.youth import Youth, YouthEvent

__all__ = [
    "ApiToken", "AuditEvent", "CaseworkerChange", "LoginThrottle", "NetworkMember",
    "Notification", "Person", "TimelineStep", "User", "UserSession", "Youth", "YouthEvent",
    "YouthStep",
]
