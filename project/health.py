"""``/health/``: what the reverse proxy and the monitoring ask, without a login and
without a single personal value: the database answers, every migration is applied, the audit trail is
sealed (the unsealed window's size and age), the e-mail queue (messages waiting, how long the oldest
due one has waited, failed ones), and the age of the last checkpoint and verification (those the
application proves, ``audit.attestation``).

It answers 200 when the product can serve, 503 otherwise (the database unreachable, migrations
pending, events left unsealed longer than ``HEALTH_UNSEALED_SECONDS``, or an e-mail due for longer
than ``HEALTH_QUEUE_SECONDS``: the worker or the mail server is down); the JSON says which.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from audit import attestation, sealer
from outbox.queue import backlog

_migrated = False  # once every migration is applied, it stays so until the next deployment restarts us


def _migrations_applied() -> bool:
    global _migrated  # noqa: PLW0603 (a per-process memo of a fact that only a restart changes)
    if not _migrated:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        _migrated = not executor.migration_plan(executor.loader.graph.leaf_nodes())
    return _migrated


def _age(action: str) -> float | None:
    """Since when the last check of this kind that the application proves (``audit.attestation``): a
    record anyone could insert into the trail, dated now, does not make an old check look fresh."""
    last = attestation.last_proven(attestation.recent(action))
    return round((timezone.now() - last.time).total_seconds()) if last else None


@login_not_required
@never_cache
@require_GET
def health(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        migrated = _migrations_applied()
        window = sealer.unsealed()
        queue = backlog()
    except DatabaseError:
        return JsonResponse({"etat": "indisponible", "base_de_donnees": False}, status=503)
    state = {
        "base_de_donnees": True,
        "migrations_appliquees": migrated,
        "journal_non_scelle": {"evenements": window.count, "age_s": round(window.age_seconds)},
        "file_courriels": {"en_attente": queue.pending, "age_s": round(queue.oldest_due_seconds),
                           "en_echec": queue.failed},
        "dernier_point_de_controle_age_s": _age("audit.checkpoint"),
        "derniere_verification_age_s": _age("audit.verify"),
    }
    healthy = (migrated and window.age_seconds <= settings.HEALTH_UNSEALED_SECONDS
               and queue.oldest_due_seconds <= settings.HEALTH_QUEUE_SECONDS)
    return JsonResponse({"etat": "ok" if healthy else "degrade", **state}, status=200 if healthy else 503)
