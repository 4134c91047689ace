# ruff: noqa: E501  (benchmark data set-up reads best one record per line)
"""Benchmark: statutory deadlines at national scale, and the "Att göra" page for a large unit.

    python bench/deadlines.py [--json] [--cases 100000] [--unit-cases 5000] [--requests 40]

1. Engine: all obligations for N open cases (synthetic facts from a fixed seed), pure Python,
   median of 5 runs — target ≤ 2 s for 100,000 cases.
2. Page: the unit view of "Att göra" for a unit with 5,000 open cases on PostgreSQL (a scratch
   database `bredvid_bench_deadlines` that the script creates and drops), warm, in-process through
   the whole middleware stack: p50/p95 and the number of SQL queries at 500 and at 5,000 cases —
   targets p95 ≤ 200 ms and an equal query count.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_NAME = "bredvid_bench_deadlines"
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def _setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_ENV", "test")
    import django

    django.setup()


def engine(cases: int, seed: int = 1) -> dict[str, float]:
    from bredvid.deadlines import rules

    rng = random.Random(seed)
    today = dt.date(2026, 11, 22)
    facts: list[object] = []
    for i in range(cases):
        base = {"id": uuid.UUID(int=rng.getrandbits(128)), "case_id": uuid.UUID(int=rng.getrandbits(128)),
                "case_ref": f"X-2026-{i:06d}", "responsible_id": rng.randint(1, 60)}  # fmt: skip
        day = today - dt.timedelta(days=rng.randint(0, 900))
        kind = rng.random()
        if kind < 0.2:
            facts.append(rules.ConcernFacts(**base, received_on=day))
        elif kind < 0.45:
            facts.append(rules.InvestigationFacts(**base, started_on=day))
        elif kind < 0.75:
            executed = day + dt.timedelta(days=30) if rng.random() < 0.8 else None
            facts.append(rules.DecisionFacts(**base, decided_on=day, executed_on=executed))
        elif kind < 0.95:
            facts.append(rules.PlacementFacts(**base, jourhem=rng.random() < 0.1, started_on=day,
                                              last_review_on=day + dt.timedelta(days=100)))  # fmt: skip
        else:
            facts.append(rules.FollowUpFacts(**base, closed_on=day))
    times = []
    count = 0
    for _ in range(5):
        started = time.perf_counter()
        items = rules.obligations(facts)  # type: ignore[arg-type]
        rules.summarise(items, today)
        times.append(time.perf_counter() - started)
        count = len(items)
    return {"engine_cases": cases, "engine_obligations": count, "engine_median_s": statistics.median(times)}


def _recreate_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")


def _drop_database() -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


def _load(unit_cases: int, start_index: int, municipality, unit, users, rng: random.Random) -> None:  # type: ignore[no-untyped-def]
    from stdnum import luhn

    from bredvid.casework.models import Case, ConcernReport, Decision, Intervention, Investigation
    from bredvid.people.models import Person

    today = dt.date(2026, 11, 22)
    persons, cases, investigations, decisions, interventions, reports = [], [], [], [], [], []
    for i in range(start_index, start_index + unit_cases):
        birth = dt.date(2010, 1, 1) + dt.timedelta(days=i % 3000)
        serial = f"{i // 3000 % 1000:03d}"
        body = birth.strftime("%y%m%d") + serial
        person = Person(id=uuid.uuid4(), municipality=municipality, identity_number=f"{birth:%Y%m%d}-{serial}{luhn.calc_check_digit(body)}",
                        birth_date=birth, first_name="Barn", last_name=f"Nummer{i}")  # fmt: skip
        persons.append(person)
        case = Case(id=uuid.uuid4(), municipality=municipality, unit=unit, client=person, reference=f"9999-2026-{i:06d}",
                    responsible=rng.choice(users), opened_on=today - dt.timedelta(days=rng.randint(0, 700)))  # fmt: skip
        cases.append(case)
        kind = rng.random()
        day = today - dt.timedelta(days=rng.randint(0, 600))
        common = {"id": uuid.uuid4(), "municipality": municipality, "case": case}
        if kind < 0.25:
            received = dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)
            reports.append(ConcernReport(**common, received_at=received, reporter="school", content="Oro"))
        elif kind < 0.5:
            investigations.append(Investigation(**common, started_on=day))
        else:
            decision = Decision(**common, status="decided", outcome="granted", legal_basis="sol_22", support_kind=rng.choice(["familjehem", "kontaktperson", "jourhem"]),
                                scope_unit="continuous", period_start=day, reasons="Behov", proposed_by=users[0], decided_by=users[0], decided_on=day)  # fmt: skip
            decisions.append(decision)
            executed = day + dt.timedelta(days=rng.randint(5, 120)) if rng.random() < 0.8 else None
            status = "active" if executed else "pending"
            interventions.append(Intervention(id=uuid.uuid4(), municipality=municipality, case=case, decision=decision,
                                              support_kind=decision.support_kind, status=status, executed_on=executed))  # fmt: skip
    for model, rows in ((Person, persons), (Case, cases), (ConcernReport, reports), (Investigation, investigations),
                        (Decision, decisions), (Intervention, interventions)):  # fmt: skip
        model.objects.bulk_create(rows, batch_size=2000)


def page(unit_cases: int, requests: int) -> dict[str, float]:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from bredvid.tenancy.models import Membership, Municipality, Role, Unit

    call_command("migrate", verbosity=0)
    rng = random.Random(7)
    municipality = Municipality.objects.create(name="Benchköping", kommunkod="9999", slug="bench")
    unit = Unit.objects.create(municipality=municipality, name="Barn och unga")
    user_model = get_user_model()
    users = [user_model.objects.create(username=f"cw{i}") for i in range(20)]
    for user in users:
        Membership.objects.create(user=user, unit=unit, role=Role.CASEWORKER)
    manager = user_model.objects.create(username="manager")
    Membership.objects.create(user=manager, unit=unit, role=Role.MANAGER)
    client = Client()
    client.force_login(manager)
    url = "/att-gora/?visa=enheten"

    def measure(n: int) -> tuple[list[float], int]:
        client.get(url)  # warm
        counted: list[str] = []

        def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
            counted.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            client.get(url)
        times = []
        for _ in range(n):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        return times, len(counted)

    small_cases = unit_cases // 10
    _load(small_cases, 0, municipality, unit, users, rng)
    _, small_queries = measure(3)
    _load(unit_cases - small_cases, small_cases, municipality, unit, users, rng)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    times, large_queries = measure(requests)
    times.sort()
    return {
        "page_unit_cases": unit_cases,
        "page_p50_ms": statistics.median(times),
        "page_p95_ms": times[int(len(times) * 0.95) - 1],
        "page_queries_small": small_queries,
        "page_queries_large": large_queries,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--unit-cases", type=int, default=5_000)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    _recreate_database()
    _setup_django(f"{PG}/{DB_NAME}")
    try:
        result = engine(args.cases)
        result.update(page(args.unit_cases, args.requests))
    finally:
        _drop_database()
    result["targets"] = {"engine_median_s": 2.0, "page_p95_ms": 200.0}
    result["engine_ok"] = result["engine_median_s"] <= 2.0
    result["page_ok"] = result["page_p95_ms"] <= 200.0
    result["queries_constant"] = result["page_queries_small"] == result["page_queries_large"]
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            print(f"{key}: {value}")


if __name__ == "__main__":
    main()
