"""The families' side of an identification (issue 12 item 4, issue 11 items 4-5), over HTTP
against the real server: report PDFs (technical with the LR and the genotypes, the family's
version without), the liaison's notification and release forms (confirmed identifications
only, errors beside the fields), the history, the remains released and counted, the
death-registration export, and one real-Chromium run of the liaison telling the family and
returning the remains."""

from __future__ import annotations

import csv
import datetime as _dt
import io
import re

import httpx
import pypdf
import pytest
from webpages import By, log_in, screenshot, wait_for

from homecoming.reports.identification import fmt_lr
from homecoming.services import review
from homecoming.services.database import database_counts
from homecoming.services.identifications import get_identification, list_identifications
from homecoming.services.web_queries import progress_counts
from homecoming.storage.repositories import Repositories
from homecoming.storage.repositories.identifications import IdentificationRepository


def today() -> str:
    """Today's date (UTC), read when used: a date read at import could precede a confirmation
    made after midnight, and the service refuses a family told before the confirmation."""
    return _dt.datetime.now(_dt.UTC).date().isoformat()


def _signed_in(server, name: str) -> httpx.Client:
    client = httpx.Client(base_url=server.url, follow_redirects=False, timeout=60)
    html = client.get("/login").text
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)
    response = client.post("/login", data={"name": name, "password": server.passwords[name],
                                           "csrf_token": token})
    assert response.status_code == 303, response.text[:300]
    page = client.get("/dashboard").text
    client.csrf = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    return client


def _proposed(server, skip: set[str] = frozenset()) -> list[dict]:
    """Proposed identifications of remains (newest version), last first (the other web tests
    take the first ones)."""
    with server.db.session() as session:
        rows = list_identifications(session, status="proposed", latest_only=True,
                                    actor="admin")
    return [r for r in reversed(rows) if r["remains"] and r["id"] not in skip]


def _confirm(server, ident_id: str) -> None:
    """Accept (a second analyst: "analyst" ran the identification) and confirm (board)."""
    with server.db.session() as session:
        review.accept(session, ident_id, note="SYNTHETIC web test", actor="analyst2")
    with server.db.session() as session:
        review.confirm(session, ident_id, note="SYNTHETIC web test", actor="board")


def _donors(server, person: str) -> list[str]:
    with server.db.session() as session:
        return sorted(d.id for d in Repositories(session).donors.list(missing_person_id=person))


def _pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF")
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


def _genotype_strings(server, remains: str) -> set[str]:
    """The remains' genotypes as the technical report writes them ("15/16"), heterozygous
    loci only (a homozygote "12/12" is just as telling but we keep the test strict)."""
    with server.db.session() as session:
        repos = Repositories(session)
        out = set()
        for sample in repos.samples.list(remains_code=remains):
            profile = repos.profiles.find(sample.barcode)
            if profile is not None:
                out |= {"/".join(str(a) for a in alleles)
                        for alleles in profile.genotypes.values()
                        if len(set(alleles)) == 2}
    return out


@pytest.fixture(scope="module")
def confirmed(web_server) -> dict:
    """One identification accepted by a second analyst and confirmed by the board."""
    ident = _proposed(web_server)[0]
    _confirm(web_server, ident["id"])
    with web_server.db.session() as session:
        return get_identification(session, ident["id"], actor="admin")


def test_report_pdfs_technical_holds_the_lr_family_version_no_genotype(web_server, confirmed):
    client = _signed_in(web_server, "liaison")
    page = client.get(f"/identifications/{confirmed['id']}")
    assert page.status_code == 200
    assert f'href="/identifications/{confirmed["id"]}/report.pdf"' in page.text
    assert 'id="report-pdf"' in page.text and 'id="family-report-pdf"' in page.text

    technical = client.get(f"/identifications/{confirmed['id']}/report.pdf")
    assert technical.status_code == 200
    assert technical.headers["content-type"] == "application/pdf"
    assert "attachment" in technical.headers["content-disposition"]
    text = _pdf_text(technical.content)
    lr = fmt_lr(confirmed["lr"])
    assert lr in text and confirmed["id"] in text and "SYNTHETIC" in text
    genotypes = _genotype_strings(web_server, confirmed["remains"])
    assert genotypes and any(g in text.split() for g in genotypes)
    assert any(marker in text for marker in confirmed["per_marker"])

    family = client.get(f"/identifications/{confirmed['id']}/family-report.pdf")
    text = _pdf_text(family.content)
    assert lr in text and "for the family" in text
    assert not any(g in text.split() for g in genotypes)
    assert not any(marker in text for marker in confirmed["per_marker"])
    client.close()

    # a lab account works with bar-codes only; an investigator has no report permission
    for role in ("lab", "investigator", "monitor"):
        client = _signed_in(web_server, role)
        response = client.get(f"/identifications/{confirmed['id']}/family-report.pdf")
        assert response.status_code == 403, role
        assert not response.content.startswith(b"%PDF")
        client.close()


