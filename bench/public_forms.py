"""Benchmark: the two public forms (interest registration, application for support) through gunicorn
on PostgreSQL over loopback.

    python bench/public_forms.py [--json] [--rate 30] [--seconds 20] [--concurrency 8]
                                 [--saturation-seconds 10] [--database-url postgres://postgres@127.0.0.1:5432/NAME]

It creates a scratch database (default `bredvid_bench_public`, dropped at the end), migrates it, makes
one municipality that publishes its site, and starts gunicorn with the deployed worker count
(2 × cores + 1). Rate limits are raised for the run (every submission comes from 127.0.0.1) and mail
goes to a dummy backend; everything else is production work: CSRF, validation, the service's
transaction, the reference counter, the audit event.

1. Open loop: submissions are scheduled at `--rate` per second, whatever the server answers, and
   each latency is measured from its scheduled time (no coordinated omission). p50/p95 per form.
2. Saturation: `--concurrency` keep-alive clients submit as fast as they can for
   `--saturation-seconds`; the throughput of each form is divided by that of a minimal Django view
   (`/healthz`, no database) measured the same way in the same run (same server, same workers, same
   clients). Only successes count (a form's 302 to its receipt, /healthz's 200), and the cores the
   load generator itself used are printed, to show that the client is not what limits the rate.

Each client keeps every cookie the server sets and sends it back, as a browser does.

Targets (issue 13): p95 ≤ 200 ms at 30 submissions/s, saturation ratio ≥ 0.3. No test asserts time.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bredvid_bench_public"
WORKERS = 2 * (os.cpu_count() or 1) + 1
SLUG = "benchkommun"
FORMS = {
    "interest": f"/{SLUG}/bli-uppdragstagare/anmalan/",
    "application": f"/{SLUG}/ansok/",
}
TARGET_P95_MS = 200.0
TARGET_RATIO = 0.3


def _check_url(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if parts.scheme not in {"postgres", "postgresql"} or parts.hostname not in {"127.0.0.1", "localhost"}:
        raise SystemExit(f"--database-url must be a local PostgreSQL database, not {url!r}")
    if not name.replace("_", "").isalnum() or name in {"postgres", "template0", "template1", "bredvid"}:
        raise SystemExit(f"refusing to drop and recreate the database {name!r}: give a scratch name")
    return url[: url.rindex("/")], name


def _psql(server: str, sql: str) -> None:
    subprocess.run(["psql", f"{server}/postgres", "-q", "-c", sql], check=True, capture_output=True)


def _env(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_ENV": "development",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "AXES_ENABLED": "false",
        "EMAIL_URL": "dummymail://",
        "PUBLIC_FORM_RATE_PER_IP": "1000000/s",
        "PUBLIC_FORM_RATE_PER_EMAIL": "1000000/s",
    }


SETUP = f"""
from bredvid.tenancy.models import Municipality, Unit
m, _ = Municipality.objects.get_or_create(
    kommunkod="9902", defaults={{"name": "Benchkommun", "slug": "{SLUG}", "publishes_site": True}}
)
Unit.objects.get_or_create(municipality=m, name="Barn och familj")
"""


def _prepare(url: str) -> None:
    server, name = _check_url(url)
    _psql(server, f'DROP DATABASE IF EXISTS "{name}"')
    _psql(server, f'CREATE DATABASE "{name}"')
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v", "0"], cwd=ROOT, env=_env(url), check=True)
    subprocess.run([*manage, "shell", "-c", SETUP], cwd=ROOT, env=_env(url), check=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(url: str, workers: int) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(workers), "--keep-alive", "30", "--log-level", "warning"]
    process = subprocess.Popen(command, cwd=ROOT, env=_env(url), start_new_session=True)
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
    os.killpg(process.pid, signal.SIGTERM)
    raise RuntimeError("gunicorn did not start")


class Client:
    """One keep-alive connection with its own CSRF cookie and token (as one browser)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}
        self.token = ""
        self.counter = 0

    def _send(self, method: str, path: str, body: str = "") -> tuple[int, bytes, http.client.HTTPResponse]:
        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        headers = {"Cookie": cookie} if cookie else {}
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body or None, headers=headers)
                response = self.conn.getresponse()
                self._keep_cookies(response)
                return response.status, response.read(), response
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _keep_cookies(self, response: http.client.HTTPResponse) -> None:
        """Every cookie the server sets is sent back, as a browser does (deleted ones are dropped)."""
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if value in ("", '""') or "max-age=0" in header.lower():
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value

    def get(self, path: str) -> int:
        status, body, _response = self._send("GET", path)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if token:
            self.token = token.group(1).decode()
        return status

    def post(self, path: str, data: dict[str, str]) -> int:
        body = urlencode({**data, "csrfmiddlewaretoken": self.token})
        status, _body, _response = self._send("POST", path, body)
        return status


def _interest(n: str) -> dict[str, str]:
    return {
        "supports": "kontaktfamilj",
        "adults": "2",
        "children_ages": "6, 11",
        "first_name": "Bench",
        "last_name": "Testsson",
        "email": f"bench-{n}@example.invalid",
        "phone": "",
        "street_address": "Storgatan 1",
        "postal_code": "44930",
        "city": "Nödinge",
        "area": "Centrum",
        "languages": "svenska",
        "message": "Helger passar bra.",
        "consent": "on",
        "webbplats": "",
    }


def _personnummer(born: str, serial: str) -> str:
    from stdnum import luhn

    digits = f"{born[2:]}{serial}"
    return f"{born}-{serial}{luhn.calc_check_digit(digits)}"


