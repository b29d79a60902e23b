"""Jinja2 templates with gettext, Danish formatting and htmx fragments (named blocks)."""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterable
from datetime import date
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from jinja2_fragments.fastapi import Jinja2Blocks
from markupsafe import Markup, escape

from app import i18n
from app.deps import CSRF_FIELD, Viewer, csrf_token_for, is_htmx
from app.domain import labels
from app.i18n import N_
from app.models.review import ReviewStatus
from app.models.user import Role, User
from app.services import start
from app.settings import Environment, Settings
from app.web.forms import summary_entries

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"


def make_templates(settings: Settings) -> Jinja2Blocks:
    templates = Jinja2Blocks(directory=str(TEMPLATE_DIR))
    env = templates.env
    # Outside development a template is read once: Jinja otherwise checks the file's time at
    # every render and every include (a few per cent of a page's time, per a profile).
    env.auto_reload = settings.environment is Environment.DEVELOPMENT
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=i18n.gettext, ngettext=i18n.ngettext, newstyle=True
    )
    # The same new-style gettext, with a message without variables translated, escaped and
    # formatted once per language rather than at every call (a page makes a hundred). Both
    # take the evaluation context, not the template context as jinja2.ext's do: Jinja gives a
    # function that takes the template context, when called in a loop or a block, a fresh
    # copy of the context with every variable in scope, at each call.
    env.globals["gettext"] = env.globals["_"] = _template_gettext
    env.globals["ngettext"] = _template_ngettext
    env.filters["date"] = i18n.format_date
    env.filters["datetime"] = i18n.format_datetime
    env.filters["number"] = i18n.format_number
    env.filters["age"] = format_age
    env.filters["mask_cpr"] = mask_stored_cpr
    env.filters["label"] = label
    env.globals["select_options"] = select_options
    env.globals["summary_entries"] = summary_entries
    # Templates compare enums, not their values: every labelled enum by its class name.
    enums: list[type[StrEnum]] = [*labels.ENUM_LABELS, ReviewStatus]
    for enum_cls in enums:
        env.globals[enum_cls.__name__] = enum_cls
    env.globals["settings"] = settings
    return templates


def label(value: StrEnum) -> str:
    """An enum value's label in the current language (``{{ meeting.kind|label }}``)."""
    return i18n.gettext(labels.label(value))
_TRANSLATED: dict[tuple[str, str], Markup] = {}


@pass_eval_context
def _template_gettext(eval_ctx: EvalContext, message: str, **variables: object) -> str:
    """`jinja2.ext`'s new-style gettext (translated, escaped when autoescaping, always
    %-formatted), remembering the result for a message without variables."""
    # Messages come from the code and the catalogue, not from users: markup as jinja2.ext's.
    if variables or not eval_ctx.autoescape or not isinstance(message, str):
        translated = Markup(i18n.gettext(message)) if eval_ctx.autoescape \
            else i18n.gettext(message)  # noqa: S704
        return translated % variables
    key = (i18n.current_locale(), message)
    found = _TRANSLATED.get(key)
    if found is None:
        found = _TRANSLATED[key] = Markup(i18n.gettext(message)) % {}  # noqa: S704
    return found


@pass_eval_context
def _template_ngettext(eval_ctx: EvalContext, singular: str, plural: str, num: int,
                       **variables: object) -> str:
    """`jinja2.ext`'s new-style ngettext: `num` is a variable too."""
    variables.setdefault("num", num)
    translated = i18n.ngettext(singular, plural, num)
    if eval_ctx.autoescape:
        translated = Markup(translated)  # noqa: S704
    return translated % variables


def format_age(birth_date: date, today: date) -> str:
    months_old = (today.year - birth_date.year) * 12 + today.month - birth_date.month
    if today.day < birth_date.day and today.day != monthrange(today.year, today.month)[1]:
        months_old -= 1  # a month is complete on the same day, or the month's last day
    age_years, age_months = divmod(months_old, 12)
    years = i18n.ngettext("%(num)s year", "%(num)s years", age_years) % {"num": age_years}
    if age_months == 0:
        return years
    months = i18n.ngettext("%(num)s month", "%(num)s months", age_months) % {"num": age_months}
    return i18n.gettext("%(years)s and %(months)s") % {"years": years, "months": months}


