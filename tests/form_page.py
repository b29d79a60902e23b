"""Reads a rendered form the way a screen reader user meets it: the error summary's links,
each field's error and what describes the field, and the values the form shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class _Element:
    tag: str
    attrs: dict[str, str]
    text: list[str] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.by_id: dict[str, _Element] = {}
        self.summary_links: list[tuple[str, str]] = []
        self.summary_role = ""
        self._open: list[_Element] = []
        self._in_summary = 0
        self._link: _Element | None = None
        self.controls: list[_Element] = []  # input, select, textarea, option
        self.labels: list[_Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        element = _Element(tag, a)
        if a.get("id"):
            self.by_id.setdefault(a["id"], element)
        if tag in ("input", "select", "textarea", "option"):
            self.controls.append(element)
        if tag == "label":
            self.labels.append(element)
        if a.get("id") == "error-summary":
            self._in_summary = 1
            self.summary_role = a.get("role", "")
        elif self._in_summary and tag not in ("input", "br"):
            self._in_summary += 1
        if self._in_summary and tag == "a":
            self._link = element
        if tag not in ("input", "br", "img", "meta", "link", "hr"):
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        if self._in_summary and tag not in ("input", "br"):
            self._in_summary -= 1
        if tag == "a" and self._link is not None:
            self.summary_links.append((self._link.attrs.get("href", ""),
                                       " ".join("".join(self._link.text).split())))
            self._link = None
        while self._open:
            if self._open.pop().tag == tag:
                break

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.text.append(data)


@dataclass
class FormPage:
    html: str

    def __post_init__(self) -> None:
        self._r = _Reader()
        self._r.feed(self.html)

    @property
    def summary(self) -> list[tuple[str, str]]:
        """(href, text) of each link in the error summary."""
        return self._r.summary_links

    @property
    def summary_is_alert(self) -> bool:
        summary = self._r.by_id.get("error-summary")
        return bool(summary and summary.attrs.get("role") == "alert"
                    and summary.attrs.get("tabindex") == "-1")

    def error(self, name: str) -> str:
        """The error shown beside field `name` (f-<name>-error), and that the field (or the
        group it is) is described by it."""
        message = self._r.by_id.get(f"f-{name}-error")
        assert message is not None, f"no error beside {name}"
        assert "form-error-message" in message.attrs.get("class", "")
        ident = f"f-{name}-error"
        described = [e for e in [self._r.by_id.get(f"f-{name}"), *self._r.controls]
                     if e is not None and ident in e.attrs.get("aria-describedby", "").split()]
        assert described, f"nothing is described by the error of {name}"
        return " ".join("".join(message.text).split()).removeprefix("Fejl: ")

    def value(self, name: str) -> str:
        """What field `name` shows: an input's value, a textarea's text, the chosen option."""
        element = self._r.by_id[f"f-{name}"]
        if element.tag == "textarea":
            return "".join(element.text).strip()
        if element.tag == "select":
            chosen = [c for c in self._after(element) if "selected" in c.attrs]
            return chosen[0].attrs.get("value", "") if chosen else ""
        return element.attrs.get("value", "")

    def checked(self, name: str) -> list[str]:
        return [c.attrs.get("value", "") for c in self._r.controls
                if c.attrs.get("name") == name and "checked" in c.attrs]

    def _after(self, select: _Element) -> list[_Element]:
        at = self._r.controls.index(select)
        out = []
        for control in self._r.controls[at + 1:]:
            if control.tag != "option":
                break
            out.append(control)
        return out

    def optional_fields(self) -> set[str]:
        """The fields whose label says "(valgfrit)"."""
        return {e.attrs["for"][2:] for e in self._labels
                if "(valgfrit)" in "".join(e.text)}

    @property
    def _labels(self) -> list[_Element]:
        return [e for e in self._r.labels if e.attrs.get("for", "").startswith("f-")]

    def has_error(self, name: str) -> bool:
        return f"f-{name}-error" in self._r.by_id
