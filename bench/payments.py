"""Benchmark: the monthly payment run for 50,000 active assignments with 12 months of reports.

On a scratch PostgreSQL database (dropped and recreated, then dropped again): one municipality,
5,000 children (cases, decisions, interventions), 20,000 supporters, 50,000 active assignments
(40 % kontaktperson, 35 % kontaktfamilj, 25 % familjehem), 12 months of approved reports
(kontaktperson: 2-4 meetings a month; kontaktfamilj: 1-2 weekend or week stays a month) written with
COPY, and 5,000 payable expenses; SKR's 2025 and 2026 tables with the municipality's kontaktperson
fees and sibling reduction decided. Then, in a child process so the memory is the run's own:

- `payment_run_s`: `services.prepare_run` for the last month (reads, computes, bulk-creates, audits);
- `payment_lines`, `payment_lines_per_s`;
- `rerun_new_lines` (must be 0) and `rerun_s`: the same month again;
- `paxml_export_s` (after a second manager attests), `paxml_bytes`, and that it validates;
- `peak_mb`: the child's peak resident memory.

    .venv/bin/python bench/payments.py --json
    .venv/bin/python bench/payments.py --assignments 5000 --json       # a quick run
    .venv/bin/python bench/payments.py --keep --json     # load once and keep the database ...
    .venv/bin/python bench/payments.py --reuse --json    # ... then time the run again on it
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DEFAULT_DB = "bredvid_payperf_bench"
PERIOD = dt.date(2026, 10, 1)  # the run's month; the reports cover 2025-11 .. 2026-10


def _setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_ENV", "test")
    import django

    django.setup()


def _admin(conn_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{conn_url}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _tenant(user, municipality):  # type: ignore[no-untyped-def]
    from bredvid.tenancy.context import build_tenant

    return build_tenant(user, municipality.pk, ip="127.0.0.1")


def _months() -> list[dt.date]:
    months = []
    day = PERIOD
    for _ in range(12):
        months.append(day)
        day = (day - dt.timedelta(days=1)).replace(day=1)
    return sorted(months)


def load(assignments: int, seed: int = 11) -> dict[str, float]:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone
    from stdnum import luhn

    from bredvid.assignments.models import Assignment
    from bredvid.casework.models import Case, Decision, Intervention
    from bredvid.expenses.models import Expense
    from bredvid.payments import services
    from bredvid.payments.models import Component, Rate
    from bredvid.people.models import Person
    from bredvid.supporters.models import Supporter
    from bredvid.tenancy.models import Membership, Municipality, Role, Unit

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    rng = random.Random(seed)
    municipality = Municipality.objects.create(name="Benchköping", kommunkod="9999", slug="bench")
    unit = Unit.objects.create(municipality=municipality, name="Familjehemsenheten")
    users = get_user_model()
    officer = users.objects.create(username="officer")
    admin = users.objects.create(username="admin")
    for user, role in ((officer, Role.FAMILY_CARE_OFFICER), (admin, Role.ADMIN)):
        Membership.objects.create(user=user, unit=unit, role=role)
    for name in ("manager", "manager2"):
        Membership.objects.create(user=users.objects.create(username=name), unit=unit, role=Role.MANAGER)
    children = max(assignments // 10, 10)
    persons, cases, decisions, interventions = [], [], [], []
    kinds = ("kontaktperson", "kontaktfamilj", "familjehem")
    for i in range(children):
        birth = dt.date(2008, 1, 1) + dt.timedelta(days=(i * 37) % 6500)
        serial = f"{i // 6500 % 1000:03d}"
        number = f"{birth:%Y%m%d}-{serial}{luhn.calc_check_digit(birth.strftime('%y%m%d') + serial)}"
        person = Person(
            id=uuid.uuid4(),
            municipality=municipality,
            identity_number=number,
            birth_date=birth,
            first_name="Barn",
            last_name=f"Nummer{i}",
        )
        case = Case(
            id=uuid.uuid4(),
            municipality=municipality,
            unit=unit,
            client=person,
            reference=f"9999-2025-{i:06d}",
            responsible=officer,
            opened_on=dt.date(2025, 1, 10),
        )
        kind = kinds[i % 3]
        decision = Decision(
            id=uuid.uuid4(),
            municipality=municipality,
            case=case,
            status="decided",
            outcome="granted",
            legal_basis="sol_22",
            support_kind=kind,
            scope_unit="continuous",
            period_start=dt.date(2025, 2, 1),
            reasons="Behov",
            proposed_by=officer,
            decided_by=officer,
            decided_on=dt.date(2025, 2, 1),
        )
        persons.append(person)
        cases.append(case)
        decisions.append(decision)
        interventions.append(
            Intervention(
                id=uuid.uuid4(),
                municipality=municipality,
                case=case,
                decision=decision,
                support_kind=kind,
                status="active",
                executed_on=dt.date(2025, 3, 1),
            )
        )
    for model, rows in (
        (Person, persons),
        (Case, cases),
        (Decision, decisions),
        (Intervention, interventions),
    ):
        model.objects.bulk_create(rows, batch_size=5000)
    supporters = [
        Supporter(id=uuid.uuid4(), municipality=municipality, name=f"Uppdragstagare {i}", status="approved")
        for i in range(max(assignments * 2 // 5, 10))
    ]
    Supporter.objects.bulk_create(supporters, batch_size=5000)
    rows: list[Assignment] = []
    for i in range(assignments):
        draw = rng.random()
        kind = "kontaktperson" if draw < 0.4 else "kontaktfamilj" if draw < 0.75 else "familjehem"
        start = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 600))
        fee, allowance = {
            "kontaktperson": (str(rng.randint(1, 3)), rng.choice(["10", "25", "40"])),
            "kontaktfamilj": ("", rng.choice(["basic", "additional"])),
            "familjehem": (rng.choice(["basic", "raised_1", "raised_2"]), "basic"),
        }[kind]
        rows.append(
            Assignment(
                id=uuid.uuid4(),
                municipality=municipality,
                supporter=supporters[i % len(supporters)],
                intervention=interventions[i % children],
                support_kind=kind,
                children=2 if kind == "familjehem" and rng.random() < 0.15 else 1,
                start_on=start,
                fee_level=fee,
                allowance_level=allowance,
                created_by=officer,
                child_allowance_deduction=1250 if kind == "familjehem" and rng.random() < 0.3 else 0,
            )
        )
    Assignment.objects.bulk_create(rows, batch_size=5000)
    months = _months()
    now = timezone.now()
    reports = 0
    columns = (
        "id, created_at, updated_at, municipality_id, assignment_id, kind, starts_on, ends_on, arrives_at, "
        "departs_at, hours, activity, note, status, channel, comment"
    )
    with connection.cursor() as cursor:
        raw = cursor.connection
        with raw.cursor() as pg, pg.copy(f"COPY assignments_report ({columns}) FROM STDIN") as copy:
            for a in rows:
                for month in months:
                    if a.support_kind == "kontaktperson":
                        for _ in range(rng.randint(2, 4)):
                            day = month + dt.timedelta(days=rng.randint(0, 27))
                            copy.write_row(
                                (
                                    uuid.uuid4(),
                                    now,
                                    now,
                                    municipality.pk,
                                    a.id,
                                    "meeting",
                                    day,
                                    day,
                                    None,
                                    None,
                                    rng.choice([2, 3, 4]),
                                    "Aktivitet",
                                    "",
                                    "approved",
                                    "staff",
                                    "",
                                )
                            )
                            reports += 1
                    elif a.support_kind == "kontaktfamilj":
                        friday = month + dt.timedelta(days=(4 - month.weekday()) % 7)
                        for week in rng.sample(range(4), rng.randint(1, 2)):
                            start = friday + dt.timedelta(days=7 * week)
                            end = start + dt.timedelta(days=2 if rng.random() < 0.8 else 6)
                            copy.write_row(
                                (
                                    uuid.uuid4(),
                                    now,
                                    now,
                                    municipality.pk,
                                    a.id,
                                    "stay",
                                    start,
                                    end,
                                    dt.time(17),
                                    dt.time(16),
                                    None,
                                    "",
                                    "",
                                    "approved",
                                    "staff",
                                    "",
                                )
                            )
                            reports += 1
    expenses = [
        Expense(
            id=uuid.uuid4(),
            municipality=municipality,
            assignment=rows[rng.randrange(len(rows))],
            kind="expense",
            status="approved",
            description="Bio",
            incurred_on=PERIOD + dt.timedelta(days=rng.randint(0, 20)),
            amount=rng.randint(50, 900),
        )
        for _ in range(max(assignments // 10, 1))
    ]
    Expense.objects.bulk_create(expenses, batch_size=5000)
    services.seed_known_years(municipality=municipality)
    tenant = _tenant(admin, municipality)
    for rate in Rate.objects.in_municipality(municipality).filter(
        component__in=[Component.FEE, Component.SIBLING_REDUCTION], amount__isnull=True, percent__isnull=True
    ):
        value = 20 if rate.component == Component.SIBLING_REDUCTION else 1000 * int(rate.level)
        services.update_rate(tenant=tenant, rate=rate, value=value)
    for kind, code in (("fee", "711"), ("allowance", "712"), ("expense", "790")):
        services.set_wage_type(tenant=tenant, kind=kind, code=code)
    with connection.cursor() as cursor:
        # a year of reports in a real database has been vacuumed many times (hint bits set, visibility
        # map current); straight after COPY the run's first scan would pay for that instead
        cursor.execute("VACUUM ANALYZE")
    return {
        "assignments": assignments,
        "reports": reports,
        "expenses": len(expenses),
        "load_s": round(time.perf_counter() - started, 1),
    }


def reset() -> dict[str, object]:
    """A kept database back to its loaded state: the runs and their lines gone (raw SQL: bench only)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM payments_paymentline")
        cursor.execute("DELETE FROM payments_paymentrun")
        cursor.execute("VACUUM ANALYZE payments_paymentline")
        cursor.execute("SELECT count(*) FROM assignments_assignment")
        (assignments,) = cursor.fetchone()
    return {"assignments": assignments, "reused": True}


