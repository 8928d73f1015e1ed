"""What the inspection's pages and exports show of the trail's events.

An event of a département's trail may name a case of another (a transfer names the case on both
sides; a case continued after a transfer names the one it continues). An inspector sees the trail
of the départements of their mandates, and no reference of any other: on the pages and in the CSV
such a reference gives way to ``ELSEWHERE``; a verifiable bundle, whose events must stay byte for
byte what was sealed, leaves those events out (their digests still link the chain). The pages also
show the free texts the events refer to while the case lives (``cases.event_texts``); the exports,
which leave the product, carry their number only.
"""

import re
from collections.abc import Iterable

from cases import event_texts

# A case's reference: its territory's code (two characters, or three overseas: 971 to 976 for the
# départements, 975 to 988 for the collectivités), the year, the number (``cases.actions.intake.create``).
REFERENCE = re.compile(r"(?<![\w-])(\d{2}|2[AB]|9[78]\d)-(\d{4})-(\d{4,})(?![\w-])")
ELSEWHERE = "(signalement d'un autre département)"


def redacted(value, codes: frozenset[str]):
    """``value`` (a detail: text, list, mapping) with every reference of a case outside ``codes`` replaced."""
    if isinstance(value, str):
        return REFERENCE.sub(lambda match: match[0] if match[1] in codes else ELSEWHERE, value)
    if isinstance(value, list):
        return [redacted(item, codes) for item in value]
    if isinstance(value, dict):
        return {key: redacted(item, codes) for key, item in value.items()}
    return value


def names_elsewhere(details, codes: frozenset[str]) -> bool:
    return redacted(details, codes) != details


def for_page(events: Iterable, codes: frozenset[str]) -> list:
    """The events of a page (model instances), their texts put back and their details redacted, each
    with ``case_reference``: the reference it names, if the reader may follow it."""
    events = list(events)
    event_texts.resolve(events)
    for event in events:
        event.details = redacted(event.details or {}, codes)
        reference = event.details.get("signalement") if isinstance(event.details, dict) else None
        event.case_reference = reference if isinstance(reference, str) and REFERENCE.fullmatch(reference) else ""
    return events


def for_export(rows: list[dict], codes: frozenset[str]) -> None:
    """The CSV export's rows (``values()``), their details redacted in place."""
    for row in rows:
        row["details"] = redacted(row["details"], codes)
