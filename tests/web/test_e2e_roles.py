"""One end-to-end flow through every role, in a real headless Chromium against the real
server on loopback (issue 12, "Tests"): each step is done through the pages, the way the person
in that role does it, and checked in the database afterwards.

1. field team: records a grave at the small SYNTHETIC site, then the remains found in it;
2. pathologist: records the post-mortem examination and the bone sample of those remains,
   moving the remains on to examined and sampled (their edit form);
3. lab: uploads the sample's STR profile as CSV — the dry run first (nothing written), then
   confirms it;
4. analyst: runs the identification of the new profile in the background; a second analyst
   accepts the proposal (the four-eyes rule: not the one who ran it);
5. board: confirms it;
6. liaison officer: records that the family was told, then the release of the remains;
7. investigator: the reference donors export leaves out the brother, who consented to
   identification only (the analyst's export has him).

The person identified is the demonstration's SYN-MP-0014 (reported missing, remains not
among the demonstration's 40 bodies; references: a daughter with court consent and a brother
with identification-only consent). The uploaded profile is made from the references' stored
genotypes (one allele from the daughter, one from the brother, at every locus), so that the
identification is strong. Every datum is SYNTHETIC. Runs on a private copy of the web tests'
database (the shared server's counts stay as the other modules expect). Set
``HOMECOMING_SCREENSHOTS=DIR`` to keep a screenshot of every step.
"""

from __future__ import annotations

import csv
import io

import pytest
from privateserver import private_server
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.support.ui import Select, WebDriverWait
from webpages import By, log_in, screenshot, wait_for

from homecoming.demo.markers import demo_markers
from homecoming.services.identifications import list_identifications
from homecoming.storage.repositories import Repositories, audit_records

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

PERSON = "SYN-MP-0014"
DAUGHTER, DAUGHTER_SAMPLE = "SYN-D-00026", "SYN-AM-000026"  # consent: also court
BROTHER, BROTHER_SAMPLE = "SYN-D-00025", "SYN-AM-000025"    # consent: identification only
SITE = "WEBTEST-S2"
GRAVE, REMAINS, EXAM, SAMPLE = "E2E-G1", "E2E-R1", "E2E-E1", "E2E-S1"


@pytest.fixture(scope="module")
def server(web_server, tmp_path_factory):
    with private_server(web_server, tmp_path_factory.mktemp("e2e")) as private:
        yield private


def _profile_csv(server) -> str:
    """The SYNTHETIC profile of SYN-MP-0014's remains: at each locus the rarer allele of the
    daughter (she got one allele from him) and the rarer allele of the brother."""
    frequency = {m.name: dict(zip(m.alleles, m.frequencies, strict=True))
                 for m in demo_markers()}
    with server.db.session() as session:
        repos = Repositories(session, user="web-tests")
        daughter = repos.profiles.get(DAUGHTER_SAMPLE)
        brother = repos.profiles.get(BROTHER_SAMPLE)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["barcode", "locus", "allele1", "allele2", "kit"])
    for locus, alleles in sorted(daughter.genotypes.items()):
        freq = frequency.get(locus, {})

        def rarer(pair, freq=freq):
            return min(pair, key=lambda a: (freq.get(a, 1.0), a))

        second = rarer(brother.genotypes[locus]) if locus in brother.genotypes else alleles[1]
        writer.writerow([SAMPLE, locus, rarer(alleles), second, daughter.kit])
    return out.getvalue()


def _as(page, server, role: str) -> None:
    page.delete_all_cookies()
    log_in(page, server, role)


def _fill(page, values: dict[str, str]) -> None:
    """Type into the record form's fields (by their ids = the model's field names)."""
    for name, value in values.items():
        element = page.find_element(By.ID, name)
        if element.tag_name == "select":
            Select(element).select_by_value(value)
        else:
            element.clear()
            element.send_keys(value)


def _save(page, server, path: str) -> None:
    """Press the form's Save button and wait for the record's page (or fail with the
    form's errors)."""
    page.find_element(By.ID, "save").click()

    def left_the_form(driver) -> bool:
        return not driver.current_url.endswith(("/new", "/edit")) and \
            "/new?" not in driver.current_url

    try:
        WebDriverWait(page, 30).until(left_the_form)
    except Exception:
        errors = [e.text for e in page.find_elements(By.CSS_SELECTOR, ".error")]
        raise AssertionError(f"the form was not saved: {errors}") from None
    assert page.current_url == server.url + path


