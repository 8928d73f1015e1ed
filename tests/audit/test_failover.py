"""Failover without a false "cut": a checkpoint covers only what the standbys have received.

A simulated standby (``Standby``: WAL positions stand for the trail's ranks) runs on both databases:
behind, disconnected or unreadable, it gets no checkpoint over what it lacks; promoted after losing
the unreplicated tail, the trail it holds still verifies against every checkpoint. On PostgreSQL the
real ``pg_stat_replication`` is read, and with a real standby (``TEST_STANDBY_URL``, docs/deploy.md)
the checkpointed head is read back from the standby itself.
"""

import json
import os
import re
import time

import psycopg
import pytest
from django.core.management import CommandError
from django.db import connection

from audit import heads, replication, sealer
from audit.models import Event, Seal
from tests.audit.trail import record_events, run, tamper
from tests.project.test_settings import start


class Standby:
    """A streaming standby of the test's database, simulated: a WAL position is the trail's last rank,
    and the standby has flushed up to ``rank``; ``connected`` False, it left ``pg_stat_replication``."""

    name = "secours"

    def __init__(self) -> None:
        self.rank, self.connected, self.readable, self.catching_up = 0, True, True, False

    def position(self, using: str = "default") -> int:
        return sealer.head(using).seq

    def received(self, names: list[str], using: str = "default") -> dict[str, int | None]:
        assert names == [self.name]
        rank = self.rank
        if self.catching_up:  # it receives the rest while the checkpoint waits
            self.rank = self.position(using)
        if not self.connected:
            return {}
        return {self.name: rank if self.readable else None}

    def catch_up(self) -> None:
        self.rank = self.position()

    def promote(self) -> None:
        """The primary is lost: the standby, promoted, holds the trail up to the rank it had received."""
        lost = list(Seal.objects.filter(seq__gt=self.rank).values_list("event_id", flat=True))
        tamper("DELETE FROM audit_treenode WHERE ((\"index\" + 1) << level) > %s", [self.rank])
        tamper("DELETE FROM audit_seal WHERE seq > %s", [self.rank])
        tamper("DELETE FROM audit_event WHERE id >= %s", [min(lost)])


@pytest.fixture
def points(tmp_path, settings):
    settings.AUDIT_CHECKPOINT_FILE = str(tmp_path / "points.jsonl")
    settings.AUDIT_CHECKPOINT_EMAILS = []
    return tmp_path / "points.jsonl"


@pytest.fixture
def standby(settings, monkeypatch):
    settings.AUDIT_STANDBYS, settings.AUDIT_STANDBY_WAIT = [Standby.name], 0.2
    simulated = Standby()
    monkeypatch.setattr(replication, "position", simulated.position)
    monkeypatch.setattr(replication, "received", simulated.received)
    return simulated


def kept(points) -> list[int]:
    """The size of each checkpoint of the file."""
    return [heads.last_size(line)[0] for line in heads.read_checkpoints(str(points))]


def test_a_standby_behind_gets_no_checkpoint_over_what_it_lacks(db, points, standby):
    record_events(3)
    standby.catch_up()
    first, _ = heads.take_checkpoint()
    record_events(2)
    with pytest.raises(CommandError) as refused:
        run("audit_checkpoint")
    assert "« secours » a reçu le journal jusqu'à 0/3, le point couvrirait jusqu'à 0/5" in str(refused.value)
    assert "Rien n'a été signé" in str(refused.value)
    assert first.size == 3 and kept(points) == [3]
    assert not Event.objects.filter(action="audit.checkpoint").exists()


def test_a_standby_that_catches_up_within_the_wait_gets_the_whole_tree(db, points, standby):
    record_events(4)
    standby.catching_up = True
    checkpoint, _ = heads.take_checkpoint()
    assert checkpoint.size == 4 and kept(points) == [4]


@pytest.mark.parametrize("fault,said", [
    ("connected", "« secours » n'est pas connectée au serveur principal"),
    ("readable", "la position de « secours » n'est pas lisible par ce rôle (il lui faut pg_read_all_stats"),
])
def test_a_standby_gone_or_unreadable_is_named_and_nothing_is_signed(db, points, standby, fault, said):
    record_events(2)
    setattr(standby, fault, False)
    with pytest.raises(replication.NotReplicated, match=re.escape(said)):
        heads.take_checkpoint()
    assert not points.exists()


