# ruff: noqa: E501
"""Benchmark: the shortlist API route on PostgreSQL with 100,000 supporters, warm.

    python bench/matching_api.py [--json] [--supporters 100000] [--requests 20] [--calls 300]
                                 [--changes 60] [--profile]
                                 [--database-url postgres://postgres@127.0.0.1:5432/NAME] [--reuse]

It creates the scratch database `bredvid_bench_matching` (dropped at the end), loads one
municipality with the supporters (approved, one or two profiles each, one adult with valid police
checks, coordinates spread over Sweden), open support requests of every kind, then calls
`GET /api/v1/support-requests/{id}/shortlist?k=20` through Django's whole stack (middleware, token
auth, scoping, the audit event of every shortlist shown) in this process. The first call builds the
feature arrays (reported as `pool_build_s`); the figures are over the warm calls that follow.
`cold_pool_build_s` is the best of three cold builds of the arrays (and their indexes) alone;
`shortlist_after_change_p95_ms` times the shortlist right after one supporter's profile was
saved (the change log read, that supporter's rows re-read and patched in), `--changes` times.
`--profile` prints where the time of 100 warm calls went (cProfile, to stderr).
Targets (issue 16): `shortlist_api_p95_ms` ≤ 25 ms, `shortlist_after_change_p95_ms` ≤ 50 ms,
`cold_pool_build_s` ≤ 2 s, `queries_per_call_k20`/`_k50` ≤ 6.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG = "postgres://postgres@127.0.0.1:5432"
DB = "bredvid_bench_matching"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
TARGETS = {
    "shortlist_api_p95_ms": 25,
    "shortlist_after_change_p95_ms": 50,
    "cold_pool_build_s": 2,
    "queries_per_call_k20": 6,
    "queries_per_call_k50": 6,
}
KINDS = ("kontaktperson", "kontaktfamilj", "familjehem", "jourhem", "sarskilt_kvalificerad")


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _use_database(url: str) -> None:
    from urllib.parse import urlsplit

    global PG, DB
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if parts.scheme not in {"postgres", "postgresql"} or parts.hostname not in LOCAL_HOSTS:
        raise SystemExit(f"--database-url must be a PostgreSQL database on 127.0.0.1, not {url!r}")
    if not name.replace("_", "").isalnum() or name in {"postgres", "template0", "template1", "bredvid"}:
        raise SystemExit(f"refusing to drop and recreate the database {name!r}: give a scratch name")
    PG, DB = url[: url.rindex("/")], name


def load(supporters: int, requests: int, seed: int = 11) -> dict[str, object]:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from stdnum import luhn

    from bredvid.accounts.services import issue_api_token
    from bredvid.casework.models import Case, Decision, Intervention, Investigation
    from bredvid.matching.features import bump_pool_version
    from bredvid.matching.models import SupportRequest
    from bredvid.people.models import Person
    from bredvid.supporters.models import RegisterCheck, Supporter, SupporterMember, SupporterProfile
    from bredvid.tenancy.models import Membership, Municipality, Role, Unit

    call_command("migrate", verbosity=0)
    rng = np.random.default_rng(seed)
    home = Municipality.objects.create(name="Bench", kommunkod="9900", slug="bench")
    unit = Unit.objects.create(municipality=home, name="Barn och unga")
    users = {}
    for role in (Role.CASEWORKER, Role.FAMILY_CARE_OFFICER, Role.MANAGER):
        user = get_user_model().objects.create(username=f"{role}.bench", first_name="Bench", last_name=role)
        Membership.objects.create(user=user, unit=unit, role=role)
        users[role] = user
    today = dt.date.today()
    started = time.perf_counter()
    # homes cluster around towns (as people do): 300 centres, a spread of ~0.15°
    centres = np.column_stack([rng.uniform(55.4, 67.8, 300), rng.uniform(11.8, 23.0, 300)])
    which = rng.integers(0, 300, supporters)
    lat = centres[which, 0] + rng.normal(0, 0.15, supporters)
    lon = centres[which, 1] + rng.normal(0, 0.25, supporters)
    needs_keys = ["npf", "trauma", "physical", "addiction", "violence", "school", "leisure", "newcomer"]
    languages = ["svenska", "arabiska", "somaliska", "finska", "persiska", "engelska", "tigrinja", "bosniska"]
    batch = 10_000
    for start in range(0, supporters, batch):
        n = min(batch, supporters - start)
        rows, profiles, persons, members, checks = [], [], [], [], []
        for i in range(start, start + n):
            kinds = [KINDS[int(rng.integers(0, 5))]]
            if rng.random() < 0.25:
                kinds.append(KINDS[int(rng.integers(0, 5))])
            kinds = sorted(set(kinds))
            s = Supporter(
                id=uuid.UUID(int=int(rng.integers(0, 2**62)) << 64 | i), municipality=home, name=f"Familjen {i}",
                status=Supporter.Status.APPROVED, supports=kinds, approved_supports=kinds,
                approved_on=today - dt.timedelta(days=200), latitude=float(lat[i]), longitude=float(lon[i]),
            )  # fmt: skip
            rows.append(s)
            for kind in kinds:
                amin = int(rng.integers(0, 10))
                profiles.append(SupporterProfile(
                    municipality=home, supporter=s, support_kind=kind, children_at_once=int(rng.integers(1, 4)),
                    age_min=amin, age_max=amin + int(rng.integers(4, 12)),
                    needs=[k for k in needs_keys if rng.random() < 0.3],
                    languages=", ".join(["svenska", *(w for w in languages[1:] if rng.random() < 0.1)]),
                    pets=bool(rng.random() < 0.4), smoking=bool(rng.random() < 0.1),
                ))  # fmt: skip
            birth = dt.date(1960, 1, 1) + dt.timedelta(days=i % 14_000)
            serial = f"{i // 14_000 % 1000:03d}"
            person = Person(
                municipality=home, identity_number=f"{birth:%Y%m%d}-{serial}{luhn.calc_check_digit(f'{birth:%y%m%d}{serial}')}",
                birth_date=birth, first_name="Förnamn", last_name=f"Efternamn{i}",
            )  # fmt: skip
            persons.append(person)
            member = SupporterMember(municipality=home, supporter=s, person=person, adult=True)
            members.append(member)
            for kind in (RegisterCheck.Kind.POLICE_RECORD, RegisterCheck.Kind.POLICE_SUSPICION):
                checks.append(RegisterCheck(
                    municipality=home, member=member, kind=kind, requested_on=today - dt.timedelta(days=60),
                    received_on=today - dt.timedelta(days=50), outcome=RegisterCheck.Outcome.NO_RECORD,
                    valid_until=today + dt.timedelta(days=int(rng.integers(-30, 700))),
                ))  # fmt: skip
        Supporter.objects.bulk_create(rows)
        SupporterProfile.objects.bulk_create(profiles)
        Person.objects.bulk_create(persons)
        SupporterMember.objects.bulk_create(members)
        RegisterCheck.objects.bulk_create(checks)
    load_supporters_s = time.perf_counter() - started
    request_ids = []
    for r in range(requests):
        kind = KINDS[r % len(KINDS)]
        centre = centres[int(rng.integers(0, 300))]
        birth = today.replace(year=today.year - int(rng.integers(3, 16)))
        serial = f"{900 + r:03d}"
        client = Person.objects.create(
            municipality=home, identity_number=f"{birth:%Y%m%d}-{serial}{luhn.calc_check_digit(f'{birth:%y%m%d}{serial}')}",
            birth_date=birth, first_name="Barn", last_name=f"Benchsson{r}",
        )  # fmt: skip
        case = Case.objects.create(
            municipality=home,
            unit=unit,
            client=client,
            reference=f"B-{r:05d}",
            opened_on=today - dt.timedelta(days=90),
        )
        inv = Investigation.objects.create(
            municipality=home, case=case, started_on=today - dt.timedelta(days=80), status=Investigation.Status.CONCLUDED,
            concluded_on=today - dt.timedelta(days=20),
        )  # fmt: skip
        decision = Decision.objects.create(
            municipality=home, case=case, investigation=inv, status=Decision.Status.DECIDED,
            outcome=Decision.Outcome.GRANTED, legal_basis=Decision.LegalBasis.SOL_13_7, support_kind=kind,
            period_start=today, reasons="Beviljas", proposed_by=users[Role.CASEWORKER],
            decided_by=users[Role.MANAGER], decided_on=today - dt.timedelta(days=10),
        )  # fmt: skip
        intervention = Intervention.objects.create(
            municipality=home, case=case, decision=decision, support_kind=kind
        )
        req = SupportRequest.objects.create(
            municipality=home, case=case, intervention=intervention, support_kind=kind,
            ordered_by=users[Role.CASEWORKER], ordered_on=today, gender="girl",
            needs=[k for k in needs_keys if rng.random() < 0.3], languages="svenska, arabiska",
            location_name="Orten", latitude=float(centre[0]), longitude=float(centre[1]),
            max_distance_km=30 if kind in ("kontaktperson", "kontaktfamilj", "sarskilt_kvalificerad") else 150,
            no_smoking=True, start_on=today,
        )  # fmt: skip
        request_ids.append(str(req.pk))
    from django.db import transaction

    with transaction.atomic():
        bump_pool_version(home.pk)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # autocommit: statistics for the planner, no autovacuum mid-run
    token = issue_api_token(user=users[Role.FAMILY_CARE_OFFICER], municipality=home)
    return {"token": token, "request_ids": request_ids, "load_supporters_s": round(load_supporters_s, 1)}


def _after_change(client, request_ids: list[str], changes: int) -> list[float]:  # type: ignore[no-untyped-def]
    """The shortlist right after one supporter's profile changed (saved as an officer would)."""
    from bredvid.supporters.models import SupporterProfile

    profiles = list(SupporterProfile.objects.order_by("pk")[: changes * 7 : 7])
    times = []
    for i, profile in enumerate(profiles):
        profile.children_at_once = 1 + (profile.children_at_once % 3)
        profile.save()  # its own transaction: the change is logged with it
        started = time.perf_counter()
        response = client.get(f"/api/v1/support-requests/{request_ids[i % len(request_ids)]}/shortlist?k=20")
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"the shortlist route answered {response.status_code}")
    return sorted(times)


