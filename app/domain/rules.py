"""Rules across a form's fields that all run and all report, so that a form shows every error
at once instead of one per attempt. Pure: no I/O, no clock (a rule that needs today's date or
the time zone reads it from the validation context).

A model derived from ``Checked`` marks each rule across its fields with ``@rule``. A rule
raises ``FieldError`` (naming its field) or ``FieldErrors``, or returns. Every rule runs; what
they raise comes out together as one ``FieldErrors``, which ``errors.field_errors`` spreads
back over the fields.

When some fields are not valid, pydantic runs no rule at all. ``partial_rule_errors`` runs the
rules on the fields that are valid: a rule that reads a field that is not valid is skipped
(the field has its own error), and so is a rule whose context value (``today``, ``now``) is not
given.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from typing import Annotated, Any, Self, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError, ValidationInfo, model_validator

from app.domain.validation import FieldError

F = TypeVar("F", bound=Callable[..., None])
_RULE = "__form_rule__"


class FieldErrors(ValueError):
    """Several fields' errors at once, in the order the rules ran."""

    def __init__(self, errors: Iterable[FieldError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(str(e) for e in self.errors))


def rule(fn: F) -> F:
    """Marks a method ``(self, context)`` of a ``Checked`` model as a rule across fields."""
    setattr(fn, _RULE, True)
    return fn


@functools.cache
def _rules_of(cls: type) -> tuple[str, ...]:
    names: list[str] = []
    for klass in reversed(cls.__mro__):
        for name, value in vars(klass).items():
            if getattr(value, _RULE, False) and name not in names:
                names.append(name)
    return tuple(names)


@functools.cache
def _adapter(cls: type[BaseModel], name: str) -> TypeAdapter[Any]:
    info = cls.model_fields[name]
    kind: Any = info.annotation
    if info.metadata:
        kind = Annotated[(kind, *info.metadata)]
    return TypeAdapter(kind)


class Checked(BaseModel):
    """A model whose rules across fields all run (see the module docstring)."""

    def rule_errors(self, context: Mapping[str, Any] | None = None) -> list[FieldError]:
        out: list[FieldError] = []
        for name in _rules_of(type(self)):
            try:
                getattr(self, name)(context or {})
            except FieldError as exc:
                out.append(exc)
            except FieldErrors as exc:
                out.extend(exc.errors)
            except AttributeError:
                continue  # it reads a field that is not valid: that field has its own error
        return out

    @model_validator(mode="after")
    def _run_rules(self, info: ValidationInfo) -> Self:
        errors = self.rule_errors(info.context)
        if errors:
            raise FieldErrors(errors)
        return self

    @classmethod
    def partial_rule_errors(cls, data: Mapping[str, Any], invalid: Iterable[str],
                            context: Mapping[str, Any] | None = None) -> list[FieldError]:
        """The rules' errors over the fields of `data` that are valid on their own; the
        fields named in `invalid` (they have an error already) count as not given."""
        skip = set(invalid)
        values: dict[str, Any] = {}
        for name in cls.model_fields:
            if name in skip or name not in data:
                continue
            try:
                values[name] = _adapter(cls, name).validate_python(data[name])
            except (ValidationError, ValueError):
                skip.add(name)
        partial = cls.model_construct(**values)
        for name in skip:  # not the default: a rule must not judge a field that failed
            partial.__dict__.pop(name, None)
        return partial.rule_errors(context)
