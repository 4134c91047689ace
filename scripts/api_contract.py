"""Contract test of API v1 with schemathesis: demo data in a scratch SQLite database, gunicorn, three roles.

    python scripts/api_contract.py [--max-examples N] [--roles caseworker,manager,family_care_officer]

Every check (`--checks all`) and every phase (examples, coverage, fuzzing, stateful) run once per role,
each with the bearer token of that role's demo user in Ale. The exit code is non-zero when any run finds a
server error, a response that breaks its schema or a status the schema does not document.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MUNICIPALITY = "1440"  # Ale in the demo data
ROLES = ("caseworker", "manager", "family_care_officer")
CONFIG = ROOT / "tests" / "api_contract" / "schemathesis.toml"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 (fixed arguments: this interpreter, manage.py)
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


def _wait(url: str, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped (exit code {server.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback only)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server did not answer {url}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--max-examples", type=int, default=25, help="test cases per operation and phase")
    parser.add_argument("--roles", default=",".join(ROLES), help="comma-separated demo roles")
    parser.add_argument("--seed", type=int, default=None, help="schemathesis seed (reproduce a run)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory (database, reports)")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="bredvid-api-contract-"))
    env = {
        **os.environ,
        "DJANGO_ENV": "development",
        "DEBUG": "false",
        "DATABASE_URL": f"sqlite:///{scratch / 'contract.sqlite3'}",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "OTP_REQUIRED": "false",
        # the fuzzer sends many requests from one address; the API has no login to lock out
        "AXES_FAILURE_LIMIT": "1000",
    }
    print(f"scratch database in {scratch}", flush=True)
    _manage(env, "migrate", "--noinput")
    _manage(env, "load_demo", "--persons", "40")
    roles = [role.strip() for role in args.roles.split(",") if role.strip()]
    tokens = {
        role: _manage(env, "issue_api_token", f"{role}.{MUNICIPALITY}", "--name", "api-contract")
        for role in roles
    }

    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 (the venv's gunicorn)
        [
            str(BIN / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            # The application is under test, not gunicorn: without this gunicorn itself answers a
            # request line over 4 KB with 414 before Django sees it (a deployment's proxy has its own
            # limit). Django and the API then refuse over-long parameters with a documented 422.
            "--limit-request-line",
            "0",
        ],
        cwd=ROOT,
        env=env,
    )
    failed: list[str] = []
    try:
        schema_url = f"http://127.0.0.1:{port}/api/v1/openapi.json"
        _wait(schema_url, server)
        for role, token in tokens.items():
            print(f"\n=== schemathesis as {role}.{MUNICIPALITY} ===", flush=True)
            command = [
                str(BIN / "schemathesis"),
                "--config-file",
                str(CONFIG),
                "run",
                schema_url,
                "--checks",
                "all",
                "--phases",
                "examples,coverage,fuzzing,stateful",
                "--max-examples",
                str(args.max_examples),
                "--header",
                f"Authorization: Bearer {token}",
                # One worker: with two threads hypothesis' lambda descriptions call ast.parse at the
                # same time, which CPython 3.11 before 3.11.8 can break ("AST constructor recursion
                # depth mismatch", gh-106905): a tool error, not a finding, but it failed a CI run.
                "--workers",
                "1",
                "--generation-database",
                "none",
                "--request-timeout",
                "30",
                "--no-color",
                "--report",
                "junit",
                "--report-dir",
                str(scratch / f"report-{role}"),
            ]
            if args.seed is not None:
                command += ["--seed", str(args.seed)]
            if subprocess.run(command, cwd=scratch, env=env).returncode != 0:  # noqa: S603 (the venv's schemathesis)
                failed.append(role)
    finally:
        server.terminate()
        server.wait(timeout=30)
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    if failed:
        print(f"\nAPI contract broken for: {', '.join(failed)}", file=sys.stderr)
        return 1
    print("\nAPI contract holds for every role.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
