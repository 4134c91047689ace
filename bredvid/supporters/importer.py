"""Import of supporters from a spreadsheet (xlsx): every row validated, nothing imported when any
row is wrong, errors reported per row and column in Swedish. Dry run unless `commit=True`."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from bredvid.audit.models import Action
from bredvid.audit.services import record
from bredvid.core import date_bounds
from bredvid.core.choices import SupportKind
from bredvid.core.identity import InvalidIdentityNumber, parse_identity_number
from bredvid.core.legal_time import add_months
from bredvid.core.spreadsheets import Spreadsheet
from bredvid.people.models import Person
from bredvid.supporters.geo import locate
from bredvid.supporters.models import RegisterCheck, Supporter, SupporterMember
from bredvid.supporters.services import default_validity
from bredvid.tenancy.context import Tenant

MAX_MEMBERS = 2
COLUMNS = [
    "Namn",
    "Uppdrag",
    "Status",
    "Godkänd datum",
    "Telefon",
    "E-post",
    "Gatuadress",
    "Postnummer",
    "Ort",
    "Område",
    *[
        f"{label} {n}"
        for n in range(1, MAX_MEMBERS + 1)
        for label in ("Personnummer", "Förnamn", "Efternamn", "Belastningsregistret", "Misstankeregistret")
    ],
]
REQUIRED = {"Namn", "Uppdrag"}
_SUPPORTS = {
    **{v: v for v in SupportKind.values},
    **{str(label).casefold(): v for v, label in SupportKind.choices},
}
_STATUS = {
    "godkänd": Supporter.Status.APPROVED,
    "under utredning": Supporter.Status.INVESTIGATING,
    "": Supporter.Status.INVESTIGATING,
}
MAX_ROWS = 50_000


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("Rad %(row)s, kolumn «%(column)s»: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class ImportResult:
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    imported: int = 0
    committed: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Row:
    number: int
    name: str
    supports: list[str]
    status: str
    approved_on: datetime.date | None
    phone: str
    email: str
    street_address: str
    postal_code: str
    city: str
    area: str
    members: list[tuple[str, datetime.date, str, str, datetime.date | None, datetime.date | None]]


def template_workbook() -> bytes:
    """The documented template: the header row, an example and a sheet of instructions."""
    workbook = Spreadsheet()
    sheet = workbook.sheet("Uppdragstagare", COLUMNS)
    sheet.append(
        [
            "Familjen Ek",
            "familjehem, kontaktfamilj",
            "Godkänd",
            "2026-05-04",
            "070-123 45 67",
            "anna.ek@example.se",
            "Storgatan 1",
            "449 30",
            "Nödinge",
            "Ale",
            "19811228-9874",
            "Anna",
            "Ek",
            "2026-04-01",
            "2026-04-01",
        ]
    )
    help_sheet = workbook.sheet("Instruktioner")
    for line in (
        ("Kolumn", "Innehåll"),
        ("Namn", "Obligatorisk. Personens namn eller hushållets, t.ex. Familjen Ek."),
        (
            "Uppdrag",
            "Obligatorisk. En eller flera, kommaseparerade: kontaktperson, kontaktfamilj, familjehem, "
            "jourhem, särskilt kvalificerad kontaktperson.",
        ),
        ("Status", "Godkänd eller Under utredning (tomt = Under utredning)."),
        ("Godkänd datum", "ÅÅÅÅ-MM-DD. Krävs när status är Godkänd."),
        ("Postnummer", "Fem siffror, t.ex. 449 30."),
        (
            "Personnummer 1–2",
            "Vuxna i hushållet: ÅÅÅÅMMDD-NNNN. Förnamn och efternamn krävs för varje personnummer.",
        ),
        (
            "Belastningsregistret 1–2, Misstankeregistret 1–2",
            "Datum (ÅÅÅÅ-MM-DD) då utdraget utan uppgifter kom. Krävs för varje vuxen när status är "
            "Godkänd och uppdraget är familjehem eller jourhem (SoF 3 kap. 3 §).",
        ),
        (
            "",
            "Importen läser alla rader först. Om någon rad är fel importeras ingenting och felen visas "
            "per rad och kolumn.",
        ),
    ):
        help_sheet.append(line)
    return workbook.to_bytes()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _rows(stream: IO[bytes]) -> Iterator[tuple[int, dict[str, Any]]]:
    workbook = load_workbook(stream, read_only=True, data_only=True)
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [_text(h) for h in next(rows, ())]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ValidationError(
            _("Mallens rubrikrad saknar kolumnerna: %(cols)s.") % {"cols": ", ".join(sorted(missing))}
        )
    positions = {name: header.index(name) for name in COLUMNS if name in header}
    for number, values in enumerate(rows, start=2):
        if not any(v not in (None, "") for v in values):
            continue
        yield number, {name: values[pos] if pos < len(values) else None for name, pos in positions.items()}
    workbook.close()


def _date(value: Any) -> datetime.date | None:
    """A date cell or ISO text; raises ValueError for anything else that is not empty."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    return datetime.date.fromisoformat(text) if text else None