def test_after_a_failover_the_promoted_standby_verifies_against_every_checkpoint(db, points, standby, settings):
    record_events(3)
    standby.catch_up()
    run("audit_checkpoint")  # rank 3, and its own event, rank 4, which the standby does not receive
    record_events(2)
    with pytest.raises(CommandError):
        run("audit_checkpoint")
    standby.promote()
    assert Seal.objects.count() == 3
    assert "1 point de contrôle présent et inchangé" in run("verify_audit", "--checkpoint", str(points))
    # The promoted standby is the primary now, without a standby: the trail goes on from its rank 3.
    settings.AUDIT_STANDBYS = []
    record_events(2)
    run("audit_checkpoint")
    assert kept(points)[0] == 3 and kept(points)[1] > 3
    assert "2 points de contrôle présents et inchangés" in run("verify_audit", "--checkpoint", str(points))


def test_without_the_wait_a_failover_looks_like_a_cut_tail(db, points, standby, settings):
    """Why the wait: the same failover with the standbys unnamed gives a false "journal tronqué"."""
    settings.AUDIT_STANDBYS = []
    record_events(3)
    standby.catch_up()
    record_events(2)
    heads.take_checkpoint()
    standby.promote()
    with pytest.raises(CommandError, match="journal tronqué"):
        run("verify_audit", "--checkpoint", str(points))


def test_standbys_need_postgresql():
    result = start({"DEMO": "1", "DATABASE_URL": "sqlite:////tmp/inutile.sqlite3", "AUDIT_STANDBYS": "secours"})
    assert result.returncode != 0
    assert "AUDIT_STANDBYS" in result.stderr


@pytest.mark.postgresql
def test_the_primary_names_a_standby_it_does_not_stream_to(db, points, settings):
    settings.AUDIT_STANDBYS, settings.AUDIT_STANDBY_WAIT = ["absente"], 0
    record_events(2)
    with pytest.raises(replication.NotReplicated, match="« absente » n'est pas connectée au serveur principal"):
        heads.take_checkpoint()
    assert not points.exists()


@pytest.fixture
def real_standby():
    """A connection to a real streaming standby of the test database's cluster (``TEST_STANDBY_URL``)
    and its application_name; skipped without one."""
    url = os.environ.get("TEST_STANDBY_URL")
    if not url or connection.vendor != "postgresql":
        pytest.skip("pas de réplique en flux (TEST_STANDBY_URL=postgresql://…)")
    with psycopg.connect(url, dbname=connection.settings_dict["NAME"], autocommit=True) as standby:
        conninfo = standby.execute("SELECT setting FROM pg_settings WHERE name = 'primary_conninfo'").fetchone()[0]
        yield standby, psycopg.conninfo.conninfo_to_dict(conninfo)["application_name"]


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_real_standby_holds_the_checkpointed_head_as_soon_as_it_is_signed(points, settings, real_standby):
    standby, name = real_standby
    settings.AUDIT_STANDBYS = [name]
    record_events(5)
    checkpoint, _ = heads.take_checkpoint()
    received = standby.execute("SELECT pg_last_wal_receive_lsn()").fetchone()[0]
    deadline = time.monotonic() + 10  # replaying what it has received; the failover would replay it too
    while standby.execute("SELECT pg_last_wal_replay_lsn() < %s", [received]).fetchone()[0]:
        assert time.monotonic() < deadline, "la réplique ne rejoue pas ce qu'elle a reçu"
        time.sleep(0.05)
    chain_hash = standby.execute("SELECT hash FROM audit_seal WHERE seq = %s", [checkpoint.size]).fetchone()
    leaves = standby.execute("SELECT count(*) FROM audit_treenode WHERE level = 0").fetchone()[0]
    assert chain_hash and checkpoint.extensions[0] == f"chain {checkpoint.size} {chain_hash[0]}"
    assert leaves >= checkpoint.size
    assert json.loads(points.read_text())["note"].startswith(f"{settings.AUDIT_LOG_ORIGIN}\n{checkpoint.size}\n")
