"""Fixtures of the web tests: one real server per test session, on loopback, over a database
holding the SYNTHETIC demonstration, one account per role and a small second site (whose few
remains give the public statistics cells to suppress); and one headless Chromium.

``web_server`` (session): the running server (``.url``, ``.db``, ``.passwords``).
``browser`` (session): a Selenium driver of Debian's ``chromium`` via ``chromedriver``;
``scripts/ensure-chromium`` installs both (``make test`` runs it). Without them the fixture
FAILS with that advice (the browser tests are part of the suite, never skipped).
Set ``HOMECOMING_SCREENSHOTS=DIR`` to keep a screenshot of every page the tests visit.
"""

from __future__ import annotations

import datetime as _dt
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from webpages import CYRILLIC_SURNAMES, DEMO_BODIES, SMALL_SITE

from homecoming.casework import Examination, Geometry, Grave, MissingPerson, Remains, Site
from homecoming.services import accounts, web_auth
from homecoming.services.case_identification import identify_stored_case
from homecoming.storage import Database
from homecoming.storage.repositories import Repositories
from homecoming.web.app import create_app, vendor_missing
from homecoming.web.config import WebConfig

ROLES = ("field", "pathologist", "lab", "analyst", "board", "liaison", "investigator",
         "monitor", "admin")

_CHROMIUM_HINT = ("Chromium and chromedriver not found (/usr/bin/chromium, "
                  "/usr/bin/chromedriver); install them with scripts/ensure-chromium "
                  "(`make test` runs it)")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class WebServer:
    url: str
    db: Database
    passwords: dict[str, str] = field(default_factory=dict)
    app: Any = None


def _add_small_site(db: Database) -> None:
    day = _dt.date(2023, 5, 4)
    with db.session() as session:
        repos = Repositories(session, user="web-tests")
        repos.sites.add(Site(id=SMALL_SITE, name="SYNTHETIC second site",
                             location=Geometry.point(37.30, 49.20), reported_on=day,
                             description="SYNTHETIC: web tests"))
        for i, sex in enumerate(("male", "male", "female"), start=1):
            grave = f"{SMALL_SITE}-G{i}"
            repos.graves.add(Grave(id=grave, site_id=SMALL_SITE, label=str(i)))
            code = f"{SMALL_SITE}-R{i}"
            repos.remains.add(Remains(code=code, grave_id=grave, recovered_on=day))
            repos.examinations.add(Examination(id=f"{SMALL_SITE}-E{i}", remains_code=code,
                                               examined_on=day, prosector="SYNTHETIC",
                                               sex=sex))
        for i, surname in enumerate(CYRILLIC_SURNAMES, start=1):
            repos.missing_persons.add(MissingPerson(
                id=f"WEBTEST-MP-{i}", surname=surname, given_name="Олена",
                reported_by="SYNTHETIC", reported_on=day, notes="SYNTHETIC: web tests"))


def _load_demo(url: str) -> None:
    exe = Path(sys.executable).parent / "homecoming"
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "homecoming"]
    for args in (["init"], ["demo", "--no-identify", "--bodies", str(DEMO_BODIES)]):
        subprocess.run(command + ["--database", url, *args], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=300)


@pytest.fixture(scope="session")
def web_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    import uvicorn

    missing = vendor_missing()
    if missing:
        pytest.fail(f"browser assets not installed ({', '.join(missing)}): run `make setup` "
                    "(npm ci in src/homecoming/web)")
    folder = tmp_path_factory.mktemp("web")
    url = f"sqlite:///{folder / 'web.db'}"
    _load_demo(url)
    db = Database(url)
    _add_small_site(db)
    passwords = {role: web_auth.new_password() for role in ROLES}
    passwords["lockout"] = web_auth.new_password()
    passwords["analyst2"] = web_auth.new_password()
    with db.session() as session:
        accounts.add_user(session, "admin", ["admin"], actor="admin")
        for role in ROLES[:-1]:
            accounts.add_user(session, role, [role], actor="admin",
                              display_name=f"SYNTHETIC {role}")
        accounts.add_user(session, "lockout", ["field"], actor="admin")
        accounts.add_user(session, "analyst2", ["analyst"], actor="admin")
        for name, password in passwords.items():
            web_auth.set_password(session, name, password, actor="admin")
    identify_stored_case(db, store=True, actor="analyst")
    config = WebConfig(database_url=url, public_statistics=True, page_size=25)
    app = create_app(config, database=db)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the web server did not start")
        time.sleep(0.05)
    try:
        yield WebServer(f"http://127.0.0.1:{port}", db, passwords, app)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        db.dispose()


def _chromium() -> tuple[str, str]:
    browser = shutil.which("chromium") or "/usr/bin/chromium"
    driver = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    if not (os.path.exists(browser) and os.path.exists(driver)):
        pytest.fail(_CHROMIUM_HINT)
    return browser, driver


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, driver_path = _chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,900", "--lang=uk", "--no-first-run",
                "--disable-extensions", "--disable-background-networking"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(90)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture()
def page(browser: Any, web_server: WebServer) -> Iterator[Any]:
    """The browser, signed out, in Ukrainian, at the normal window size."""
    browser.set_window_size(1280, 900)
    browser.get(web_server.url + "/login")
    browser.delete_all_cookies()
    yield browser
    browser.delete_all_cookies()
