"""``/health/`` (issue 17, item 4): what the reverse proxy and the monitoring ask, without a login and
without a single personal value: the database answers, every migration is applied, the audit trail is
sealed (the unsealed window's size and age), and the age of the last checkpoint and verification.

It answers 200 when the product can serve, 503 otherwise (the database unreachable, migrations
pending, or events left unsealed longer than ``HEALTH_UNSEALED_SECONDS``); the JSON says which.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from audit import sealer
from audit.models import Event

_migrated = False  # once every migration is applied, it stays so until the next deployment restarts us


def _migrations_applied() -> bool:
    global _migrated  # noqa: PLW0603 (a per-process memo of a fact that only a restart changes)
    if not _migrated:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        _migrated = not executor.migration_plan(executor.loader.graph.leaf_nodes())
    return _migrated


def _age(action: str) -> float | None:
    last = Event.objects.filter(action=action).order_by("-time").values_list("time", flat=True).first()
    return round((timezone.now() - last).total_seconds()) if last else None


@login_not_required
@never_cache
@require_GET
def health(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        migrated = _migrations_applied()
        window = sealer.unsealed()
    except DatabaseError:
        return JsonResponse({"etat": "indisponible", "base_de_donnees": False}, status=503)
    state = {
        "base_de_donnees": True,
        "migrations_appliquees": migrated,
        "journal_non_scelle": {"evenements": window.count, "age_s": round(window.age_seconds)},
        "dernier_point_de_controle_age_s": _age("audit.checkpoint"),
        "derniere_verification_age_s": _age("audit.verify"),
    }
    healthy = migrated and window.age_seconds <= settings.HEALTH_UNSEALED_SECONDS
    return JsonResponse({"etat": "ok" if healthy else "degrade", **state}, status=200 if healthy else 503)
