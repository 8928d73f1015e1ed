"""French as the product writes it, in the templates (``ui.templatetags.french``, a built-in library of
every template) and in the texts built in Python (messages, e-mails, exports):

- a figure has its thousands apart by a narrow no-break space (« 100 000 »), its decimals after a comma;
- a count is singular up to 1, as French has it (« 0 tâche », « 1 tâche », « 2 tâches »), and reads
  « aucune tâche » when it says nothing was found; never an « s » in brackets;
- the first day of a month is an ordinal (« 1er janvier 2026 »);
- a yes/no reads « oui »/« non ».
"""

import datetime
from decimal import Decimal

from django.utils import numberformat
from django.utils.dateformat import format as date_format

NARROW_NBSP = "\u202f"  # between thousands (and before « ; ! ? »)
NBSP = "\u00a0"  # before « : », inside « » (French typography)


def number(value: object, decimals: int | None = None) -> str:
    """A figure as French writes it (« 100 000 », « 2,5 »); anything else as it is. ``decimals``: how many
    digits after the comma (as many as it has by default)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return "" if value is None else str(value)
    return numberformat.format(value, ",", decimal_pos=decimals, grouping=3, thousand_sep=NARROW_NBSP,
                               force_grouping=True)


def is_plural(count: int | float | Decimal) -> bool:
    """French's rule: plural from 2 on (« 0 tâche », « 1,5 jour »)."""
    return abs(float(count)) >= 2


def plural(count: int | float | Decimal, singular: str, plural_form: str | None = None) -> str:
    """The noun for ``count``: ``plural_form`` (``singular`` and an s by default) from 2 on."""
    if not is_plural(count):
        return singular
    return plural_form if plural_form is not None else f"{singular}s"


def count(value: int, singular: str, plural_form: str | None = None, *, none: str = "") -> str:
    """« 3 tâches », « 1 tâche »; ``none`` (« aucune tâche ») for 0 when given, else « 0 tâche »."""
    if value == 0 and none:
        return none
    return f"{number(value)} {plural(value, singular, plural_form)}"


def long_date(value: datetime.date | None) -> str:
    """« 1er janvier 2026 », « 2 janvier 2026 »: French writes the first of a month as an ordinal."""
    if not value:
        return ""
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {date_format(value, 'F Y')}"


def yes_no(value: object) -> str:
    """« oui » or « non » for a yes/no; anything else unchanged (an empty value stays empty)."""
    if isinstance(value, bool):
        return "oui" if value else "non"
    return "" if value is None else str(value)
