"""Daily e-mail reminders: how many deadlines are overdue and due soon — never a name or a case."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from bredvid.deadlines.perms import can_see_deadlines
from bredvid.deadlines.queries import Scope, evaluate_for
from bredvid.deadlines.rules import InvalidDate, Status
from bredvid.tenancy.context import build_tenant, memberships_by_municipality

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reminder:
    username: str
    email: str
    overdue: int
    due_soon: int
    invalid: int = 0


@dataclass
class Collected:
    """The reminders to send, the records skipped for dates the rules cannot use, and users whose
    deadlines could not be computed at all (an unexpected error: logged, the others still go out)."""

    reminders: list[Reminder] = field(default_factory=list)
    invalid: list[InvalidDate] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.invalid and not self.failed


def collect_reminders(today: datetime.date) -> Collected:
    result = Collected()
    seen: set[tuple[str, object]] = set()
    for user in get_user_model().objects.filter(is_active=True).exclude(email="").order_by("username"):
        overdue = due_soon = invalid = 0
        try:
            for municipality_id in memberships_by_municipality(user):
                tenant = build_tenant(user, municipality_id, ip=None, via="cli")
                if tenant is None or not can_see_deadlines(tenant):
                    continue
                scope = Scope(
                    municipality=tenant.municipality, unit_ids=tenant.unit_ids, responsible_id=user.pk
                )
                evaluation = evaluate_for(scope, today)
                for item in evaluation.obligations:
                    status = item.status(today)
                    overdue += status is Status.OVERDUE
                    due_soon += status is Status.DUE_SOON
                invalid += len(evaluation.invalid)
                for bad in evaluation.invalid:
                    if (bad.record, bad.object_id) not in seen:
                        seen.add((bad.record, bad.object_id))
                        result.invalid.append(bad)
        except Exception:  # one user's failure must not stop everyone else's reminder
            logger.exception("deadline reminders: could not compute the deadlines of user %s", user.pk)
            result.failed.append(user.get_username())
            continue
        if overdue or due_soon or invalid:
            result.reminders.append(Reminder(user.get_username(), user.email, overdue, due_soon, invalid))
    return result


def reminder_body(overdue: int, due_soon: int, invalid: int) -> str:
    link = f"{settings.BASE_URL}/att-gora/"
    body = _(
        "Du har %(overdue)s försenade frister och %(soon)s frister inom 14 dagar i Bredvid.\n\n"
        "Se dem under Att göra: %(link)s\n\nDet här meddelandet innehåller inga personuppgifter."
    ) % {"overdue": overdue, "soon": due_soon, "link": link}
    if invalid:
        body += "\n\n" + _(
            "%(n)s poster har ett ogiltigt datum, så deras frister kan inte beräknas. "
            "De visas under Att göra; rätta datumen."
        ) % {"n": invalid}
    return body


def send_reminders(reminders: list[Reminder]) -> tuple[int, list[str]]:
    """Queue one e-mail task per reminder (`tasks.send_reminder`, sent by `manage.py db_worker`,
    one failed send never stops the others); a reminder that cannot even be queued is reported."""
    from bredvid.deadlines.tasks import send_reminder

    queued = 0
    failed: list[str] = []
    for reminder in reminders:
        try:
            send_reminder.enqueue(
                email=reminder.email,
                overdue=reminder.overdue,
                due_soon=reminder.due_soon,
                invalid=reminder.invalid,
            )
        except Exception:
            logger.exception("deadline reminders: could not queue the reminder of %s", reminder.username)
            failed.append(reminder.username)
            continue
        queued += 1
    return queued, failed