CHILD = _personnummer("20170412", "123")
GUARDIAN = _personnummer("19860903", "456")


def _application(n: str) -> dict[str, str]:
    return {
        "applicant_kind": "guardians",
        "first_name": "Lisa",
        "last_name": "Benchsson",
        "identity_number": CHILD,
        "applicant_first_name": "Karin",
        "applicant_last_name": "Benchsson",
        "applicant_identity_number": GUARDIAN,
        "joint_custody": "nej",
        "support_kind": "kontaktfamilj",
        "description": f"Behov {n}",
        "contact_by": "email",
        "contact_times": "Vardagar",
        "email": f"karin-{n}@example.invalid",
        "webbplats": "",
    }


DATA: dict[str, Callable[[str], dict[str, str]]] = {"interest": _interest, "application": _application}


def _submit(client: Client, form: str) -> int:
    """One submission as a browser makes it: the form (a fresh CSRF token on first use), then the POST."""
    if not client.token:
        client.get(FORMS[form])
    client.counter += 1
    return client.post(FORMS[form], DATA[form](f"{id(client)}-{client.counter}-{uuid.uuid4().hex[:6]}"))


def open_loop(port: int, form: str, rate: float, seconds: float) -> dict[str, float]:
    """Scheduled at `rate`/s; latency from the scheduled time. A pool of clients takes the slots."""
    total = int(rate * seconds)
    start = time.perf_counter() + 0.5
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    slots = iter(range(total))
    slot_lock = threading.Lock()

    def worker() -> None:
        client = Client(port)
        client.get(FORMS[form])
        while True:
            with slot_lock:
                index = next(slots, None)
            if index is None:
                return
            due = start + index / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            status = _submit(client, form)
            elapsed = (time.perf_counter() - due) * 1000
            with lock:
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1

    threads = [threading.Thread(target=worker) for _ in range(max(8, int(rate // 2)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    ok = statuses.get(302, 0)
    return {
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1], 1),
        "submissions": len(latencies),
        "accepted": ok,
    }


def saturation(port: int, concurrency: int, seconds: float, form: str | None) -> tuple[float, float]:
    """Requests per second with `concurrency` clients as fast as they can (form None: /healthz), and
    the cores this load generator used meanwhile (it must stay well below one: the threads share a GIL).
    Only what succeeded counts: a 302 to the receipt for a form (a 200 is the form shown again with
    errors, nothing stored), a 200 for /healthz."""
    stop = time.perf_counter() + seconds
    counts = [0] * concurrency
    success = 302 if form else 200

    def worker(i: int) -> None:
        client = Client(port)
        if form:
            client.get(FORMS[form])
        while time.perf_counter() < stop:
            status = _submit(client, form) if form else client.get("/healthz")
            if status == success:
                counts[i] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    began, cpu = time.perf_counter(), time.process_time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    return sum(counts) / elapsed, (time.process_time() - cpu) / elapsed


def _stored(url: str) -> dict[str, int]:
    code = (
        "from bredvid.supporters.models import InterestRegistration as I;"
        "from bredvid.casework.models import EApplication as E;"
        "print(I.objects.count(), E.objects.count())"
    )
    command = [sys.executable, "manage.py", "shell", "-c", code]
    out = subprocess.run(command, cwd=ROOT, env=_env(url), check=True, capture_output=True)
    interest, application = out.stdout.split()[-2:]
    return {"interest": int(interest), "application": int(application)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--rate", type=float, default=30.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--saturation-seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=WORKERS)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()
    server, name = _check_url(args.database_url)
    _prepare(args.database_url)
    process, port = _start(args.database_url, args.workers)
    try:
        results: dict[str, object] = {"workers": args.workers, "rate_per_s": args.rate}
        for form in FORMS:
            saturation(port, args.workers, 2.0, form)  # warm every worker (imports, templates, connections)
            results[f"{form}_open_loop"] = open_loop(port, form, args.rate, args.seconds)
        minimal, cores = saturation(port, args.concurrency, args.saturation_seconds, None)
        results["minimal_view_rps"] = round(minimal, 1)
        generator = {"minimal_view": round(cores, 2)}
        for form in FORMS:
            rps, cores = saturation(port, args.concurrency, args.saturation_seconds, form)
            results[f"{form}_saturation_rps"] = round(rps, 1)
            results[f"{form}_saturation_ratio"] = round(rps / minimal, 3)
            generator[form] = round(cores, 2)
        results["load_generator_cores"] = generator
        results["stored"] = _stored(args.database_url)
        results["load_1min"] = round(os.getloadavg()[0], 2)
        results["targets"] = {"p95_ms": TARGET_P95_MS, "saturation_ratio": TARGET_RATIO}
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        _psql(server, f'DROP DATABASE IF EXISTS "{name}"')
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for form in FORMS:
        loop = results[f"{form}_open_loop"]
        assert isinstance(loop, dict)
        print(
            f"{form:12} open loop at {args.rate:g}/s: p50 {loop['p50_ms']} ms, p95 {loop['p95_ms']} ms "
            f"(target ≤ {TARGET_P95_MS:g}); {loop['accepted']}/{loop['submissions']} accepted; "
            f"saturation {results[f'{form}_saturation_rps']}/s = {results[f'{form}_saturation_ratio']} "
            f"× the minimal view (target ≥ {TARGET_RATIO})"
        )
    print(
        f"minimal view {results['minimal_view_rps']}/s; load {results['load_1min']}; "
        f"load generator used {results['load_generator_cores']} cores"
    )


if __name__ == "__main__":
    main()
