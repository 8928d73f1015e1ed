"""Before/after values of a changed object, as the audit trail records them."""

from django.db import models

# Never copied into the audit trail, not even as a hash.
SECRET_FIELDS = {"password"}


def snapshot(instance: models.Model) -> dict:
    """The instance's concrete field values, as JSON-friendly values."""
    values = {}
    for f in instance._meta.concrete_fields:
        if f.name in SECRET_FIELDS:
            continue
        value = getattr(instance, f.attname)
        values[f.name] = value if value is None or isinstance(value, bool | int) else str(value)
    return values


def diff(before: dict, after: dict) -> dict:
    """The fields whose value changed, with ``avant`` and ``après``."""
    return {
        name: {"avant": before.get(name), "après": value}
        for name, value in after.items()
        if before.get(name) != value
    }


def _hidden(value: object) -> str:
    return "(vide)" if value in (None, "") else "(renseigné)"


def masked(changes: dict, fields: set[str]) -> dict:
    """``changes`` with the values of ``fields`` replaced by whether they were given: the trail
    says that a name or an address changed, never what it is (it outlives the data it is about)."""
    return {name: {"avant": _hidden(change["avant"]), "après": _hidden(change["après"])} if name in fields else change
            for name, change in changes.items()}


def concealed(values: dict, fields: set[str]) -> dict:
    """A ``snapshot`` with the values of ``fields`` replaced by whether they were given (``masked``'s
    rule for a whole object)."""
    return {name: _hidden(value) if name in fields else value for name, value in values.items()}
