"""Index operations for the migrations of large tables: CONCURRENTLY on PostgreSQL, outside a transaction,
while the running release reads and writes the table (``tests/project/test_migrations.py``,
docs/releases.md); the plain operation elsewhere (SQLite: the demo and the tests), which has no such thing."""

from django.contrib.postgres import operations as postgres


class PostgreSQLConcurrently:
    """CONCURRENTLY on PostgreSQL, the plain operation on the other databases."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._plain_or_concurrent(schema_editor).database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self._plain_or_concurrent(schema_editor).database_backwards(app_label, schema_editor, from_state, to_state)

    def _plain_or_concurrent(self, schema_editor):
        # After this class in the order of bases: Django's concurrent operation, then its plain parent.
        postgresql = schema_editor.connection.vendor == "postgresql"
        return super(PostgreSQLConcurrently if postgresql else postgres.NotInTransactionMixin, self)


class AddIndexConcurrently(PostgreSQLConcurrently, postgres.AddIndexConcurrently):
    pass


class RemoveIndexConcurrently(PostgreSQLConcurrently, postgres.RemoveIndexConcurrently):
    pass