def select_options(options: Iterable[tuple[object, str]], selected: object = None) -> Markup:
    """The <option> elements of (value, text) pairs, `selected` marked: one string join for
    a list of hundreds of staff, not a template loop escaping each piece; the last few
    lists made are remembered."""
    return _options(tuple(options), None if selected is None else str(selected))


@lru_cache(maxsize=16)
def _options(options: tuple[tuple[object, str], ...], chosen: str | None) -> Markup:
    # Every value and text is escaped here, the rest is literal markup.
    return Markup("".join(  # noqa: S704
        f'<option value="{escape(value)}"{" selected" if str(value) == chosen else ""}>'
        f"{escape(text)}</option>"
        for value, text in options))


def mask_stored_cpr(digits: str | None) -> str:
    return f"{digits[:6]}-xxxx" if digits else "–"


def viewer(request: Request) -> Viewer | None:
    """The logged-in user's name, role and language as plain values (see `deps.Viewer`)."""
    found: Viewer | None = getattr(request.state, "viewer", None)
    return found


def use_request_locale(request: Request) -> None:
    seen = viewer(request)
    settings: Settings = request.app.state.settings
    i18n.set_locale(seen.locale if seen else settings.default_locale)
    i18n.set_timezone(settings.tz)


def navigation(role: Role | None) -> list[tuple[str, str]]:
    """(url, message id) pairs for the main navigation, by role."""
    if role is None:
        return []
    items = [("/", N_("Overview")), ("/tasks", N_("My tasks")), ("/youths", N_("Young people"))]
    if role in (Role.COORDINATOR, Role.ADMIN):
        items.append(("/overview", N_("Monthly overview")))
        items.append(("/reviews", N_("Management review")))
    if role is Role.ADMIN:
        items.append(("/admin/users", N_("Users")))
        items.append(("/admin/timeline", N_("Timeline template")))
        items.append(("/admin/closing-days", N_("Closing days")))
        items.append(("/admin/letters", N_("Letter templates")))
        items.append(("/admin/documents", N_("Document catalogue")))
        items.append(("/docs", N_("API")))
    return items


def nav_counts(request: Request, user: object, status_code: int) -> dict[str, int]:
    """The count beside "My tasks" in the navigation: one COUNT statement, for a logged-in
    member of staff on a page that worked. Error pages (whose user is a `Viewer`, and whose
    transaction may have failed) and the family's pages have none."""
    session = getattr(request.state, "db", None)
    if not isinstance(user, User) or session is None or status_code >= 400:
        return {}
    settings: Settings = request.app.state.settings
    today = request.app.state.clock.now().astimezone(settings.tz).date()
    return {"/tasks": start.task_counts(session, settings, user, today).total}


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    block: str | None = None,
) -> Response:
    """Renders a page, or only `block` of it when htmx asks for a fragment. The header, the
    navigation and the language come from the plain `viewer` values, so an error page can
    pass `current_user=viewer(request)` and touch no database object."""
    use_request_locale(request)
    user: User | None = getattr(request.state, "user", None)
    seen = viewer(request)
    ctx: dict[str, Any] = {
        "request": request,
        "current_user": user,
        "csrf_token": csrf_token_for(request),
        "csrf_field": CSRF_FIELD,
        "nav": navigation(seen.role if seen else None),
        "locale": i18n.current_locale(),
        **(context or {}),
    }
    fragment = bool(block and is_htmx(request))
    if "nav_counts" not in ctx:
        ctx["nav_counts"] = {} if fragment else nav_counts(request, ctx["current_user"],
                                                           status_code)
    templates: Jinja2Blocks = request.app.state.templates
    if fragment:
        return templates.TemplateResponse(
            request, name, ctx, status_code=status_code, block_name=block
        )
    return templates.TemplateResponse(
        request, name, ctx, status_code=status_code
    )
