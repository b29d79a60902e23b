"""Template helpers made cheap for long pages: the same output as the slow way."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from dateutil.relativedelta import relativedelta

from app import i18n
from app.web.templating import format_age, select_options


def _age_the_slow_way(birth: date, today: date) -> tuple[int, int]:
    age = relativedelta(today, birth)
    return age.years, age.months


def test_an_age_counts_whole_months_as_relativedelta_does_also_at_the_ends_of_months():
    i18n.set_locale("da")
    cases = [(date(2008, 1, 31), date(2026, 2, 28)), (date(2008, 2, 29), date(2026, 2, 28)),
             (date(2008, 3, 31), date(2026, 4, 30)), (date(2008, 5, 15), date(2026, 5, 14)),
             (date(2008, 5, 15), date(2026, 5, 15)), (date(2008, 1, 30), date(2024, 2, 29))]
    start = date(2007, 12, 25)
    cases += [(start + timedelta(days=d), date(2026, 2, 28) + timedelta(days=t))
              for d in range(0, 70, 3) for t in range(0, 40, 1)]
    for birth, today in cases:
        years, months = _age_the_slow_way(birth, today)
        text = format_age(birth, today)
        assert text.startswith(f"{years} år"), (birth, today, text)
        assert (f"{months} måned" in text) == (months > 0), (birth, today, text)


def test_the_options_of_a_choice_are_escaped_and_the_chosen_one_is_marked():
    options = [(1, "Anne <Hansen>"), (12, 'Bo "B" & Co')]
    html = str(select_options(options, 12))
    assert html == ('<option value="1">Anne &lt;Hansen&gt;</option>'
                    '<option value="12" selected>Bo &#34;B&#34; &amp; Co</option>')
    assert " selected" not in str(select_options(options, None))
    assert str(select_options(options, "1")).count(" selected") == 1


def test_every_template_compiles_with_the_apps_filters_and_shows_dates_in_one_format():
    """One date format on every page ("9. juni 2008"): templates pass dates through the
    `date`/`datetime` filters; none formats a day itself, and the short form is not a filter."""
    from app.web.templating import TEMPLATE_DIR, make_templates
    from tests.conftest import make_settings

    env = make_templates(make_settings(Path("/nonexistent"), "sqlite://")).env
    assert "short_date" not in env.filters
    day_first = re.compile(r"strftime\(\s*['\"][^'\"]*%d")
    names = [p.relative_to(TEMPLATE_DIR).as_posix() for p in TEMPLATE_DIR.rglob("*.html")]
    assert len(names) > 50
    for name in names:
        env.get_template(name)  # an unknown filter fails here
        assert not day_first.search((TEMPLATE_DIR / name).read_text(encoding="utf-8")), name
