"""The remuneration of one assignment for one month: a pure function over plain values.

No Django (import-linter contract "pure-payments"), so every rule can be shown by a worked
example in the tests and the payment run can be benchmarked alone. `bredvid.payments.runs`
reads the database, builds these values and writes the lines.

Rules (DOMAIN.md §6, SKR's structure; the figures are the municipality's rate table):

- **Kontaktperson**: arvode per month by category (1-3), omkostnad per month as a percentage of the
  prisbasbelopp / 12 by level (10 / 25 / 40 %). Paid for a month with at least one approved report.
- **Kontaktfamilj**: per dygn from the approved stays. A stay counts its nights (each on the date
  it begins) plus half a dygn for the day it ends, so Friday to Sunday is 2.5 dygn and a day visit
  is 0.5. Arvode per dygn by the child's age band on that date, doubled when the date is a Saturday,
  Sunday or public holiday; in a stay of more than 14 consecutive days only within its first 14.
  Omkostnad per dygn = percentage × pbb / 365 by age band, never doubled.
- **Familjehem** (and jourhem): arvode per month by level, each sibling after the first reduced by
  the table's sibling reduction; omkostnad per month = percentage × pbb / 12 by age band, per child,
  minus the child allowance the home receives.
- Monthly amounts are pro rata by the days of the month the assignment runs (start and end dates
  included); a birthday that moves the child to another band splits the month at the birthday.
- A figure derived from a percentage is rounded by the table's rule; line amounts are rounded to öre
  by the same rule's direction.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

#: Line kinds: what payroll does with the amount.
FEE = "fee"  # arvode: taxable, preliminary tax and employer contributions
ALLOWANCE = "allowance"  # omkostnadsersättning: not taxable up to the recommended level
EXPENSE = "expense"  # approved expense against receipt
KINDS = (FEE, ALLOWANCE, EXPENSE)

#: Rounding rules a rate table can state.
WHOLE_HALF_UP = "whole_half_up"
ORE_HALF_UP = "ore_half_up"
WHOLE_HALF_EVEN = "whole_half_even"
ROUNDINGS = (WHOLE_HALF_UP, ORE_HALF_UP, WHOLE_HALF_EVEN)

KONTAKTPERSON = "kontaktperson"
SARSKILT_KVALIFICERAD = "sarskilt_kvalificerad"
KONTAKTFAMILJ = "kontaktfamilj"
FAMILJEHEM = "familjehem"
JOURHEM = "jourhem"
MONTHLY_CONTACT = (KONTAKTPERSON, SARSKILT_KVALIFICERAD)
MONTHLY_HOME = (FAMILJEHEM, JOURHEM)

ONE = Decimal(1)
FOUR_PLACES = Decimal("0.0001")
ORE = Decimal("0.01")
HUNDRED = Decimal(100)
HALF = Decimal("0.5")
DAYS_IN_YEAR = Decimal(365)
MONTHS_IN_YEAR = Decimal(12)
LONG_STAY_DAYS = 14


# ---------------------------------------------------------------------------
# Values in
# ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Period:
    """A calendar month."""

    year: int
    month: int

    @property
    def first(self) -> dt.date:
        return _bounds(self.year, self.month)[0]

    @property
    def days(self) -> int:
        return _bounds(self.year, self.month)[2]

    @property
    def last(self) -> dt.date:
        return _bounds(self.year, self.month)[1]

    def contains(self, day: dt.date) -> bool:
        return day.year == self.year and day.month == self.month

    @classmethod
    def of(cls, day: dt.date) -> Period:
        return cls(day.year, day.month)

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}"


@functools.lru_cache(maxsize=64)
def _bounds(year: int, month: int) -> tuple[dt.date, dt.date, int]:
    """A month's first and last date and its number of days (a run asks 100,000 times)."""
    days = calendar.monthrange(year, month)[1]
    return dt.date(year, month, 1), dt.date(year, month, days), days


@dataclass(frozen=True, slots=True)
class Band:
    """A figure for the ages `age_from`..`age_to` (inclusive; `age_to` None: and older)."""

    age_from: int
    age_to: int | None
    value: Decimal

    def covers(self, age: int) -> bool:
        return age >= self.age_from and (self.age_to is None or age <= self.age_to)

    @property
    def label(self) -> str:
        if self.age_to is None:
            return f"{self.age_from} år och äldre"
        return f"{self.age_from}–{self.age_to} år"


