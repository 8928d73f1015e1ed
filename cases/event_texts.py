"""Free text in an event of the trail, by reference: ``keep`` stores the text beside the trail
(``EventText``, erased with the case) and gives what the event's details hold instead, ``{"texte":
id}``; ``resolve`` puts the texts back in the events read for a page or an export, in one query, or
says that the purge erased them.
"""

from collections.abc import Iterable

from cases.models import Case, EventText

KEY = "texte"
ERASED = "(texte effacé avec le signalement)"


def keep(case: Case, text: str) -> dict | str:
    """What an event of ``case`` records for ``text``: a reference to it, kept apart ("" stays "")."""
    text = (text or "").strip()
    if not text:
        return ""
    return {KEY: EventText.objects.create(case=case, text=text).pk}


def _reference(value) -> int | None:
    if isinstance(value, dict) and len(value) == 1 and isinstance(value.get(KEY), int):
        return value[KEY]
    return None


def _columns(event) -> tuple[str, str, dict]:
    """An event as a model instance or as a row of ``values()`` (the CSV export's). Details of another
    shape than a mapping (a row written around the recorder) refer to no text."""
    if isinstance(event, dict):
        object_type, object_id, details = event.get("object_type"), event.get("object_id"), event.get("details")
    else:
        object_type, object_id, details = event.object_type, event.object_id, event.details
    return object_type or "", str(object_id or ""), details if isinstance(details, dict) else {}


def resolve(events: Iterable) -> None:
    """Replace, in the details of ``events`` (in memory, for display), each text reference by its
    text, or by ``ERASED``. A text is given only to an event of its own case: a reference that
    points elsewhere (an event written around the recorder) shows nothing of another case."""
    wanted: list[tuple[dict, str, int, str | None]] = []
    for event in events:
        object_type, object_id, details = _columns(event)
        for key, value in details.items():
            if (pk := _reference(value)) is not None:
                wanted.append((details, key, pk, object_id if object_type == "cases.case" else None))
    if not wanted:
        return
    texts: dict[tuple[int, str | None], str] = {
        (pk, str(case_id)): text for pk, case_id, text in EventText.objects.filter(
            pk__in={pk for _, _, pk, _ in wanted}).values_list("pk", "case_id", "text")}
    for details, key, pk, case_id in wanted:
        details[key] = texts.get((pk, case_id), ERASED)
