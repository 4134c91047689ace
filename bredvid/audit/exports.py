"""Excel export of audit events (for the auditor's log review)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone

from bredvid.audit.models import Action, AuditEvent
from bredvid.core.spreadsheets import Spreadsheet

MAX_ROWS = 200_000
_HEADERS = [
    "Tidpunkt",
    "Användare",
    "Händelse",
    "Objekttyp",
    "Objekt-id",
    "Personnummer",
    "Person",
    "Skäl",
    "IP-adress",
    "Via",
    "Kedja",
    "Löpnummer",
]


def _batches(events: QuerySet[AuditEvent], size: int = 2000) -> Iterable[list[AuditEvent]]:
    batch: list[AuditEvent] = []
    for event in events.iterator(chunk_size=size):
        batch.append(event)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def audit_events_xlsx(
    events: QuerySet[AuditEvent], *, persons_of: Callable[[list[AuditEvent]], dict[uuid.UUID, Any]]
) -> tuple[HttpResponse, int]:
    workbook = Spreadsheet()
    sheet = workbook.sheet("Logg", _HEADERS)
    labels = dict(Action.choices)
    count = 0
    for batch in _batches(events):
        persons = persons_of(batch)
        for event in batch:
            person = persons.get(event.person_id) if event.person_id else None
            sheet.append(
                [
                    event.occurred_at,
                    event.actor_username,
                    str(labels.get(event.action, event.action)),
                    event.object_type,
                    event.object_id,
                    person.identity_number if person else "",
                    person.full_name if person else "",
                    event.reason,
                    event.ip or "",
                    event.via,
                    event.chain,
                    event.seq,
                ]
            )
            count += 1
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return workbook.response(f"bredvid-logg-{stamp}.xlsx"), count
