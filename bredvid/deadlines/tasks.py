"""Background tasks of deadlines (django-tasks; run by `manage.py db_worker`)."""

from __future__ import annotations

from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from bredvid.deadlines.reminders import reminder_body


@task()
def send_reminder(*, email: str, overdue: int, due_soon: int, invalid: int = 0) -> None:
    """One reminder e-mail: counts only, never a name or a case. A failed send fails this task alone
    (its result is kept with the error); the next day's run sends a fresh count."""
    with translation.override("sv"):
        send_mail(_("Bredvid: frister att bevaka"), reminder_body(overdue, due_soon, invalid), None, [email])
