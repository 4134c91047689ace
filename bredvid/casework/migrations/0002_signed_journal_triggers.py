"""A signed journal entry cannot change or disappear, even through raw SQL."""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION casework_refuse_signed_change() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'signed' THEN
        RAISE EXCEPTION USING
            MESSAGE = 'signed journal entries are immutable (' || TG_OP || ' refused)',
            ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER casework_journalentry_signed_immutable
    BEFORE UPDATE OR DELETE ON casework_journalentry
    FOR EACH ROW EXECUTE FUNCTION casework_refuse_signed_change();
"""
PG_REVERSE = """
DROP TRIGGER IF EXISTS casework_journalentry_signed_immutable ON casework_journalentry;
DROP FUNCTION IF EXISTS casework_refuse_signed_change();
"""
SQLITE_FORWARD = [
    """CREATE TRIGGER casework_journalentry_signed_no_update BEFORE UPDATE ON casework_journalentry
       WHEN OLD.status = 'signed'
       BEGIN SELECT RAISE(ABORT, 'signed journal entries are immutable (UPDATE refused)'); END;""",
    """CREATE TRIGGER casework_journalentry_signed_no_delete BEFORE DELETE ON casework_journalentry
       WHEN OLD.status = 'signed'
       BEGIN SELECT RAISE(ABORT, 'signed journal entries are immutable (DELETE refused)'); END;""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS casework_journalentry_signed_no_update;",
    "DROP TRIGGER IF EXISTS casework_journalentry_signed_no_delete;",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def reverse(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_REVERSE)
    elif vendor == "sqlite":
        for statement in SQLITE_REVERSE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("casework", "0001_initial")]
    operations = [migrations.RunPython(forward, reverse)]
