"""Import from spreadsheets: all rows validated, nothing imported on any error, errors per row and column."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from bredvid.audit.models import Action, AuditEvent
from bredvid.people.models import Person
from bredvid.supporters import services
from bredvid.supporters.importer import COLUMNS, import_supporters, template_workbook
from bredvid.supporters.models import RegisterCheck, Supporter
from tests.factories import _number


def _row(n: int, **overrides):  # type: ignore[no-untyped-def]
    values = {c: "" for c in COLUMNS}
    values.update({"Namn": f"Familjen {n}", "Uppdrag": "kontaktfamilj", "Status": "Under utredning", "Ort": "Alafors",
                   "Personnummer 1": _number(n), "Förnamn 1": "Anna", "Efternamn 1": f"Nr{n}"})  # fmt: skip
    values.update(overrides)
    return [values[c] for c in COLUMNS]


def _xlsx(rows) -> bytes:  # type: ignore[no-untyped-def]
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_bad_rows_are_reported_and_nothing_is_imported(world) -> None:  # type: ignore[no-untyped-def]
    rows = [_row(n) for n in range(1, 8)]
    rows[1] = _row(2, **{"Personnummer 1": "19811228-9875"})
    rows[3] = _row(4, Uppdrag="trädgårdsmästare")
    rows[5] = _row(6, Status="Godkänd", Uppdrag="familjehem", **{"Godkänd datum": "2026-05-04"})
    tenant = world.tenant("family_care_officer")
    result = import_supporters(tenant=tenant, stream=BytesIO(_xlsx(rows)), commit=True)
    assert not result.committed
    assert [(e.row, e.column) for e in result.errors] == [
        (3, "Personnummer 1"),
        (5, "Uppdrag"),
        (7, "Belastningsregistret 1"),
    ]
    assert "Kontrollsiffran stämmer inte." in str(result.errors[0])
    assert str(result.errors[0]).startswith("Rad 3, kolumn «Personnummer 1»")
    assert not Supporter.objects.exists() and not Person.objects.exists()


def test_valid_file_dry_run_then_commit(world) -> None:  # type: ignore[no-untyped-def]
    rows = [_row(n) for n in range(1, 6)]
    rows.append(_row(6, Status="Godkänd", Uppdrag="familjehem, kontaktfamilj", **{"Godkänd datum": "2026-05-04",
                "Belastningsregistret 1": "2026-04-01", "Misstankeregistret 1": "2026-04-02"}))  # fmt: skip
    tenant = world.tenant("family_care_officer")
    dry = import_supporters(tenant=tenant, stream=BytesIO(_xlsx(rows)), commit=False)
    assert dry.ok and dry.rows == 6 and not dry.committed
    assert not Supporter.objects.exists()
    result = import_supporters(tenant=tenant, stream=BytesIO(_xlsx(rows)), commit=True, filename="lista.xlsx")
    assert result.imported == 6
    approved = Supporter.objects.get(name="Familjen 6")
    assert approved.approved_supports == ["familjehem", "kontaktfamilj"]
    assert approved.latitude is not None
    assert RegisterCheck.objects.filter(member__supporter=approved).count() == 2
    services.ensure_assignable(approved, "familjehem", approved.approved_on)
    event = AuditEvent.objects.get(action=Action.CREATE, object_type="supporters.supporter")
    assert event.detail["supporters"] == 6 and event.detail["import"] == "lista.xlsx"


def test_duplicate_person_in_file_and_not_an_xlsx(world) -> None:  # type: ignore[no-untyped-def]
    tenant = world.tenant("family_care_officer")
    rows = [_row(1), _row(2, **{"Personnummer 1": _number(1)})]
    result = import_supporters(tenant=tenant, stream=BytesIO(_xlsx(rows)), commit=False)
    assert [(e.row, e.column) for e in result.errors] == [(3, "Personnummer 1")]
    assert "rad 2" in result.errors[0].message
    junk = import_supporters(tenant=tenant, stream=BytesIO(b"not a spreadsheet"), commit=True)
    assert junk.errors and "kunde inte läsas" in junk.errors[0].message


def test_template_is_a_valid_import(world) -> None:  # type: ignore[no-untyped-def]
    workbook = load_workbook(BytesIO(template_workbook()))
    assert [c.value for c in workbook["Uppdragstagare"][1]] == COLUMNS
    assert "Instruktioner" in workbook.sheetnames
    result = import_supporters(
        tenant=world.tenant("family_care_officer"), stream=BytesIO(template_workbook()), commit=False
    )
    assert result.ok, [str(e) for e in result.errors]


def test_upload_page_checks_the_file_and_the_role(world) -> None:  # type: ignore[no-untyped-def]
    client = world.client("family_care_officer")
    url = reverse("staff:supporter_import")
    fake = SimpleUploadedFile("lista.xlsx", b"%PDF-1.7 not excel", content_type="application/pdf")
    response = client.post(url, {"file": fake, "commit": "on"})
    assert "inte en Excel-fil" in response.content.decode()
    good = SimpleUploadedFile("lista.xlsx", _xlsx([_row(1), _row(2)]))
    response = client.post(url, {"file": good, "commit": "on"})
    assert response.status_code == 302
    assert Supporter.objects.count() == 2
    assert world.client("caseworker").get(url).status_code == 403
    assert client.get(reverse("staff:supporter_import_template")).content.startswith(b"PK")


def test_command_dry_run_by_default(world, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "lista.xlsx"
    path.write_bytes(_xlsx([_row(1)]))
    args = [str(path), "--municipality", "1440", "--user", "family_care_officer.home"]
    call_command("import_supporters", *args)
    assert "Provkörning" in capsys.readouterr().out
    assert not Supporter.objects.exists()
    call_command("import_supporters", *args, "--commit")
    assert Supporter.objects.count() == 1
    path.write_bytes(_xlsx([_row(2, Uppdrag="")]))
    with pytest.raises(CommandError, match="Ingenting importerades"):
        call_command("import_supporters", *args, "--commit")