@dataclass(frozen=True, slots=True)
class Rates:
    """One municipality's rate table for one year, as plain values.

    Fees are kronor (per month, or per dygn for kontaktfamilj); allowances are percentages of the
    prisbasbelopp (per month: / 12, per dygn: / 365). Keys are the assignment's `fee_level` and
    `allowance_level`; a kontaktfamilj fee and every age-banded figure is a tuple of `Band`s."""

    year: int
    prisbasbelopp: Decimal
    rounding: str = WHOLE_HALF_UP
    kp_fee: Mapping[str, Decimal] = field(default_factory=dict)
    kp_allowance_percent: Mapping[str, Decimal] = field(default_factory=dict)
    kf_fee: Sequence[Band] = ()
    kf_allowance_percent: Mapping[str, Sequence[Band]] = field(default_factory=dict)
    fh_fee: Mapping[str, Decimal] = field(default_factory=dict)
    fh_sibling_reduction_percent: Decimal | None = None
    fh_allowance_percent: Mapping[str, Sequence[Band]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Meeting:
    """An approved träffrapport."""

    on: dt.date
    hours: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Stay:
    """An approved vistelserapport: arrival and departure dates (and times, shown in the text)."""

    starts_on: dt.date
    ends_on: dt.date
    arrives_at: dt.time | None = None
    departs_at: dt.time | None = None


@dataclass(frozen=True, slots=True)
class Facts:
    """What the calculation needs to know about one assignment."""

    support_kind: str
    start_on: dt.date
    end_on: dt.date | None
    birth_date: dt.date | None
    fee_level: str = ""
    allowance_level: str = ""
    children: int = 1
    child_allowance_deduction: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class ExpenseItem:
    """An approved (payable) expense, paid once."""

    key: str
    amount: Decimal
    incurred_on: dt.date
    description: str


# ---------------------------------------------------------------------------
# Values out
# ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Line:
    """One payment line: `amount` = `quantity` × `unit_price` (rounded), with the reason in Swedish.

    `component` names what is paid (e.g. "fee", "fee:double", "allowance:0-12", "expense:<id>");
    together with the assignment and the month it keys the line, so a rerun finds what it paid."""

    kind: str
    component: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    why: str


class MissingRate(ValueError):
    """The rate table has no figure this assignment needs (the run lists it instead of paying)."""


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------
def round_by(value: Decimal, rule: str) -> Decimal:
    """A figure derived from a percentage, rounded as the table says."""
    if rule == ORE_HALF_UP:
        return value.quantize(ORE, rounding=ROUND_HALF_UP)
    if rule == WHOLE_HALF_EVEN:
        return value.quantize(ONE, rounding=ROUND_HALF_EVEN)
    if rule == WHOLE_HALF_UP:
        return value.quantize(ONE, rounding=ROUND_HALF_UP)
    raise ValueError(f"unknown rounding rule {rule!r}")


def amount_of(quantity: Decimal, price: Decimal, rule: str) -> Decimal:
    mode = ROUND_HALF_EVEN if rule == WHOLE_HALF_EVEN else ROUND_HALF_UP
    return (quantity * price).quantize(ORE, rounding=mode)


def age_on(birth: dt.date, day: dt.date) -> int:
    """Completed years on `day` (someone born on 29 February has their birthday on 1 March)."""
    years = day.year - birth.year
    if (day.month, day.day) < (birth.month, birth.day):
        years -= 1
    return years


def band_for(bands: Iterable[Band], age: int) -> Band:
    for band in bands:
        if band.covers(age):
            return band
    raise MissingRate(f"ingen åldersgrupp för {age} år")


@functools.lru_cache(maxsize=4096)
def kr(value: Decimal) -> str:
    """Swedish money text: 1 234,50 kr (whole kronor without decimals)."""
    if value == value.to_integral_value():
        text = f"{int(value):,}".replace(",", "\u00a0")
    else:
        text = f"{value:,.2f}".replace(",", "\u00a0").replace(".", ",")
    return f"{text} kr"


@functools.lru_cache(maxsize=4096)
def num(value: Decimal) -> str:
    text = f"{value.normalize():f}" if value != value.to_integral_value() else f"{int(value)}"
    return text.replace(".", ",")


def pct(value: Decimal) -> str:
    return f"{num(value)} %"


def _active_days(facts: Facts, period: Period) -> tuple[dt.date, dt.date] | None:
    first = max(period.first, facts.start_on)
    last = min(period.last, facts.end_on) if facts.end_on else period.last
    if last < first:
        return None
    return first, last


def _pro_rata_text(days: int, period: Period) -> str:
    if days == period.days:
        return ""
    return f" Del av månaden: {days} av {period.days} dagar."


def _band_segments(
    facts: Facts, span: tuple[dt.date, dt.date], bands: Sequence[Band]
) -> list[tuple[dt.date, dt.date, int, Band]]:
    """The days of `span` split where a birthday moves the child to another age band."""
    first, last = span
    if facts.birth_date is None:
        return [(first, last, 0, band_for(bands, 0))]
    age = age_on(facts.birth_date, first)
    out: list[tuple[dt.date, dt.date, int, Band]] = []
    start, band = first, band_for(bands, age)
    birthday = _birthday_in(facts.birth_date, first, last)
    if birthday is not None:
        later = band_for(bands, age + 1)
        if later != band:
            out.append((start, birthday - dt.timedelta(days=1), age, band))
            return [*out, (birthday, last, age + 1, later)]
    return [(start, last, age, band)]


def _birthday_in(birth: dt.date, first: dt.date, last: dt.date) -> dt.date | None:
    """The birthday after `first` and up to `last` (29 February counts on 1 March), if any."""
    for year in {first.year, last.year}:
        try:
            day = birth.replace(year=year)
        except ValueError:  # 29 February in a common year
            day = dt.date(year, 3, 1)
        if first < day <= last:
            return day
    return None


@functools.lru_cache(maxsize=4096)
def derived(percent: Decimal, prisbasbelopp: Decimal, divisor: Decimal, rule: str) -> Decimal:
    """percent × pbb / divisor, rounded by the table's rule (cached: a run asks the same few)."""
    return round_by(percent / HUNDRED * prisbasbelopp / divisor, rule)


# ---------------------------------------------------------------------------
# The rules
# ---------------------------------------------------------------------------
def _monthly_contact(
    facts: Facts, period: Period, rates: Rates, meetings: Sequence[Meeting], span: tuple[dt.date, dt.date]
) -> list[Line]:
    reported = [m for m in meetings if span[0] <= m.on <= span[1]]
    if not reported:
        return []
    days = (span[1] - span[0]).days + 1
    share = Decimal(days) / Decimal(period.days)
    hours = sum((m.hours or Decimal(0) for m in reported), Decimal(0))
    basis = f"{len(reported)} godkända träffar" + (f" ({num(hours)} timmar)" if hours else "") + "."
    lines: list[Line] = []
    fee = rates.kp_fee.get(facts.fee_level)
    if fee is None:
        raise MissingRate(f"arvode för kategori {facts.fee_level or '–'} saknas i {rates.year} års tabell")
    lines.append(
        Line(
            FEE,
            "fee",
            share.quantize(FOUR_PLACES),
            fee,
            amount_of(share, fee, rates.rounding),
            f"Arvode kontaktperson, kategori {facts.fee_level}: {kr(fee)} per månad. {basis}"
            + _pro_rata_text(days, period),
        )
    )
    percent = rates.kp_allowance_percent.get(facts.allowance_level)
    if percent is None:
        raise MissingRate(
            f"omkostnad för nivå {facts.allowance_level or '–'} saknas i {rates.year} års tabell"
        )
    monthly = derived(percent, rates.prisbasbelopp, MONTHS_IN_YEAR, rates.rounding)
    lines.append(
        Line(
            ALLOWANCE,
            "allowance",
            share.quantize(FOUR_PLACES),
            monthly,
            amount_of(share, monthly, rates.rounding),
            f"Omkostnadsersättning kontaktperson: {pct(percent)} av prisbasbeloppet "
            f"{kr(rates.prisbasbelopp)} / 12 = {kr(monthly)} per månad." + _pro_rata_text(days, period),
        )
    )
    return lines


def stay_units(stay: Stay) -> list[tuple[dt.date, Decimal, int, int]]:
    """The dygn of a stay: (date, dygn, day number in the stay, days in the stay).

    Each night counts one dygn on the date it begins; the day the stay ends counts half."""
    length = (stay.ends_on - stay.starts_on).days + 1
    units = [(stay.starts_on + dt.timedelta(days=i), ONE, i + 1, length) for i in range(length - 1)]
    units.append((stay.ends_on, HALF, length, length))
    return units


def _stay_text(stay: Stay) -> str:
    start = f"{stay.starts_on.isoformat()}" + (f" {stay.arrives_at:%H:%M}" if stay.arrives_at else "")
    end = f"{stay.ends_on.isoformat()}" + (f" {stay.departs_at:%H:%M}" if stay.departs_at else "")
    nights = (stay.ends_on - stay.starts_on).days
    return f"{start}–{end} ({num(Decimal(nights) + HALF)} dygn)"


def _kontaktfamilj(
    facts: Facts,
    period: Period,
    rates: Rates,
    stays: Sequence[Stay],
    holidays: frozenset[dt.date],
    span: tuple[dt.date, dt.date],
) -> list[Line]:
    # Counted in half dygn (ints): (fee band, doubled) and allowance band -> half dygn
    fee_halves: dict[tuple[Band, bool], int] = {}
    allowance_halves: dict[Band, int] = {}
    texts: list[str] = []
    allowance_bands = rates.kf_allowance_percent.get(facts.allowance_level or "basic")
    if allowance_bands is None:
        raise MissingRate(
            f"omkostnad för nivå {facts.allowance_level or 'grund'} saknas i {rates.year} års tabell"
        )
    by_age: dict[int, tuple[Band, Band]] = {}  # the bands of an age, looked up once per assignment
    birth = facts.birth_date
    first, last = max(span[0], period.first), min(span[1], period.last)
    one_day = dt.timedelta(days=1)
    for stay in sorted(stays, key=lambda s: s.starts_on):
        length = (stay.ends_on - stay.starts_on).days + 1
        # the stay's day numbers (0-based) that fall in the month and the assignment's span
        lo, hi = max((first - stay.starts_on).days, 0), min((last - stay.starts_on).days, length - 1)
        if lo > hi:
            continue
        day = stay.starts_on + lo * one_day
        for number in range(lo, hi + 1):
            halves = 1 if number == length - 1 else 2  # each night one dygn, the day it ends half
            age = age_on(birth, day) if birth else 0
            bands = by_age.get(age)
            if bands is None:
                bands = by_age[age] = (band_for(rates.kf_fee, age), band_for(allowance_bands, age))
            special = day.weekday() >= 5 or day in holidays
            key = (bands[0], special and (length <= LONG_STAY_DAYS or number < LONG_STAY_DAYS))
            fee_halves[key] = fee_halves.get(key, 0) + halves
            allowance_halves[bands[1]] = allowance_halves.get(bands[1], 0) + halves
            day += one_day
        texts.append(_stay_text(stay))
    fees = {
        (band, doubled): (HALF * halves, band.value * 2 if doubled else band.value)
        for (band, doubled), halves in fee_halves.items()
    }
    allowances = {
        band: (
            HALF * halves,
            derived(band.value, rates.prisbasbelopp, DAYS_IN_YEAR, rates.rounding),
            band.value,
        )
        for band, halves in allowance_halves.items()
    }
    if not fees:
        return []
    stays_text = "Vistelser: " + "; ".join(texts) + "."
    lines: list[Line] = []
    for (fee_band, doubled), (dygn, price) in sorted(fees.items(), key=lambda i: (i[0][0].age_from, i[0][1])):
        label = fee_band.label
        reason = (
            f"Arvode kontaktfamilj {label}: {kr(price / 2)} per dygn, dubbelt på lördag, söndag och helgdag"
            + (f" (inom de första {LONG_STAY_DAYS} dygnen av en längre vistelse)" if doubled else "")
            if doubled
            else f"Arvode kontaktfamilj {label}: {kr(price)} per dygn"
        )
        lines.append(
            Line(
                FEE,
                f"fee:{label}:{'double' if doubled else 'single'}",
                dygn,
                price,
                amount_of(dygn, price, rates.rounding),
                f"{reason}. {stays_text}",
            )
        )
    for band, (dygn, per_day, percent) in sorted(allowances.items(), key=lambda i: i[0].age_from):
        label = band.label
        lines.append(
            Line(
                ALLOWANCE,
                f"allowance:{label}",
                dygn,
                per_day,
                amount_of(dygn, per_day, rates.rounding),
                f"Omkostnadsersättning kontaktfamilj {label}: {pct(percent)} av prisbasbeloppet "
                f"{kr(rates.prisbasbelopp)} / 365 = {kr(per_day)} per dygn. {stays_text}",
            )
        )
    return lines


def _monthly_home(facts: Facts, period: Period, rates: Rates, span: tuple[dt.date, dt.date]) -> list[Line]:
    days = (span[1] - span[0]).days + 1
    share = Decimal(days) / Decimal(period.days)
    lines: list[Line] = []
    fee = rates.fh_fee.get(facts.fee_level or "basic")
    if fee is None:
        raise MissingRate(f"arvode för nivå {facts.fee_level or 'grund'} saknas i {rates.year} års tabell")
    q = share.quantize(FOUR_PLACES)
    lines.append(
        Line(
            FEE,
            "fee",
            q,
            fee,
            amount_of(share, fee, rates.rounding),
            f"Arvode familjehem, nivå {facts.fee_level or 'grund'}: {kr(fee)} per månad."
            + _pro_rata_text(days, period),
        )
    )
    siblings = max(facts.children - 1, 0)
    if siblings:
        reduction = rates.fh_sibling_reduction_percent
        if reduction is None:
            raise MissingRate(f"syskonavdraget saknas i {rates.year} års tabell")
        reduced = round_by(fee * (HUNDRED - reduction) / HUNDRED, rates.rounding)
        quantity = (share * siblings).quantize(FOUR_PLACES)
        lines.append(
            Line(
                FEE,
                "fee:sibling",
                quantity,
                reduced,
                amount_of(share * siblings, reduced, rates.rounding),
                f"Arvode för {siblings} syskon: {kr(fee)} minus syskonavdrag {pct(reduction)} = "
                f"{kr(reduced)} per barn och månad." + _pro_rata_text(days, period),
            )
        )
    bands = rates.fh_allowance_percent.get(facts.allowance_level or "basic")
    if bands is None:
        raise MissingRate(
            f"omkostnad för nivå {facts.allowance_level or 'grund'} saknas i {rates.year} års tabell"
        )
    for first, last, age, band in _band_segments(facts, span, bands):
        monthly = derived(band.value, rates.prisbasbelopp, MONTHS_IN_YEAR, rates.rounding)
        seg_days = (last - first).days + 1
        seg_share = Decimal(seg_days) / Decimal(period.days)
        children = Decimal(facts.children)
        birthday = ""
        if (first, last) != span:
            birthday = (
                f" {first.isoformat()}–{last.isoformat()} ({seg_days} av {period.days} dagar), {age} år."
            )
        lines.append(
            Line(
                ALLOWANCE,
                f"allowance:{band.label}",
                (seg_share * children).quantize(FOUR_PLACES),
                monthly,
                amount_of(seg_share * children, monthly, rates.rounding),
                f"Omkostnadsersättning familjehem {band.label}: {pct(band.value)} av prisbasbeloppet "
                f"{kr(rates.prisbasbelopp)} / 12 = {kr(monthly)} per barn och månad"
                + (f", {facts.children} barn" if facts.children > 1 else "")
                + "."
                + (birthday or _pro_rata_text(seg_days, period)),
            )
        )
    if facts.child_allowance_deduction:
        deduction = facts.child_allowance_deduction
        lines.append(
            Line(
                ALLOWANCE,
                "allowance:child_allowance",
                q,
                -deduction,
                -amount_of(share, deduction, rates.rounding),
                f"Avdrag för barnbidrag eller studiebidrag som familjehemmet får: {kr(deduction)} per månad."
                + _pro_rata_text(days, period),
            )
        )
    return lines


def month_lines(
    facts: Facts,
    period: Period,
    rates: Rates,
    *,
    meetings: Sequence[Meeting] = (),
    stays: Sequence[Stay] = (),
    expenses: Sequence[ExpenseItem] = (),
    holidays: frozenset[dt.date] = frozenset(),
) -> list[Line]:
    """Every line one assignment earns in `period`. Raises `MissingRate` when the table lacks a figure."""
    lines: list[Line] = []
    span = _active_days(facts, period)
    if span is not None:
        if facts.support_kind in MONTHLY_CONTACT:
            lines += _monthly_contact(facts, period, rates, meetings, span)
        elif facts.support_kind == KONTAKTFAMILJ:
            lines += _kontaktfamilj(facts, period, rates, stays, holidays, span)
        elif facts.support_kind in MONTHLY_HOME:
            lines += _monthly_home(facts, period, rates, span)
    for item in expenses:
        lines.append(
            Line(
                EXPENSE,
                f"expense:{item.key}",
                ONE,
                item.amount,
                item.amount,
                f"Godkänt utlägg {item.incurred_on.isoformat()}: {item.description}.",
            )
        )
    return lines
