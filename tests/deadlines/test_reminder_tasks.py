"""The daily reminders go out as django-tasks on the database backend, sent by `db_worker`."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from tests.deadlines.test_todo_page import cases  # noqa: F401  (the fixture)

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def database_tasks(settings, monkeypatch):  # type: ignore[no-untyped-def]
    settings.TASKS = DATABASE_TASKS
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # The worker drops connections whose autocommit differs from the settings' between tasks; inside the
    # test's transaction that is every connection, and on PostgreSQL the closed connection would end
    # the test. Connection hygiene is the worker's business, not what these tests are about.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)


def _emails(world) -> None:  # type: ignore[no-untyped-def]
    for role, address in (("caseworker", "sara@kommun.se"), ("manager", "maria@kommun.se")):
        world.users[role].email = address
        world.users[role].save()


def test_reminders_are_queued_then_sent_by_the_worker(world, cases, mailoutbox, database_tasks) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    _emails(world)
    call_command("send_deadline_reminders")
    assert mailoutbox == []  # queued, not sent by the command
    queued = DBTaskResult.objects.all()
    assert queued.count() == 2 and {r.status for r in queued} == {"READY"}
    # the queue holds an address and counts only, never a name or a case
    assert {frozenset(r.args_kwargs["kwargs"]) for r in queued} == {
        frozenset({"email", "overdue", "due_soon", "invalid"})
    }

    call_command("db_worker", batch=True, no_startup_delay=True, interval=0)
    assert {m.to[0] for m in mailoutbox} == {"sara@kommun.se", "maria@kommun.se"}
    assert {r.status for r in DBTaskResult.objects.all()} == {"SUCCESSFUL"}
    for message in mailoutbox:
        for case in cases:
            assert case.reference not in message.body and case.client.last_name not in message.body


def test_one_failed_send_fails_its_task_only(world, cases, mailoutbox, database_tasks, monkeypatch) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    import bredvid.deadlines.tasks as tasks

    _emails(world)
    real = tasks.send_mail

    def flaky(subject, body, sender, recipients):  # type: ignore[no-untyped-def]
        if recipients == ["sara@kommun.se"]:
            raise OSError("mail server refused")
        return real(subject, body, sender, recipients)

    monkeypatch.setattr(tasks, "send_mail", flaky)
    call_command("send_deadline_reminders")
    call_command("db_worker", batch=True, no_startup_delay=True, interval=0)
    assert [m.to[0] for m in mailoutbox] == ["maria@kommun.se"]
    assert sorted(r.status for r in DBTaskResult.objects.all()) == ["FAILED", "SUCCESSFUL"]
