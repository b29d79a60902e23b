"""Letter templates in plain Danish: the shipped texts, their placeholders, LIX and rendering.

Pure: no I/O. A template is a subject and a body with placeholders in braces, such as
``{modtager}``. Each template allows its own placeholders; an unknown one is refused on save,
by name. The shipped texts are the defaults; an administrator's edited text is kept in the
database and used instead (services.letters).

LIX (Björnsson's readability index) = words / sentences + 100 × long words / words, where a
long word has more than six letters. Below 30 is very easy, 30–40 easy (children's books,
plain letters), 40–50 medium (newspapers). The shipped templates score 40 or lower, measured
on the text as the reader gets it (the placeholders filled with the sample values below).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from app.domain.validation import FieldError, no_cpr, no_markup
from app.i18n import N_

LIX_TARGET = 40


class TemplateKey(StrEnum):
    CHANGE_PLANNED_TEMPORARY = "change_planned_temporary"
    CHANGE_PLANNED_PERMANENT = "change_planned_permanent"
    CHANGE_UNPLANNED_PERMANENT = "change_unplanned_permanent"
    MEETING_CANCELLED = "meeting_cancelled"
    TURNING_18 = "turning_18"
    INFO_MEETING_18 = "info_meeting_18"


# What each placeholder stands for, shown beside the editor; the sample is what the
# preview and the LIX score use.
PLACEHOLDERS: dict[str, tuple[str, str]] = {
    "modtager": (N_("The name of the person the letter is to"), "Anne Hansen"),
    "fornavn": (N_("The young person's first name"), "Freja"),
    "hvem": (N_("“Du” in the letter to the young person, otherwise their first name"),
             "Freja"),
    "hvis": (N_("“din” in the letter to the young person, otherwise “Frejas”"), "Frejas"),
    "dato_18": (N_("The day the young person turns 18"), "4. marts 2027"),
    "sagsbehandler": (N_("The coordinating caseworker's name"), "Lars Bech Nielsen"),
    "kontakt": (N_("Phone and e-mail of the caseworker the letter is about"),
                "Telefon: 72 36 42 20\nE-mail: lars.nielsen@kommune.dk"),
    "afsender": (N_("The name of the caseworker who sends the letter"), "Birgitte Dahl"),
    "rolle": (N_("The role that changes: coordinating caseworker or buddy"),
              "koordinerende sagsbehandler"),
    "rolle_forklaring": (N_("One sentence on what the role does"),
                         "Den koordinerende sagsbehandler holder styr på Frejas overgang fra "
                         "børneområdet til voksenområdet."),
    "tidligere": (N_("The caseworker who had the role"), "Mette Kjær Andersen"),
    "ny": (N_("The caseworker who has the role now"), "Lars Bech Nielsen"),
    "til_dato": (N_("“til og med” and the date the change ends, when it is known"),
                 " til og med 31. marts 2027"),
    "mødet": (N_("What the meeting is about"), "Koordinerende møde om Freja"),
    "tidspunkt": (N_("When the meeting is"), "mandag den 8. marts 2027 kl. 10.00–11.00"),
    "sted": (N_("Where the meeting is"), "Rådhuset, mødelokale 2"),
}

_CHANGE = ("modtager", "fornavn", "hvem", "hvis", "rolle", "rolle_forklaring", "tidligere",
           "ny", "kontakt", "til_dato", "afsender")
_LETTER = ("modtager", "fornavn", "hvem", "hvis", "dato_18", "sagsbehandler", "kontakt",
           "afsender")


@dataclass(frozen=True)
class Shipped:
    name: str  # a message id, shown in the editor
    subject: str
    body: str
    placeholders: tuple[str, ...]
    # Facts the caseworker types when sending (the information meeting's time and place).
    asks: tuple[str, ...] = ()


_CHANGE_END = """

{rolle_forklaring}

Du kan kontakte {ny}:
{kontakt}

Ring eller skriv, hvis du har spørgsmål.

