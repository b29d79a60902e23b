"""Every user-facing message has a Danish translation (Danish is the default language)."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir

from app import i18n

ROOT = Path(__file__).resolve().parents[2]
METHODS = [("app/**.py", "python"), ("app/templates/**.html", "jinja2")]
OPTIONS = {"app/templates/**.html": {"extensions": "jinja2.ext.i18n"}}


def _extracted() -> set[str | tuple[str, str]]:
    ids: set[str | tuple[str, str]] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), METHODS, OPTIONS, keywords={"_": None, "N_": None, "gettext": None,
                                               "ngettext": (1, 2)},
    ):
        if isinstance(message, tuple):
            ids.add((message[0], message[1]))
        elif message:
            ids.add(message)
    return ids


def test_every_message_in_the_code_has_a_danish_translation():
    danish = i18n.translations("da")
    # Names and words that are the same in Danish.
    same_in_danish = {"Overgang", "E-mail", "Status", "Administrator", "Digital Post", "Find",
                      "Import", "API", "Cura", "DUBU", "Nexus", "SBSYS", "Online",
                      "%(document)s: %(status)s.", "Invitation: %(what)s, %(when)s", "LIX",
                      "for %(name)s", "Menu"}
    untranslated = []
    for message in _extracted():
        if isinstance(message, tuple):
            if danish.ngettext(*message, 2) == message[1]:
                untranslated.append(message[1])
        elif danish.gettext(message) == message and message not in same_in_danish:
            untranslated.append(message)
    hint = "; ".join(sorted(untranslated)[:10])
    assert untranslated == [], f"run `make i18n` and translate: {hint}"


def test_english_is_available_and_danish_is_the_default():
    i18n.set_locale("en")
    assert i18n.gettext("Log in") == "Log in"
    i18n.set_locale("xx")
    assert i18n.current_locale() == "da"
    assert i18n.gettext("Log in") == "Log ind"


def test_the_catalogue_holds_each_message_once():
    """Work merged side by side appends to the catalogue (merge=union): a message added twice
    with two translations would show whichever the compiler keeps, on every page."""
    text = (ROOT / "app" / "locale" / "da" / "LC_MESSAGES" / "messages.po").read_text("utf-8")
    ids = re.findall(r'^msgid ((?:"[^\n]*"\n)+)(?=msgid_plural|msgstr)', text, flags=re.M)
    repeated = sorted({i for i in ids if ids.count(i) > 1} - {'""\n'})
    assert len(ids) > 1000
    assert repeated == []
