"""The event types of the trail: each has a French label and, if it carries details worth reading,
a renderer of them, registered next to the actions that record it (``<app>/events.py``).

The recorder refuses a type nobody registered, so inspectors never read a raw code.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model


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
    """A detail's value in words: a choice by its label, a list or a mapping item by item, an absent
    value as ``EMPTY``."""
    if raw in (None, "", [], {}):
        return EMPTY
    if isinstance(raw, bool):
        return "oui" if raw else "non"
    if isinstance(raw, list):
        return ", ".join(_item(item, choices) for item in raw)
    if isinstance(raw, dict):
        return ", ".join(f"{key} : {_item(item, choices)}" for key, item in raw.items())
    return _item(raw, choices)


def _item(item: object, choices: dict[str, str] | None) -> str:
    return str(choices.get(item, item)) if choices and isinstance(item, str) else str(item)


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
         render=summary({"rang": "rang", "empreinte": "empreinte", "clé": "clé"}))
