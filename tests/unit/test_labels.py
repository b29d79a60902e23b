"""Every value of every enum shown to people has a label, in one place, with a Danish
translation; an enum added to the models must be labelled or said never to be shown."""

from __future__ import annotations

import inspect
from enum import StrEnum

import app.models
from app import i18n
from app.domain import labels
from app.models.outbox import OutboxKind
from app.models.review import ReviewEventKind, ReviewStatus

# Enums in the models no page, letter, e-mail or calendar shows as words.
NEVER_SHOWN: set[type[StrEnum]] = {
    OutboxKind,  # which message a row is; the subject says it
    ReviewEventKind,  # the review's own log
    ReviewStatus,  # shown as "Reviewed <date>" / "Not reviewed yet"
}
# Labels that are the same word in Danish.
SAME_IN_DANISH = {"Digital Post", "E-mail", "Online", "DUBU", "SBSYS", "Cura", "Nexus",
                  "Administrator", "Import"}


def _model_enums() -> set[type[StrEnum]]:
    found: set[type[StrEnum]] = set()
    for module_name in dir(app.models):
        module = getattr(app.models, module_name)
        owner = inspect.getmodule(module)
        if owner is None or not owner.__name__.startswith("app.models"):
            continue
        for _name, value in inspect.getmembers(owner, inspect.isclass):
            if issubclass(value, StrEnum) and value.__module__.startswith("app.models"):
                found.add(value)
    return found


def test_every_enum_in_the_models_is_labelled_or_never_shown():
    enums = _model_enums()
    assert len(enums) > 30
    unlabelled = {e.__name__ for e in enums - set(labels.ENUM_LABELS) - NEVER_SHOWN}
    assert unlabelled == set()
    assert not NEVER_SHOWN & set(labels.ENUM_LABELS)


def test_every_value_has_exactly_its_label_and_a_danish_translation():
    danish = i18n.translations("da")
    untranslated = []
    for enum_cls, mapping in labels.ENUM_LABELS.items():
        assert set(mapping) == set(enum_cls), enum_cls.__name__  # every value, nothing else
        for value in enum_cls:
            assert labels.label(value) == mapping[value]
            msgid = mapping[value]
            if danish.gettext(msgid) == msgid and msgid not in SAME_IN_DANISH:
                untranslated.append(f"{enum_cls.__name__}.{value.name}: {msgid}")
    assert untranslated == []


def test_a_value_is_labelled_by_its_own_enum_even_when_another_enum_shares_it():
    from app.models.caseworker import CaseRole
    from app.models.user import Role

    assert CaseRole.COORDINATOR == Role.COORDINATOR  # both are the string "coordinator"
    assert labels.label(CaseRole.COORDINATOR) != labels.label(Role.COORDINATOR)