def child() -> dict[str, object]:
    from django.contrib.auth import get_user_model
    from lxml import etree

    from bredvid.payments import exports, services
    from bredvid.tenancy.models import Municipality

    municipality = Municipality.objects.get(slug="bench")
    users = get_user_model()
    manager = _tenant(users.objects.get(username="manager"), municipality)
    second = _tenant(users.objects.get(username="manager2"), municipality)
    started = time.perf_counter()
    prepared = services.prepare_run(tenant=manager, period=PERIOD)
    run_s = time.perf_counter() - started
    assert prepared.run is not None
    started = time.perf_counter()
    again = services.prepare_run(tenant=manager, period=PERIOD)
    rerun_s = time.perf_counter() - started
    run = services.attest_run(tenant=second, run=prepared.run)
    started = time.perf_counter()
    content = exports.paxml(run)
    paxml_s = time.perf_counter() - started
    # validate while parsing, element by element (the whole tree would be the largest thing in memory)
    import io
    from decimal import Decimal

    total, valid = Decimal(0), True
    try:
        for _event, element in etree.iterparse(
            io.BytesIO(content), events=("end",), schema=exports.paxml_schema()
        ):
            if element.tag == "lonetrans":
                total += Decimal(element.findtext("belopp"))
                element.clear()
    except etree.XMLSyntaxError:
        valid = False
    return {
        "payment_run_s": round(run_s, 2),
        "payment_lines": prepared.new_lines,
        "payment_lines_per_s": round(prepared.new_lines / run_s),
        "problems": len(prepared.problems),
        "rerun_new_lines": again.new_lines,
        "rerun_s": round(rerun_s, 2),
        "paxml_export_s": round(paxml_s, 2),
        "paxml_bytes": len(content),
        "paxml_valid": bool(valid),
        "paxml_total_equals_run": total == run.total,
        "run_total_kr": str(run.total),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--assignments", type=int, default=50_000)
    parser.add_argument("--database", default=DEFAULT_DB, help="scratch database name on BENCH_PG (dropped)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the loaded database (for --reuse)")
    parser.add_argument(
        "--reuse", action="store_true", help="time the run on a kept database (its runs deleted first)"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--profile", action="store_true", help="print where the run's time went (stderr)")
    args = parser.parse_args()
    if args.database in {"postgres", "bredvid", "template0", "template1"}:
        parser.error("refusing to drop that database")
    url = f"{PG}/{args.database}"
    if args.child:
        _setup_django(url)
        if args.profile:
            import cProfile
            import pstats

            profile = cProfile.Profile()
            result = profile.runcall(child)
            pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(35)
            print(json.dumps(result))
        else:
            print(json.dumps(child()))
        return
    if not args.reuse:
        _admin(PG, f"DROP DATABASE IF EXISTS {args.database} WITH (FORCE)")
        _admin(PG, f"CREATE DATABASE {args.database}")
    try:
        _setup_django(url)
        figures: dict[str, object] = dict(reset() if args.reuse else load(args.assignments))
        from django.db import connections

        connections.close_all()
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                "--database",
                args.database,
                *(["--profile"] if args.profile else []),
            ],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, "DATABASE_URL": url},
        )
        figures.update(json.loads(out.stdout.strip().splitlines()[-1]))
        if args.profile:
            print(out.stderr, file=sys.stderr)
    finally:
        from django.db import connections

        connections.close_all()
        if not (args.keep or args.reuse):
            _admin(PG, f"DROP DATABASE IF EXISTS {args.database} WITH (FORCE)")
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:24} {value}")


if __name__ == "__main__":
    main()