def _parse_row(number: int, raw: dict[str, Any], errors: list[RowError], seen: dict[str, int]) -> _Row | None:
    before = len(errors)

    def err(column: str, message: str) -> None:
        errors.append(RowError(number, column, message))

    name = _text(raw.get("Namn"))
    if not name:
        err("Namn", _("Ange namn."))
    elif len(name) > 200:
        err("Namn", _("Högst 200 tecken."))
    supports = []
    for part in _text(raw.get("Uppdrag")).replace(";", ",").split(","):
        part = part.strip().casefold()
        if not part:
            continue
        if part not in _SUPPORTS:
            err("Uppdrag", _("Okänt uppdrag: %(value)s.") % {"value": part})
        else:
            supports.append(_SUPPORTS[part])
    if not supports and not any(e.column == "Uppdrag" and e.row == number for e in errors):
        err("Uppdrag", _("Ange minst ett uppdrag."))
    status_text = _text(raw.get("Status")).casefold()
    status = _STATUS.get(status_text)
    if status is None:
        err("Status", _("Skriv Godkänd eller Under utredning."))
    approved = raw.get("Godkänd datum")
    approved_on: datetime.date | None = None
    if isinstance(approved, datetime.datetime):
        approved_on = approved.date()
    elif isinstance(approved, datetime.date):
        approved_on = approved
    elif _text(approved):
        try:
            approved_on = datetime.date.fromisoformat(_text(approved))
        except ValueError:
            err("Godkänd datum", _("Ange datum som ÅÅÅÅ-MM-DD."))
    if approved_on is not None and not date_bounds.within(date_bounds.EVENT, approved_on):
        err("Godkänd datum", date_bounds.message(date_bounds.EVENT))
        approved_on = None
    if (
        status == Supporter.Status.APPROVED
        and approved_on is None
        and not any(e.column == "Godkänd datum" and e.row == number for e in errors)
    ):
        err("Godkänd datum", _("Ange när uppdragstagaren godkändes."))
    email = _text(raw.get("E-post"))
    if email:
        try:
            validate_email(email)
        except ValidationError:
            err("E-post", _("Ogiltig e-postadress."))
    postal = _text(raw.get("Postnummer")).replace(" ", "")
    if postal and (len(postal) != 5 or not postal.isdigit()):
        err("Postnummer", _("Postnumret har fem siffror."))
    members = []
    for n in range(1, MAX_MEMBERS + 1):
        pn = _text(raw.get(f"Personnummer {n}"))
        first, last = _text(raw.get(f"Förnamn {n}")), _text(raw.get(f"Efternamn {n}"))
        if not pn:
            if first or last:
                err(f"Personnummer {n}", _("Ange personnummer för personen."))
            continue
        try:
            parsed = parse_identity_number(pn)
        except InvalidIdentityNumber as exc:
            err(f"Personnummer {n}", str(exc))
            continue
        if parsed.number in seen:
            err(f"Personnummer {n}", _("Personen finns redan på rad %(row)s.") % {"row": seen[parsed.number]})
            continue
        seen[parsed.number] = number
        if not date_bounds.within(date_bounds.BIRTH, parsed.birth_date):
            err(f"Personnummer {n}", date_bounds.message(date_bounds.BIRTH))
            continue
        if not first or not last:
            err(f"Förnamn {n}" if not first else f"Efternamn {n}", _("Ange för- och efternamn."))
            continue
        checks: list[datetime.date | None] = []
        for check in ("Belastningsregistret", "Misstankeregistret"):
            try:
                received = _date(raw.get(f"{check} {n}"))
            except ValueError:
                err(f"{check} {n}", _("Ange datum som ÅÅÅÅ-MM-DD."))
                received = None
            if received is not None and not date_bounds.within(date_bounds.RECEIPT, received):
                err(f"{check} {n}", date_bounds.message(date_bounds.RECEIPT))
                received = None
            checks.append(received)
        police_needed = status == Supporter.Status.APPROVED and bool(
            {"familjehem", "jourhem"} & set(supports)
        )
        if police_needed and None in checks:
            column = f"Belastningsregistret {n}" if checks[0] is None else f"Misstankeregistret {n}"
            err(
                column, _("Familjehem och jourhem godkänns bara med polisens registerutdrag för varje vuxen.")
            )
        members.append((parsed.number, parsed.birth_date, first[:100], last[:100], checks[0], checks[1]))
    if len(errors) > before:
        return None
    return _Row(
        number,
        name,
        supports,
        status or Supporter.Status.INVESTIGATING,
        approved_on,
        _text(raw.get("Telefon"))[:30],
        email,
        _text(raw.get("Gatuadress"))[:200],
        f"{postal[:3]} {postal[3:]}" if postal else "",
        _text(raw.get("Ort"))[:100],
        _text(raw.get("Område"))[:100],
        members,
    )


