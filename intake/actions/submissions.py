"""A signalement sent by a source's service account, through the same entry point as the intake form.

The account's right is the intake's own (``IntakeRight.SUBMIT``: a usable account, its département's
cellule); the case's entry point, whose right is the coordinators', then runs as ``policy.SYSTEM``,
the way the operator's commands do, and the trail names the account (``audit.acting(label=...)``,
set by the API for the whole call).

The same young person already followed in the département (a certain match of ``cases.matching``:
same names once normalised, same birth date) gets the signalement recorded on their open case
(``add_signalement``), whose référent is told, or, their cases closed, a new case on the same person.
The source is answered what it sent and its own signalement's state (``SignalementState``), the same
whether the young person was followed or not: whether a named minor is followed, by whom, under which
reference, is not a source's to learn.

A retried call makes no second case: the first answer is kept (``Submission``) and given again,
found by the ``Idempotency-Key`` header or by the source's reference. The submission's row is
written first, in the transaction that makes the case: a concurrent twin waits on its unique
constraint until this one commits, fails on it, and replays this answer.
"""

import hashlib
import json
from collections.abc import Callable
from typing import cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from cases import matching
from cases.actions.intake import add_signalement, intake
from cases.models import Relative, State
from intake.models import ServiceAccount, SignalementState, Submission
from intake.problems import Problem, from_validation_error, pointer
from intake.rules import IntakeRight
from organisation import policy

PERSON_FIELDS = {"last_name", "first_name", "birth_date", "sex", "commune", "address", "situation"}


def _digest(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


# The answer to a send: the source's own reference, and where to read its signalement's state.
ANSWER = ("source_reference", "url")


def submit(account: ServiceAccount, payload: dict, idempotency_key: str = "", *,
           absolute: Callable[[str], str]) -> tuple[int, dict, Submission]:
    """Register the signalement (``payload``: ``schemas.SignalementIn`` as a dict), or give the answer
    already given to the same one. Returns the status, the body and the submission (whose case the
    trail names); raises ``Problem`` otherwise."""
    cell = account.departement.cell
    policy.require(account, IntakeRight.SUBMIT, cell)
    fingerprint = _digest(payload)
    previous = _previous(account, payload["source_reference"], idempotency_key)
    if previous is not None:
        return _replay(previous, fingerprint, idempotency_key)
    _validate_relatives(payload["relatives"])
    try:
        with transaction.atomic():
            submission = Submission.objects.create(
                account=account, source=account.source, departement=account.departement,
                source_reference=payload["source_reference"], idempotency_key=idempotency_key,
                payload_digest=fingerprint)
            young = payload["young_person"]
            candidates = matching.find_candidates(account.departement, last_name=young["last_name"],
                                                  first_name=young["first_name"], birth_date=young["birth_date"])
            known = next((c for c in candidates if c.certain), None)
            if known is not None and known.case.state != State.CLOSED:
                # the same young person, followed: the signalement goes on their open case
                add_signalement(policy.SYSTEM, known.case, source=account.source, received_on=payload["received_on"],
                                facts=payload["facts"], orientation_note=payload["orientation_note"],
                                source_reference=payload["source_reference"])
                case = known.case
            else:  # a new case: on the same young person when already known, their earlier cases closed
                case = intake(policy.SYSTEM, cell, source=account.source, received_on=payload["received_on"],
                              facts=payload["facts"], orientation_note=payload["orientation_note"],
                              person=known.person if known is not None else young,
                              relatives=payload["relatives"], source_reference=payload["source_reference"])
            body = {"source_reference": submission.source_reference, "url": absolute(
                reverse("intake_api:status", kwargs={"source_reference": submission.source_reference}))}
            submission.case, submission.status_code, submission.response = case, 201, body
            submission.save(update_fields=["case", "status_code", "response"])
    except ValidationError as error:
        raise from_validation_error(error, _places()) from None
    except IntegrityError:
        previous = _previous(account, payload["source_reference"], idempotency_key)
        if previous is None:
            raise
        return _replay(previous, fingerprint, idempotency_key)
    return 201, body, submission


def status_of(account: ServiceAccount, source_reference: str) -> Submission:
    """A signalement this source sent to this département (whichever of its accounts sent it)."""
    submission = Submission.objects.select_related("case").filter(
        departement=account.departement, source=account.source, source_reference=source_reference).first()
    if submission is None:
        raise Problem(404, "Aucun signalement de cette source ne porte cette référence.", kind="introuvable")
    return submission


def state_of(submission: Submission) -> dict:
    """What the source reads of its signalement (``schemas.StatusOut``)."""
    state = submission.state
    return {"source_reference": submission.source_reference, "state": state, "state_label": state.label,
            "registered_at": submission.created_at,
            "closed_on": submission.case.closed_on if submission.case and state == SignalementState.CLOSED else None}


def _previous(account: ServiceAccount, source_reference: str, key: str) -> Submission | None:
    """The first send of this signalement: by the key first (a key reused for another signalement is
    the caller's mistake to name), then by the source's reference."""
    if key and (found := Submission.objects.filter(account=account, idempotency_key=key).first()):
        return found
    return Submission.objects.filter(departement=account.departement, source=account.source,
                                     source_reference=source_reference).first()


def _replay(previous: Submission, fingerprint: str, key: str) -> tuple[int, dict, Submission]:
    """The first answer again (of it, what an answer holds now: one kept before said more)."""
    if previous.payload_digest == fingerprint:
        answer = cast(dict, previous.response)  # kept with the first answer, in its transaction
        return cast(int, previous.status_code), {name: answer[name] for name in ANSWER}, previous
    if key and previous.idempotency_key == key:
        raise Problem(422, "Cette clé d'idempotence a déjà servi pour une autre requête : une nouvelle requête "
                           "prend une nouvelle clé.", kind="idempotence")
    raise Problem(409, f"Le signalement de référence {previous.source_reference} a déjà été reçu, avec un autre "
                       "contenu. Un complément passe par la cellule.", kind="deja-recu")


def _validate_relatives(relatives: list[dict]) -> None:
    """Each relative by the model's own rules before the entry point (which checks them too), so that
    an error names which relative it is about."""
    errors = []
    for index, values in enumerate(relatives):
        try:
            Relative(**values).full_clean(exclude=["family"])
        except ValidationError as error:
            errors += [{"pointer": pointer("relatives", index, field), "detail": message}
                       for field, messages in error.message_dict.items() for message in messages]
    if errors:
        raise Problem(422, "Le signalement n'a pas été enregistré : voir chaque champ.", kind="validation",
                      errors=errors)


def _places() -> dict[str, tuple]:
    """Where the entry point's fields are in the request body."""
    return {field: ("young_person", field) for field in PERSON_FIELDS} | {"source": ()}

