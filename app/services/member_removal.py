"""Taking a member off a young person's network, and off the meetings ahead they are invited
to: a use case across the network and the meetings, so it lives above both (meetings reads the
network; the network knows nothing of meetings)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from app.domain import labels
from app.models.meeting import Meeting, MeetingInvitee, MeetingKind, MeetingStatus
from app.models.network import NetworkMember
from app.models.user import User
from app.services import meetings, network
from app.settings import Settings


@dataclass(frozen=True)
class FutureInvitation:
    """A member's invitation to a planned meeting that lies ahead."""

    meeting_id: int
    invitee_id: int
    kind: MeetingKind
    starts_at: datetime

    @property
    def title(self) -> str:
        """A message id: translate where it is shown."""
        return labels.MEETING_KIND[self.kind]


class ConfirmationNeededError(Exception):
    def __init__(self, invitations: list[FutureInvitation]) -> None:
        super().__init__("removing this member also cancels their invitations")
        self.invitations = invitations


def future_meeting_invitations(session: Session, member: NetworkMember,
                               now: datetime) -> list[FutureInvitation]:
    """The member's standing invitations to planned meetings that have not started yet."""
    rows = session.exec(
        select(MeetingInvitee, Meeting)
        .join(Meeting, col(Meeting.id) == MeetingInvitee.meeting_id)
        .where(MeetingInvitee.member_id == member.id, col(MeetingInvitee.removed_at).is_(None),
               col(Meeting.status) == MeetingStatus.PLANNED, col(Meeting.starts_at) > now)
        .order_by(col(Meeting.starts_at))
    )
    return [FutureInvitation(m.id or 0, i.id or 0, m.kind, m.starts_at) for i, m in rows]


def remove_member(session: Session, settings: Settings, user: User, youth_id: int,
                  member_id: int, today: date, now: datetime, *,
                  uninvite: bool = False) -> network.MemberView:
    """Takes the member off this network. When they are invited to a meeting ahead, refuses
    unless `uninvite` confirms that they are taken off those invitation lists first (each
    meeting tells them, as an uninvite does). One unit of work: the member is removed with all
    their invitations or not at all."""
    youth, view = network.get_member(session, user, youth_id, member_id, today)
    invitations = future_meeting_invitations(session, view.member, now)
    if invitations and not uninvite:
        raise ConfirmationNeededError(invitations)
    for invitation in invitations:
        meetings.remove_invitee(session, settings, user, invitation.meeting_id,
                                invitation.invitee_id, now)
    network.mark_removed(session, user, youth, view, now, len(invitations))
    return view
