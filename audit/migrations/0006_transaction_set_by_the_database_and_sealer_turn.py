"""What the application's role inserts can no longer steer the sealer (docs/security.md).

- Each event's transaction id is written by the database (``pg_current_xact_id()``), whatever the
  inserter gave: an event dated in a far-future transaction, or in none, was never sealed and held
  /health/ at 503 for good. The trigger's search path is fixed: no object of the inserter's session
  (a temporary type named ``text``) stands for the catalog's.
- The sealers' turn: one row, locked by the sealing function (``audit.sealer``) to keep a second
  sealer out without waiting. The application's role gets no right on it (``project.database``), so
  it can never hold the turn, where any role could take the advisory lock used before.
"""

from collections.abc import Callable

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

INSTALL = """
CREATE OR REPLACE FUNCTION audit_event_own_transaction() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    NEW.txid := pg_current_xact_id()::text::bigint;
    RETURN NEW;
END;
$$;
CREATE TRIGGER audit_event_own_transaction BEFORE INSERT ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_event_own_transaction();
CREATE TABLE audit_sealer_turn (id smallint PRIMARY KEY CHECK (id = 1));
INSERT INTO audit_sealer_turn VALUES (1);
"""

REMOVE = """
DROP TABLE IF EXISTS audit_sealer_turn;
DROP TRIGGER IF EXISTS audit_event_own_transaction ON audit_event;
DROP FUNCTION IF EXISTS audit_event_own_transaction();
"""


def run(sql: str) -> Callable[[Apps, BaseDatabaseSchemaEditor], None]:
    def operation(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql)

    return operation


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_checks_and_checkpoints")]

    operations = [migrations.RunPython(run(INSTALL), run(REMOVE))]
