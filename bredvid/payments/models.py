"""Remuneration (ersättning): rate tables, wage-type codes, monthly payment runs and their lines.

Rates are data: a table per municipality and year holds the prisbasbelopp, the rounding rule and
one row per figure (a percentage of the prisbasbelopp or an amount in kronor), each saying whether
it is SKR's recommendation or the municipality's own decision. `calc.py` computes a month's lines
for one assignment from these values; `runs.py` prepares, attests and exports the runs.

A line is keyed by its assignment, the month it pays, its component and a revision number, so
running a month again adds nothing when nothing changed, and a later correction is a new revision
(an adjustment line in a later run). An expense is paid once: the line links it one-to-one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bredvid.assignments.perms import can_read_all_assignments
from bredvid.core.date_bounds import EVENT, bounded
from bredvid.core.models import BaseModel
from bredvid.payments import calc
from bredvid.tenancy.scoping import ScopedQuerySet

if TYPE_CHECKING:
    from bredvid.tenancy.context import Tenant


class Source(models.TextChoices):
    SKR = "skr", _("SKR:s rekommendation")
    MUNICIPALITY = "municipality", _("Kommunens beslut")


class Rounding(models.TextChoices):
    WHOLE_HALF_UP = calc.WHOLE_HALF_UP, _("Hela kronor, avrundat uppåt från 50 öre")
    ORE_HALF_UP = calc.ORE_HALF_UP, _("Ören, avrundat uppåt från ett halvt öre")
    WHOLE_HALF_EVEN = calc.WHOLE_HALF_EVEN, _("Hela kronor, avrundat till jämnt")


class RateScoped(ScopedQuerySet[Any]):
    def may_read(self, tenant: Tenant) -> bool:
        from bredvid.payments.perms import can_read_rates

        return can_read_rates(tenant)


class RateTable(BaseModel):
    """One municipality's rates for one calendar year."""

    holds_personal_data = False

    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("år"))
    prisbasbelopp = models.DecimalField(_("prisbasbelopp"), max_digits=9, decimal_places=2)
    prisbasbelopp_source = models.CharField(
        _("prisbasbeloppet"), max_length=12, choices=Source.choices, default=Source.SKR
    )
    rounding = models.CharField(
        _("avrundning"), max_length=16, choices=Rounding.choices, default=Rounding.WHOLE_HALF_UP
    )
    note = models.TextField(_("anteckning"), max_length=2000, blank=True)

    objects = RateScoped.as_manager()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("ersättningstabell")
        verbose_name_plural = _("ersättningstabeller")
        constraints = [models.UniqueConstraint(fields=["municipality", "year"], name="one_rate_table_a_year")]

    def __str__(self) -> str:
        return str(self.year)


class RateGroup(models.TextChoices):
    KONTAKTPERSON = "kontaktperson", _("Kontaktperson (per månad)")
    KONTAKTFAMILJ = "kontaktfamilj", _("Kontaktfamilj (per dygn)")
    FAMILJEHEM = "familjehem", _("Familjehem (per månad)")


class Component(models.TextChoices):
    FEE = "fee", _("Arvode")
    ALLOWANCE = "allowance", _("Omkostnadsersättning")
    SIBLING_REDUCTION = "sibling_reduction", _("Syskonavdrag")


class Rate(BaseModel):
    """One figure of a rate table: a percentage (of pbb / 12 per month, of pbb / 365 per dygn) or
    kronor; for a level (fee category, allowance level) and an age band where the structure has one."""

    holds_personal_data = False

    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT, related_name="+")
    table = models.ForeignKey(RateTable, on_delete=models.CASCADE, related_name="rates")
    group = models.CharField(_("uppdrag"), max_length=16, choices=RateGroup.choices)
    component = models.CharField(_("del"), max_length=20, choices=Component.choices)
    level = models.CharField(_("nivå eller kategori"), max_length=24, blank=True)
    age_from = models.PositiveSmallIntegerField(_("från ålder"), null=True, blank=True)
    age_to = models.PositiveSmallIntegerField(_("till och med ålder"), null=True, blank=True)
    percent = models.DecimalField(_("procent"), max_digits=6, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField(_("kronor"), max_digits=9, decimal_places=2, null=True, blank=True)
    source = models.CharField(_("källa"), max_length=12, choices=Source.choices, default=Source.SKR)
    note = models.CharField(_("anteckning"), max_length=300, blank=True)

    objects = RateScoped.as_manager()

    class Meta:
        ordering = ["group", "component", "level", "age_from"]
        verbose_name = _("ersättningsnivå")
        verbose_name_plural = _("ersättningsnivåer")
        constraints = [
            models.UniqueConstraint(
                fields=["table", "group", "component", "level", "age_from"],
                name="one_rate_per_row",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=Q(percent__isnull=True) | Q(amount__isnull=True), name="rate_percent_or_amount"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group} {self.component} {self.level} {self.age_from}"


class LineKind(models.TextChoices):
    FEE = calc.FEE, _("Arvode (skattepliktigt)")
    ALLOWANCE = calc.ALLOWANCE, _("Omkostnadsersättning (skattefri)")
    EXPENSE = calc.EXPENSE, _("Utlägg")


class WageType(BaseModel):
    """The municipality's wage-type code (löneart) for each kind of line in the payroll file."""

    holds_personal_data = False

    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("typ av rad"), max_length=12, choices=LineKind.choices)
    code = models.CharField(_("löneart"), max_length=10)
    name = models.CharField(_("benämning"), max_length=60, blank=True)

    objects = RateScoped.as_manager()

    class Meta:
        ordering = ["kind"]
        verbose_name = _("löneart")
        verbose_name_plural = _("lönearter")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "kind"], name="one_wage_type_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.code}"


