"""The record forms and the chain-of-custody page (issue 12 item 4), over HTTP (httpx) and in a
real headless Chromium, against a real server on loopback.

These tests write records, so they run their own small server over a database of their own
(SYNTHETIC: one site, one grave with remains and a sample, one account per role) instead of
the shared demonstration server, whose counts other tests assert.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import unescape
from typing import Any

import httpx
import pytest
from webpages import By, log_in, screenshot, wait_for

from homecoming import casework as cw
from homecoming.services import accounts, web_auth
from homecoming.services.audit import verify
from homecoming.storage import Database
from homecoming.storage.repositories import Repositories, audit_records
from homecoming.web.app import create_app
from homecoming.web.config import WebConfig

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

ROLES = ("field", "pathologist", "lab", "analyst", "board", "liaison", "investigator",
         "monitor", "admin")
DAY = dt.date(2022, 9, 16)


@dataclass
class FormServer:
    url: str
    db: Database
    passwords: dict[str, str] = field(default_factory=dict)


def _seed(db: Database) -> dict[str, str]:
    with db.session() as session:
        repos = Repositories(session, user="form-tests")
        repos.sites.add(cw.Site(id="FT-S1", name="SYNTHETIC forest site",
                                location=cw.Geometry.point(37.28, 49.20), reported_on=DAY))
        repos.graves.add(cw.Grave(id="FT-G1", site_id="FT-S1", label="1"))
        repos.remains.add(cw.Remains(code="FT-R1", grave_id="FT-G1", recovered_on=DAY))
        repos.samples.add(cw.Sample(barcode="FT-PM1", source="remains", remains_code="FT-R1",
                                    element="bone", collected_on=DAY))
        passwords = {role: web_auth.new_password() for role in ROLES}
        accounts.add_user(session, "admin", ["admin"], actor="admin")
        for role in ROLES[:-1]:
            accounts.add_user(session, role, [role], actor="admin",
                              display_name=f"SYNTHETIC {role}")
        for name, password in passwords.items():
            web_auth.set_password(session, name, password, actor="admin")
    return passwords


@pytest.fixture(scope="module")
def form_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FormServer]:
    import socket

    import uvicorn

    folder = tmp_path_factory.mktemp("forms")
    url = f"sqlite:///{folder / 'forms.db'}"
    db = Database(url)
    db.upgrade()
    passwords = _seed(db)
    app = create_app(WebConfig(database_url=url, page_size=25), database=db)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
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
        yield FormServer(f"http://127.0.0.1:{port}", db, passwords)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        db.dispose()


def _token(html: str) -> str:
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    assert match
    return match.group(1)


def _client(server: FormServer, name: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=server.url, follow_redirects=False, timeout=30)
    token = _token(client.get("/login").text)
    response = client.post("/login", data={"name": name, "password": server.passwords[name],
                                           "csrf_token": token})
    assert response.status_code == 303
    return client, _token(client.get("/dashboard").text)


def _field_errors(html: str) -> dict[str, str]:
    return {name: unescape(text) for name, text in re.findall(
        r'<p class="error field-error" id="([\w-]+)-error">([^<]*)</p>', html)}


def test_field_team_creates_a_grave_with_an_error_shown_beside_the_field(form_server):
    client, token = _client(form_server, "field")
    data = {"csrf_token": token, "id": "FT-G2", "site_id": "FT-S1", "label": "2",
            "grave_type": "single", "status": "reported", "minimum_individuals": "3",
            "location": "49.2003, 37.2801"}
    response = client.post("/records/graves/new", data=data)
    assert response.status_code == 422
    assert list(_field_errors(response.text)) == ["minimum_individuals"]
    assert 'id="minimum_individuals" name="minimum_individuals" value="3"' in response.text
    assert 'aria-invalid="true"' in response.text and 'id="error-summary"' in response.text
    with form_server.db.session() as session:
        assert not Repositories(session).graves.exists("FT-G2")
    response = client.post("/records/graves/new", data={**data, "minimum_individuals": "1"})
    assert response.status_code == 303
    assert response.headers["location"] == "/records/graves/FT-G2"
    with form_server.db.session() as session:
        grave = Repositories(session).graves.get("FT-G2")
        assert (grave.label, grave.minimum_individuals) == ("2", 1)
        assert grave.location is not None and grave.location.coordinates == (37.2801, 49.2003)
        entries = audit_records(session, table="graves", key="FT-G2")
        assert [(e.action, e.user_name) for e in entries] == [("insert", "field")]
        assert verify(session, actor="admin").ok
    page = client.get("/records/graves/FT-G2")
    assert 'id="edit-record"' in page.text and 'id="new-remains"' in page.text
    client.close()


def test_errors_are_translated_and_never_echo_personal_values(form_server):
    client, token = _client(form_server, "liaison")
    response = client.post("/records/missing-persons/new", data={
        "csrf_token": token, "id": "FT-MP1", "surname": "Коваленко", "given_name": "Ірина",
        "birth_date": "2099-12-31", "reported_by": "", "reported_on": "2022-10-01"})
    assert response.status_code == 422
    errors = _field_errors(response.text)
    assert errors == {"birth_date": "Дата не може бути в майбутньому.",
                      "reported_by": "Обов'язкове поле: введіть значення."}
    client.cookies.set("homecoming_lang", "en")
    response = client.post("/records/missing-persons/new", data={
        "csrf_token": token, "id": "FT-MP1", "surname": "Коваленко", "given_name": "Ірина",
        "birth_date": "31.12.1970", "reported_by": "SYNTHETIC", "reported_on": "2022-10-01"})
    assert _field_errors(response.text) == {"birth_date": "Enter a date as YYYY-MM-DD."}
    assert 'id="birth_date" name="birth_date" value="31.12.1970"' in response.text  # kept
    summary = response.text.split('id="error-summary"')[1].split("</div>")[0]
    assert "31.12.1970" not in summary and "Коваленко" not in summary
    client.close()
    client, token = _client(form_server, "field")  # a problem in one line of a list
    response = client.post("/records/remains/new", data={
        "csrf_token": token, "code": "FT-R9", "grave_id": "FT-G1",
        "effects": "FT-E8; clothing; SYNTHETIC coat\nFT-E9; weapon; SYNTHETIC knife"})
    assert _field_errors(response.text) == {"effects": (
        "Використовуйте одне з: 'clothing', 'jewellery', 'document', 'phone', 'religious', "
        "'projectile', 'ligature' or 'other' (рядок 2, категорія).")}
    client.close()


def test_concurrent_edits_over_http(form_server):
    first, first_token = _client(form_server, "field")
    second, second_token = _client(form_server, "admin")
    forms = []
    for client in (first, second):
        html = client.get("/records/graves/FT-G1/edit").text
        version = re.search(r'name="row_version" id="row_version" value="(\d+)"', html)
        assert version is not None
        forms.append(version.group(1))
    assert forms[0] == forms[1]
    base = {"site_id": "FT-S1", "grave_type": "single", "status": "reported"}
    response = first.post("/records/graves/FT-G1/edit", data={
        **base, "csrf_token": first_token, "row_version": forms[0], "label": "1a"})
    assert response.status_code == 303
    response = second.post("/records/graves/FT-G1/edit", data={
        **base, "csrf_token": second_token, "row_version": forms[1], "label": "1b"})
    assert response.status_code == 409
    assert "Хтось інший змінив цей запис" in response.text
    assert 'value="1b"' in response.text  # what they typed is still in the form
    with form_server.db.session() as session:
        assert Repositories(session).graves.get("FT-G1").label == "1a"
        assert [e.user_name for e in audit_records(session, table="graves", key="FT-G1",
                                                   action="update")] == ["field"]
    first.close()
    second.close()


def test_buttons_only_for_roles_allowed(form_server):
    shown = {}
    for role in ("field", "pathologist", "lab", "liaison", "investigator"):
        client, _ = _client(form_server, role)
        shown[role] = (
            'id="new-record"' in client.get("/records/graves").text,
            'id="edit-record"' in client.get("/records/remains/FT-R1").text,
            'id="new-examination"' in client.get("/records/remains/FT-R1").text,
            client.get("/records/graves/new").status_code,
        )
        client.close()
    assert shown == {"field": (True, True, False, 200), "pathologist": (False, True, True, 403),
                     "lab": (False, False, False, 403), "liaison": (False, False, False, 403),
                     "investigator": (False, False, False, 403)}


def test_forms_refuse_a_missing_csrf_token(form_server):
    client, token = _client(form_server, "field")
    for data in ({}, {"csrf_token": token + "x"}):
        response = client.post("/records/graves/new",
                               data={**data, "id": "FT-G9", "site_id": "FT-S1", "label": "9"})
        assert response.status_code == 403
        response = client.post("/records/samples/FT-PM1/custody", data={
            **data, "from_party": "A", "to_party": "B", "occurred_at": "2022-09-20 10:00",
            "reason": "x"})
        assert response.status_code == 403
    with form_server.db.session() as session:
        repos = Repositories(session)
        assert not repos.graves.exists("FT-G9")
        assert repos.custody_events.count(item_id="FT-PM1") == 0
    client.close()


def test_custody_transfers_and_breaks_over_http(form_server):
    client, token = _client(form_server, "lab")
    page = client.get("/records/samples/FT-PM1/custody")
    assert page.status_code == 200 and 'id="no-transfers"' in page.text
    for frm, to, when in (("Dr P", "Courier A", "2022-09-16 18:00"),
                          ("Courier B", "DNA laboratory", "2022-09-17 09:00")):
        response = client.post("/records/samples/FT-PM1/custody", data={
            "csrf_token": token, "from_party": frm, "to_party": to, "occurred_at": when,
            "reason": "transport", "location": "", "final": ""})
        assert response.status_code == 303, response.text[:500]
    page = client.get("/records/samples/FT-PM1/custody").text
    events = re.findall(r'<li class="event( break)?" id="event-([\w-]+)"', page)
    assert events == [("", "CE-FT-PM1-001"), (" break", "CE-FT-PM1-002")]
    assert 'data-break="unreceived"' in page and 'id="breaks-summary"' in page
    # the next transfer starts from the last holder
    assert 'id="from_party" name="from_party" value="DNA laboratory"' in page
    response = client.post("/records/samples/FT-PM1/custody", data={
        "csrf_token": token, "from_party": "DNA laboratory", "to_party": "",
        "occurred_at": "yesterday", "reason": "analysis"})
    assert response.status_code == 422
    assert set(_field_errors(response.text)) == {"to_party", "occurred_at"}
    client.close()
    viewer, _ = _client(form_server, "investigator")  # reads the timeline, has no form
    page = viewer.get("/records/samples/FT-PM1/custody")
    assert page.status_code == 200 and "CE-FT-PM1-002" in page.text
    assert 'id="transfer-form"' not in page.text
    assert viewer.get("/records/graves/FT-G1/custody").status_code == 404
    viewer.close()


# --- in a real Chromium ------------------------------------------------------------------

def _fill(driver: Any, values: dict[str, str]) -> None:
    from selenium.webdriver.support.ui import Select

    for name, value in values.items():
        element = driver.find_element(By.ID, name)
        if element.tag_name == "select":
            Select(element).select_by_value(value)
        else:
            element.clear()
            element.send_keys(value)


def _save(driver: Any) -> None:
    from tests.web.webpages import wait_gone

    button = driver.find_element(By.ID, "save")
    button.click()
    wait_gone(driver, button)


@pytest.fixture()
def chromium(browser: Any, form_server: FormServer) -> Iterator[Any]:
    browser.set_window_size(1280, 900)
    browser.get(form_server.url + "/login")
    browser.delete_all_cookies()
    yield browser
    browser.delete_all_cookies()
    browser.set_window_size(1280, 900)


def test_field_user_records_a_grave_and_remains_in_the_browser(chromium, form_server):
    page = chromium
    log_in(page, form_server, "field", next_path="/records/graves")
    wait_for(page, "#new-record").click()
    wait_for(page, "form#record-form")
    labels = {el.get_attribute("for") for el in page.find_elements(By.CSS_SELECTOR,
                                                                   "form#record-form label")}
    inputs = {el.get_attribute("id") for el in page.find_elements(
        By.CSS_SELECTOR, "form#record-form input:not([type=hidden]), form#record-form select, "
        "form#record-form textarea")}
    assert inputs and inputs <= labels  # every input has its label
    _fill(page, {"id": "FT-G3", "site_id": "FT-S1", "label": "3", "grave_type": "single",
                 "minimum_individuals": "2"})
    _save(page)
    error = wait_for(page, "#minimum_individuals-error")
    screenshot(page, "form-grave-error")
    assert error.text == ("В одиночній могилі щонайбільше одна особа: для більшої кількості "
                          "виберіть тип могили «масова».")
    # the keyboard focus is on the field to correct
    assert page.switch_to.active_element.get_attribute("id") == "minimum_individuals"
    field_box = page.find_element(By.ID, "field-minimum_individuals")
    assert "invalid" in field_box.get_attribute("class")
    assert page.find_element(By.ID, "minimum_individuals").get_attribute("aria-invalid") == \
        "true"
    assert page.find_elements(By.CSS_SELECTOR, ".field-error") == [error]
    _fill(page, {"minimum_individuals": "1"})
    _save(page)
    wait_for(page, "dl.fields")
    assert page.current_url == form_server.url + "/records/graves/FT-G3"
    page.find_element(By.ID, "new-remains").click()
    wait_for(page, "form#record-form")
    assert page.find_element(By.ID, "grave_id").get_attribute("value") == "FT-G3"
    _fill(page, {"code": "FT-R3", "recovered_on": "2022-09-18", "condition": "skeletonised",
                 "effects": "FT-E1; clothing; SYNTHETIC blue jacket"})
    page.set_window_size(390, 844)  # a phone
    screenshot(page, "form-remains-phone")
    width = page.execute_script("return document.documentElement.scrollWidth")
    assert width <= 390
    _save(page)
    wait_for(page, "dl.fields")
    assert page.current_url == form_server.url + "/records/remains/FT-R3"
    with form_server.db.session() as session:
        remains = Repositories(session).remains.get("FT-R3")
        assert remains.grave_id == "FT-G3" and remains.condition is cw.Condition.SKELETONISED
        assert [(e.id, e.category.value) for e in remains.effects] == [("FT-E1", "clothing")]
        assert verify(session, actor="admin").ok
    # the custody page of the new remains: a transfer appears on the timeline
    page.find_element(By.ID, "custody-link").click()
    wait_for(page, "#no-transfers")
    _fill(page, {"from_party": "SYNTHETIC field team", "to_party": "SYNTHETIC morgue",
                 "reason": "transport", "occurred_at": "2022-09-18 17:45"})
    _save(page)
    event = wait_for(page, "#event-CE-FT-R3-001")
    screenshot(page, "custody-timeline-phone")
    assert "SYNTHETIC field team" in event.text and "SYNTHETIC morgue" in event.text
    assert page.find_element(By.ID, "from_party").get_attribute("value") == "SYNTHETIC morgue"


def test_keyboard_only_edit_in_the_browser(chromium, form_server):
    from selenium.webdriver.common.keys import Keys

    page = chromium
    log_in(page, form_server, "pathologist", next_path="/records/remains/FT-R1/edit")
    wait_for(page, "form#record-form")
    screenshot(page, "form-remains-edit")
    storage = page.find_element(By.ID, "storage_location")
    storage.click()
    storage.send_keys("SYNTHETIC container 4")
    storage.send_keys(Keys.ENTER)  # Enter in a text box submits the form
    wait_for(page, "dl.fields")
    assert page.current_url == form_server.url + "/records/remains/FT-R1"
    with form_server.db.session() as session:
        assert Repositories(session).remains.get("FT-R1").storage_location == \
            "SYNTHETIC container 4"


def test_the_buttons_template_knows_every_form():
    """form_links.html (the New/Edit buttons) names each form kind with its permission."""
    from homecoming.services.editing import FORM_KINDS
    from homecoming.web.app import WEB_DIR

    text = (WEB_DIR / "templates" / "form_links.html").read_text(encoding="utf-8")
    block = text.split("{% set FORM_KINDS = ", 1)[1].split("%}", 1)[0]
    shown = dict(re.findall(r'"([\w-]+)": "([\w.]+)"', block))
    assert shown == {kind: spec.permission for kind, spec in FORM_KINDS.items()}
