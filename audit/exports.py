"""Exports of an audit search: a CSV for reading, a bundle for re-verifying offline.

A bundle holds the selected events in full, the digests of every other event between the first
and the last selected one, the hash preceding them, and the head of that stretch signed with the
audit key: ``manage.py verify_audit --file BUNDLE`` re-computes every link up to the signed head,
so changing one byte of an event, a digest or the signature makes it fail. It also holds each
selected event's receipt (``audit.receipts``: its inclusion proof against the last established
checkpoint), which the stand-alone verifier checks (``python audit/proofs.py paquet``).
"""

import csv
import datetime
import itertools
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from django.db.models import F, QuerySet
from django.utils import timezone

from audit import chain, proofs, receipts, sealer, signing
from audit import events as event_types
from audit.models import Event, Seal, TrailArchive
from ui.french import count

if TYPE_CHECKING:  # typeshed's protocol of what csv.writer writes to, which exists only for type checkers
    from _typeshed import SupportsWrite

FORMAT = proofs.BUNDLE_FORMAT
MAX_LINKS = 500_000
MAX_RECEIPTS = 2_000  # one inclusion proof read per event: a larger bundle is verified by its chain only
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CSV_COLUMNS = [
    ("seq", "Rang"), ("time", "Date et heure (heure de Paris)"), ("actor_label", "Auteur"), ("actor_role", "Rôle"),
    ("actor_cell", "Cellule de l'auteur"), ("ip", "Adresse IP"), ("request_id", "Requête"),
    ("description", "Événement"), ("action", "Type d'événement (code)"), ("object_type", "Type d'objet"),
    ("object_id", "Identifiant"), ("departement", "Département"), ("details", "Détails"),
    ("hash", "Empreinte"),
]


class ExportTooLarge(Exception):
    pass


def csv_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


CHUNK = 2000


def write_csv(events: QuerySet[Event], stream: "SupportsWrite[str]", role_labels: dict[str, str] | None = None,
              prepare: Callable[[list[dict[str, Any]]], None] | None = None) -> int:
    """The events for reading in a spreadsheet: in French (the event described, the author's role by
    its label from ``role_labels``, times in Paris, the details in words: « prévue : 15/12/2026 à
    14:00 »), the seal's rank and hash. The verifiable bundle (``build_bundle``) carries them as sealed.
    ``prepare`` may change each batch of rows before it is written (what its reader may not see)."""
    writer = csv.writer(stream, delimiter=";")
    writer.writerow([label for _, label in CSV_COLUMNS])
    written, role_labels = 0, role_labels or {}
    columns = [name for name, _ in CSV_COLUMNS if name not in ("seq", "hash", "description")]
    rows = events.order_by("id").values(*columns, seq=F("seal__seq"), hash=F("seal__hash")).iterator(chunk_size=CHUNK)
    while batch := list(itertools.islice(rows, CHUNK)):
        if prepare is not None:
            prepare(batch)
        for row in batch:
            row["description"] = event_types.describe(row["action"], row["details"])
            row["time"] = timezone.localtime(row["time"]).isoformat(sep=" ", timespec="seconds")
            row["actor_role"] = role_labels.get(row["actor_role"], row["actor_role"])
            row["details"] = event_types.readable(row["details"])
            writer.writerow([csv_cell(row[name]) for name, _ in CSV_COLUMNS])
        written += len(batch)
    return written


def _jsonable(row: Mapping[str, Any]) -> dict[str, Any]:
    """An event of the bundle: its columns, from which the verifier re-computes its canonical text."""
    return {**row, "time": row["time"].astimezone(datetime.UTC).isoformat(timespec="microseconds")}


def build_bundle(events: QuerySet[Event], keep: Callable[[Mapping[str, Any]], bool] | None = None) -> dict[str, Any]:
    """The bundle of the sealed events among ``events`` (those still in the unsealed window are not
    in it: they have no rank yet). ``keep`` may leave some out (what their reader may not see): the
    digests of those still link the chain, as those of the events not selected do."""
    sealer.seal()
    selected = [_jsonable(row) for row in chain.rows(Seal.objects.filter(event__in=events))
                if keep is None or keep(row)]
    if not selected:
        first = last = 0
        previous, links = chain.GENESIS, []
    else:
        first, last = selected[0]["seq"], selected[-1]["seq"]
        if last - first >= MAX_LINKS:
            raise ExportTooLarge(f"La période couvre {last - first + 1} événements : restreignez la recherche.")
        before = Seal.objects.filter(seq=first - 1).values_list("hash", flat=True).first()
        archived, archived_hash = TrailArchive.boundary()
        previous = before or (archived_hash if first - 1 == archived else chain.GENESIS)
        links = [{"seq": row["seq"], "digest": chain.digest(row)}
                 for row in chain.rows(Seal.objects.filter(seq__range=(first, last)))]
    head_hash = previous
    for item in links:
        head_hash = chain.chain(head_hash, item["digest"])
    head = {"type": "bundle", "first_seq": first, "last_seq": last, "hash": head_hash, "events": len(selected),
            "time": timezone.now().isoformat(timespec="seconds")}
    # The same events with their inclusion proofs against the last established checkpoint: what
    # ``python audit/proofs.py paquet`` checks without the application, nor any other event.
    proven = (receipts.receipts(Event.objects.filter(pk__in=[row["id"] for row in selected]))
              if len(selected) <= MAX_RECEIPTS else None)
    return {"format": FORMAT, "previous_hash": previous, "links": links, "events": selected,
            "head": signing.sign(head), "receipts": proven}


def verify_bundle(bundle: dict, public_key: str) -> tuple[bool, str]:
    """Re-verify a bundle offline: every link, every selected event, the signed head."""
    try:
        if bundle.get("format") != FORMAT:
            return False, "format de paquet inconnu"
        if not signing.verify(bundle["head"], public_key):
            return False, "signature de la tête de chaîne invalide (ou clé publique différente)"
        events = {event["seq"]: event for event in bundle["events"]}
        current = bundle["previous_hash"]
        for item in bundle["links"]:
            event = events.pop(item["seq"], None)
            if event is not None and chain.digest(event) != item["digest"]:
                return False, f"événement #{event['id']} (rang {event['seq']}) : contenu modifié"
            current = chain.chain(current, item["digest"])
            if event is not None and current != event["hash"]:
                return False, f"événement #{event['id']} (rang {event['seq']}) : empreinte modifiée"
        if events:
            return False, f"événements hors de la chaîne exportée : rangs {sorted(events)}"
        head = bundle["head"]["payload"]
        if current != head["hash"]:
            return False, "la chaîne ne mène pas à la tête signée"
        return True, f"{count(len(bundle['events']), 'événement')} et {count(len(bundle['links']), 'maillon')} vérifiés"
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        return False, f"paquet illisible ({error.__class__.__name__})"