class RunScoped(ScopedQuerySet[Any]):
    def may_read(self, tenant: Tenant) -> bool:
        from bredvid.payments.perms import can_read_payments

        return can_read_payments(tenant)


class PaymentRun(BaseModel):
    """The month's payment run (utbetalning): prepared, then attested by another manager; locked then."""

    holds_personal_data = False

    class Status(models.TextChoices):
        PREPARED = "prepared", _("Förberedd")
        ATTESTED = "attested", _("Attesterad")

    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT, related_name="+")
    period = models.DateField(_("månad"), validators=bounded(EVENT))  # the first day of the month paid
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PREPARED)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    prepared_at = models.DateTimeField(validators=bounded(EVENT))
    attested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    attested_at = models.DateTimeField(null=True, blank=True, validators=bounded(EVENT))
    total_fee = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    total_allowance = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    total_expense = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    line_count = models.PositiveIntegerField(default=0)
    # Assignments the run could not pay, with the reason (a figure missing from the rate table).
    problems = models.JSONField(default=list, blank=True)

    objects = RunScoped.as_manager()

    class Meta:
        ordering = ["-period", "-prepared_at"]
        verbose_name = _("utbetalning")
        verbose_name_plural = _("utbetalningar")
        constraints = [
            # at most one run of a month is open (prepared, not yet attested) at a time
            models.UniqueConstraint(
                fields=["municipality", "period"], condition=Q(status="prepared"), name="one_open_run_a_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.period:%Y-%m}"

    @property
    def total(self) -> Any:
        return self.total_fee + self.total_allowance + self.total_expense


class LineScoped(ScopedQuerySet[Any]):
    def may_read(self, tenant: Tenant) -> bool:
        from bredvid.payments.perms import can_read_payments

        return can_read_payments(tenant) and can_read_all_assignments(tenant)


class PaymentLine(BaseModel):
    """One line of a run: what one supporter is paid for one assignment, with the reason."""

    holds_personal_data = True

    # No single-column indexes on municipality and assignment: `payment_line_period` and
    # `payment_line_key` lead with them (a month's run writes 100,000 lines; each index costs).
    municipality = models.ForeignKey(
        "tenancy.Municipality", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    run = models.ForeignKey(PaymentRun, on_delete=models.PROTECT, related_name="lines")
    assignment = models.ForeignKey(
        "assignments.Assignment", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    supporter = models.ForeignKey("supporters.Supporter", on_delete=models.PROTECT, related_name="+")
    period = models.DateField(_("avser månad"), validators=bounded(EVENT))
    kind = models.CharField(_("typ"), max_length=12, choices=LineKind.choices)
    component = models.CharField(max_length=80)
    revision = models.PositiveSmallIntegerField(default=0)
    adjustment = models.BooleanField(_("justering"), default=False)
    quantity = models.DecimalField(_("antal"), max_digits=10, decimal_places=4)
    unit_price = models.DecimalField(_("á-pris"), max_digits=10, decimal_places=2)
    amount = models.DecimalField(_("belopp"), max_digits=12, decimal_places=2)
    why = models.TextField(_("grund"))
    expense = models.OneToOneField(
        "expenses.Expense", on_delete=models.PROTECT, null=True, blank=True, related_name="payment_line"
    )

    objects = LineScoped.as_manager()

    class Meta:
        ordering = ["supporter_id", "assignment_id", "kind", "component", "revision"]
        verbose_name = _("utbetalningsrad")
        verbose_name_plural = _("utbetalningsrader")
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "period", "component", "revision"], name="payment_line_key"
            )
        ]
        indexes = [models.Index(fields=["municipality", "period"], name="payment_line_period")]

    def __str__(self) -> str:
        return f"{self.period:%Y-%m} {self.component} {self.amount}"
