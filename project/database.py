"""Two PostgreSQL roles: the owner, that migrations run as, and the application's, that owns nothing.

The owner of a table can drop its triggers or disable them; so the application must not connect as
the owner of the audit trail. ``migrate`` runs with the owner's ``DATABASE_URL``; after it, the
role named by ``DATABASE_RUNTIME_ROLE`` (the user of the application's own ``DATABASE_URL``) is
given what it needs and no more: it reads and writes the product's tables, but only reads and
appends to the audit trail and to the history tables, and it owns nothing, so it can neither
truncate them nor disable their triggers. See docs/security.md.
"""

from django.apps import apps
from django.conf import settings
from django.db import connections

from audit import sealer


def append_only_tables() -> list[str]:
    """The audit trail (events, seals and the Merkle tree's nodes) and every history table (django-simple-history's
    ``Historical*`` models)."""
    tables = [apps.get_model("audit", name)._meta.db_table for name in ("Event", "Seal", "TreeNode", "TrailArchive")]
    tables += sorted(m._meta.db_table for m in apps.get_models() if m.__name__.startswith("Historical"))
    return tables


def grant_runtime_privileges(connection, role: str) -> None:
    """Give ``role`` the application's rights on every table of the schema, the trail's and the
    histories' reduced to SELECT and INSERT, the seals' to SELECT, the sealers' turn's to none.
    Idempotent; run as the owner of the tables."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {quote(role)}")
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quote(role)}")
        cursor.execute(f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {quote(role)}")
        cursor.execute(f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {quote(role)}")
        for table in append_only_tables():
            cursor.execute(f"REVOKE UPDATE, DELETE ON {quote(table)} FROM {quote(role)}")
        for sealed in ("Seal", "TreeNode", "TrailArchive"):  # written by the sealing function, or archiving, only
            table = apps.get_model("audit", sealed)._meta.db_table
            cursor.execute(f"REVOKE INSERT ON {quote(table)} FROM {quote(role)}")
        cursor.execute(f"REVOKE ALL ON {quote(sealer.TURN_TABLE)} FROM {quote(role)}")


def after_migrate(sender, using: str, **kwargs) -> None:
    """After ``migrate`` on PostgreSQL by the owner: ``DATABASE_RUNTIME_ROLE`` gets its rights."""
    connection = connections[using]
    role = settings.DATABASE_RUNTIME_ROLE
    if sender.label != "audit" or connection.vendor != "postgresql" or not role:
        return  # once per migrate: every table exists when the first app hears it
    if role == connection.settings_dict["USER"]:
        return  # the owner itself: nothing to give
    grant_runtime_privileges(connection, role)
