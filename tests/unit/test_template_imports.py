"""Forms carry their CSRF token without JavaScript: a template that imports the form macros
imports them with the page's context, or ``csrf()`` renders an empty hidden field and the
form is refused when htmx is not there to send the token as a header."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "app" / "templates"
IMPORT = re.compile(r"\{%-?\s*(?:from|import)\s+\"_forms\.html\"[^%]*%\}")


def test_every_import_of_the_form_macros_takes_the_context() -> None:
    imports = {
        f"{path.relative_to(TEMPLATES)}: {statement}"
        for path in TEMPLATES.rglob("*.html")
        for statement in IMPORT.findall(path.read_text(encoding="utf-8"))
    }
    assert imports, "no template imports the form macros"
    assert sorted(s for s in imports if "with context" not in s) == []


def test_the_csrf_macro_reads_the_token_from_the_context() -> None:
    forms = (TEMPLATES / "_forms.html").read_text(encoding="utf-8")
    assert 'name="{{ csrf_field }}" value="{{ csrf_token }}"' in forms