def _remains_status(page, server, status: str) -> None:
    """The remains' edit form: move them on in their life cycle."""
    page.get(f"{server.url}/records/remains/{REMAINS}/edit")
    wait_for(page, "#record-form")
    _fill(page, {"status": status})
    _save(page, server, f"/records/remains/{REMAINS}")


def _author(server, table: str, key: str) -> str:
    with server.db.session() as session:
        inserts = [a for a in audit_records(session, table=table, key=key)
                   if a.action == "insert"]
    assert len(inserts) == 1
    return str(inserts[0].user_name)


def _ident_page(page, server, ident_id: str) -> None:
    page.get(f"{server.url}/identifications/{ident_id}")
    wait_for(page, "#status")


def _status(page) -> str:
    """The identification page's status, or "" while the page is being replaced (the button
    posts the form and the next page loads: the element found may be gone when read)."""
    try:
        return str(page.find_element(By.ID, "status").get_attribute("data-status"))
    except (StaleElementReferenceException, NoSuchElementException):
        return ""


def _fetch(page, path: str) -> tuple[int, str | None, str]:
    """GET ``path`` from the page's own session (a download, as the browser makes it):
    (status, X-Withheld header, body)."""
    return tuple(page.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0], {credentials: 'same-origin'}).then(r => r.text().then("
        "t => done([r.status, r.headers.get('X-Withheld'), t])));", path))