def _statements(client, request_id: str, k: int) -> list[str]:  # type: ignore[no-untyped-def]
    """The SQL statements one call sends (an execute wrapper: the query log is reset per request)."""
    from django.db import connection

    sent: list[str] = []

    def wrapper(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        sent.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        client.get(f"/api/v1/support-requests/{request_id}/shortlist?k={k}")
    return sent


def _pool_bytes(mpool) -> int:  # type: ignore[no-untyped-def]
    """The arrays, their indexes and the row → supporter maps one worker holds for a municipality."""
    rows = mpool.supporter_of_row
    objects = sum(sys.getsizeof(u) + sys.getsizeof(u.int) for u in rows)
    lists = sys.getsizeof(rows) + sys.getsizeof(mpool.kind_of_row)
    return int(mpool.pool.nbytes + mpool.keys.nbytes + objects + lists)


def _profile(client, request_ids: list[str]) -> None:  # type: ignore[no-untyped-def]
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for i in range(100):
        client.get(f"/api/v1/support-requests/{request_ids[i % len(request_ids)]}/shortlist?k=20")
    profiler.disable()
    pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(35)
    pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(20)


def measure(
    token: str, request_ids: list[str], calls: int, changes: int = 60, profile: bool = False
) -> dict[str, object]:
    from django.test import Client

    from bredvid.matching import features

    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    features.clear_cache()
    started = time.perf_counter()
    first = client.get(f"/api/v1/support-requests/{request_ids[0]}/shortlist?k=20")
    pool_build_s = time.perf_counter() - started
    if first.status_code != 200:
        raise SystemExit(f"the shortlist route answered {first.status_code}: {first.content[:300]!r}")
    for rid in request_ids:  # warm every request once
        client.get(f"/api/v1/support-requests/{rid}/shortlist?k=20")
    times = []
    candidates = []
    for i in range(calls):
        rid = request_ids[i % len(request_ids)]
        started = time.perf_counter()
        response = client.get(f"/api/v1/support-requests/{rid}/shortlist?k=20")
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"the shortlist route answered {response.status_code}")
        candidates.append(len(response.json()["candidates"]))
    queries, queries_k50 = _statements(client, request_ids[0], 20), _statements(client, request_ids[0], 50)
    after_change = _after_change(client, request_ids, changes)
    cold = []
    for _ in range(3):
        features.clear_cache()
        started = time.perf_counter()
        mpool = features.pool_for(_home())
        cold.append(time.perf_counter() - started)
    if profile:
        _profile(client, request_ids)
    times.sort()
    return {
        "shortlist_api_p50_ms": round(statistics.median(times), 1),
        "shortlist_api_p95_ms": round(times[int(0.95 * (len(times) - 1))], 1),
        "shortlist_api_max_ms": round(times[-1], 1),
        "api_calls": calls,
        "pool_build_s": round(pool_build_s, 2),
        "cold_pool_build_s": round(min(cold), 2),
        "cold_pool_build_runs_s": [round(t, 2) for t in cold],
        "shortlist_after_change_p50_ms": round(statistics.median(after_change), 1),
        "shortlist_after_change_p95_ms": round(after_change[int(0.95 * (len(after_change) - 1))], 1),
        "changes": len(after_change),
        "pool_rows": len(mpool.pool),
        "db_feature_arrays_mb": round(mpool.pool.nbytes / 1e6, 1),
        "pool_memory_per_worker_mb": round(_pool_bytes(mpool) / 1e6, 1),
        "median_candidates_returned": statistics.median(candidates),
        "queries_per_call_k20": len(queries),
        "queries_per_call_k50": len(queries_k50),
    }