def test_notify_refused_for_an_identification_not_confirmed(web_server):
    ident = _proposed(web_server)[-1]  # proposed, never reviewed
    donor = _donors(web_server, ident["missing_person"])[0]
    client = _signed_in(web_server, "liaison")
    page = client.get(f"/identifications/{ident['id']}")
    assert 'id="notify-form"' not in page.text and 'id="release-form"' not in page.text
    assert 'id="family-not-confirmed"' in page.text
    response = client.post(f"/identifications/{ident['id']}/notify", data={
        "csrf_token": client.csrf, "contact": donor, "method": "phone", "on": today()})
    assert response.status_code == 409
    message = re.search(r'id="family-error">([^<]+)<', response.text).group(1)
    assert "лише підтверджену ідентифікацію" in message and "запропоновано" in message
    response = client.post(f"/identifications/{ident['id']}/release", data={
        "csrf_token": client.csrf, "to": donor, "on": today()})
    assert response.status_code == 409
    with web_server.db.session() as session:
        repo = IdentificationRepository(session)
        assert repo.notifications(ident["id"]) == [] and repo.releases(ident["id"]) == []
    client.close()


def test_notify_then_release_moves_the_remains_to_released(web_server, confirmed):
    ident, remains = confirmed["id"], confirmed["remains"]
    donor = _donors(web_server, confirmed["missing_person"])[0]
    with web_server.db.session() as session:
        returned_before = progress_counts(session)["remains_returned"]
    counts_before = database_counts(web_server.db, actor="admin")
    client = _signed_in(web_server, "liaison")
    waiting = client.get("/register").text.split('id="families-waiting"')[1]
    assert f'data-identification="{ident}"' in waiting.split("</section>")[0]
    page = client.get(f"/identifications/{ident}")
    assert 'id="notify-form"' in page.text and 'id="release-form"' in page.text
    assert f'<option value="{donor}"' in page.text

    # errors beside the fields; nothing recorded
    response = client.post(f"/identifications/{ident}/notify", data={
        "csrf_token": client.csrf, "contact": "", "method": "carrier-pigeon", "on": "2999-01-01"})
    assert response.status_code == 400
    assert 'id="notify-contact-error"' in response.text
    assert 'id="notify-method-error"' in response.text
    assert re.search(r'id="notify-on-error">Дата не може бути в майбутньому', response.text)
    assert 'value="carrier-pigeon"' not in response.text  # only the offered methods
    response = client.post(f"/identifications/{ident}/notify", data={
        "csrf_token": client.csrf, "contact": "NO-SUCH-DONOR", "method": "phone", "on": today()})
    assert response.status_code == 400 and 'id="notify-contact-error"' in response.text
    with web_server.db.session() as session:
        assert IdentificationRepository(session).notifications(ident) == []

    response = client.post(f"/identifications/{ident}/notify", data={
        "csrf_token": client.csrf, "contact": donor, "method": "in-person", "on": today(),
        "note": "SYNTHETIC: told at the family's home"})
    assert response.status_code == 303
    page = client.get(f"/identifications/{ident}")
    history = page.text.split('id="notification-history"')[1].split("</ol>")[0]
    assert "особисто" in history and donor in history and "liaison" in history

    response = client.post(f"/identifications/{ident}/release", data={
        "csrf_token": client.csrf, "to": "", "on": today()})
    assert response.status_code == 400 and 'id="release-to-error"' in response.text
    response = client.post(f"/identifications/{ident}/release", data={
        "csrf_token": client.csrf, "to": donor, "on": today(),
        "documents": "SYNTHETIC: death certificate, release act"})
    assert response.status_code == 303
    page = client.get(f"/identifications/{ident}")
    assert 'id="release-form"' not in page.text and 'id="released-note"' in page.text
    history = page.text.split('id="release-history"')[1].split("</ol>")[0]
    assert remains in history and "death certificate" in history

    # the remains are released, their chain of custody closed, and the counts say so
    with web_server.db.session() as session:
        repos = Repositories(session)
        assert repos.remains.get(remains).status.value == "released"
        chain = repos.custody_events.chain(remains)
        assert chain[-1].to_party.endswith(donor)
        assert progress_counts(session)["remains_returned"] == returned_before + 1
    counts_after = database_counts(web_server.db, actor="admin")
    changed = {k: (counts_before.get(k), v) for k, v in counts_after.items()
               if counts_before.get(k) != v}
    assert any("released" in k for k in changed), changed
    waiting = client.get("/register").text.split('id="families-waiting"')[1]
    assert f'data-identification="{ident}"' not in waiting.split("</section>")[0]
    remains_page = client.get(f"/records/remains/{remains}")
    assert "видано" in remains_page.text or "released" in remains_page.text

    # a second release of the same remains is refused with a message
    response = client.post(f"/identifications/{ident}/release", data={
        "csrf_token": client.csrf, "to": donor, "on": today()})
    assert response.status_code == 400
    assert re.search(r'id="family-error">Ці останки вже передано родині', response.text)
    with web_server.db.session() as session:
        assert len(IdentificationRepository(session).releases(ident)) == 1
    client.close()


