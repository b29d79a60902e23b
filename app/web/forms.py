"""Form parsing with pydantic: one model per form, per-field errors in the user's language."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from app.domain.errors import Errors, add_errors, field_errors, message_for
from app.domain.rules import Checked
from app.domain.validation import FieldError

M = TypeVar("M", bound=BaseModel)
__all__ = ["Errors", "FieldError", "api_errors", "field_errors", "field_labels", "form_dict",
           "message_for", "parse_form", "summary_entries"]


def api_errors(errors: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    return [
        {"field": str(field), "message": str(message)}
        for field, message in field_errors(errors).items()
    ]


def form_dict(form: FormData) -> dict[str, Any]:
    """A submitted form as a dict; repeated fields become lists."""
    out: dict[str, Any] = {}
    for key in form:
        values = form.getlist(key)
        out[key] = values if len(values) > 1 else values[0]
    return out


def parse_form(model: type[M], data: Mapping[str, Any],
               context: Mapping[str, Any] | None = None) -> tuple[M | None, Errors]:
    """The form's model, or every error of the form at once: each field's own error and,
    for a ``rules.Checked`` model, the errors of the rules across fields that can be judged
    on the fields that are valid. `context` gives the rules what they need beyond the form
    (``today``, ``now``, ``tz``)."""
    try:
        return model.model_validate(dict(data), context=dict(context or {})), {}
    except ValidationError as exc:
        errors = field_errors(exc.errors())
        invalid = {str(e["loc"][0]) for e in exc.errors() if e.get("loc")}
        if invalid and issubclass(model, Checked):
            add_errors(errors, model.partial_rule_errors(data, invalid, context))
        return None, errors


_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "source", "track", "wbr"})
_UNSPOKEN = ("sr-only", "form-optional")  # "Error:", "(optional)": not part of the name


class _LabelReader(HTMLParser):
    """Reads the names of a form's fields (``f-<name>``) from its markup: a field's <label>,
    else the <legend> of the group with that id, else the field's aria-label."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: dict[str, dict[str, str]] = {"label": {}, "legend": {}, "aria": {}}
        self._open: list[tuple[str, str | None, bool]] = []  # tag, field id, unspoken
        self._reading: tuple[str, str, int] | None = None  # kind, field, depth
        self._text: list[str] = []
        self.order: dict[str, int] = {}  # each field's first place in the markup

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        ident = a.get("id", "")
        field = ident[2:] if ident.startswith("f-") else None
        for name in (field, a.get("for", "")[2:] if a.get("for", "").startswith("f-") else None):
            if name:
                self.order.setdefault(name, len(self.order))
        if field and a.get("aria-label"):
            self.found["aria"].setdefault(field, a["aria-label"])
        if tag in _VOID:
            return
        unspoken = any(c in a.get("class", "").split() for c in _UNSPOKEN)
        self._open.append((tag, field, unspoken))
        if self._reading is not None:
            return
        target = a.get("for", "")
        if tag == "label" and target.startswith("f-"):
            self._reading = ("label", target[2:], len(self._open))
        elif tag == "legend":
            owner = next((f for _t, f, _u in reversed(self._open[:-1]) if f), None)
            if owner:
                self._reading = ("legend", owner, len(self._open))

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or not any(t == tag for t, _f, _u in self._open):
            return
        while self._open:
            closed = self._open.pop()[0]
            if self._reading is not None and len(self._open) < self._reading[2]:
                kind, field, _depth = self._reading
                self.found[kind].setdefault(field, " ".join("".join(self._text).split()))
                self._reading, self._text = None, []
            if closed == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._reading is not None and not any(u for _t, _f, u in self._open):
            self._text.append(data)


def field_labels(html: str) -> dict[str, str]:
    """The name of each field (by ``f-<name>``) in a form's markup, as its label reads."""
    return _read(html).labels


@dataclass(frozen=True)
class _Read:
    labels: dict[str, str]
    order: dict[str, int]


def _read(html: str) -> _Read:
    reader = _LabelReader()
    reader.feed(str(html))
    reader.close()
    found = reader.found
    return _Read({**found["aria"], **found["legend"], **found["label"]}, reader.order)


@dataclass(frozen=True)
class SummaryEntry:
    field: str  # "__all__": the form as a whole, no link
    name: str  # the field's label, "" when the form has none
    message: object


def summary_entries(errors: Mapping[str, Any], html: str = "",
                    labels: Mapping[str, str] | None = None) -> list[SummaryEntry]:
    """The error summary's lines: errors of the form as a whole first, then each field's in
    the order the fields come in the form's markup, named as their labels read (`labels`
    names fields the markup has no label for)."""
    read = _read(html) if html else _Read({}, {})
    names = {**read.labels, **(labels or {})}
    last = len(read.order)
    ordered = sorted(errors.items(), key=lambda item: (
        item[0] != "__all__", read.order.get(item[0], last)))
    return [SummaryEntry(field, "" if field == "__all__" else names.get(field, ""), message)
            for field, message in ordered]