def test_one_case_through_every_role(page, server, tmp_path):
    # 1. field team: the grave, then the remains found in it
    _as(page, server, "field")
    page.get(f"{server.url}/records/graves/new?site_id={SITE}")
    wait_for(page, "#record-form")
    _fill(page, {"id": GRAVE, "label": "E2E", "site_id": SITE})
    screenshot(page, "e2e-1-field-grave-form")
    _save(page, server, f"/records/graves/{GRAVE}")
    page.get(f"{server.url}/records/remains/new?grave_id={GRAVE}")
    wait_for(page, "#record-form")
    _fill(page, {"code": REMAINS, "grave_id": GRAVE, "recovered_on": "2023-05-06"})
    _save(page, server, f"/records/remains/{REMAINS}")
    screenshot(page, "e2e-1-field-remains")
    with server.db.session() as session:
        remains = Repositories(session).remains.get(REMAINS)
    assert remains.grave_id == GRAVE
    assert (_author(server, "graves", GRAVE), _author(server, "remains", REMAINS)) \
        == ("field", "field")

    # 2. pathologist: the examination and the bone sample
    _as(page, server, "pathologist")
    page.get(f"{server.url}/records/examinations/new?remains_code={REMAINS}")
    wait_for(page, "#record-form")
    _fill(page, {"id": EXAM, "remains_code": REMAINS, "examined_on": "2023-05-07",
                 "prosector": "SYNTHETIC prosector", "sex": "male"})
    _save(page, server, f"/records/examinations/{EXAM}")
    _remains_status(page, server, "examined")
    page.get(f"{server.url}/records/samples/new?remains_code={REMAINS}")
    wait_for(page, "#record-form")
    _fill(page, {"barcode": SAMPLE, "source": "remains", "remains_code": REMAINS,
                 "element": "bone", "collected_on": "2023-05-07"})
    _save(page, server, f"/records/samples/{SAMPLE}")
    screenshot(page, "e2e-2-pathologist-sample")
    _remains_status(page, server, "sampled")
    with server.db.session() as session:
        repos = Repositories(session)
        assert repos.examinations.get(EXAM).sex.value == "male"
        assert repos.samples.get(SAMPLE).remains_code == REMAINS
        assert repos.remains.get(REMAINS).status.value == "sampled"
        assert repos.profiles.find(SAMPLE) is None
    assert _author(server, "examinations", EXAM) == "pathologist"

    # 3. lab: dry run (nothing written), then confirm
    _as(page, server, "lab")
    upload = tmp_path / "e2e-profile.csv"
    upload.write_text(_profile_csv(server), encoding="utf-8")
    page.get(f"{server.url}/lab/upload")
    Select(wait_for(page, "#upload-kind")).select_by_value("profiles")
    page.find_element(By.ID, "upload-file").send_keys(str(upload))
    page.find_element(By.ID, "dry-run").click()
    report = wait_for(page, "#import-report[data-dry-run=yes]", timeout=60)
    assert report.get_attribute("data-ok") == "yes"
    assert page.find_element(By.ID, "report-added").get_attribute("data-count") == "1"
    screenshot(page, "e2e-3-lab-dry-run")
    with server.db.session() as session:
        assert Repositories(session).profiles.find(SAMPLE) is None  # the dry run wrote nothing
    page.find_element(By.ID, "confirm-import").click()
    wait_for(page, "#import-done", timeout=60)
    screenshot(page, "e2e-3-lab-imported")
    with server.db.session() as session:
        stored = Repositories(session).profiles.get(SAMPLE)
    uploaded = list(csv.DictReader(io.StringIO(upload.read_text(encoding="utf-8"))))
    assert {r["locus"]: sorted((r["allele1"], r["allele2"])) for r in uploaded} == \
        {k: sorted(v) for k, v in stored.genotypes.items()}  # stored in allele order

    # 4. analyst: run the identification of the new profile; a second analyst accepts
    _as(page, server, "analyst")
    page.get(f"{server.url}/analysis/run")
    page.find_element(By.ID, "scope-new").click()
    page.find_element(By.ID, "run-profiles").send_keys(SAMPLE)
    page.find_element(By.ID, "run-identification").click()
    wait_for(page, "#run-progress")
    wait_for(page, "#run-done, #run-error", timeout=300)
    screenshot(page, "e2e-4-analyst-run")
    assert not page.find_elements(By.ID, "run-error")
    with server.db.session() as session:
        found = [r for r in list_identifications(session, search=PERSON, latest_only=True,
                                                 actor="admin")
                 if r["missing_person"] == PERSON]
    assert len(found) == 1
    ident = found[0]
    assert (ident["remains"], ident["status"]) == (REMAINS, "proposed")
    assert ident["log10_lr"] >= 6  # the identification threshold (LR >= 10^6)
    _as(page, server, "analyst2")
    _ident_page(page, server, ident["id"])
    page.find_element(By.ID, "accept").click()
    WebDriverWait(page, 30).until(lambda d: _status(d) == "reviewed")
    screenshot(page, "e2e-4-analyst2-accepted")

    # 5. board: sign-off
    _as(page, server, "board")
    _ident_page(page, server, ident["id"])
    page.find_element(By.ID, "confirm").click()
    WebDriverWait(page, 30).until(lambda d: _status(d) == "confirmed")
    screenshot(page, "e2e-5-board-confirmed")
    with server.db.session() as session:
        assert Repositories(session).remains.get(REMAINS).status.value == "identified"

    # 6. liaison officer: the family told, then the remains returned
    _as(page, server, "liaison")
    _ident_page(page, server, ident["id"])
    form = wait_for(page, "#notify-form")
    Select(form.find_element(By.ID, "notify-contact")).select_by_value(DAUGHTER)
    Select(form.find_element(By.ID, "notify-method")).select_by_value("in-person")
    form.find_element(By.ID, "notify-note").send_keys("SYNTHETIC: visit to the family")
    form.find_element(By.ID, "notify-submit").click()
    assert DAUGHTER in wait_for(page, "#notification-history li").text
    form = wait_for(page, "#release-form")
    Select(form.find_element(By.ID, "release-to")).select_by_value(DAUGHTER)
    form.find_element(By.ID, "release-documents").send_keys("SYNTHETIC: release act E2E")
    form.find_element(By.ID, "release-submit").click()
    wait_for(page, "#released-note")
    screenshot(page, "e2e-6-liaison-released")
    assert REMAINS in page.find_element(By.ID, "release-history").text
    with server.db.session() as session:
        assert Repositories(session).remains.get(REMAINS).status.value == "released"

    # 7. investigator: the donors export leaves out the identification-only reference
    _as(page, server, "investigator")
    page.get(f"{server.url}/register/{PERSON}")
    wait_for(page, "main h1")
    screenshot(page, "e2e-7-investigator-person")
    status, withheld, body = _fetch(page, "/register/donors.csv")
    exported = {row["id"] for row in csv.DictReader(io.StringIO(body))}
    assert status == 200
    assert DAUGHTER in exported and BROTHER not in exported
    assert withheld is not None and int(withheld) >= 1
    _as(page, server, "analyst")  # not for court: the brother is in the analyst's export
    status, withheld, body = _fetch(page, "/register/donors.csv")
    assert status == 200
    assert {DAUGHTER, BROTHER} <= {row["id"] for row in csv.DictReader(io.StringIO(body))}
