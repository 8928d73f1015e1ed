"""The sealer's command: once, as a timer runs it, or as a service; and the unsealed window."""

import pytest
from django.core.management import CommandError

import audit
from audit import sealer
from audit.management.commands import seal_audit
from audit.models import Seal
from tests.audit.trail import run


def test_the_command_seals_and_says_what_waits(db):
    audit.record("test.un")
    audit.record("test.deux")
    assert sealer.unsealed().count == 2  # a test's transaction never commits: nothing sealed it yet
    assert run("seal_audit").strip() == "2 événements scellés ; 0 en attente."
    assert list(Seal.objects.values_list("seq", "event__action")) == [(1, "test.un"), (2, "test.deux")]
    assert run("seal_audit").startswith("0 événement scellé")


def test_as_a_service_it_seals_at_each_round(db, monkeypatch):
    rounds = []

    def sleep(seconds: float) -> None:
        rounds.append(seconds)
        if len(rounds) == 2:
            raise KeyboardInterrupt  # the service is stopped
        audit.record("test.deux")

    monkeypatch.setattr(seal_audit.time, "sleep", sleep)
    audit.record("test.un")
    with pytest.raises(KeyboardInterrupt):
        run("seal_audit", "--every", "0.5")
    assert rounds == [0.5, 0.5] and Seal.objects.count() == 2


@pytest.mark.parametrize("every", ["0", "-1"])
def test_a_service_needs_a_positive_interval(db, every):
    with pytest.raises(CommandError, match="positif"):
        run("seal_audit", "--every", every)