def _exists(name: str) -> bool:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def _loaded() -> dict[str, object]:
    """What load() returned, from a database loaded before (--reuse): a new token, the requests."""
    from bredvid.accounts.models import User
    from bredvid.accounts.services import issue_api_token
    from bredvid.matching.models import SupportRequest

    home = _home()
    user = User.objects.get(username="family_care_officer.bench")
    ids = [
        str(pk)
        for pk in SupportRequest.objects.filter(municipality=home)
        .order_by("created_at")
        .values_list("pk", flat=True)
    ]
    return {
        "token": issue_api_token(user=user, municipality=home),
        "request_ids": ids,
        "load_supporters_s": 0.0,
    }


def _home():  # type: ignore[no-untyped-def]
    from bredvid.tenancy.models import Municipality

    return Municipality.objects.get(kommunkod="9900")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--supporters", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--changes", type=int, default=60)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--database-url", default="")
    parser.add_argument(
        "--reuse", action="store_true", help="keep the loaded database and use it again next time (profiling)"
    )
    args = parser.parse_args()
    if args.database_url:
        _use_database(args.database_url)
    reused = args.reuse and _exists(DB)
    if not reused:
        _admin(f'DROP DATABASE IF EXISTS "{DB}"')
        _admin(f'CREATE DATABASE "{DB}"')
    try:
        os.environ.update(
            {"DATABASE_URL": f"{PG}/{DB}", "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_ENV": "test"}
        )
        import django

        django.setup()
        info = _loaded() if reused else load(args.supporters, args.requests)
        out: dict[str, object] = {
            "supporters": args.supporters,
            "requests": args.requests,
            "load_supporters_s": info["load_supporters_s"],
        }
        ids = list(info["request_ids"])  # type: ignore[call-overload]
        out.update(measure(str(info["token"]), ids, args.calls, args.changes, args.profile))
        out["machine_load_1min"] = round(os.getloadavg()[0], 2)
        out["targets"] = TARGETS
        out["api_ok"] = all(float(out[name]) <= limit for name, limit in TARGETS.items())  # type: ignore[arg-type]
        print(json.dumps(out, indent=2) if args.json else "\n".join(f"{k}: {v}" for k, v in out.items()))
    finally:
        from django.db import connections

        connections.close_all()
        if not args.reuse:
            _admin(f'DROP DATABASE IF EXISTS "{DB}"')


if __name__ == "__main__":
    main()
