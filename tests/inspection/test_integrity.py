"""The integrity page: "Vérifier maintenant" re-computes the last links of the chain, bounded, and the
check is recorded with its result and duration; the time and result of the last check are shown."""

import datetime
import re

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

import audit
from audit import attestation, events, sealer
from audit.models import Event
from inspection import actions as inspection
from organisation.policy import AccessDenied
from tests.audit.trail import copy_event, tamper

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it


def sealed_events(count: int) -> list[Event]:
    for _ in range(count):
        audit.record("auth.login", departement="93")
    sealer.seal()
    return list(Event.objects.filter(seal__isnull=False).order_by("seal__seq"))


def test_a_check_on_demand_is_bounded_and_recorded_with_its_result_and_duration(personas, monkeypatch):
    monkeypatch.setattr(inspection, "RECENT", 5)
    trail = sealed_events(8)
    # An old event rewritten: outside the last five links, the check on demand does not re-compute it.
    tamper("UPDATE audit_event SET departement = %s WHERE id = %s", ["69", trail[0].pk])
    result = inspection.verify_now(personas.inspector)
    assert result["intègre"] and result["vérifiés"] == 5 and result["durée_ms"] >= 0
    check = Event.objects.filter(action="audit.verify").latest("id")
    assert check.actor == personas.inspector and {**check.details, "preuve": ""} == {**result, "preuve": ""}
    assert attestation.proven(check)
    assert "durée (ms)" in events.describe(check.action, check.details)
    # A recent one rewritten: named.
    tamper("UPDATE audit_event SET departement = %s WHERE id = %s", ["69", trail[-1].pk])
    result = inspection.verify_now(personas.inspector)
    assert not result["intègre"] and f"#{trail[-1].pk}" in result["message"]


@pytest.mark.parametrize("name", ["coord_a", "national", "admin"])
def test_only_an_inspector_on_mandate_checks_on_demand(personas, name):
    with pytest.raises(AccessDenied):
        inspection.verify_now(getattr(personas, name))
    assert not Event.objects.filter(action="audit.verify").exists()


def test_the_page_shows_the_last_check_and_offers_one_now(client, personas):
    sealed_events(3)
    inspection.verify_now(personas.inspector)
    client.force_login(personas.inspector)
    page = " ".join(client.get(reverse("inspection:integrity")).content.decode().split())
    assert "Vérifier maintenant" in page and '<form method="post" class="fr-mb-3w" id="verify-now">' in page
    assert "Chaîne intègre" in page and f"par {personas.inspector.username}" in page
    assert re.search(r"\d+ événements vérifiés en \d+ ms", page)


def test_an_inspector_checks_now_through_the_page(client, personas):
    sealed_events(3)
    client.force_login(personas.inspector)
    response = client.post(reverse("inspection:integrity"), follow=True)
    assert "Journal d&#x27;audit intègre sur ses" in response.content.decode()
    assert Event.objects.filter(action="audit.verify", actor=personas.inspector).count() == 1


def page_of(client, user) -> str:
    client.force_login(user)
    return " ".join(client.get(reverse("inspection:integrity")).content.decode().split())


def test_a_copy_of_a_successful_check_does_not_hide_a_failure(client, personas, intruder):
    trail = sealed_events(3)
    inspection.verify_now(personas.inspector)
    success = Event.objects.get(action="audit.verify")
    tamper("UPDATE audit_event SET departement = %s WHERE id = %s", ["69", trail[-1].pk])
    assert not inspection.verify_now(personas.inspector)["intègre"]
    with intruder:
        copy_event(success, timezone.now() + datetime.timedelta(minutes=1))  # as if checked after the failure
        copy_event(success)  # or exactly as it was
    page = page_of(client, personas.inspector)
    assert "Chaîne altérée" in page and "Chaîne intègre" not in page
    assert "1 vérification sans preuve" in page  # the copy dated after the failure is named as such


def test_a_made_up_check_of_any_shape_is_named_and_never_believed(client, personas, intruder):
    sealed_events(2)
    inspection.verify_now(personas.inspector)
    with intruder, connection.cursor() as cursor:
        for details in ('{"intègre": true, "vérifiés": 2, "preuve": "abc"}', '[1, 2]', '"intègre"'):
            cursor.execute("INSERT INTO audit_event (time, actor_label, actor_role, actor_cell, request_id, action, "
                           "object_type, object_id, departement, details) VALUES (%s, 'verify_audit', '', '', '', "
                           "'audit.verify', '', '', '', %s)",
                           [connection.ops.adapt_datetimefield_value(timezone.now()), details])
    page = page_of(client, personas.inspector)
    assert "3 vérifications sans preuve" in page and "Chaîne intègre" in page
    assert f"par {personas.inspector.username}" in page


def test_the_page_says_which_witnesses_cosigned_each_checkpoint(client, personas):
    signed = {"racine": "ab", "clé": "journal", "quorum": 2}
    with audit.acting(label="audit_checkpoint"):
        audit.record("audit.checkpoint", proven=True, details={**signed, "rang": 4, "témoins": ["inspection", "dpo"],
                                                               "refus": {}, "établi": True})
        audit.record("audit.checkpoint", proven=True, details={**signed, "rang": 9, "témoins": ["inspection"],
                                                               "refus": {"dpo": "injoignable"}, "établi": False})
    page = page_of(client, personas.inspector)
    assert "1 point de contrôle sans le quorum de témoins" in page
    assert ('<td data-label="Événements">9</td> <td data-label="Témoins cosignataires">inspection '
            "<br>dpo n'a pas cosigné : injoignable</td>") in page
    assert "quorum non atteint (1 sur 2)" in page
    assert ('<td data-label="Événements">4</td> <td data-label="Témoins cosignataires">inspection, dpo </td> '
            '<td data-label="Statut">établi</td>') in page
    unestablished = Event.objects.filter(action="audit.checkpoint", details__rang=9).get()
    assert events.describe(unestablished.action, unestablished.details).endswith(
        "cosigné par les témoins : inspection ; refus des témoins : dpo : injoignable ; "
        "établi (quorum de témoins atteint) : non")
