"""The web application in a real headless Chromium, against the real server on loopback."""

from __future__ import annotations

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.support.ui import WebDriverWait
from webpages import (
    DEMO_BODIES,
    SMALL_SITE,
    By,
    log_in,
    log_out,
    screenshot,
    wait_for,
    wait_text,
)

from homecoming.services.identifications import get_identification
from homecoming.services.web_queries import (
    PROGRESS_STAGES,
    map_features,
    progress_counts,
    public_statistics,
)

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


def test_login_dashboard_and_logout(page, web_server):
    screenshot(page, "login")
    assert page.find_element(By.CSS_SELECTOR, "label[for=name]").text == "Назва облікового запису"
    log_in(page, web_server, "analyst")
    wait_for(page, "svg.chart")
    assert page.current_url == web_server.url + "/dashboard"
    screenshot(page, "dashboard")
    shown = {el.get_attribute("data-stage"): el.find_element(By.CSS_SELECTOR, "td").text
             for el in page.find_elements(By.CSS_SELECTOR, "table.data tr[data-stage]")}
    with web_server.db.session() as session:
        counts = progress_counts(session)
    assert counts["graves_found"] == DEMO_BODIES - 1 + 3  # the demo's graves + 3 test graves
    assert counts["remains_identified"] > 0
    for stage in PROGRESS_STAGES:
        assert shown[stage] == str(counts[stage]), stage
    log_out(page)
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
    log_in(page, web_server, "liaison")
    wait_for(page, "svg.chart")
    assert page.find_element(By.TAG_NAME, "h1").text == "Панель"
    assert page.find_element(By.TAG_NAME, "html").get_attribute("lang") == "uk"
    page.find_element(By.CSS_SELECTOR, "form.language button[value=en]").click()
    wait_for(page, "html[lang=en]")
    assert page.find_element(By.TAG_NAME, "h1").text == "Dashboard"
    screenshot(page, "dashboard-en")
    # numbers and dates follow the language: 1,234 and "Sep 16, 2022" in English,
    # "1 234" and "16 вер. 2022 р." in Ukrainian
    page.get(web_server.url + "/records/sites/" + SMALL_SITE)
    assert "May 4, 2023" in wait_for(page, "dl.fields").text
    page.get(web_server.url + "/identifications")
    english = wait_for(page, "#result-count").text
    page.find_element(By.CSS_SELECTOR, "form.language button[value=uk]").click()
    wait_for(page, "html[lang=uk]")
    assert page.current_url == web_server.url + "/identifications"
    ukrainian = wait_for(page, "#result-count").text
    number = english.split()[0]
    assert english == f"{number} identifications"
    assert ukrainian.split()[0] == number and ukrainian.split()[1] in ("ідентифікація",
                                                                        "ідентифікації",
                                                                        "ідентифікацій")
    lr = next(c.text for c in page.find_elements(By.CSS_SELECTOR, "#identifications td.num")
              if c.text != "—")
    assert "," in lr and "." not in lr  # the Ukrainian decimal sign
    page.get(web_server.url + "/records/sites/" + SMALL_SITE)
    shown = wait_for(page, "dl.fields").text.replace("\u202f", " ").replace("\u00a0", " ")
    assert "4 трав. 2023 р." in shown


def test_map_shows_sites_and_hazard_areas(page, web_server):
    log_in(page, web_server, "field", next_path="/map")
    element = wait_for(page, "#map[data-loaded]", timeout=30)
    screenshot(page, "map")
    # drawn by Leaflet with no tile server: 2 sites (demo + test), the demo's graves with a
    # location, the demo's mined area (not cleared)
    with web_server.db.session() as session:
        layers = map_features(session)
    graves = len(layers["graves"]["features"])
    assert graves == DEMO_BODIES - 1
    assert len(page.find_elements(By.CSS_SELECTOR, "#map path.hazard.not-cleared")) == 1
    assert len(page.find_elements(By.CSS_SELECTOR, "#map path.site")) == 2
    assert len(page.find_elements(By.CSS_SELECTOR, "#map path.grave")) == graves
    assert not page.find_elements(By.CSS_SELECTOR, "#map img.leaflet-tile")
    assert int(element.get_attribute("data-loaded")) == graves + 3


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


def test_review_accept_then_confirm_with_four_eyes(page, web_server):
    # the runner of the identification may not accept it (the form is there: the service
    # refuses, and the page says why)
    log_in(page, web_server, "analyst", next_path="/review")
    wait_for(page, "#result-count")
    assert page.find_elements(By.CSS_SELECTOR, "#identifications tbody tr[data-id]") == []
    page.get(web_server.url + "/identifications?status=proposed")
    first = wait_for(page, "#identifications tbody tr[data-id]").get_attribute("data-id")
    page.get(web_server.url + f"/identifications/{first}")
    page.find_element(By.ID, "accept").click()
    assert "analyst" in wait_for(page, "#review-error").text  # the service's reason
    assert page.find_element(By.ID, "status").get_attribute("data-status") == "proposed"
    log_out(page)
    # a second analyst accepts it from the queue
    log_in(page, web_server, "analyst2", next_path="/review")
    wait_for(page, f'#identifications tr[data-id="{first}"]')
    screenshot(page, "review-queue")
    page.find_element(By.CSS_SELECTOR, f'tr[data-id="{first}"] a').click()
    wait_for(page, "#per-marker")
    screenshot(page, "identification")
    # the pedigree is drawn: one shape per person, the missing person marked
    with web_server.db.session() as session:
        pedigree = get_identification(session, first, actor="admin")["pedigree"]
    drawn = page.find_elements(By.CSS_SELECTOR, "#pedigree g.person")
    page.execute_script("document.getElementById('pedigree').scrollIntoView()")
    screenshot(page, "identification-pedigree")
    page.execute_script("window.scrollTo(0, 0)")
    assert len(drawn) == len(pedigree)
    assert [g.get_attribute("data-person") for g in drawn
            if "missing" in g.get_attribute("class")] == [p["id"] for p in pedigree
                                                          if p["missing"]]
    page.find_element(By.ID, "accept-note").send_keys("SYNTHETIC: pedigree checked")
    page.find_element(By.ID, "accept").click()
    wait_for(page, "#status[data-status=reviewed]")
    assert "SYNTHETIC: pedigree checked" in page.find_element(By.ID, "review-history").text
    log_out(page)
    # the board confirms it; a field team member may not even open it
    log_in(page, web_server, "board", next_path=f"/identifications/{first}")
    page.find_element(By.ID, "confirm").click()
    wait_for(page, "#status[data-status=confirmed]")
    screenshot(page, "identification-confirmed")
    log_out(page)
    log_in(page, web_server, "field", next_path=f"/identifications/{first}")
    wait_text(page, "h1", "Немає доступу")
    screenshot(page, "forbidden")


