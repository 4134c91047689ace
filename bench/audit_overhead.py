# ruff: noqa: E501
"""Benchmark: the cost of the audit log, on PostgreSQL with 100,000 persons and 1,000,000 events.

    python bench/audit_overhead.py [--json] [--persons 100000] [--events 1000000] [--seconds 8] [--rounds 5]
                                   [--verify-repeats 3] [--quick] [--database-url postgres://postgres@127.0.0.1:5432/NAME] [--driver wrk|python]

It creates the scratch database `bredvid_bench_audit` (dropped at the end), loads the persons and a
valid hash-chained audit log (COPY), then starts two gunicorn servers on 127.0.0.1 — one with
AUDIT_DISABLED=true, one normal, each with the deployed worker count (2 × cores + 1, `--workers`) — and drives the person detail page and GET /api/v1/persons/ with
keep-alive HTTP clients (wrk when it is installed — `apt-get install wrk` — else Python threads),
alternating audit on and off for several rounds (medians). It also counts the
SQL queries of the list route at page sizes 10 and 200, and times verify_audit_chain over all events.
Targets (issue 16 item 5): auditing costs ≤ 10 % throughput; equal query counts; the chain verifies at ≥ 200,000 events/s.
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB = "bredvid_bench_audit"
URL = f"{PG}/{DB}"
OVERHEAD_PCT_MAX = 10  # issue 16 item 5
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def _use_database(url: str) -> None:
    """Point the benchmark at `url` (a scratch database that is dropped and recreated): local only."""
    from urllib.parse import urlsplit

    global PG, DB, URL
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if parts.scheme not in {"postgres", "postgresql"} or parts.hostname not in LOCAL_HOSTS:
        raise SystemExit(f"--database-url must be a PostgreSQL database on 127.0.0.1, not {url!r}")
    if not name.replace("_", "").isalnum() or name in {"postgres", "template0", "template1", "bredvid"}:
        raise SystemExit(f"refusing to drop and recreate the database {name!r}: give a scratch name")
    PG, DB, URL = url[: url.rindex("/")], name, url


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)  # runs the `finally` that stops the servers and drops the database


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _admin_db(sql: str) -> None:
    import psycopg

    with psycopg.connect(URL, autocommit=True) as conn:
        conn.execute(sql)


def _setup_django() -> None:
    os.environ.update(
        {"DATABASE_URL": URL, "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_ENV": "test"}
    )
    import django

    django.setup()


def load(persons: int, events: int) -> dict[str, object]:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from stdnum import luhn

    from bredvid.accounts.services import issue_api_token
    from bredvid.audit.keys import key_ring
    from bredvid.audit.models import GENESIS_HASH, compute_hash, compute_mac
    from bredvid.tenancy.models import Membership, Municipality, Role, Unit

    call_command("migrate", verbosity=0)
    municipalities = [
        Municipality.objects.create(name=f"Bench {i}", kommunkod=f"99{i:02d}", slug=f"bench-{i}")
        for i in range(3)
    ]
    home = municipalities[0]
    unit = Unit.objects.create(municipality=home, name="Barn och unga")
    user = get_user_model().objects.create(username="caseworker.bench", first_name="Bench", last_name="User")
    user.set_password("bench-password-123")
    user.save()
    Membership.objects.create(user=user, unit=unit, role=Role.CASEWORKER)
    rng = random.Random(5)
    started = time.perf_counter()
    person_ids: list[uuid.UUID] = []
    home_ids: list[uuid.UUID] = []
    buffer = io.StringIO()
    now = datetime.now(UTC).isoformat()
    for n in range(persons):
        birth = datetime(1940, 1, 1) + timedelta(days=n % 29_000)
        serial = f"{n // 29_000 % 1000:03d}"
        number = f"{birth:%Y%m%d}-{serial}{luhn.calc_check_digit(birth.strftime('%y%m%d') + serial)}"
        pid = uuid.UUID(int=rng.getrandbits(128))
        municipality = municipalities[n % 3]
        person_ids.append(pid)
        if municipality is home:
            home_ids.append(pid)
        buffer.write("\t".join([str(pid), now, now, str(municipality.pk), "personnummer", number, birth.strftime("%Y-%m-%d"),
                                f"Förnamn{n % 500}", f"Efternamn{n % 2000}", f"Gatan {n % 90 + 1}", "123 45", "Orten", "", "", "", "f", "none"]) + "\n")  # fmt: skip
    with (
        connection.cursor() as cursor,
        cursor.connection.cursor().copy(
            "COPY people_person (id, created_at, updated_at, municipality_id, identity_kind, identity_number, birth_date, first_name, last_name, street_address, postal_code, city, phone, email, languages, needs_interpreter, protection_level) FROM STDIN"
        ) as copy,
    ):
        copy.write(buffer.getvalue())
    persons_s = time.perf_counter() - started

    started = time.perf_counter()
    ring = key_ring()  # keyed like record() (ADR 0008)
    chains = {str(m.pk): (m.pk, GENESIS_HASH, 0) for m in municipalities}
    keys = list(chains)
    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    batch = io.StringIO()

    def esc(value: str) -> str:
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")

    with connection.cursor() as cursor:
        raw = cursor.connection
        with raw.cursor().copy(
            "COPY audit_auditevent (chain, seq, municipality_id, occurred_at, actor_id, actor_username, via, action, object_type, object_id, person_id, subjects, ip, reason, detail_json, prev_hash, hash, mac, key_id) FROM STDIN"
        ) as copy:
            for i in range(events):
                chain = keys[i % 3]
                municipality_id, prev, seq = chains[chain]
                seq += 1
                occurred = t0 + timedelta(seconds=i)
                pid = person_ids[(i * 7919) % persons]
                fields = {"chain": chain, "seq": seq, "occurred_at": occurred, "municipality_id": municipality_id, "actor_id": user.pk,
                          "actor_username": user.username, "via": "web", "action": "view", "object_type": "people.person",
                          "object_id": str(pid), "person_id": pid, "subjects": "", "ip": "127.0.0.1", "reason": "",
                          "detail_json": "{}", "prev_hash": prev}  # fmt: skip
                digest = compute_hash(**fields)
                batch.write("\t".join([chain, str(seq), str(municipality_id), occurred.isoformat(), str(user.pk), user.username, "web", "view",
                                       "people.person", str(pid), str(pid), "", "127.0.0.1", "", esc("{}"), prev, digest, compute_mac(digest, ring.current), ring.current_id]) + "\n")  # fmt: skip
                chains[chain] = (municipality_id, digest, seq)
                if i % 50_000 == 49_999:
                    copy.write(batch.getvalue())
                    batch = io.StringIO()
            copy.write(batch.getvalue())
        with raw.cursor() as c:
            for chain, (_mid, digest, seq) in chains.items():
                c.execute(
                    "INSERT INTO audit_auditchainhead (chain, seq, last_hash) VALUES (%s, %s, %s)",
                    [chain, seq, digest],
                )
    events_s = time.perf_counter() - started
    connection.close()
    _admin_db("VACUUM ANALYZE")  # so that autovacuum does not start in the middle of a measurement
    token = issue_api_token(user=user, municipality=home)
    return {
        "user_pk": user.pk,
        "home_ids": [str(x) for x in home_ids],
        "token": token,
        "load_persons_s": round(persons_s, 1),
        "load_events_s": round(events_s, 1),
    }


def session_cookie(user_pk: int) -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    user = get_user_model().objects.get(pk=user_pk)
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key  # type: ignore[return-value]


def list_queries() -> tuple[int, int]:
    from django.db import connection
    from django.test import Client

    from bredvid.accounts.models import ApiToken  # noqa: F401

    token = os.environ["BENCH_TOKEN"]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    client.get("/api/v1/persons/?page_size=10")
    counts = []
    for size in (10, 200):
        seen: list[str] = []

        def count(execute, sql, params, many, context, seen=seen):  # type: ignore[no-untyped-def]
            seen.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            response = client.get(f"/api/v1/persons/?page_size={size}")
            assert response.status_code == 200, response.content
        counts.append(len(seen))
    return counts[0], counts[1]


def paired_in_process(
    detail_paths: list[str], list_paths: list[str], cookie: str, token: str, requests: int
) -> dict[str, object]:
    """The same two routes through Django in this process, audit on and off interleaved request by
    request (on, off, off, on, ...): a cross-check that a busy machine cannot skew, since both sides
    see the same load at the same moment. No HTTP server, so the overhead comes out a little higher."""
    from django.test import Client, override_settings

    page = Client()
    page.cookies["sessionid"] = cookie
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    out: dict[str, object] = {}
    for route, client, paths in (("detail", page, detail_paths), ("list", api, list_paths)):
        times: dict[bool, list[float]] = {True: [], False: []}
        for i in range(requests):
            for audit in (True, False) if i % 2 == 0 else (False, True):
                with override_settings(AUDIT_DISABLED=not audit):
                    started = time.perf_counter()
                    response = client.get(paths[i % len(paths)])
                    times[audit].append(time.perf_counter() - started)
                if response.status_code != 200:
                    raise RuntimeError(f"{paths[i % len(paths)]}: HTTP {response.status_code} in process")
        on, off = statistics.median(times[True]), statistics.median(times[False])
        out[f"{route}_ms_audit_on_in_process"] = round(on * 1000, 2)
        out[f"{route}_ms_audit_off_in_process"] = round(off * 1000, 2)
        out[f"{route}_overhead_pct_in_process"] = round((1 - off / on) * 100, 1)
    return out


def verify(repeats: int) -> dict[str, object]:
    """verify_audit_chain's work (verify_all) over every event, `repeats` times: the best time is the
    figure (the machine is shared and the work is CPU-bound), every run is listed.

    As deployed, `audit_checkpoint` has signed the heads (hourly), so the MACs of the events before the
    latest checkpoint need no checking (ADR 0008); the time of one run without any checkpoint, every MAC
    checked in Python, is listed too (verify_all_macs_*)."""
    import tempfile

    from django.core.management import call_command
    from django.test import override_settings

    from bredvid.audit.services import verify_all

    with tempfile.TemporaryDirectory() as checkpoints, override_settings(AUDIT_CHECKPOINT_DIR=checkpoints):
        started = time.perf_counter()
        report = verify_all()
        all_macs_seconds = time.perf_counter() - started
        if not report.ok:
            raise RuntimeError(f"the benchmark's audit log does not verify: {report.breaks[0]}")
        call_command("audit_checkpoint", stdout=io.StringIO())
        runs: list[float] = []
        for _ in range(repeats):
            started = time.perf_counter()
            report = verify_all()
            runs.append(time.perf_counter() - started)
            if not report.ok:
                raise RuntimeError(f"the benchmark's audit log does not verify: {report.breaks[0]}")
        started = time.perf_counter()
        call_command("verify_audit_chain", stdout=io.StringIO())  # the command itself, once
        command_seconds = time.perf_counter() - started
    seconds = min(runs)
    return {"verify_events": report.events, "verify_ok": report.ok, "verify_seconds": round(seconds, 2),
            "verify_events_per_s": round(report.events / seconds), "verify_runs_s": [round(r, 2) for r in runs],
            "verify_command_seconds": round(command_seconds, 2), "verify_all_macs_seconds": round(all_macs_seconds, 2),
            "verify_all_macs_events_per_s": round(report.events / all_macs_seconds)}  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


WORKERS = 2 * (os.cpu_count() or 1) + 1  # as docs/operations.md deploys it: about 2 × cores + 1


def start_server(
    audit: bool, servers: list[subprocess.Popen[bytes]], workers: int = WORKERS
) -> tuple[subprocess.Popen[bytes], int]:
    """Start gunicorn and add it to `servers` at once, so that the caller's `finally` always stops it."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": URL, "DJANGO_ENV": "development", "DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1",
           "AUDIT_DISABLED": "false" if audit else "true", "AXES_ENABLED": "false"}  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--worker-class", "sync",
         "--keep-alive", "30", "--log-level", "warning"], cwd=ROOT, env=env, start_new_session=True)  # fmt: skip
    servers.append(process)
    for _ in range(150):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/readyz")
            if conn.getresponse().status == 200:
                return process, port
        except OSError:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def _paired_overhead(rates: dict[str, list[float]], route: str) -> float:
    """Median over rounds of each round's own overhead (on and off measured back to back)."""
    pairs = zip(rates[f"{route}_on"], rates[f"{route}_off"], strict=True)
    return round(statistics.median((1 - on / off) * 100 for on, off in pairs), 1)


