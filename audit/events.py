"""The event types of the trail: each has a French label and, if it carries details worth reading,
a renderer of them, registered next to the actions that record it (``<app>/events.py``).

The recorder refuses a type nobody registered, so inspectors never read a raw code.
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model
from django.utils import timezone


@dataclass(frozen=True)
class EventType:
    action: str
    label: str
    render: Callable[[dict], str] | None = None  # the details, in French, after the label


_TYPES: dict[str, EventType] = {}


def register(labels: dict[str, str], render: Callable[[dict], str] | None = None) -> None:
    """Register event types (``{action: French label}``), with the renderer of their details."""
    for action, label in labels.items():
        if action in _TYPES:
            raise ImproperlyConfigured(f"Le type d'événement « {action} » est déjà enregistré.")
        _TYPES[action] = EventType(action, label, render)


def is_registered(action: str) -> bool:
    return action in _TYPES


def registered() -> set[str]:
    return set(_TYPES)


def label(action: str) -> str:
    event_type = _TYPES.get(action)
    return event_type.label if event_type else action


UNREADABLE = " — détails illisibles"


def describe(action: str, details: dict) -> str:
    """The event in words: its label, then its details as its registration renders them.

    The recorder writes the details a renderer expects; a row written around it (whoever may append to
    the trail can) may hold any JSON: its details are said to be unreadable, the page still answers."""
    event_type = _TYPES.get(action)
    if event_type is None:
        return action
    if not event_type.render:
        return event_type.label
    if not isinstance(details, dict):
        return event_type.label + UNREADABLE
    try:
        return event_type.label + event_type.render(details)
    except (AttributeError, KeyError, TypeError, ValueError):
        return event_type.label + UNREADABLE


EMPTY = "(vide)"


def value(raw: object, choices: dict[str, str] | None = None) -> str:
    """A detail's value in words: a choice by its label, a list or a mapping item by item (a change
    ``{"avant": …, "après": …}`` as « avant → après »), a date or a time as French writes it, in Paris
    time, an absent value as ``EMPTY``. A number stays as it is: it may be an identifier."""
    if raw in (None, "", [], {}):
        return EMPTY
    if isinstance(raw, bool):
        return "oui" if raw else "non"
    if isinstance(raw, list):
        return ", ".join(value(item, choices) for item in raw)
    if isinstance(raw, dict):
        if raw.keys() == {"avant", "après"}:
            return f"{value(raw['avant'], choices)} → {value(raw['après'], choices)}"
        return ", ".join(f"{key} : {value(item, choices)}" for key, item in raw.items())
    return _item(raw, choices)


def readable(details: object) -> str:
    """All the details of an event in words (« prévue : 15/12/2026 à 14:00 ; lieu : CMP »): the trail's
    export for people (``audit.exports.write_csv``); what is stored and sealed stays as it was."""
    if not isinstance(details, dict):
        return "" if details in (None, "", [], {}) else value(details)
    return " ; ".join(f"{key} : {value(item)}" for key, item in details.items())


# How the recorder writes dates and times (``audit.canonical``, ``DjangoJSONEncoder``): ISO 8601.
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?")


def _item(item: object, choices: dict[str, str] | None) -> str:
    if not isinstance(item, str):
        return str(item)
    if choices and item in choices:
        return str(choices[item])
    try:
        if ISO_DATE.fullmatch(item):
            return f"{datetime.date.fromisoformat(item):%d/%m/%Y}"
        if ISO_TIME.fullmatch(item):
            moment = datetime.datetime.fromisoformat(item)
            return f"{timezone.localtime(moment) if timezone.is_aware(moment) else moment:%d/%m/%Y à %H:%M}"
    except ValueError:  # shaped like a date, but none (« 2026-13-45 »): as it was written
        pass
    return item


class FieldLabels(dict[str, str]):
    """The French name of each field (``{name: label}``), and the label of each value of the fields
    that have choices (``.choices``: ``{name: {value: label}}``)."""

    def __init__(self, names: dict[str, str], choices: dict[str, dict[str, str]]) -> None:
        super().__init__(names)
        self.choices = choices


def summary(captions: dict[str, str], choices: dict[str, dict[str, str]] | None = None) -> Callable[[dict], str]:
    """A renderer of the details named in ``captions`` (``{key: French caption}``), in that order; the
    values of a key in ``choices`` by their labels."""
    choices = choices or {}

    def render(details: dict) -> str:
        parts = [f"{caption} : {value(details[key], choices.get(key))}" for key, caption in captions.items()
                 if key in details]
        return f" — {' ; '.join(parts)}" if parts else ""

    return render


def changes(details: dict, field_labels: dict[str, str]) -> str:
    """The ``changements`` of an edit (``audit.changes.diff``), field by field, before → after, a
    choice by its label when ``field_labels`` knows it (``FieldLabels``)."""
    if not details.get("changements"):
        return ""
    parts = []
    known = getattr(field_labels, "choices", {})
    for name, change in details["changements"].items():
        label, choices = field_labels.get(name, name), known.get(name)
        parts.append(f"{label[:1].upper()}{label[1:]} : {value(change.get('avant'), choices)} → "
                     f"{value(change.get('après'), choices)}")
    return " — " + " ; ".join(parts)


def field_labels(*models: type[Model]) -> FieldLabels:
    """The French name of each field of ``models``, and the labels of their choices (a later model's
    name wins)."""
    fields = [f for model in models for f in model._meta.concrete_fields]
    return FieldLabels({f.name: str(f.verbose_name) for f in fields},
                       {f.name: {str(k): str(v) for k, v in f.flatchoices} for f in fields if f.choices})


# The trail's own types: refusals of access, signing in and out (``audit.receivers``), its checks.
register({
    "access.denied": "Accès refusé",
    "auth.login": "Connexion",
    "auth.logout": "Déconnexion",
    # One event per try, until the tries were counted per minute (audit.tallies): the trail keeps them.
    "auth.login_failed": "Échec de connexion",
    "auth.locked_out": "Connexion bloquée après des échecs répétés",
})
# The counts of a minute from one address (audit.tallies, audit.receivers).
TALLY = summary({"nombre": "nombre", "adresse": "adresse", "premier": "premier", "dernier": "dernier",
                 "identifiants_inconnus": "identifiants inconnus distincts"})
register({"auth.login_failures": "Échecs de connexion (décompte de la minute)",
          "auth.lockouts": "Connexions refusées pendant un blocage (décompte de la minute)"}, render=TALLY)
register({"job.run": "Tâche planifiée exécutée"},  # audit.jobs
         render=summary({"tâche": "tâche", "résultat": "résultat", "durée_s": "durée (s)"}))
register({"audit.verify": "Vérification de l'intégrité du journal"},
         render=summary({"vérifiés": "événements vérifiés", "intègre": "intègre", "durée_ms": "durée (ms)",
                         "message": "résultat"}))
register({"audit.checkpoint": "Point de contrôle signé"},
         render=summary({"rang": "événements", "racine": "racine de l'arbre", "empreinte": "empreinte", "clé": "clé",
                         "témoins": "cosigné par les témoins", "refus": "refus des témoins",
                         "établi": "établi (quorum de témoins atteint)"}))
register({"audit.archive": "Archivage des événements du journal passés leur durée de conservation"},  # audit.archives
         render=summary({"premier_rang": "premier rang", "dernier_rang": "dernier rang", "fichier": "archive",
                         "sha256": "empreinte SHA-256"}))