Venlig hilsen
{afsender}"""

SHIPPED: dict[TemplateKey, Shipped] = {
    TemplateKey.CHANGE_PLANNED_TEMPORARY: Shipped(
        N_("New caseworker for a period"),
        "{hvem} får en ny {rolle} i en periode",
        "Kære {modtager}\n\n{hvem} får en ny {rolle} i en periode.\n\n"
        "Det er kun for en periode, fordi {tidligere} er væk{til_dato}. "
        "Imens er det {ny}, der tager over." + _CHANGE_END,
        _CHANGE),
    TemplateKey.CHANGE_PLANNED_PERMANENT: Shipped(
        N_("New caseworker, planned"),
        "{hvem} får en ny {rolle}",
        "Kære {modtager}\n\n{hvem} får en ny {rolle}.\n\n"
        "Fra nu af er det {ny}. {tidligere} har givet sagen videre, så du ikke skal "
        "fortælle det hele igen." + _CHANGE_END,
        _CHANGE),
    TemplateKey.CHANGE_UNPLANNED_PERMANENT: Shipped(
        N_("New caseworker at short notice"),
        "{hvem} får en ny {rolle}",
        "Kære {modtager}\n\n{hvem} får en ny {rolle}.\n\n"
        "{tidligere} er stoppet med kort varsel. Fra nu af er det {ny}, som har fået besked "
        "om sagen." + _CHANGE_END,
        _CHANGE),
    TemplateKey.MEETING_CANCELLED: Shipped(
        N_("Meeting cancelled"),
        "Aflyst: {mødet}, {tidspunkt}",
        "Mødet er aflyst. Du skal ikke komme.\n\n"
        "Vi finder en ny tid og giver dig besked. Ring, hvis du har spørgsmål.",
        ("fornavn", "mødet", "tidspunkt", "sted")),
    TemplateKey.TURNING_18: Shipped(
        N_("What changes when you turn 18"),
        "{hvem} fylder snart 18 år: det ændrer sig",
        "Kære {modtager}\n\n"
        "{hvem} fylder 18 år den {dato_18}. Så bliver man voksen efter loven. Derfor skifter "
        "sagen fra børneområdet til voksenområdet.\n\n"
        "Det betyder:\n"
        "- Der gælder andre regler. Den hjælp, man får nu, stopper ikke af sig selv. Men "
        "voksenområdet skal se på sagen igen.\n"
        "- Når man er 18 år, bestemmer man selv. Forældre kan ikke længere tale på ens vegne. "
        "Man kan give lov til, at de må være med.\n"
        "- Man kan få en bisidder med til møder. Det er en person, man har tillid til.\n"
        "- Hvis man ikke selv kan tage vare på sine ting, kan man få en værge.\n\n"
        "Vi holder møder med jer før 18 år. Så ved I, hvad der skal ske, og hvem I skal tale "
        "med.\n\n"
        "Du kan kontakte {sagsbehandler}:\n{kontakt}\n\n"
        "Ring eller skriv, hvis du har spørgsmål.\n\n"
        "Venlig hilsen\n{afsender}",
        _LETTER),
    TemplateKey.INFO_MEETING_18: Shipped(
        N_("Invitation to an information meeting about turning 18"),
        "Kom til møde om at fylde 18 år",
        "Kære {modtager}\n\n"
        "Vi holder et møde for unge og forældre om at fylde 18 år. Vi fortæller, hvad der "
        "ændrer sig, og I kan stille spørgsmål. I kan også møde andre familier.\n\n"
        "Tid: {tidspunkt}\n"
        "Sted: {sted}\n\n"
        "Det er gratis, og I må gerne tage en med.\n\n"
        "Du kan kontakte {sagsbehandler}:\n{kontakt}\n\n"
        "Venlig hilsen\n{afsender}",
        (*_LETTER, "tidspunkt", "sted"),
        asks=("tidspunkt", "sted")),
}

CHANGE_TEMPLATES = {
    "planned_temporary": TemplateKey.CHANGE_PLANNED_TEMPORARY,
    "planned_permanent": TemplateKey.CHANGE_PLANNED_PERMANENT,
    "unplanned_permanent": TemplateKey.CHANGE_UNPLANNED_PERMANENT,
}
# The letters a caseworker writes from the young person's page; the others are written by
# the app when a caseworker changes or a meeting is cancelled.
MANUAL = (TemplateKey.TURNING_18, TemplateKey.INFO_MEETING_18)

SUBJECT_MAX = 200
BODY_MAX = 5000
FACT_MAX = 200

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_SENTENCE_END = re.compile(r"[.!?:]+(?=\s|$)")


def placeholders_in(text: str) -> list[str]:
    """The placeholder names in ``text``, in order of appearance, without repeats."""
    return list(dict.fromkeys(_PLACEHOLDER.findall(text)))


def _check_text(field: str, text: str, limit: int) -> None:
    """Filled in, not too long, no markup and no CPR-like number; the error names `field`."""
    if not text.strip():
        raise FieldError(N_("This field is required."), field=field)
    if len(text) > limit:
        raise FieldError(N_("Enter at most %(n)s characters."), field=field, n=limit)
    try:
        no_markup(text)
        no_cpr(text)
    except FieldError as exc:
        exc.field = field
        raise


def check(key: TemplateKey, subject: str, body: str) -> None:
    """Refuses a template the app cannot send: empty, too long, markup, a CPR-like number, a
    stray brace, or a placeholder this template does not know (named in the message)."""
    allowed = SHIPPED[key].placeholders
    for field, text, limit in (("subject", subject, SUBJECT_MAX), ("body", body, BODY_MAX)):
        _check_text(field, text, limit)
        for name in placeholders_in(text):
            if name not in allowed:
                raise FieldError(
                    N_("Unknown placeholder {%(name)s}. This letter can use: %(allowed)s."),
                    field=field, name=name, allowed=", ".join(f"{{{p}}}" for p in allowed))
        if "\n" in text and field == "subject":
            raise FieldError(N_("The subject must be one line."), field=field)
        rest = _PLACEHOLDER.sub("", text)
        if "{" in rest or "}" in rest:
            raise FieldError(N_("A brace { or } without its partner. Placeholders are written "
                                "like {fornavn}."), field=field)


def check_facts(key: TemplateKey, facts: Mapping[str, str]) -> dict[str, str]:
    """The facts the template asks the caseworker for (the information meeting's time and
    place), each on one line: filled in, short, no markup or CPR number. Raises FieldError."""
    checked = {}
    for name in SHIPPED[key].asks:
        value = " ".join(facts.get(name, "").split())
        _check_text(name, value, FACT_MAX)
        checked[name] = value
    return checked


def render(text: str, values: Mapping[str, str]) -> str:
    """``text`` with each placeholder replaced by its value (a missing value: empty)."""
    return _PLACEHOLDER.sub(lambda match: values.get(match.group(1), ""), text)


def sample(key: TemplateKey, text: str) -> str:
    """``text`` filled with the sample values, as in the editor's preview."""
    return render(text, {name: PLACEHOLDERS[name][1] for name in SHIPPED[key].placeholders})


def lix(text: str) -> float:
    """The LIX readability index of ``text``. A sentence ends with . ! ? or : and at the end
    of a line (a salutation, a list item, a signature); an empty text scores 0."""
    words = _WORD.findall(text)
    if not words:
        return 0.0
    sentences = 0
    for line in text.splitlines():
        if not _WORD.search(line):
            continue
        ends = len(_SENTENCE_END.findall(line))
        sentences += ends if line.rstrip()[-1] in ".!?:" else ends + 1
    long_words = sum(1 for word in words if len(word) > 6)
    return len(words) / max(sentences, 1) + 100 * long_words / len(words)


def template_lix(key: TemplateKey, body: str) -> float:
    """The LIX of a template's body as its reader gets it: filled with the sample values."""
    return lix(sample(key, body))
