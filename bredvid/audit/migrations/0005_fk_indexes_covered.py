"""Drop the foreign keys' own indexes on the audit log: audit_muni_time and audit_actor_time start with
the same columns and serve the same look-ups (and PROTECT's check), and each index is one more write per
event.

Only the indexes go. Letting Django alter the fields would drop and re-add both foreign-key constraints
on PostgreSQL, re-checking every event under a lock, and rebuild the table on SQLite (dropping its
append-only triggers).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

INDEXES = {  # Django's names for the two indexes (the same on PostgreSQL and SQLite)
    "audit_auditevent_actor_id_270bb4b7": "actor_id",
    "audit_auditevent_municipality_id_7e44d31c": "municipality_id",
}


def drop_indexes(apps, schema_editor):
    for name in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def create_indexes(apps, schema_editor):
    for name, column in INDEXES.items():
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "audit_auditevent" ("{column}")')


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0004_fewer_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent",
                    name="actor",
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="municipality",
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="tenancy.municipality"),
                ),
            ],
            database_operations=[migrations.RunPython(drop_indexes, create_indexes)],
        ),
    ]
