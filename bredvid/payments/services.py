"""Every change to remuneration: rate tables and wage-type codes (the administrator), payment runs
(prepared and attested by managers). Each checks permission, locks, guards the state and audits."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from bredvid.audit.models import Action
from bredvid.audit.services import record
from bredvid.core.errors import IllegalTransition
from bredvid.core.locking import locked
from bredvid.payments import calc, runs
from bredvid.payments.models import (
    Component,
    LineKind,
    PaymentLine,
    PaymentRun,
    Rate,
    RateTable,
    Rounding,
    Source,
    WageType,
)
from bredvid.payments.perms import can_edit_rates, can_run_payments
from bredvid.tenancy.models import Municipality

if TYPE_CHECKING:
    from bredvid.tenancy.context import Tenant

#: The prisbasbelopp of the years SKR's structure is shipped for (DOMAIN.md §6).
PRISBASBELOPP = {2025: Decimal(58_800), 2026: Decimal(59_200)}
_SKR_2023 = "SKR:s nivå 2023 (cirkulär 22:42); uppdatera när SKR publicerar årets"
_SKR_KP = "SKR 2018: procent av prisbasbeloppet / 12"
_SKR_FH = "SKR: procent av prisbasbeloppet / 12"
_DECIDE = "SKR anger ett spann; kommunen beslutar beloppet"

# (group, component, level, age_from, age_to, percent, amount, source, note)
SKR_STRUCTURE: tuple[tuple[str, str, str, int | None, int | None, str | None, str | None, str, str], ...] = (
    ("kontaktperson", "fee", "1", None, None, None, None, Source.MUNICIPALITY, _DECIDE),
    ("kontaktperson", "fee", "2", None, None, None, None, Source.MUNICIPALITY, _DECIDE),
    ("kontaktperson", "fee", "3", None, None, None, None, Source.MUNICIPALITY, _DECIDE),
    ("kontaktperson", "allowance", "10", None, None, "10", None, Source.SKR, _SKR_KP),
    ("kontaktperson", "allowance", "25", None, None, "25", None, Source.SKR, _SKR_KP),
    ("kontaktperson", "allowance", "40", None, None, "40", None, Source.SKR, _SKR_KP),
    ("kontaktfamilj", "fee", "", 0, 12, None, "225", Source.SKR, _SKR_2023),
    ("kontaktfamilj", "fee", "", 13, 17, None, "292", Source.SKR, _SKR_2023),
    ("kontaktfamilj", "fee", "", 18, None, None, "359", Source.SKR, _SKR_2023),
    ("kontaktfamilj", "allowance", "basic", 0, 12, "105", None, Source.SKR, "SKR: procent av pbb / 365"),
    ("kontaktfamilj", "allowance", "basic", 13, None, "120", None, Source.SKR, "SKR: procent av pbb / 365"),
    ("kontaktfamilj", "allowance", "additional", 0, 12, "150", None, Source.SKR, "SKR: med merkostnader"),
    ("kontaktfamilj", "allowance", "additional", 13, None, "170", None, Source.SKR, "SKR: med merkostnader"),
    ("familjehem", "fee", "basic", None, None, None, "11237", Source.SKR, _SKR_2023),
    ("familjehem", "fee", "raised_1", None, None, None, "13132", Source.SKR, _SKR_2023),
    ("familjehem", "fee", "raised_2", None, None, None, "15040", Source.SKR, _SKR_2023),
    ("familjehem", "fee", "raised_3", None, None, None, "17255", Source.SKR, _SKR_2023),
    ("familjehem", "sibling_reduction", "", None, None, None, None, Source.MUNICIPALITY, "Kommunens beslut"),
    ("familjehem", "allowance", "basic", 0, 12, "110", None, Source.SKR, _SKR_FH),
    ("familjehem", "allowance", "basic", 13, None, "125", None, Source.SKR, _SKR_FH),
    ("familjehem", "allowance", "additional", 0, 12, "155", None, Source.SKR, "SKR: med tillägg"),
    ("familjehem", "allowance", "additional", 13, None, "175", None, Source.SKR, "SKR: med tillägg"),
)


def _administers(tenant: Tenant) -> None:
    if not can_edit_rates(tenant):
        raise PermissionDenied


def _seed(municipality: Municipality, year: int, pbb: Decimal, pbb_source: str) -> RateTable:
    table = RateTable.objects.create(
        municipality=municipality, year=year, prisbasbelopp=pbb, prisbasbelopp_source=pbb_source
    )
    Rate.objects.bulk_create(
        Rate(
            municipality=municipality,
            table=table,
            group=group,
            component=component,
            level=level,
            age_from=age_from,
            age_to=age_to,
            percent=Decimal(percent) if percent is not None else None,
            amount=Decimal(amount) if amount is not None else None,
            source=source,
            note=note,
        )
        for group, component, level, age_from, age_to, percent, amount, source, note in SKR_STRUCTURE
    )
    return table


def _carry_over_decisions(municipality: Municipality, table: RateTable) -> int:
    """Copy the municipality's own figures of the latest earlier year onto the new table's rows."""
    earlier = (
        RateTable.objects.in_municipality(municipality).filter(year__lt=table.year).order_by("-year").first()
    )
    if earlier is None:
        return 0

    def key(rate: Rate) -> tuple[str, str, str, int | None, int | None]:
        return (rate.group, rate.component, rate.level, rate.age_from, rate.age_to)

    decided = {key(r): r for r in Rate.objects.filter(table=earlier, source=Source.MUNICIPALITY)}
    changed = []
    for rate in Rate.objects.filter(table=table):
        before = decided.get(key(rate))
        if before is None:
            continue
        rate.percent, rate.amount, rate.source = before.percent, before.amount, Source.MUNICIPALITY
        rate.note = _("Kommunens beslut för %(year)s, överfört") % {"year": earlier.year}
        changed.append(rate)
    Rate.objects.bulk_update(changed, ["percent", "amount", "source", "note"])
    return len(changed)


def create_year(*, tenant: Tenant, year: int, prisbasbelopp: Decimal | None = None) -> RateTable:
    """A new year's table with SKR's structure: the known prisbasbelopp (or the one given), SKR's
    percentages and last known kronor; the figures the municipality decided for the latest earlier
    year are carried over (marked so) for the administrator to confirm or change, the rest empty."""
    _administers(tenant)
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("Ange ett år mellan 2000 och 2100.")})
    pbb = prisbasbelopp if prisbasbelopp is not None else PRISBASBELOPP.get(year)
    if pbb is None or pbb <= 0:
        raise ValidationError({"prisbasbelopp": _("Ange årets prisbasbelopp.")})
    source = Source.SKR if prisbasbelopp is None or pbb == PRISBASBELOPP.get(year) else Source.MUNICIPALITY
    with transaction.atomic():
        municipality = locked(Municipality.objects.get(pk=tenant.municipality.pk))
        if RateTable.objects.in_municipality(municipality).filter(year=year).exists():
            raise ValidationError({"year": _("Det finns redan en tabell för %(year)s.") % {"year": year}})
        table = _seed(municipality, year, pbb, source)
        carried = _carry_over_decisions(municipality, table)
        record(
            action=Action.CREATE,
            tenant=tenant,
            obj=table,
            detail={"change": "rate_table_created", "year": year, "carried_over": carried},
        )
    return table


def seed_known_years(*, municipality: Municipality) -> list[RateTable]:
    """SKR's structure for the years with a known prisbasbelopp that the municipality lacks (demo and
    setup; idempotent)."""
    made: list[RateTable] = []
    with transaction.atomic():
        municipality = locked(municipality)
        have = set(RateTable.objects.in_municipality(municipality).values_list("year", flat=True))
        for year, pbb in PRISBASBELOPP.items():
            if year not in have:
                made.append(_seed(municipality, year, pbb, Source.SKR))
        for table in made:
            record(
                action=Action.CREATE,
                municipality=municipality,
                obj=table,
                detail={"change": "rate_table_seeded", "year": table.year},
            )
    return made


def update_table(
    *, tenant: Tenant, table: RateTable, prisbasbelopp: Decimal, rounding: str, note: str = ""
) -> RateTable:
    _administers(tenant)
    if prisbasbelopp is None or prisbasbelopp <= 0:
        raise ValidationError({"prisbasbelopp": _("Ange ett prisbasbelopp större än noll.")})
    if rounding not in Rounding.values:
        raise ValidationError({"rounding": _("Välj en avrundning.")})
    with transaction.atomic():
        locked(table)
        if table.municipality_id != tenant.municipality.pk:
            raise PermissionDenied
        before = {"prisbasbelopp": str(table.prisbasbelopp), "rounding": table.rounding}
        if prisbasbelopp != table.prisbasbelopp:
            known = PRISBASBELOPP.get(table.year)
            table.prisbasbelopp_source = Source.SKR if prisbasbelopp == known else Source.MUNICIPALITY
        table.prisbasbelopp = prisbasbelopp
        table.rounding = rounding
        table.note = note
        table.save(update_fields=["prisbasbelopp", "prisbasbelopp_source", "rounding", "note", "updated_at"])
        after = {"prisbasbelopp": str(table.prisbasbelopp), "rounding": table.rounding}
        record(
            action=Action.UPDATE,
            tenant=tenant,
            obj=table,
            detail={"change": "rate_table_updated", "before": before, "after": after},
        )
    return table


def update_rate(*, tenant: Tenant, rate: Rate, value: Decimal | None, note: str = "") -> Rate:
    """Set one figure (a percentage where the row is one, else kronor); it becomes the municipality's
    decision. An empty value means the municipality has not decided it (the run reports it missing)."""
    _administers(tenant)
    if value is not None and (value < 0 or value > Decimal("999999")):
        raise ValidationError({"value": _("Ange ett värde mellan 0 och 999 999.")})
    with transaction.atomic():
        locked(rate)
        if rate.municipality_id != tenant.municipality.pk:
            raise PermissionDenied
        uses_percent = rate.percent is not None or (
            rate.amount is None and rate.component in (Component.ALLOWANCE, Component.SIBLING_REDUCTION)
        )
        before = {"percent": _str(rate.percent), "amount": _str(rate.amount), "source": rate.source}
        if uses_percent:
            if value is not None and rate.component == Component.SIBLING_REDUCTION and value > 100:
                raise ValidationError({"value": _("Syskonavdraget kan inte vara mer än 100 %.")})
            rate.percent, rate.amount = value, None
        else:
            rate.amount, rate.percent = value, None
        rate.source = Source.MUNICIPALITY
        rate.note = note
        rate.save(update_fields=["percent", "amount", "source", "note", "updated_at"])
        after = {"percent": _str(rate.percent), "amount": _str(rate.amount), "source": rate.source}
        record(
            action=Action.UPDATE,
            tenant=tenant,
            obj=rate,
            detail={"change": "rate_updated", "before": before, "after": after, "year": rate.table.year},
        )
    return rate


def _str(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def set_wage_type(*, tenant: Tenant, kind: str, code: str, name: str = "") -> WageType:
    """The municipality's löneart for a kind of line in the payroll file."""
    _administers(tenant)
    if kind not in LineKind.values:
        raise ValidationError({"kind": _("Välj typ av rad.")})
    code = code.strip()
    if not code or len(code) > 10 or not code.replace("-", "").replace("_", "").isalnum():
        raise ValidationError({"code": _("Ange lönearten med högst 10 bokstäver eller siffror.")})
    with transaction.atomic():
        municipality = locked(Municipality.objects.get(pk=tenant.municipality.pk))
        wage = WageType.objects.in_municipality(municipality).filter(kind=kind).first()
        before = None if wage is None else {"code": wage.code, "name": wage.name}
        if wage is None:
            wage = WageType.objects.create(municipality=municipality, kind=kind, code=code, name=name)
        else:
            wage.code, wage.name = code, name
            wage.save(update_fields=["code", "name", "updated_at"])
        record(
            action=Action.UPDATE,
            tenant=tenant,
            obj=wage,
            detail={
                "change": "wage_type_set",
                "kind": kind,
                "before": before,
                "after": {"code": code, "name": name},
            },
        )
    return wage


