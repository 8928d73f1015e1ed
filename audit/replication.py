"""A checkpoint never covers what the standbys have not received, so that a failover loses none of it.

With streaming replication, a transaction committed on the primary reaches the standby a moment
later. Were the primary lost in between, the promoted standby would lack the last events, and a
checkpoint signed over them would then make ``verify_audit`` report a cut tail that nobody made (a
false "journal tronqué"), and the witnesses would refuse every later checkpoint of the smaller tree.

So, when ``AUDIT_STANDBYS`` names the standbys that may be promoted (their ``application_name``),
the checkpoint reads the tree it signs, then the primary's WAL insert position, and waits (at most
``AUDIT_STANDBY_WAIT_S``) until each named standby's ``flush_lsn`` in ``pg_stat_replication`` passes
that position: every seal, tree node and event it covers is then on the standby's disk, and a
promotion replays it. A standby that stays behind, or is not connected, makes the checkpoint
refused with a French message and nothing signed; the hourly timer tries again, and ``/health/``
shows the checkpoint's age meanwhile.

Why this and not only synchronous replication (``synchronous_standby_names``): the sealer commits
its seals with ``synchronous_commit`` off (a lost seal is made again from the events, audit.sealer),
so those never wait for a standby; a commit whose wait for the standby is cancelled is still committed
on the primary; and many managed databases replicate asynchronously. Waiting for the position holds
in every case, and costs nothing when the replication is synchronous. Why not sign a smaller tree
that the standby does hold instead of refusing: PostgreSQL does not keep the WAL position of each
commit, so knowing which rank a past position covered would cost a write at every seal; a standby
that is minutes behind is a fault the operator must see.

Without ``AUDIT_STANDBYS`` (SQLite, the demo, CI, a single PostgreSQL) nothing changes.
"""

import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

POLL_SECONDS = 0.05


class NotReplicated(Exception):
    """A standby lacks part of what the checkpoint would cover: nothing is signed."""


def position(using: str = DEFAULT_DB_ALIAS) -> int:
    """The primary's WAL insert position, in bytes: it covers every commit this session has seen."""
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint")
        value: int = cursor.fetchone()[0]
        return value


def received(names: list[str], using: str = DEFAULT_DB_ALIAS) -> dict[str, int | None]:
    """The position up to which each connected standby of ``names`` has flushed the WAL to its disk;
    a standby missing from the answer is not connected, ``None`` means the role may not read it."""
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT application_name, max((flush_lsn - '0/0'::pg_lsn)::bigint) FROM pg_stat_replication "
                       "WHERE application_name = ANY(%s) GROUP BY application_name", [names])
        return dict(cursor.fetchall())


def ensure_received(using: str = DEFAULT_DB_ALIAS) -> None:
    """Return once every standby of ``AUDIT_STANDBYS`` holds what this session has read so far
    (at once when none is named); raise ``NotReplicated`` after ``AUDIT_STANDBY_WAIT_S`` otherwise."""
    names = settings.AUDIT_STANDBYS
    if not names:
        return
    target = position(using)
    deadline = time.monotonic() + settings.AUDIT_STANDBY_WAIT
    while True:
        flushed = received(names, using)
        behind = [name for name in names if name not in flushed or (flushed[name] or -1) < target]
        if not behind:
            return
        if time.monotonic() >= deadline:
            raise NotReplicated(_refusal(behind, flushed, target))
        time.sleep(POLL_SECONDS)


def _refusal(behind: list[str], flushed: dict[str, int | None], target: int) -> str:
    reasons = []
    for name in behind:
        if name not in flushed:
            reasons.append(f"« {name} » n'est pas connectée au serveur principal")
        elif flushed[name] is None:
            reasons.append(f"la position de « {name} » n'est pas lisible par ce rôle (il lui faut "
                           "pg_read_all_stats, voir docs/deploy.md)")
        else:
            reasons.append(f"« {name} » a reçu le journal jusqu'à {_lsn(flushed[name] or 0)}, "
                           f"le point couvrirait jusqu'à {_lsn(target)}")
    return ("La réplique n'a pas reçu tout ce que couvrirait le point de contrôle : " + " ; ".join(reasons)
            + f" (attente de {settings.AUDIT_STANDBY_WAIT:g} s). Rien n'a été signé : une bascule sur elle "
            "perdrait des événements du point. Vérifiez la réplication (pg_stat_replication), ou retirez "
            "d'AUDIT_STANDBYS une réplique abandonnée.")


def _lsn(value: int) -> str:
    """A WAL position as PostgreSQL writes it (``0/16B3748``)."""
    return f"{value >> 32:X}/{value & 0xFFFFFFFF:X}"