def import_supporters(*, tenant: Tenant, stream: IO[bytes], commit: bool, filename: str = "") -> ImportResult:
    from bredvid.supporters.perms import can_manage_supporters

    if not can_manage_supporters(tenant):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    result = ImportResult()
    parsed: list[_Row] = []
    seen: dict[str, int] = {}
    try:
        for number, raw in _rows(stream):
            result.rows += 1
            if result.rows > MAX_ROWS:
                result.errors.append(
                    RowError(number, "", _("Filen har fler än %(max)s rader.") % {"max": MAX_ROWS})
                )
                break
            row = _parse_row(number, raw, result.errors, seen)
            if row is not None:
                parsed.append(row)
    except ValidationError as exc:
        result.errors.append(RowError(1, "", " ".join(exc.messages)))
    except Exception:  # not an xlsx file openpyxl can read
        result.errors.append(RowError(0, "", _("Filen kunde inte läsas. Använd mallen och spara som .xlsx.")))
    if result.errors or not commit:
        return result
    _write(tenant, parsed, filename)
    result.imported = len(parsed)
    result.committed = True
    return result


def _write(tenant: Tenant, rows: Iterable[_Row], filename: str) -> None:
    rows = list(rows)
    municipality = tenant.municipality
    numbers = [m[0] for row in rows for m in row.members]
    with transaction.atomic():
        existing = dict(
            Person.objects.filter(municipality=municipality, identity_number__in=numbers).values_list(
                "identity_number", "id"
            )
        )
        new_people = []
        for row in rows:
            for number, birth, first, last, _record, _suspicion in row.members:
                if number not in existing:
                    pid = uuid.uuid4()
                    existing[number] = pid
                    kind = "samordningsnummer" if int(number[6:8]) > 60 else "personnummer"
                    new_people.append(
                        Person(
                            id=pid,
                            municipality=municipality,
                            identity_kind=kind,
                            identity_number=number,
                            birth_date=birth,
                            first_name=first,
                            last_name=last,
                        )
                    )
        Person.objects.bulk_create(new_people, batch_size=1000)
        supporters: list[Supporter] = []
        members: list[SupporterMember] = []
        checks: list[RegisterCheck] = []
        validity = default_validity(municipality)
        for row in rows:
            point = locate(row.city, row.area)
            supporter = Supporter(
                id=uuid.uuid4(),
                municipality=municipality,
                name=row.name,
                status=row.status,
                supports=row.supports,
                approved_supports=row.supports if row.status == Supporter.Status.APPROVED else [],
                approved_on=row.approved_on,
                responsible=tenant.user,
                phone=row.phone,
                email=row.email,
                street_address=row.street_address,
                postal_code=row.postal_code,
                city=row.city,
                area=row.area,
                latitude=point[0] if point else None,
                longitude=point[1] if point else None,
            )
            supporters.append(supporter)
            for m in row.members:
                member = SupporterMember(
                    municipality=municipality, supporter=supporter, person_id=existing[m[0]], adult=True
                )
                members.append(member)
                for kind, received in (
                    (RegisterCheck.Kind.POLICE_RECORD, m[4]),
                    (RegisterCheck.Kind.POLICE_SUSPICION, m[5]),
                ):
                    if received is not None:
                        checks.append(
                            RegisterCheck(
                                municipality=municipality,
                                member=member,
                                kind=kind,
                                requested_on=received,
                                received_on=received,
                                outcome=RegisterCheck.Outcome.NO_RECORD,
                                valid_until=add_months(received, validity),
                            )
                        )
        Supporter.objects.bulk_create(supporters, batch_size=1000)
        SupporterMember.objects.bulk_create(members, batch_size=1000)
        RegisterCheck.objects.bulk_create(checks, batch_size=1000)
        record(
            action=Action.CREATE,
            tenant=tenant,
            object_type="supporters.supporter",
            subjects=[m.person_id for m in members],
            detail={"import": filename[:200], "supporters": len(supporters), "new_persons": len(new_people)},
        )
