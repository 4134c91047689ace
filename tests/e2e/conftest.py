"""Fixtures for the browser journeys: a real server on a scratch database, and Debian's chromium.

The server is `manage.py runserver` in a subprocess on a temporary SQLite database with the demo data,
so the tests in this folder never touch the ORM (Playwright's sync API runs an event loop of its own).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine

from tests.clock import parse_instant, run_instant
from tests.e2e import helpers
from tests.e2e.helpers import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(autouse=True)
def _fast_settings() -> None:
    """Overrides tests/conftest.py's fixture: the browser tests change no settings in-process."""


@pytest.fixture(scope="session")
def clock() -> Iterator[Any]:
    """One ticking clock for the whole session, started at the run's instant (tests/clock.py): the server
    below starts its own at the same instant, so both read the same day. `frozen_at` has no effect here."""
    with time_machine.travel(parse_instant(run_instant()), tick=True) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def frozen_now(clock: Any) -> Any:
    """Overrides tests/conftest.py's fixture: a per-test restart would leave the server's clock behind."""
    return clock


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _manage(*args: str) -> list[str]:
    """manage.py on the run's frozen clock (chromium keeps the machine's; the session cookie has no expiry
    date and the CSRF cookie's Max-Age wins over its Expires, so the difference does not show)."""
    return [sys.executable, "-m", "tests.e2e.frozen_manage", run_instant(), *args]


def _run(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(_manage(*args), cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if result.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")


@pytest.fixture(scope="session")
def server(clock: Any) -> Iterator[str]:
    """Base URL of a running Bredvid with the demo data (Ale 1440, Borlänge 2081, Pajala 2521)."""
    tmp = tempfile.mkdtemp(prefix="bredvid-e2e-")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp}/e2e.sqlite3",
        "DJANGO_ENV": "development",
        "DEBUG": "true",
        "DEMO_PASSWORD": PASSWORD,
        "OTP_REQUIRED": "false",
        "PYTHONUNBUFFERED": "1",
    }
    _run(["migrate", "--noinput", "-v0"], env)
    _run(["load_demo", "--persons", "40"], env)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = Path(tmp) / "server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            _manage("runserver", f"127.0.0.1:{port}", "--noreload"),
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"the server stopped:\n{log_path.read_text()}")
                try:
                    with urllib.request.urlopen(f"{base}/readyz", timeout=1) as response:  # noqa: S310 (loopback)
                        if response.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not answer /readyz:\n{log_path.read_text()}")
                time.sleep(0.2)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    setattr(item, f"e2e_report_{report.when}", report)
    return report


@pytest.fixture
def page(browser: Any, server: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh browser context (no cookies) per test, Swedish locale, downloads allowed.

    Every page loaded in it must have been checked with check_a11y (the test fails otherwise).
    """
    context = browser.new_context(locale="sv-SE", accept_downloads=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    helpers.loads.clear()
    helpers.missed.clear()

    def loaded(loaded_page: Any) -> None:
        if loaded_page.url.startswith(server):
            helpers.loads.append(helpers.without_fragment(loaded_page.url))

    page.on("load", loaded)
    yield page
    context.close()
    call = getattr(request.node, "e2e_report_call", None)
    if call is not None and call.passed:
        unchecked = [*helpers.missed, *helpers.loads]
        assert not unchecked, f"pages loaded but not checked with check_a11y: {unchecked}"
