"""The inspection's one write: a check of the trail's integrity on demand, itself an event of the trail."""

import time

from django.db import transaction

import audit
from audit import chain, sealer, verification
from audit.models import Seal
from inspection.rules import InspectionRight
from organisation import policy
from organisation.policy import Actor
from ui.french import count, number

# A check on demand re-computes the last RECENT links of the chain: on PostgreSQL about a second at
# national size; the whole chain is re-computed each night by ``verify_audit`` (docs/security.md).
RECENT = 100_000


def verify_now(actor: Actor) -> dict:
    """Seal what can be, re-compute the last ``RECENT`` links of the chain from the stored hash before
    them, and record the check (``audit.verify``, proven: ``audit.attestation``) with its result and
    duration; its details."""
    if not policy.scope(actor).mandates:
        raise policy.AccessDenied(actor, InspectionRight.VIEW_AUDIT)
    started = time.monotonic()
    sealer.seal()
    first = max(1, sealer.head().seq - RECENT + 1)
    before = Seal.objects.filter(seq__lt=first).order_by("-seq").values_list("seq", "hash").first()
    result = verification.verify(first, *(before or (0, chain.GENESIS)), strays=False)
    if result.ok:
        checked = ("son dernier événement" if result.verified == 1
                   else f"ses {number(result.verified)} derniers événements")
        message = f"Journal d'audit intègre sur {checked} (rangs {number(first)} à {number(result.last_seq)})."
    else:
        message = (f"Journal d'audit altéré après {count(result.verified, 'événement vérifié', 'événements vérifiés')} "
                   f"depuis le rang {number(first)} : première rupture à l'{result.broken}.")
    details = {"vérifiés": result.verified, "premier_rang": first, "dernier_rang": result.last_seq,
               "intègre": result.ok, "durée_ms": round((time.monotonic() - started) * 1000),
               "message": message[:500], "mode": "à la demande"}
    with transaction.atomic():
        audit.record("audit.verify", actor=actor, details=details, proven=True)
    return details
