# ruff: noqa: E501
"""Benchmark: importing a 5,000-row supporter spreadsheet, on SQLite and on PostgreSQL.

    python bench/import_supporters.py [--json] [--rows 5000]

For each database (a scratch SQLite file and a scratch PostgreSQL database, both created and
removed here) it: writes a file with 3 bad rows, validates it (must report exactly those rows
and import nothing), then imports the corrected file with commit, and reports rows per second
(validation + write) and the peak resident memory of the process. Target ≥ 1,000 rows/s.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PG_DB = "bredvid_bench_import"
BAD_ROWS = (17, 2500, 4999)  # 1-based data rows; spreadsheet rows are these + 1


def _file(rows: int, bad: bool) -> bytes:
    import datetime as dt

    from openpyxl import Workbook
    from stdnum import luhn

    from bredvid.supporters.importer import COLUMNS

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Uppdragstagare")
    sheet.append(COLUMNS)
    for n in range(1, rows + 1):
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=n % 20_000)
        serial = f"{n // 20_000 % 1000:03d}"
        number = f"{birth:%Y%m%d}-{serial}{luhn.calc_check_digit(birth.strftime('%y%m%d') + serial)}"
        values = {c: "" for c in COLUMNS}
        values.update({"Namn": f"Familjen Nummer{n}", "Uppdrag": "kontaktfamilj, familjehem" if n % 3 else "kontaktperson",
                       "Status": "Godkänd", "Godkänd datum": "2026-05-04", "Telefon": "070-123 45 67", "E-post": f"f{n}@example.se",
                       "Postnummer": "449 30", "Ort": "Alafors" if n % 2 else "Borlänge", "Område": "Ale",
                       "Personnummer 1": number, "Förnamn 1": "Anna", "Efternamn 1": f"Nummer{n}",
                       "Belastningsregistret 1": "2026-04-01", "Misstankeregistret 1": "2026-04-02"})  # fmt: skip
        if bad and n == BAD_ROWS[0]:
            values["Personnummer 1"] = number[:-1] + str((int(number[-1]) + 1) % 10)
        if bad and n == BAD_ROWS[1]:
            values["Uppdrag"] = "trädgårdsmästare"
        if bad and n == BAD_ROWS[2]:
            values["Misstankeregistret 1"] = ""
        sheet.append([values[c] for c in COLUMNS])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def worker(rows: int) -> dict[str, object]:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from bredvid.supporters.importer import import_supporters
    from bredvid.supporters.models import Supporter
    from bredvid.tenancy.context import build_tenant
    from bredvid.tenancy.models import Membership, Municipality, Role, Unit

    call_command("migrate", verbosity=0)
    municipality = Municipality.objects.create(name="Benchköping", kommunkod="9998", slug="bench-import")
    unit = Unit.objects.create(municipality=municipality, name="Familjehemsenheten")
    user = get_user_model().objects.create(username="officer")
    Membership.objects.create(user=user, unit=unit, role=Role.FAMILY_CARE_OFFICER)
    tenant = build_tenant(user, municipality.pk, ip=None, via="cli")
    bad, good = _file(rows, True), _file(rows, False)

    started = time.perf_counter()
    checked = import_supporters(tenant=tenant, stream=BytesIO(bad), commit=True)  # type: ignore[arg-type]
    validate_s = time.perf_counter() - started
    reported = sorted({e.row - 1 for e in checked.errors})

    started = time.perf_counter()
    result = import_supporters(tenant=tenant, stream=BytesIO(good), commit=True)  # type: ignore[arg-type]
    import_s = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # whole process, Django included
    return {
        "rows": rows,
        "bad_rows_reported": reported,
        "bad_rows_expected": list(BAD_ROWS),
        "imported_after_bad_file": 0 if not checked.committed else checked.imported,
        "supporters_after": Supporter.objects.count(),
        "validate_rows_per_s": round(rows / validate_s),
        "import_rows_per_s": round(rows / import_s),
        "import_s": round(import_s, 3),
        "peak_rss_mb": round(peak / 1e6, 1),
        "ok": reported == list(BAD_ROWS) and result.imported == rows and not checked.committed,
    }


def _run(database_url: str, rows: int) -> dict[str, object]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_ENV": "test",
    }
    out = subprocess.run(
        [sys.executable, __file__, "--worker", "--rows", str(rows)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        sys.path.insert(0, str(ROOT))
        print(json.dumps(worker(args.rows)))
        return
    import psycopg

    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite"] = _run(f"sqlite:///{tmp}/bench.sqlite3", args.rows)
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DB}")
    try:
        results["postgresql"] = _run(f"{PG}/{PG_DB}", args.rows)
    finally:
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
    results["target_rows_per_s"] = 1000
    results["target_met"] = all(
        r["ok"] and r["import_rows_per_s"] >= 1000
        for r in (results["sqlite"], results["postgresql"])  # type: ignore[index]
    )
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for db in ("sqlite", "postgresql"):
            print(db, results[db])
        print("target met:", results["target_met"])


if __name__ == "__main__":
    main()
