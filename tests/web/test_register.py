"""The missing-persons register (issue 12 item 4), over HTTP against the real server: search
(Cyrillic, any case), Ukrainian alphabetical order, filters and pages; a person's page with
the family pedigree drawn, the donors and their consent scope; consent withdrawal (errors
beside the fields, recorded, audited, the donor's profile no longer screened, identifications
that used it flagged for review); names never shown to the accounts that work with codes; and
the investigator's donor export without identification-only references."""

from __future__ import annotations

import csv
import datetime as _dt
import io
import re

import httpx
import pytest
from webpages import CYRILLIC_SURNAMES

from homecoming.services import review
from homecoming.services.consent import list_withdrawals, withdrawn_barcodes
from homecoming.services.identifications import get_identification, list_identifications
from homecoming.services.register import person_file
from homecoming.services.screening import screen
from homecoming.storage.repositories import Repositories, audit_records

TODAY = _dt.datetime.now(_dt.UTC).date()


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


def _surnames(html: str) -> list[str]:
    return re.findall(r'<td>([^<]+)</td>\s*<td>Олена</td>', html)


def test_register_search_order_filters_and_pages(web_server):
    client = _signed_in(web_server, "liaison")
    page = client.get("/register", params={"q": "Олена"})
    assert page.status_code == 200
    assert _surnames(page.text) == ["Бойко", "Гнатюк", "Ґалаґан", "Євтушенко", "Ищенко",
                                    "Іваненко", "Їжак", "Яковенко"]
    assert sorted(_surnames(page.text)) != _surnames(page.text)  # not code-point order
    assert len(CYRILLIC_SURNAMES) == 8
    for query in ("іваненко", "ІВАНЕНКО", "ваненк"):
        page = client.get("/register", params={"q": query})
        assert _surnames(page.text) == ["Іваненко"], query
    # an htmx request gets the table alone
    part = client.get("/register", params={"q": "Їжак"}, headers={"HX-Request": "true"})
    assert "<html" not in part.text and _surnames(part.text) == ["Їжак"]

    with web_server.db.session() as session:
        repos = Repositories(session)
        everyone = repos.missing_persons.list()
        women = {p.id for p in everyone if p.sex.value == "female"}
    page = client.get("/register", params={"sex": "female"})
    shown = set(re.findall(r'<tr data-person="([^"]+)"', page.text))
    assert shown and shown <= women
    assert f"{len(women)} " in re.search(r'id="result-count">([^<]+)<', page.text).group(1)

    # pages of 25 (the test server's page size), in one order, nothing twice or left out
    total = len(everyone)
    assert 25 < total <= 75
    seen: list[str] = []
    for number in (1, 2, 3):
        page = client.get("/register", params={"page": number})
        seen += re.findall(r'<tr data-person="([^"]+)"', page.text)
    assert len(seen) == total and set(seen) == {p.id for p in everyone}
    first = client.get("/register").text
    assert 'rel="next"' in first and 'href="/register?q=&amp;page=2"' in first
    client.close()


def _identified_person(server) -> dict:
    """A proposed identification of remains (newest version; not one of those the other web
    tests use), accepted and confirmed so that a withdrawal flags it."""
    with server.db.session() as session:
        rows = list_identifications(session, status="proposed", latest_only=True,
                                    actor="admin")
    ident = [r for r in reversed(rows) if r["remains"]][2]
    with server.db.session() as session:
        review.accept(session, ident["id"], note="SYNTHETIC web test", actor="analyst2")
    with server.db.session() as session:
        review.confirm(session, ident["id"], note="SYNTHETIC web test", actor="board")
    with server.db.session() as session:
        return get_identification(session, ident["id"], actor="admin")


@pytest.fixture(scope="module")
def identified(web_server) -> dict:
    return _identified_person(web_server)


def test_person_page_pedigree_donors_and_consent(web_server, identified):
    person = identified["missing_person"]
    with web_server.db.session() as session:
        file = person_file(session, person, actor="admin")
    client = _signed_in(web_server, "liaison")
    page = client.get(f"/register/{person}")
    assert page.status_code == 200
    svg = page.text.split('id="family-pedigree"')[1].split("</svg>")[0]
    drawn = re.findall(r'<g class="person([^"]*)" data-person="([^"]+)"', svg)
    assert sorted(p for _, p in drawn) == sorted(p["id"] for p in file["pedigree"])
    assert [p for c, p in drawn if "missing" in c] == [person]
    typed = {p for c, p in drawn if "typed" in c}
    used = {r["pedigree_person"] for r in identified["references"] if r["typed"]}
    assert typed == used and typed
    table = page.text.split('id="donor-table"')[1].split("</table>")[0]
    for donor in file["donors"]:
        row = table.split(f'data-donor="{donor["id"]}"')[1].split("</tr>")[0]
        assert donor["full_name"] in row
        assert f'data-consent="{donor["consent"]}"' in row
        label = {"identification_only": "лише для ідентифікації",
                 "also_court": "ідентифікація та суд"}[donor["consent"]]
        assert label in row.lower(), (label, row)
    # the identification of this person is linked
    assert f'href="/identifications/{identified["id"]}"' in page.text
    client.close()