def _stop(servers: list[subprocess.Popen[bytes]]) -> None:
    for process in servers:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
    servers.clear()


def drive(port: int, paths: list[str], headers: dict[str, str], seconds: float, clients: int = 4) -> float:
    """Requests per second over `seconds`, `clients` keep-alive connections (bounded in time)."""
    done = [0] * clients
    errors: list[str] = []
    stop = time.perf_counter() + seconds

    def run(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        i = n
        try:
            while time.perf_counter() < stop and not errors:
                conn.request("GET", paths[i % len(paths)], headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    errors.append(f"GET {paths[i % len(paths)]} on port {port}: HTTP {response.status}")
                    return
                done[n] += 1
                i += clients
        except OSError as exc:
            errors.append(f"port {port}: {exc!r}")
        finally:
            conn.close()

    threads = [threading.Thread(target=run, args=(n,), daemon=True) for n in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:  # a failing route must fail the benchmark, not just lower its rate
        raise RuntimeError(errors[0])
    return sum(done) / (time.perf_counter() - started)


WRK_SCRIPT = """
local paths = {%s}
local headers = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1], headers)
end
"""


def drive_wrk(
    port: int, paths: list[str], headers: dict[str, str], seconds: float, clients: int = 4
) -> float:
    """The same load from wrk (C, Debian's package): `clients` keep-alive connections over 2 threads, the
    paths in turn. Less of the 2 cores goes to the load generator than with Python threads."""
    import re
    import shutil
    import tempfile

    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("--driver wrk needs wrk (apt-get install wrk)")
    lua = WRK_SCRIPT % (
        ", ".join(json.dumps(p) for p in paths),
        ", ".join(f"[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items()),
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(lua)
        script.flush()
        done = subprocess.run(
            [wrk, "-t", "2", "-c", str(clients), "-d", f"{max(1, round(seconds))}s", "-s", script.name,
             f"http://127.0.0.1:{port}"],
            capture_output=True, text=True, check=False, timeout=seconds + 30,
        )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed on port {port}: {done.stderr or done.stdout}")
    if "Non-2xx or 3xx responses" in done.stdout or "Socket errors" in done.stdout:
        raise RuntimeError(
            f"wrk saw errors on port {port}:\n{done.stdout}"
        )  # a failing route fails the benchmark
    match = re.search(r"Requests/sec:\s+([\d.]+)", done.stdout)
    if match is None:
        raise RuntimeError(f"no rate in wrk's output:\n{done.stdout}")
    return float(match.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--quick", action="store_true", help="10,000 persons, 100,000 events, 3 s x 2 rounds: a smoke run"
    )
    parser.add_argument(
        "--database-url",
        default=URL,
        help=f"scratch PostgreSQL database on 127.0.0.1, dropped and recreated (default {URL})",
    )
    parser.add_argument(
        "--in-process-requests",
        type=int,
        default=400,
        help="per route and side, for the in-process cross-check",
    )
    parser.add_argument(
        "--verify-repeats", type=int, default=3, help="runs of verify_all; the best is reported"
    )
    parser.add_argument(
        "--driver",
        choices=("wrk", "python"),
        default="wrk" if shutil.which("wrk") else "python",
        help="load generator: wrk when installed (less CPU taken from the servers), else Python threads",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=WORKERS,
        help=f"gunicorn workers per server (default {WORKERS}, as deployed)",
    )
    args = parser.parse_args()
    if args.quick:
        args.persons, args.events, args.seconds, args.rounds = 10_000, 100_000, 3.0, 2
        args.in_process_requests = 100
    _use_database(args.database_url)
    signal.signal(signal.SIGTERM, _exit_on_signal)
    signal.signal(signal.SIGHUP, _exit_on_signal)
    _admin(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    _admin(f"CREATE DATABASE {DB}")
    servers: list[subprocess.Popen[bytes]] = []
    try:
        _setup_django()
        info = load(args.persons, args.events)
        os.environ["BENCH_TOKEN"] = str(info["token"])
        small, large = list_queries()
        cookie = session_cookie(int(info["user_pk"]))  # type: ignore[arg-type]
        rng = random.Random(11)
        detail_paths = [
            f"/personer/{pid}/" for pid in rng.sample(info["home_ids"], min(200, len(info["home_ids"])))
        ]  # type: ignore[arg-type]
        list_paths = [f"/api/v1/persons/?page_size=50&page={p}" for p in range(1, 40)]
        _on, on_port = start_server(True, servers, args.workers)
        _off, off_port = start_server(False, servers, args.workers)
        page_headers = {"Cookie": f"sessionid={cookie}"}
        api_headers = {"Authorization": f"Bearer {info['token']}"}
        driver = drive_wrk if args.driver == "wrk" else drive
        for port in (on_port, off_port):  # warm both
            driver(port, detail_paths, page_headers, 1.0)
            driver(port, list_paths, api_headers, 1.0)
        rates: dict[str, list[float]] = {"detail_on": [], "detail_off": [], "list_on": [], "list_off": []}
        for round_ in range(args.rounds):
            # on, off, off, on, on, off, ...: a drift in the machine's load hits both sides alike
            sides = [("on", on_port), ("off", off_port)][:: 1 if round_ % 2 == 0 else -1]
            for route, paths, headers in (
                ("detail", detail_paths, page_headers),
                ("list", list_paths, api_headers),
            ):
                for side, port in sides:
                    rates[f"{route}_{side}"].append(driver(port, paths, headers, args.seconds))
        _stop(servers)
        med = {key: statistics.median(values) for key, values in rates.items()}
        result: dict[str, object] = {
            "persons": args.persons,
            "audit_events": args.events,
            "driver": args.driver,
            "workers": args.workers,
            "load_persons_s": info["load_persons_s"],
            "load_events_s": info["load_events_s"],
            "detail_rps_audit_on": round(med["detail_on"], 1),
            "detail_rps_audit_off": round(med["detail_off"], 1),
            "detail_overhead_pct": round((1 - med["detail_on"] / med["detail_off"]) * 100, 1),
            "list_rps_audit_on": round(med["list_on"], 1),
            "list_rps_audit_off": round(med["list_off"], 1),
            "list_overhead_pct": round((1 - med["list_on"] / med["list_off"]) * 100, 1),
            "rounds_rps": {key: [round(v, 1) for v in values] for key, values in rates.items()},
            "list_queries_page_10": small,
            "list_queries_page_200": large,
        }
        result["detail_overhead_pct_paired_rounds"] = _paired_overhead(rates, "detail")
        result["list_overhead_pct_paired_rounds"] = _paired_overhead(rates, "list")
        result.update(
            paired_in_process(detail_paths, list_paths, cookie, str(info["token"]), args.in_process_requests)
        )
        result.update(verify(args.verify_repeats))
        result["targets"] = {"overhead_pct_max": OVERHEAD_PCT_MAX, "verify_events_per_s_min": 200_000}
        result["overhead_ok"] = (
            result["detail_overhead_pct"] <= OVERHEAD_PCT_MAX
            and result["list_overhead_pct"] <= OVERHEAD_PCT_MAX
        )  # type: ignore[operator]
        result["queries_constant"] = small == large
        result["verify_ok_rate"] = result["verify_events_per_s"] >= 200_000  # type: ignore[operator]
    finally:
        _stop(servers)
        from django.db import connections

        connections.close_all()
        _admin(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    print(json.dumps(result, indent=2) if args.json else "\n".join(f"{k}: {v}" for k, v in result.items()))


if __name__ == "__main__":
    main()
