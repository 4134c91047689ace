"""PostgreSQL: the runtime role set up by docs/sql/app_role.sql cannot rewrite the audit log.

The test creates the role inside the test's transaction (rolled back at the end), runs the documented
SQL file as the owner (the test connection owns the tables), then acts as the role with SET ROLE."""

import re
import uuid
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction

from bredvid.audit.models import Action, AuditEvent
from bredvid.audit.services import record, verify_all

pytestmark = pytest.mark.postgres
SQL_FILE = Path(__file__).resolve().parents[2] / "docs" / "sql" / "app_role.sql"


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("database roles and grants are PostgreSQL's (SQLite has none)")


def app_role_statements(role: str) -> list[str]:
    """The file's statements with psql's :"app_role" replaced by the quoted role name."""
    text = "\n".join(line for line in SQL_FILE.read_text().splitlines() if not line.startswith("--"))
    text = text.replace(':"app_role"', f'"{role}"')
    assert ":" not in re.sub(r"'[^']*'", "", text), "every psql variable is substituted"
    return [statement.strip() for statement in text.split(";") if statement.strip()]


@pytest.fixture
def app_role(world):  # type: ignore[no-untyped-def]
    role = f"bredvid_app_test_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f'CREATE ROLE "{role}" NOLOGIN')
        for statement in app_role_statements(role):
            cursor.execute(statement)
        cursor.execute(f'SET ROLE "{role}"')
    try:
        yield role
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


def _refused(sql: str, message: str) -> None:
    with pytest.raises(DatabaseError, match=message), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)


def test_app_role_cannot_drop_triggers_or_rewrite_the_log(world, app_role) -> None:  # type: ignore[no-untyped-def]
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == app_role
    event = record(action=Action.VIEW, tenant=world.tenant("caseworker"), object_type="x", object_id="1")
    assert event is not None
    assert AuditEvent.objects.filter(pk=event.pk).exists()  # the normal audit path works as the role

    _refused("DROP TRIGGER audit_auditevent_append_only ON audit_auditevent", "must be owner")
    _refused("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only", "must be owner")
    _refused("DROP TRIGGER casework_journalentry_signed_immutable ON casework_journalentry", "must be owner")
    _refused(f"UPDATE audit_auditevent SET reason = 'cover-up' WHERE id = {event.pk}", "permission denied")
    _refused(f"DELETE FROM audit_auditevent WHERE id = {event.pk}", "permission denied")
    _refused("TRUNCATE audit_auditevent", "permission denied")
    _refused("DELETE FROM audit_auditchainhead", "permission denied")

    second = record(action=Action.VIEW, tenant=world.tenant("caseworker"), object_type="x", object_id="2")
    assert second is not None
    assert second.seq == event.seq + 1
    assert verify_all().ok