def test_liaison_pages_show_no_genotype(web_server, confirmed):
    genotypes = _genotype_strings(web_server, confirmed["remains"])
    assert genotypes
    client = _signed_in(web_server, "liaison")
    for path in (f"/identifications/{confirmed['id']}",
                 f"/register/{confirmed['missing_person']}",
                 f"/register?q={confirmed['missing_person']}"):
        page = client.get(path)
        assert page.status_code == 200, path
        words = set(re.split(r"[\s<>()]+", page.text))
        assert not genotypes & words, path
        assert "genotype" not in page.text.lower(), path
    client.close()


def test_death_registration_export(web_server, confirmed):
    with web_server.db.session() as session:
        events = IdentificationRepository(session).review_events(confirmed["id"])
    confirmed_on = [e["at"] for e in events if e["action"] == "confirm"][-1].date().isoformat()
    for role in ("liaison", "admin"):
        client = _signed_in(web_server, role)
        page = client.get("/death-registration")
        assert page.status_code == 200
        assert f'href="/identifications/{confirmed["id"]}"' in page.text
        response = client.get("/death-registration", params={"format": "csv"})
        assert response.status_code == 200 and "text/csv" in response.headers["content-type"]
        rows = list(csv.DictReader(io.StringIO(response.text)))
        mine = [r for r in rows if r["identification_id"] == confirmed["id"]]
        assert len(mine) == 1
        assert mine[0]["missing_person_id"] == confirmed["missing_person"]
        assert mine[0]["remains_code"] == confirmed["remains"]
        assert mine[0]["confirmed_on"] == confirmed_on
        client.close()
    for role in ("investigator", "lab", "analyst"):
        client = _signed_in(web_server, role)
        assert client.get("/death-registration", params={"format": "csv"}).status_code == 403
        client.close()


def test_liaison_notifies_and_releases_in_chromium(web_server, page):
    from selenium.webdriver.support.ui import Select

    ident = _proposed(web_server)[1]
    _confirm(web_server, ident["id"])
    donor = _donors(web_server, ident["missing_person"])[0]
    log_in(page, web_server, "liaison")
    page.get(f"{web_server.url}/identifications/{ident['id']}")
    form = wait_for(page, "#notify-form")
    screenshot(page, "liaison-identification")
    Select(form.find_element(By.ID, "notify-contact")).select_by_value(donor)
    Select(form.find_element(By.ID, "notify-method")).select_by_value("video")
    form.find_element(By.ID, "notify-note").send_keys("SYNTHETIC: video call with the family")
    form.find_element(By.ID, "notify-submit").click()
    history = wait_for(page, "#notification-history")
    assert donor in history.text
    form = wait_for(page, "#release-form")
    Select(form.find_element(By.ID, "release-to")).select_by_value(donor)
    form.find_element(By.ID, "release-documents").send_keys("SYNTHETIC: release act")
    form.find_element(By.ID, "release-submit").click()
    released = wait_for(page, "#released-note")
    assert released.is_displayed()
    assert ident["remains"] in page.find_element(By.ID, "release-history").text
    screenshot(page, "liaison-released")
    # at phone width the forms stay usable: no horizontal scrolling of the page
    page.set_window_size(390, 844)
    page.get(f"{web_server.url}/register/{ident['missing_person']}")
    wait_for(page, "#family-pedigree")
    width = page.execute_script("return document.documentElement.scrollWidth")
    assert width <= 400
    screenshot(page, "register-person-phone")
    with web_server.db.session() as session:
        assert Repositories(session).remains.get(ident["remains"]).status.value == "released"
