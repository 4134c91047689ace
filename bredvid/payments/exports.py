"""Exports of an attested payment run: PAXml 2.0 for payroll (with the municipality's lönearter), CSV
and an Excel summary; and the yearly statement per supporter (PDF). Every export is audited by the
caller (the page or the endpoint) with `audited_export`."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree
from weasyprint import HTML

from bredvid.audit.models import Action
from bredvid.audit.services import record
from bredvid.core.errors import IllegalTransition
from bredvid.core.spreadsheets import Spreadsheet, clean_text, is_formula_like
from bredvid.payments import calc
from bredvid.payments.models import LineKind, PaymentLine, PaymentRun, WageType

if TYPE_CHECKING:
    from bredvid.supporters.models import Supporter
    from bredvid.tenancy.context import Tenant

SCHEMA_PATH = Path(__file__).parent / "schemas" / "paxml-2.0-lonetransaktioner.xsd"
CSV_HEADER = (
    "utbetalning",
    "avser_manad",
    "uppdragstagare_id",
    "uppdragstagare",
    "uppdrag_id",
    "typ",
    "loneart",
    "antal",
    "a_pris",
    "belopp",
    "justering",
    "grund",
)


def _attested(run: PaymentRun) -> None:
    if run.status != PaymentRun.Status.ATTESTED:
        raise IllegalTransition(_("Utbetalningen måste vara attesterad innan den kan exporteras."))


def wage_codes(run: PaymentRun) -> dict[str, str]:
    codes = dict(WageType.objects.in_municipality(run.municipality).values_list("kind", "code"))
    missing = [str(LineKind(kind).label) for kind in LineKind.values if kind not in codes]
    if missing:
        raise IllegalTransition(
            _("Lönearter saknas för: %(kinds)s. Systemförvaltaren anger dem under Ersättningar.")
            % {"kinds": ", ".join(missing)}
        )
    return codes


def _lines(run: PaymentRun) -> Iterator[tuple[Any, ...]]:
    return (
        PaymentLine.objects.filter(run=run)
        .order_by("supporter_id", "assignment_id", "kind", "component", "revision")
        .values_list(
            "supporter_id",
            "supporter__name",
            "assignment_id",
            "period",
            "kind",
            "quantity",
            "unit_price",
            "amount",
            "adjustment",
            "why",
            "id",
        )
        .iterator(chunk_size=10_000)
    )


def paxml(run: PaymentRun) -> bytes:
    """The run as PAXml 2.0 lönetransaktioner: one `lonetrans` per line, anstid = the supporter.

    Written incrementally (lxml's xmlfile), so a run of 100,000 lines never holds a tree in memory."""
    _attested(run)
    codes = wage_codes(run)
    labels = {kind: str(LineKind(kind).label) for kind in LineKind.values}
    adjusted = " " + _("justering")
    buffer = io.BytesIO()
    element = etree.Element
    with etree.xmlfile(buffer, encoding="UTF-8") as xf:
        xf.write_declaration()
        with xf.element("paxml"):
            header = element("header")
            for tag, text in (
                ("format", "LÖNIN"),
                ("version", "2.0"),
                ("datum", timezone.localtime().replace(microsecond=0, tzinfo=None).isoformat()),
                ("foretagid", run.municipality.kommunkod),
                ("foretagnamn", f"{run.municipality.name} kommun"),
                ("programnamn", "Bredvid"),
                ("info", f"Utbetalning {run.period:%Y-%m}"),
            ):
                etree.SubElement(header, tag).text = text
            xf.write(header)
            with xf.element("lonetransaktioner"):
                for (
                    supporter_id,
                    _n,
                    _a,
                    period,
                    kind,
                    quantity,
                    unit_price,
                    amount,
                    adjustment,
                    _w,
                    pk,
                ) in _lines(run):
                    trans = element("lonetrans", anstid=str(supporter_id), postid=str(pk))
                    for tag, text in (
                        ("lonart", codes[kind]),
                        ("benamning", (labels[kind] + (adjusted if adjustment else ""))[:60]),
                        ("datum", period.isoformat()),
                        ("antal", f"{quantity:.4f}"),
                        ("apris", f"{unit_price:.2f}"),
                        ("belopp", f"{amount:.2f}"),
                    ):
                        etree.SubElement(trans, tag).text = text
                    xf.write(trans)
    return buffer.getvalue()


def paxml_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


def _csv_cell(value: Any) -> Any:
    if isinstance(value, str):
        text = clean_text(value)
        return "'" + text if is_formula_like(text) else text
    return value


def csv_bytes(run: PaymentRun) -> bytes:
    _attested(run)
    codes = wage_codes(run)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(CSV_HEADER)
    for (
        supporter_id,
        name,
        assignment,
        period,
        kind,
        quantity,
        unit_price,
        amount,
        adjustment,
        why,
        _pk,
    ) in _lines(run):
        writer.writerow(
            [
                f"{run.period:%Y-%m}",
                f"{period:%Y-%m}",
                str(supporter_id),
                _csv_cell(name),
                str(assignment),
                kind,
                codes[kind],
                f"{quantity:.4f}".replace(".", ","),
                f"{unit_price:.2f}".replace(".", ","),
                f"{amount:.2f}".replace(".", ","),
                "ja" if adjustment else "nej",
                _csv_cell(why),
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def excel_summary(run: PaymentRun) -> bytes:
    """Totals per supporter (arvode, omkostnad, utlägg) and every line with its reason."""
    _attested(run)
    totals: dict[Any, dict[str, Any]] = {}
    book = Spreadsheet()
    detail = book.sheet(
        _("Rader"),
        [_("Uppdragstagare"), _("Avser månad"), _("Typ"), _("Antal"), _("Á-pris"), _("Belopp"), _("Grund")],
    )
    for supporter_id, name, _a, period, kind, quantity, unit_price, amount, _adj, why, _pk in _lines(run):
        row = totals.setdefault(
            supporter_id,
            {"name": name, calc.FEE: Decimal(0), calc.ALLOWANCE: Decimal(0), calc.EXPENSE: Decimal(0)},
        )
        row[kind] += amount
        detail.append([name, f"{period:%Y-%m}", str(LineKind(kind).label), quantity, unit_price, amount, why])
    summary = book.sheet(
        _("Summering"),
        [
            _("Uppdragstagare"),
            _("Arvode (skattepliktigt)"),
            _("Omkostnad (skattefri)"),
            _("Utlägg"),
            _("Totalt"),
        ],
    )
    for row in sorted(totals.values(), key=lambda r: r["name"]):
        total = row[calc.FEE] + row[calc.ALLOWANCE] + row[calc.EXPENSE]
        summary.append([row["name"], row[calc.FEE], row[calc.ALLOWANCE], row[calc.EXPENSE], total])
    summary.append([_("Totalt"), run.total_fee, run.total_allowance, run.total_expense, run.total])
    return book.to_bytes()


def yearly_statement(supporter: Supporter, year: int) -> tuple[bytes, dict[str, Decimal]]:
    """A supporter's attested payments of a year (kontrolluppgift basis): arvode (taxable) apart
    from omkostnad and utlägg (not taxable), per month."""
    lines = PaymentLine.objects.filter(
        supporter=supporter,
        run__status=PaymentRun.Status.ATTESTED,
        run__period__gte=dt.date(year, 1, 1),
        run__period__lte=dt.date(year, 12, 31),
    ).values_list("run__period", "kind", "amount")
    months: dict[dt.date, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for period, kind, amount in lines:
        months[period][kind] += amount
        totals[kind] += amount
    rows = [
        {
            "month": period,
            "fee": values[calc.FEE],
            "allowance": values[calc.ALLOWANCE],
            "expense": values[calc.EXPENSE],
        }
        for period, values in sorted(months.items())
    ]
    figures = {kind: totals[kind] for kind in calc.KINDS}
    html = render_to_string(
        "payments/pdf/yearly_statement.html",
        {
            "supporter": supporter,
            "municipality": supporter.municipality,
            "year": year,
            "rows": rows,
            "totals": figures,
            "printed_at": timezone.localtime(),
        },
    )
    return HTML(string=html).write_pdf(), figures  # type: ignore[no-any-return]


def audited_export(*, tenant: Tenant, run: PaymentRun, fmt: str, via: str | None = None) -> bytes:
    """Build an export of the run and record who took it (the file holds personal data)."""
    builders = {"paxml": paxml, "csv": csv_bytes, "xlsx": excel_summary}
    content = builders[fmt](run)
    record(
        action=Action.EXPORT,
        tenant=tenant,
        obj=run,
        via=via,
        detail={
            "export": fmt,
            "period": f"{run.period:%Y-%m}",
            "lines": run.line_count,
            "total": str(run.total),
        },
    )
    return content
