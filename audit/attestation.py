"""The trail's records of its own checks, proven: what the integrity page and /health/ believe.

The application's database role may append any event, a copy of a successful ``audit.verify``
included, dated as it likes. So the checks shown to inspectors and to the monitoring are only those
whose event carries a proof that the application wrote it: an HMAC of the event's columns, its time
among them (``audit.chain.canonical``), keyed by ``SECRET_KEY`` (Django's signing, which also
accepts ``SECRET_KEY_FALLBACKS``), a key the database never holds. A copy dated anew fails the proof;
an exact copy keeps its original time, so it never passes for a later check. An event without a valid
proof is shown as such and never counted. What this proves, and what it does not (whoever holds the
application's secret key can still write any check), is in docs/security.md.
"""

from dataclasses import dataclass

from django.core import signing

from audit import chain
from audit.models import Event

SALT = "audit.attestation"
PROOF = "preuve"
# How many of the last records of a check are read to find the last proven one: a flood of made-up
# records beyond that hides the checks (the page then says so), it never passes for one.
WINDOW = 20


def prove(event: dict) -> dict:
    """The event's details with its proof added (``event``: the columns the recorder writes)."""
    return {**event["details"], PROOF: _signer().signature(chain.canonical(event))}


def proven(event: Event) -> bool:
    """Whether the stored event carries the proof of exactly what it holds."""
    if not isinstance(event.details, dict) or not isinstance(event.details.get(PROOF), str):
        return False  # a record written by hand may hold any JSON
    details = dict(event.details)
    proof = details.pop(PROOF)
    values = {name: getattr(event, name) for name in chain.FIELDS} | {"details": details}
    try:
        _signer().unsign(f"{chain.canonical(values)}{_signer().sep}{proof}")
    except signing.BadSignature:
        return False
    return True


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT)


@dataclass
class Check:
    """One record of a check, and whether it is proven."""

    event: Event
    proven: bool

    @property
    def details(self) -> dict:
        return self.event.details if isinstance(self.event.details, dict) else {}


def recent(action: str, count: int = WINDOW) -> list[Check]:
    """The last ``count`` records of ``action`` (``audit.verify``, ``audit.checkpoint``), newest first."""
    events = Event.objects.filter(action=action).order_by("-time", "-id")[:count]
    return [Check(event, proven(event)) for event in events]


def last_proven(checks: list[Check]) -> Event | None:
    return next((check.event for check in checks if check.proven), None)