# ---------------------------------------------------------------------------
# Payment runs
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Prepared:
    run: PaymentRun | None
    new_lines: int
    problems: list[dict[str, str]]


def _period(day: dt.date) -> calc.Period:
    return calc.Period(day.year, day.month)


def _runner(tenant: Tenant) -> None:
    if not can_run_payments(tenant):
        raise PermissionDenied


#: A new line as `_new_lines` hands it to `_write_lines`: a plain tuple in this column order (a month
#: of a large municipality is 100,000 lines; dicts or model instances per line cost more than the COPY).
ROW = (
    "assignment_id",
    "supporter_id",
    "kind",
    "component",
    "revision",
    "adjustment",
    "quantity",
    "unit_price",
    "amount",
    "why",
    "expense_id",
)
Row = tuple[Any, Any, str, str, int, bool, Decimal, Decimal, Decimal, str, Any]


def _new_lines(municipality: Municipality, period: calc.Period, computed: list[runs.Computed]) -> list[Row]:
    """What the month earns minus what earlier runs paid: new lines, adjustments, and reversals of
    lines no longer earned (a report sent back after it was paid)."""
    paid = runs.paid_for(municipality, period)
    first = period.first
    out: list[Row] = []
    append = out.append
    seen: set[tuple[Any, str]] = set()
    for item in computed:
        line = item.line
        have = None
        if paid:  # the first run of a month skips the bookkeeping
            key = (item.assignment_id, line.component)
            seen.add(key)
            have = paid.get(key)
        if have is None:
            append(
                (
                    item.assignment_id,
                    item.supporter_id,
                    line.kind,
                    line.component,
                    0,
                    False,
                    line.quantity,
                    line.unit_price,
                    line.amount,
                    line.why,
                    item.expense_id,
                )
            )
            continue
        difference = line.amount - have.amount
        if difference:
            append(
                _adjustment(
                    item.assignment_id,
                    item.supporter_id,
                    first,
                    line.kind,
                    line.component,
                    have,
                    difference,
                    _("nu beräknat %(amount)s. ") % {"amount": calc.kr(line.amount)} + line.why,
                )
            )
    if paid:
        missing = [
            key for key in paid if key not in seen and paid[key].amount and paid[key].kind != calc.EXPENSE
        ]
        if missing:
            owners = dict(
                PaymentLine.objects.in_municipality(municipality)
                .filter(period=first, assignment_id__in={a for a, _c in missing})
                .values_list("assignment_id", "supporter_id")
            )
            for assignment_id, component in missing:
                have = paid[(assignment_id, component)]
                append(
                    _adjustment(
                        assignment_id,
                        owners[assignment_id],
                        first,
                        have.kind,
                        component,
                        have,
                        -have.amount,
                        _("inte längre grundat på godkända rapporter eller uppdraget."),
                    )
                )
    return out


