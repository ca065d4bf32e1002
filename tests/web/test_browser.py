"""The web application in a real headless Chromium, against the real server on loopback."""

from __future__ import annotations

import pytest
from webpages import By, log_in, screenshot, wait_for

from homecoming.services.web_queries import public_statistics

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


def test_login_dashboard_and_logout(page, web_server):
    screenshot(page, "login")
    assert page.find_element(By.CSS_SELECTOR, "label[for=name]").text == "Назва облікового запису"
    log_in(page, web_server, "analyst")
    wait_for(page, "svg.chart")
    assert page.current_url == web_server.url + "/dashboard"
    screenshot(page, "dashboard")
    bars = {el.get_attribute("data-stage"): el.text
            for el in page.find_elements(By.CSS_SELECTOR, "table.data tr[data-stage]")}
    # the demo: 440 graves + 3 of the small test site, 447 + 3 remains (Ukrainian grouping)
    assert bars["graves_found"].endswith("443")
    assert bars["remains_recovered"].endswith("450")
    page.find_element(By.CSS_SELECTOR, "form.logout button").click()
    wait_for(page, "#name")
    assert page.current_url == web_server.url + "/login"
    page.get(web_server.url + "/dashboard")
    assert page.current_url.startswith(web_server.url + "/login?next=")


def test_wrong_password_then_lockout(page, web_server):
    for attempt in range(5):
        log_in(page, web_server, "lockout", password=f"wrong-password-{attempt}")
        message = wait_for(page, "#login-error").text
        if attempt < 4:
            assert message == "Неправильна назва облікового запису або пароль."
    screenshot(page, "login-locked")
    assert message.startswith("Забагато невдалих спроб входу.")
    # the right password is refused while locked
    log_in(page, web_server, "lockout")
    assert wait_for(page, "#login-error").text.startswith("Забагато невдалих спроб входу.")
    assert page.current_url.startswith(web_server.url + "/login")


def test_language_switch(page, web_server):
    log_in(page, web_server, "field")
    wait_for(page, "svg.chart")
    assert page.find_element(By.TAG_NAME, "h1").text == "Панель"
    assert page.find_element(By.TAG_NAME, "html").get_attribute("lang") == "uk"
    page.find_element(By.CSS_SELECTOR, "form.language button[value=en]").click()
    wait_for(page, "html[lang=en]")
    assert page.find_element(By.TAG_NAME, "h1").text == "Dashboard"
    screenshot(page, "dashboard-en")
    # numbers follow the language: 1 338 (uk, narrow no-break space) vs 1,338 (en)
    page.get(web_server.url + "/records/samples")
    count = wait_for(page, "#result-count").text
    assert count.startswith("1,3") and count.endswith("records")
    page.find_element(By.CSS_SELECTOR, "form.language button[value=uk]").click()
    wait_for(page, "html[lang=uk]")
    count = wait_for(page, "#result-count").text
    # (Selenium reports the no-break space of the Ukrainian grouping as a plain space)
    assert count.replace("\u00a0", " ").replace("\u202f", " ") == "1 338 записів", count


def test_map_shows_sites_and_hazard_areas(page, web_server):
    log_in(page, web_server, "field", next_path="/map")
    element = wait_for(page, "#map[data-loaded]", timeout=15)
    screenshot(page, "map")
    # drawn by Leaflet with no tile server: 2 sites (demo + test), demo graves, 1 hazard area
    assert page.find_elements(By.CSS_SELECTOR, "#map path.hazard.not-cleared")
    assert len(page.find_elements(By.CSS_SELECTOR, "#map path.site")) == 2
    assert len(page.find_elements(By.CSS_SELECTOR, "#map path.grave")) >= 100
    assert not page.find_elements(By.CSS_SELECTOR, "#map img.leaflet-tile")
    assert int(element.get_attribute("data-loaded")) >= 103


def test_public_statistics_suppress_small_cells(page, web_server):
    page.get(web_server.url + "/public/statistics")
    table = wait_for(page, "table.stats[data-dimension=sex]")
    screenshot(page, "public-statistics")
    rows = {r.find_element(By.TAG_NAME, "th").text: [c.text for c in
                                                      r.find_elements(By.TAG_NAME, "td")]
            for r in table.find_elements(By.CSS_SELECTOR, "tbody tr")}
    small = rows["SYNTHETIC second site"]
    # 2 male, 1 female, 0 unknown, total 3: all below 5, all hidden
    assert small == ["<5", "<5", "<5", "<5"]
    with web_server.db.session() as session:
        expected = public_statistics(session, "sex")
    for r, name in enumerate(expected.rows):
        for c in range(len(expected.columns)):
            shown = rows[name][c]
            value = expected.cells[r][c]
            assert (shown in ("<5", "×")) == (value is None)
    # nothing below 5 is printed anywhere on the page
    for cell in page.find_elements(By.CSS_SELECTOR, "table.stats td"):
        text = cell.text.replace("\u00a0", "").replace("\u202f", "")
        assert not text.isdigit() or int(text) >= 5, text
