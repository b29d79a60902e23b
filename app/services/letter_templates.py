"""Letter templates: the administrator's texts over the shipped ones (app.domain.letters)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from app.domain import letters as rules
from app.domain.letters import TemplateKey
from app.models.audit import AuditAction
from app.models.base import utcnow
from app.models.letter import LetterTemplate
from app.models.user import User
from app.services import audit


@dataclass(frozen=True)
class Template:
    key: TemplateKey
    subject: str
    body: str
    edited: LetterTemplate | None  # the administrator's row, when the text was edited

    @property
    def shipped(self) -> rules.Shipped:
        return rules.SHIPPED[self.key]

    @property
    def lix(self) -> float:
        return rules.template_lix(self.key, self.body)


def get(session: Session, key: TemplateKey) -> Template:
    row = session.exec(select(LetterTemplate).where(LetterTemplate.key == key.value)).first()
    if row is not None:
        return Template(key, row.subject, row.body, row)
    shipped = rules.SHIPPED[key]
    return Template(key, shipped.subject, shipped.body, None)


def all_templates(session: Session) -> list[Template]:
    return [get(session, key) for key in TemplateKey]


def texts(session: Session, key: TemplateKey) -> tuple[str, str]:
    template = get(session, key)
    return template.subject, template.body


def save(session: Session, user: User, key: TemplateKey, subject: str, body: str) -> Template:
    """Keeps an administrator's text; raises FieldError (naming an unknown placeholder)."""
    subject, body = subject.strip(), body.strip().replace("\r\n", "\n")
    rules.check(key, subject, body)
    row = get(session, key).edited or LetterTemplate(key=key.value, subject="", body="")
    row.subject, row.body = subject, body
    row.updated_at, row.updated_by_id = utcnow(), user.id
    session.add(row)
    audit.record(session, AuditAction.UPDATE, user_id=user.id, object_type="letter_template",
                 object_id=key.value)
    session.flush()
    return get(session, key)


def reset(session: Session, user: User, key: TemplateKey) -> None:
    """Goes back to the shipped text."""
    row = get(session, key).edited
    if row is not None:
        session.delete(row)
        audit.record(session, AuditAction.DELETE, user_id=user.id,
                     object_type="letter_template", object_id=key.value)
        session.flush()
