"""The event types of the trail: each has a French label and, if it carries details worth reading,
a renderer of them, registered next to the actions that record it (``<app>/events.py``).

The recorder refuses a type nobody registered, so inspectors never read a raw code.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured


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


def describe(action: str, details: dict) -> str:
    """The event in words: its label, then its details as its registration renders them."""
    event_type = _TYPES.get(action)
    if event_type is None:
        return action
    rendered = event_type.render(details or {}) if event_type.render else ""
    return event_type.label + rendered


def _value(value) -> str:
    if value in (None, "", [], {}):
        return "∅"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, bool):
        return "oui" if value else "non"
    return str(value)


def summary(captions: dict[str, str]) -> Callable[[dict], str]:
    """A renderer of the details named in ``captions`` (``{key: French caption}``), in that order."""

    def render(details: dict) -> str:
        parts = [f"{caption} : {_value(details[key])}" for key, caption in captions.items() if key in details]
        return f" — {' ; '.join(parts)}" if parts else ""

    return render


def changes(details: dict, field_labels: dict[str, str]) -> str:
    """The ``changements`` of an edit (``audit.changes.diff``), field by field, before → after."""
    if not details.get("changements"):
        return ""
    parts = []
    for name, change in details["changements"].items():
        label = field_labels.get(name, name)
        parts.append(f"{label[:1].upper()}{label[1:]} : {_value(change.get('avant'))} → {_value(change.get('après'))}")
    return " — " + " ; ".join(parts)


def field_labels(*models) -> dict[str, str]:
    """The French name of each field of ``models`` (a later model's name wins)."""
    return {f.name: str(f.verbose_name) for model in models for f in model._meta.concrete_fields}


# The trail's own types: refusals of access, signing in and out (``audit.signals``), its checks.
register({
    "access.denied": "Accès refusé",
    "auth.login": "Connexion",
    "auth.logout": "Déconnexion",
    "auth.login_failed": "Échec de connexion",
    "auth.locked_out": "Connexion bloquée après des échecs répétés",
})
register({"audit.verify": "Vérification de l'intégrité du journal"},
         render=summary({"vérifiés": "événements vérifiés", "intègre": "intègre", "message": "résultat"}))
register({"audit.checkpoint": "Point de contrôle signé"},
         render=summary({"rang": "rang", "empreinte": "empreinte", "clé": "clé"}))