def _adjustment(
    assignment_id: Any,
    supporter_id: Any,
    first: dt.date,
    kind: str,
    component: str,
    have: runs.Paid,
    difference: Decimal,
    why: str,
) -> Row:
    return (
        assignment_id,
        supporter_id,
        kind,
        component,
        have.revision + 1,
        True,
        Decimal(1),
        difference,
        difference,
        _("Justering av %(month)s: tidigare utbetalt %(paid)s, ")
        % {"month": f"{first:%Y-%m}", "paid": calc.kr(have.amount)}
        + why,
        None,
    )


def _write_lines(
    municipality: Municipality, run: PaymentRun, period: dt.date, rows: list[Row], batch_size: int
) -> None:
    """Insert the new lines: COPY on PostgreSQL (a month of a large municipality is 100,000 rows),
    bulk_create elsewhere. Inside the caller's transaction either way."""
    if connection.vendor != "postgresql":
        PaymentLine.objects.bulk_create(
            [
                PaymentLine(
                    municipality=municipality, run=run, period=period, **dict(zip(ROW, row, strict=True))
                )
                for row in rows
            ],
            batch_size=batch_size,
        )
        return
    fixed = ("id", "created_at", "updated_at", "municipality_id", "run_id", "period")
    names = {f.attname: str(f.column) for f in PaymentLine._meta.concrete_fields}
    if set(names) != {*fixed, *ROW}:  # a new field on the model must be written here too
        raise ImproperlyConfigured(f"payment line columns changed: {sorted(set(names) ^ {*fixed, *ROW})}")
    columns = ", ".join(connection.ops.quote_name(names[name]) for name in (*fixed, *ROW))
    table = connection.ops.quote_name(PaymentLine._meta.db_table)
    now = timezone.now().isoformat()
    # the run's constants as text once, not adapted again on each of the 100,000 rows
    constants = (now, now, str(municipality.pk), str(run.pk), period.isoformat())
    new_id = uuid.uuid4
    with (
        connection.cursor() as cursor,
        cursor.connection.cursor() as pg,
        pg.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        write = copy.write_row
        for row in rows:
            write((new_id(), *constants, *row))


def _totals(run: PaymentRun) -> None:
    sums = {
        row["kind"]: (row["total"], row["n"])
        for row in PaymentLine.objects.filter(run=run)
        .values("kind")
        .annotate(total=Sum("amount"), n=Count("id"))
        .order_by()
    }
    run.total_fee = sums.get(calc.FEE, (Decimal(0), 0))[0]
    run.total_allowance = sums.get(calc.ALLOWANCE, (Decimal(0), 0))[0]
    run.total_expense = sums.get(calc.EXPENSE, (Decimal(0), 0))[0]
    run.line_count = sum(n for _t, n in sums.values())


def prepare_run(*, tenant: Tenant, period: dt.date, batch_size: int = 5000) -> Prepared:
    """Prepare (or bring up to date) the month's run: every line the month earns that no run has paid.

    Running it again adds nothing when nothing changed; after an attested run a change becomes an
    adjustment line in a new run of the month. The municipality's row is locked, so two managers
    preparing at once do not both add the same lines."""
    _runner(tenant)
    month = _period(period)
    if month.first > timezone.localdate():
        raise ValidationError({"period": _("Månaden har inte börjat än.")})
    with transaction.atomic():
        municipality = locked(Municipality.objects.get(pk=tenant.municipality.pk))
        table = RateTable.objects.in_municipality(municipality).filter(year=month.year).first()
        if table is None:
            raise IllegalTransition(
                _("Det finns ingen ersättningstabell för %(year)s. Systemförvaltaren lägger upp den.")
                % {"year": month.year}
            )
        computed, problems = runs.compute_month(municipality, month, runs.rates_of(table))
        lines = _new_lines(municipality, month, computed)
        open_run = (
            PaymentRun.objects.in_municipality(municipality)
            .select_for_update()
            .filter(period=month.first, status=PaymentRun.Status.PREPARED)
            .first()
        )
        problem_rows = [{"assignment": str(p.assignment_id), "reason": p.reason} for p in problems]
        if not lines and open_run is None:
            latest = PaymentRun.objects.in_municipality(municipality).filter(period=month.first).first()
            return Prepared(latest, 0, problem_rows)
        now = timezone.now()
        created = open_run is None
        run = open_run or PaymentRun.objects.create(
            municipality=municipality, period=month.first, prepared_by=tenant.user, prepared_at=now
        )
        _write_lines(municipality, run, month.first, lines, batch_size)
        if lines:
            run.prepared_by = tenant.user  # whoever adds lines has prepared the run and may not attest it
            run.prepared_at = now
        run.problems = problem_rows
        _totals(run)
        run.save()
        record(
            action=Action.CREATE if created else Action.UPDATE,
            tenant=tenant,
            obj=run,
            detail={
                "change": "payment_run_prepared",
                "period": f"{month}",
                "new_lines": len(lines),
                "problems": len(problems),
                "total": str(run.total),
            },
        )
    return Prepared(run, len(lines), problem_rows)


def attest_run(*, tenant: Tenant, run: PaymentRun) -> PaymentRun:
    """Attest the run: a manager who did not prepare it. Locked from then on."""
    _runner(tenant)
    with transaction.atomic():
        locked(run)
        if run.municipality_id != tenant.municipality.pk:
            raise PermissionDenied
        if run.status == PaymentRun.Status.ATTESTED:
            who = run.attested_by.get_full_name() if run.attested_by else ""
            raise IllegalTransition(
                _("Utbetalningen är redan attesterad av %(who)s. Den är låst.")
                % {"who": who or _("någon annan")}
            )
        if run.prepared_by_id == tenant.user.pk:
            raise IllegalTransition(
                _("Den som förberedde utbetalningen kan inte attestera den. Be en annan chef.")
            )
        if not run.line_count:
            raise IllegalTransition(_("Utbetalningen har inga rader."))
        run.status = PaymentRun.Status.ATTESTED
        run.attested_by = tenant.user
        run.attested_at = timezone.now()
        run.save(update_fields=["status", "attested_by", "attested_at", "updated_at"])
        record(
            action=Action.UPDATE,
            tenant=tenant,
            obj=run,
            detail={
                "change": "payment_run_attested",
                "period": f"{run.period:%Y-%m}",
                "total": str(run.total),
            },
        )
    return run
