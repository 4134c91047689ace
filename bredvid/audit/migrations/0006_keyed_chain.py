"""The keyed chain (ADR 0008): each event gets the HMAC of its hash and the id of the key; audit_append() goes.

The columns are added with plain SQL (the same on PostgreSQL and SQLite): Django would rebuild the table
on SQLite to add a column with a default, which drops its append-only triggers. Existing events get an
empty MAC and key id: they were written before keys were introduced.

audit_append() computed the hash in the database; the MAC there would need the key in every statement,
visible to whoever can watch the database's activity and logs, so hash and MAC are now computed in
Python within the same locked transaction and the function is dropped.
"""

import importlib

from django.db import migrations, models

_0003_sql = importlib.import_module("bredvid.audit.migrations.0003_audit_append_function")

ADD_COLUMNS = [
    "ALTER TABLE audit_auditevent ADD COLUMN mac varchar(64) DEFAULT '' NOT NULL",
    "ALTER TABLE audit_auditevent ADD COLUMN key_id varchar(16) DEFAULT '' NOT NULL",
]
DROP_COLUMNS = "ALTER TABLE audit_auditevent DROP COLUMN mac, DROP COLUMN key_id"


def add_column(apps, schema_editor):
    for statement in ADD_COLUMNS:
        schema_editor.execute(statement)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_0003_sql.REVERSE)


def drop_column(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_0003_sql.FORWARD)
        schema_editor.execute(DROP_COLUMNS)
    else:
        raise RuntimeError("SQLite cannot drop the column without rebuilding the append-only table")


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_fk_indexes_covered")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="auditevent",
                    name="mac",
                    field=models.CharField(default="", editable=False, max_length=64),
                ),
                migrations.AddField(
                    model_name="auditevent",
                    name="key_id",
                    field=models.CharField(default="", editable=False, max_length=16),
                ),
            ],
            database_operations=[migrations.RunPython(add_column, drop_column)],
        ),
    ]