@pytest.mark.parametrize("role", ["lab", "field", "pathologist", "monitor"])
def test_accounts_working_with_codes_never_see_the_register(web_server, role):
    client = _signed_in(web_server, role)
    with web_server.db.session() as session:
        donor = Repositories(session).donors.list(missing_person_id="SYN-MP-0001")
    for path in ("/register", "/register?q=Олена", "/register/WEBTEST-MP-1",
                 "/register/SYN-MP-0001"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "Іваненко" not in response.text and "SYNTHETIC-0001" not in response.text
    if donor:
        response = client.post(f"/register/donors/{donor[0].id}/withdraw", data={
            "csrf_token": client.csrf, "on": TODAY.isoformat(), "reason": "x"})
        assert response.status_code == 403
    client.close()


def test_consent_withdrawal_recorded_audited_and_profile_not_screened(web_server, identified):
    person = identified["missing_person"]
    donor = next(r["donor"] for r in identified["references"] if r["typed"])
    with web_server.db.session() as session:
        barcodes = sorted(s.barcode for s in Repositories(session).samples.list(
            donor_id=donor))
    assert barcodes
    before = screen(web_server.db, store=False, actor="analyst")
    assert not any(x["record"] in barcodes for x in before.left_out)

    # an investigator reads the register but may not withdraw consent
    other = _signed_in(web_server, "investigator")
    assert other.get(f"/register/{person}").status_code == 200
    assert 'id="withdraw-consent"' not in other.get(f"/register/{person}").text
    response = other.post(f"/register/donors/{donor}/withdraw", data={
        "csrf_token": other.csrf, "on": TODAY.isoformat(), "reason": "x"})
    assert response.status_code == 403
    other.close()

    client = _signed_in(web_server, "liaison")
    page = client.get(f"/register/{person}")
    form = page.text.split(f'id="withdraw-{donor}"')[1].split("</form>")[0]
    # the form says beforehand what the withdrawal does
    assert identified["id"] in form and all(b in form for b in barcodes)
    assert 'for="withdraw-' + donor + '-reason"' in form

    # errors beside the fields, nothing recorded
    response = client.post(f"/register/donors/{donor}/withdraw", data={
        "csrf_token": client.csrf, "on": TODAY.isoformat(), "reason": "  "})
    assert response.status_code == 400
    assert re.search(rf'id="withdraw-{donor}-reason-error">Вкажіть, чому', response.text)
    future = (TODAY + _dt.timedelta(days=3)).isoformat()
    response = client.post(f"/register/donors/{donor}/withdraw", data={
        "csrf_token": client.csrf, "on": future, "reason": "SYNTHETIC"})
    assert response.status_code == 400
    assert re.search(rf'id="withdraw-{donor}-on-error">Дата не може', response.text)
    with web_server.db.session() as session:
        assert donor not in {w["donor"] for w in list_withdrawals(session, actor="admin")}

    response = client.post(f"/register/donors/{donor}/withdraw", data={
        "csrf_token": client.csrf, "on": TODAY.isoformat(),
        "reason": "SYNTHETIC: the relative asked by letter"})
    assert response.status_code == 200
    result = response.text.split('id="withdrawal-result"')[1].split("</section>")[0]
    assert all(b in result for b in barcodes)
    assert f'href="/identifications/{identified["id"]}"' in result
    row = response.text.split(f'data-donor="{donor}"')[1].split("</tr>")[0]
    assert "SYNTHETIC: the relative asked by letter" in row
    assert f'id="withdraw-{donor}"' not in response.text  # no second form for this donor

    # recorded and audited as the liaison officer
    with web_server.db.session() as session:
        withdrawals = {w["donor"]: w for w in list_withdrawals(session, actor="admin")}
        assert withdrawals[donor]["recorded_by"] == "liaison"
        assert withdrawals[donor]["withdrawn_on"] == TODAY.isoformat()
        entries = audit_records(session, table="consent_withdrawals", key=donor)
        assert [(e["action"], e["user_name"]) for e in entries] == [("insert", "liaison")]
        assert set(barcodes) <= set(withdrawn_barcodes(session))
        assert get_identification(session, identified["id"],
                                  actor="admin")["status"] == "stale"
    # the donor's profile is no longer screened
    after = screen(web_server.db, store=False, actor="analyst")
    assert set(barcodes) <= {x["record"] for x in after.left_out}
    assert after.n_ref == before.n_ref - len(barcodes)

    # a second withdrawal is refused with a message
    response = client.post(f"/register/donors/{donor}/withdraw", data={
        "csrf_token": client.csrf, "on": TODAY.isoformat(), "reason": "again"})
    assert response.status_code == 400
    assert re.search(r'id="withdraw-error">[^<]*вже відкликано', response.text)
    # the register counts the withdrawal
    page = client.get("/register", params={"q": person})
    assert "відкликав згоду" in page.text or "відкликали згоду" in page.text
    client.close()


def test_investigators_export_leaves_out_identification_only_references(web_server):
    with web_server.db.session() as session:
        donors = Repositories(session).donors.list()
        withdrawn = {w["donor"] for w in list_withdrawals(session, actor="admin")}
    court = {d.id for d in donors if d.consent.value == "also_court"} - withdrawn
    only_identification = {d.id for d in donors} - court
    assert court and only_identification

    client = _signed_in(web_server, "investigator")
    page = client.get("/register")
    assert 'id="donors-export"' in page.text
    response = client.get("/register/donors.csv")
    assert response.status_code == 200 and "text/csv" in response.headers["content-type"]
    exported = {row["id"] for row in csv.DictReader(io.StringIO(response.text))}
    assert exported == court
    assert int(response.headers["x-withheld"]) == len(only_identification)
    client.close()

    client = _signed_in(web_server, "analyst")  # the identification work sees every donor
    response = client.get("/register/donors.csv")
    exported = {row["id"] for row in csv.DictReader(io.StringIO(response.text))}
    assert exported == {d.id for d in donors}
    assert response.headers["x-withheld"] == "0"
    client.close()

    client = _signed_in(web_server, "liaison")  # no records.export
    assert client.get("/register/donors.csv").status_code == 403
    client.close()
