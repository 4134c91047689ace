"""Plausible ranges for every date a person enters: one table, used by models, forms and the import.

Python accepts dates from 0001-01-01 to 9999-12-31; the deadline rules add days and months to what
is stored, so a date near either end (a typo, a fuzzer, a spreadsheet cell) must never be saved.
Each date field that takes input names one *kind* below; its validator (`DateBounds`) refuses a
value outside the kind's range with the Swedish message next to the field. The ranges are relative
to today where that matters, and the validator stores only the kind, so migrations never change
with the date.

    kind      earliest          latest            for
    birth     1900-01-01        today             birth dates
    receipt   1900-01-01        today             what came in: applications, concern reports,
                                                  consents, registrations, register extracts
    event     1900-01-01        today + 7 days    what happened: decisions, starts, ends,
                                                  journal entries, approvals, offers sent
    expiry    1900-01-01        today + 10 years  until when something is valid or when it ends
                                                  (register extract, course, a supporter's end)
    plan      today - 10 years  today + 10 years  periods and planned dates: decision periods,
                                                  follow-ups, extensions, assignments, availability

The same table, with every field, is in docs/date-bounds.md.

"Today" is the local date (Europe/Stockholm). A few days ahead are allowed for events (an
assignment that starts on Monday, a decision registered for the meeting day); nothing that came
in can come from the future. Stored values outside the ranges are listed by `manage.py check_dates`;
the deadline rules skip them and flag the record instead of failing (see `deadlines/rules.py`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

EARLIEST = datetime.date(1900, 1, 1)

BIRTH = "birth"
RECEIPT = "receipt"
EVENT = "event"
EXPIRY = "expiry"
PLAN = "plan"


@dataclass(frozen=True)
class Offset:
    """A date relative to today: `years` and `days` from it (negative = before)."""

    years: int = 0
    days: int = 0

    def on(self, today: datetime.date) -> datetime.date:
        year = today.year + self.years
        day = 28 if (today.month, today.day) == (2, 29) and self.years else today.day
        return today.replace(year=year, day=day) + datetime.timedelta(days=self.days)


@dataclass(frozen=True)
class Bound:
    earliest: datetime.date | Offset
    latest: datetime.date | Offset
    message: Promise

    def range(self, today: datetime.date) -> tuple[datetime.date, datetime.date]:
        lo = self.earliest.on(today) if isinstance(self.earliest, Offset) else self.earliest
        hi = self.latest.on(today) if isinstance(self.latest, Offset) else self.latest
        return lo, hi


BOUNDS: dict[str, Bound] = {
    BIRTH: Bound(EARLIEST, Offset(), _("Ange ett födelsedatum från %(min)s till i dag.")),
    RECEIPT: Bound(EARLIEST, Offset(), _("Ange ett datum från %(min)s till i dag (%(max)s).")),
    EVENT: Bound(EARLIEST, Offset(days=7), _("Ange ett datum från %(min)s till %(max)s.")),
    EXPIRY: Bound(EARLIEST, Offset(years=10), _("Ange ett datum från %(min)s till %(max)s.")),
    PLAN: Bound(
        Offset(years=-10),
        Offset(years=10),
        _("Ange ett datum inom tio år från i dag: från %(min)s till %(max)s."),
    ),
}


def today() -> datetime.date:
    return timezone.localdate()


def as_date(value: datetime.date | datetime.datetime) -> datetime.date | None:
    """The local calendar date of a value; None when it lies beyond what the time zone can convert."""
    if isinstance(value, datetime.datetime):
        if timezone.is_naive(value):
            return value.date()
        try:
            return timezone.localtime(value).date()
        except (OverflowError, ValueError):
            return None
    return value


def within(kind: str, value: datetime.date | datetime.datetime, on: datetime.date | None = None) -> bool:
    lo, hi = BOUNDS[kind].range(on or today())
    day = as_date(value)
    return day is not None and lo <= day <= hi


def message(kind: str, on: datetime.date | None = None) -> str:
    lo, hi = BOUNDS[kind].range(on or today())
    return str(BOUNDS[kind].message) % {"min": lo.isoformat(), "max": hi.isoformat()}


def check(kind: str, value: datetime.date | datetime.datetime | None) -> None:
    """Raise ValidationError (Swedish, code `date_out_of_range`) for a value outside the kind's range."""
    if value is None or not isinstance(value, datetime.date):
        return
    if not within(kind, value):
        raise ValidationError(message(kind), code="date_out_of_range")


@deconstructible
class DateBounds:
    """Field validator: the value lies in the range of its kind (relative to the day it is checked)."""

    def __init__(self, kind: str) -> None:
        if kind not in BOUNDS:
            raise ValueError(f"unknown date kind {kind!r}")
        self.kind = kind

    def __call__(self, value: Any) -> None:
        check(self.kind, value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DateBounds) and other.kind == self.kind

    def __hash__(self) -> int:
        return hash(self.kind)


def bounded(kind: str) -> list[DateBounds]:
    """`models.DateField(..., validators=bounded(EVENT))`."""
    return [DateBounds(kind)]


def require(model: type[models.Model], /, **values: Any) -> None:
    """Check dates against the bounds of `model`'s fields before a service uses them.

    `require(Case, closed_on=closed_on)` raises ValidationError({"closed_on": [message]}) when the
    value lies outside the field's range; services call it before any arithmetic or change."""
    errors: dict[str, list[str]] = {}
    for name, value in values.items():
        for validator in getattr(model._meta.get_field(name), "validators", ()):
            if isinstance(validator, DateBounds):
                try:
                    validator(value)
                except ValidationError as exc:
                    errors.setdefault(name, []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)


# ---------------------------------------------------------------------------
# Stored values outside the bounds (manage.py check_dates)
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class BoundedField:
    model: type[models.Model]
    name: str
    kind: str


def bounded_fields() -> Iterator[BoundedField]:
    from django.apps import apps

    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            for validator in f.validators:
                if isinstance(validator, DateBounds):
                    yield BoundedField(model, f.name, validator.kind)


@dataclass(frozen=True)
class StoredOutside:
    model: str
    pk: Any
    field: str
    value: Any
    municipality_id: Any


def _query_range(f: models.Field, lo: datetime.date, hi: datetime.date) -> tuple[Any, Any]:  # type: ignore[type-arg]
    if isinstance(f, models.DateTimeField):
        tz = timezone.get_current_timezone()
        start = datetime.datetime.combine(lo, datetime.time.min, tzinfo=tz)
        end = datetime.datetime.combine(hi, datetime.time.max, tzinfo=tz)
        return start, end
    return lo, hi


def stored_outside(on: datetime.date | None = None) -> Iterator[StoredOutside]:
    """Every stored value outside its field's range; one query per bounded field."""
    on = on or today()
    for bf in bounded_fields():
        f = bf.model._meta.get_field(bf.name)
        lo, hi = _query_range(f, *BOUNDS[bf.kind].range(on))  # type: ignore[arg-type]
        has_municipality = any(x.name == "municipality" for x in bf.model._meta.concrete_fields)
        columns = ["pk", bf.name, *(["municipality_id"] if has_municipality else [])]
        rows = (
            bf.model._default_manager.filter(**{f"{bf.name}__isnull": False})
            .exclude(**{f"{bf.name}__range": (lo, hi)})
            .order_by("pk")
            .values_list(*columns)
        )
        for row in rows:
            yield StoredOutside(
                bf.model._meta.label, row[0], bf.name, row[1], row[2] if has_municipality else None
            )