def test_reject_needs_a_reason(page, web_server):
    log_in(page, web_server, "analyst2", next_path="/identifications?status=proposed")
    wait_for(page, "#identifications tbody tr[data-id]")
    rows = page.find_elements(By.CSS_SELECTOR, "#identifications tbody tr[data-id]")
    target = rows[-1].get_attribute("data-id")
    page.get(web_server.url + f"/identifications/{target}")
    # the browser itself refuses an empty reason (required); sent anyway, the server refuses
    page.execute_script("document.getElementById('reject-reason').removeAttribute('required')")
    page.find_element(By.ID, "reject").click()
    wait_text(page, "#review-error", "Щоб відхилити, потрібно вказати підставу.")
    page.find_element(By.ID, "reject-reason").send_keys("SYNTHETIC: sample mix-up suspected")
    page.find_element(By.ID, "reject").click()
    wait_for(page, "#status[data-status=rejected]")


def test_csrf_refused_in_the_browser(page, web_server):
    log_in(page, web_server, "field")
    wait_for(page, "svg.chart")
    page.execute_script("document.querySelector('form.logout input[name=csrf_token]').value"
                        " = 'forged'")
    page.find_element(By.CSS_SELECTOR, "form.logout button").click()
    wait_text(page, "h1", "Форма недійсна")
    screenshot(page, "csrf-refused")
    page.get(web_server.url + "/dashboard")  # still signed in
    wait_text(page, "h1", "Панель")


def test_records_search_filter_pages_and_detail(page, web_server):
    log_in(page, web_server, "investigator", next_path="/records/graves")
    wait_for(page, "#result-count")
    screenshot(page, "graves")
    total = int(page.find_element(By.ID, "result-count").text.split()[0])
    assert total == DEMO_BODIES - 1 + 3
    assert page.find_element(By.CSS_SELECTOR, "nav.pages span").text == "Сторінка 1 з 2"
    page.find_element(By.CSS_SELECTOR, "nav.pages a[rel=next]").click()
    assert wait_for(page, "nav.pages span").text == "Сторінка 2 з 2"
    # the search box filters as one types (htmx), and the URL follows
    box = page.find_element(By.ID, "q")
    box.clear()
    box.send_keys(SMALL_SITE)
    # htmx replaces the count as the search runs: an element found may be gone when read
    WebDriverWait(page, 30, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: d.find_element(By.ID, "result-count").text.startswith("3 "))
    assert "q=" + SMALL_SITE in page.current_url
    page.find_element(By.LINK_TEXT, f"{SMALL_SITE}-G2").click()
    wait_for(page, "#related-remains")
    screenshot(page, "grave")
    assert f"{SMALL_SITE}-R2" in page.find_element(By.ID, "related-remains").text
    page.get(web_server.url + "/records/samples")
    first = wait_for(page, "table.data tbody td a").text
    page.get(web_server.url + f"/records/samples/{first}")
    custody = wait_for(page, "#related-custody")
    screenshot(page, "sample")
    assert custody.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert "genotype" not in page.page_source.lower()
    page.get(web_server.url + "/statistics?by=year")
    wait_for(page, "table.stats")
    screenshot(page, "statistics")


def test_phone_width_and_keyboard(page, web_server):
    page.set_window_size(390, 844)
    page.get(web_server.url + "/login")
    # keyboard only: the name field has focus, Tab moves to the password, Enter submits
    from selenium.webdriver.common.keys import Keys

    active = page.switch_to.active_element
    assert active.get_attribute("id") == "name"
    active.send_keys("field")
    active.send_keys(Keys.TAB)
    page.switch_to.active_element.send_keys(web_server.passwords["field"], Keys.ENTER)
    wait_for(page, "svg.chart")
    screenshot(page, "dashboard-phone")
    width = page.execute_script("return document.documentElement.scrollWidth")
    assert width <= 390, "no sideways scrolling at phone width"
    for path in ("/map", "/records/remains", f"/records/sites/{SMALL_SITE}"):
        page.get(web_server.url + path)
        wait_for(page, "h1")
        screenshot(page, "phone" + path.replace("/", "-"))
        assert page.execute_script("return document.documentElement.scrollWidth") <= 390, path
    # every form field has a label
    unlabelled = page.execute_script(
        "return [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]"
        ".filter(e => !(e.labels && e.labels.length)).map(e => e.name)")
    assert unlabelled == []
