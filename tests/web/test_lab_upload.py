"""The lab's upload page (issue 12 item 4): a GeneMapper / CODIS / CSV file is dry-run first
(the import report, nothing written), then the same bytes are imported on confirmation.
HTTP tests against a real server on loopback (on a private copy of the web tests' database,
tests/web/privateserver.py: the imports must not change what other modules count), and one
real-Chromium run. SYNTHETIC data."""

from __future__ import annotations

import datetime as dt
import re

import httpx
import pytest
from privateserver import private_server
from webpages import CYRILLIC_SURNAMES, By, log_in, screenshot, wait_for

from homecoming.casework import Sample
from homecoming.storage.repositories import Repositories

#: remains of the fixture's small site (no samples, no profiles)
REMAINS = ("WEBTEST-S2-R1", "WEBTEST-S2-R2", "WEBTEST-S2-R3")

# SYNTHETIC GeneMapper ID-X export: LAB-S1 single-source, LAB-S2 a mixture (3 alleles at
# D3S1358), so it is not imported as a profile
GENEMAPPER = (
    "Sample File\tSample Name\tPanel\tMarker\tAllele 1\tAllele 2\tAllele 3\n"
    "a.fsa\tWEBLAB-S1\tGlobalFiler\tD3S1358\t15\t16\t\n"
    "a.fsa\tWEBLAB-S1\tGlobalFiler\tTH01\t9.3\t\t\n"
    "a.fsa\tWEBLAB-S1\tGlobalFiler\tFGA\t22\t24\t\n"
    "a.fsa\tWEBLAB-S1\tGlobalFiler\tvWA\t16\t17\t\n"
    "b.fsa\tWEBLAB-S2\tGlobalFiler\tD3S1358\t14\t15\t16\n"
    "b.fsa\tWEBLAB-S2\tGlobalFiler\tTH01\t7\t8\t\n"
)


def _cmf(barcode: str, *, with_id: bool = True) -> bytes:
    specimen = f"    <SPECIMENID>{barcode}</SPECIMENID>\n" if with_id else ""
    return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<CODISImportFile xmlns=\"urn:CODISImportFile-schema\">\n"
            "  <HEADERVERSION>3.2</HEADERVERSION>\n"
            "  <SPECIMEN>\n" + specimen +
            "    <LOCUS><LOCUSNAME>D3S1358</LOCUSNAME><ALLELE><ALLELEVALUE>15</ALLELEVALUE>"
            "</ALLELE><ALLELE><ALLELEVALUE>17</ALLELEVALUE></ALLELE></LOCUS>\n"
            "    <LOCUS><LOCUSNAME>FGA</LOCUSNAME><ALLELE><ALLELEVALUE>21</ALLELEVALUE>"
            "</ALLELE><ALLELE><ALLELEVALUE>23</ALLELEVALUE></ALLELE></LOCUS>\n"
            "  </SPECIMEN>\n"
            "</CODISImportFile>\n").encode()


@pytest.fixture(scope="module")
def server(web_server, tmp_path_factory):
    """The web server on a private copy of the shared database."""
    with private_server(web_server, tmp_path_factory.mktemp("lab")) as private:
        yield private


@pytest.fixture(scope="module")
def samples(server):
    """SYNTHETIC samples without profiles, on the small site's remains."""
    barcodes = ["WEBLAB-S1", "WEBLAB-S2", "WEBLAB-S3", "WEBLAB-S4", "WEBLAB-S5"]
    with server.db.session() as session:
        repos = Repositories(session, user="web-tests")
        for i, barcode in enumerate(barcodes):
            repos.samples.add(Sample(barcode=barcode, source="remains",
                                     remains_code=REMAINS[i % 3], element="bone",
                                     collected_on=dt.date(2023, 5, 5),
                                     notes="SYNTHETIC: web tests"))
    return barcodes


def _client(server, name: str) -> httpx.Client:
    client = httpx.Client(base_url=server.url, follow_redirects=False, timeout=60)
    token = _token(client.get("/login").text)
    response = client.post("/login", data={"name": name, "password": server.passwords[name],
                                           "csrf_token": token})
    assert response.status_code == 303
    return client


def _token(html: str) -> str:
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    assert match
    return match.group(1)


def _count(html: str, element_id: str) -> int:
    match = re.search(rf'id="{element_id}" data-count="(\d+)"', html)
    assert match, element_id
    return int(match.group(1))


def _profiles(server) -> set[str]:
    with server.db.session() as session:
        return set(Repositories(session).profiles.keys())


def _upload(client: httpx.Client, kind: str, name: str, data: bytes, **form: str
            ) -> httpx.Response:
    token = _token(client.get("/lab/upload").text)
    return client.post("/lab/upload", data={"csrf_token": token, "kind": kind, **form},
                       files={"file": (name, data, "application/octet-stream")})


def _confirm_form(html: str) -> tuple[str, str]:
    action = re.search(r'action="(/lab/upload/[^"]+/confirm)"', html)
    sha = re.search(r'name="sha256" value="([0-9a-f]{64})"', html)
    assert action and sha
    return action.group(1), sha.group(1)


def test_genemapper_dry_run_writes_nothing_then_confirm_imports_exactly_it(server,
                                                                          samples):
    import hashlib

    lab = _client(server, "lab")
    page = lab.get("/lab/upload")
    assert page.status_code == 200
    for element in ('id="upload-file"', 'id="dry-run"', 'id="upload-kind"',
                    '<label for="upload-file"'):
        assert element in page.text
    before = _profiles(server)
    response = _upload(lab, "genemapper", "run-17.txt", GENEMAPPER.encode(), kit="GlobalFiler")
    assert response.status_code == 200
    html = response.text
    assert 'data-dry-run="yes"' in html and 'data-ok="yes"' in html
    assert _count(html, "report-added") == 1            # WEBLAB-S1
    assert _count(html, "report-samples-skipped") == 1  # WEBLAB-S2, a mixture
    assert _count(html, "report-rows") == 4             # the four rows of WEBLAB-S1
    assert _count(html, "report-rows-skipped") == 2     # the two rows of the mixture
    assert "more than two alleles" in html and "run-17.txt" in html
    assert hashlib.sha256(GENEMAPPER.encode()).hexdigest() in html
    assert _profiles(server) == before              # the dry run wrote nothing
    assert 'id="confirm-import"' in html

    action, sha = _confirm_form(html)
    token = _token(html)
    done = lab.post(action, data={"csrf_token": token, "sha256": sha})
    assert done.status_code == 200
    assert 'id="import-done"' in done.text and _count(done.text, "report-added") == 1
    assert _profiles(server) - before == {"WEBLAB-S1"}
    with server.db.session() as session:
        stored = Repositories(session).profiles.get("WEBLAB-S1")
    assert dict(stored.genotypes)["D3S1358"] in (("15", "16"), ["15", "16"])
    assert stored.kit == "GlobalFiler"
    # the kept upload is gone: a second confirmation finds nothing and imports nothing
    again = lab.post(action, data={"csrf_token": token, "sha256": sha})
    assert again.status_code == 404
    assert _profiles(server) - before == {"WEBLAB-S1"}
    lab.close()


def test_confirmation_must_name_the_checked_file_and_the_same_session(server, samples):
    lab = _client(server, "lab")
    before = _profiles(server)
    html = _upload(lab, "codis", "cmf.xml", _cmf("WEBLAB-S3")).text
    assert _count(html, "report-added") == 1
    action, sha = _confirm_form(html)
    token = _token(html)
    wrong = lab.post(action, data={"csrf_token": token, "sha256": "0" * 64})
    assert wrong.status_code == 409
    # another session of the same account cannot confirm this session's upload
    other = _client(server, "lab")
    stolen = other.post(action, data={"csrf_token": _token(other.get("/lab/upload").text),
                                      "sha256": sha})
    assert stolen.status_code == 404
    assert _profiles(server) == before
    assert lab.post(action, data={"csrf_token": token, "sha256": sha}).status_code == 200
    assert _profiles(server) - before == {"WEBLAB-S3"}
    lab.close()
    other.close()


@pytest.mark.parametrize(("kind", "name", "data", "line", "column", "reason"), [
    ("genemapper", "bad-run.txt",
     (GENEMAPPER.replace("WEBLAB-S1\tGlobalFiler\tTH01\t9.3", "WEBLAB-S1\tGlobalFiler\tTH01\tabc")
      ).encode(), 3, "Allele 1", "an allele is not valid at TH01"),
    ("genemapper", "unknown.txt", GENEMAPPER.replace("WEBLAB-S1", "NOT-A-SAMPLE").encode(), 2,
     "Sample Name", "is not a stored sample"),
    ("codis", "no-id.xml", _cmf("WEBLAB-S4", with_id=False), 4, None, "SPECIMENID"),
])
def test_a_bad_record_is_refused_with_file_and_line(server, samples, kind, name, data,
                                                    line, column, reason):
    lab = _client(server, "lab")
    before = _profiles(server)
    response = _upload(lab, kind, name, data)
    assert response.status_code == 200
    html = response.text
    assert 'data-ok="no"' in html and 'id="import-refused"' in html
    assert re.search(rf'id="refused-file">{re.escape(name)}<', html)
    assert re.search(rf'id="refused-line" class="num">{line}<', html), html[-3000:]
    if column is not None:
        assert f'id="refused-column">{column}<' in html
    assert reason in html
    assert "abc" not in html                  # a bad allele is named by place, never echoed
    assert 'id="confirm-import"' not in html
    assert "/tmp" not in html                 # the kept file's path is never shown
    assert _profiles(server) == before
    lab.close()


def test_casework_csv_samples_dry_run_then_import(server, samples):
    lab = _client(server, "lab")
    text = ("barcode,source,remains_code,element,collected_on\n"
            "WEBLAB-CSV1,remains,WEBTEST-S2-R1,tooth,2023-05-06\n"
            "WEBLAB-CSV2,remains,WEBTEST-S2-R2,bone,2023-05-06\n")

    def stored() -> set[str]:
        with server.db.session() as session:
            return {k for k in Repositories(session).samples.keys() if k.startswith("WEBLAB-CSV")}

    html = _upload(lab, "samples", "samples.csv", text.encode()).text
    assert _count(html, "report-added") == 2 and stored() == set()
    assert 'href="/records/samples/WEBLAB-CSV1"' in html
    action, sha = _confirm_form(html)
    done = lab.post(action, data={"csrf_token": _token(html), "sha256": sha})
    assert _count(done.text, "report-added") == 2
    assert stored() == {"WEBLAB-CSV1", "WEBLAB-CSV2"}
    # a bad row: the line is named, nothing written
    bad = text.replace("WEBLAB-CSV1", "WEBLAB-CSV3").replace("WEBLAB-CSV2,remains,WEBTEST-S2-R2",
                                                            "WEBLAB-CSV4,remains,NO-SUCH-REMAINS")
    html = _upload(lab, "samples", "samples2.csv", bad.encode()).text
    assert 'id="refused-line" class="num">3<' in html and "samples2.csv" in html
    assert stored() == {"WEBLAB-CSV1", "WEBLAB-CSV2"}
    lab.close()


def test_the_lab_page_shows_bar_codes_never_names(server, samples):
    from homecoming.storage.repositories import Repositories as R

    with server.db.session() as session:
        names = {p.surname for p in R(session).missing_persons.list()} | set(CYRILLIC_SURNAMES)
    assert len(names) > 8
    lab = _client(server, "lab")
    pages = [lab.get("/lab/upload").text,
             _upload(lab, "genemapper", "names.txt",
                     GENEMAPPER.replace("WEBLAB-S1", "WEBLAB-S5").encode()).text]
    for html in pages:
        assert not [n for n in names if n and n in html]
    assert "WEBLAB-S5" in pages[1]
    lab.close()


@pytest.mark.parametrize("role", ["analyst", "field", "liaison", "monitor"])
def test_other_roles_may_not_upload(server, role):
    client = _client(server, role)
    assert client.get("/lab/upload").status_code == 403
    token = _token(client.get("/dashboard").text)
    response = client.post("/lab/upload", data={"csrf_token": token, "kind": "genemapper"},
                           files={"file": ("x.txt", GENEMAPPER.encode(), "text/plain")})
    assert response.status_code == 403
    client.close()


def test_upload_without_csrf_is_refused(server):
    lab = _client(server, "lab")
    response = lab.post("/lab/upload", data={"kind": "genemapper"},
                        files={"file": ("x.txt", GENEMAPPER.encode(), "text/plain")})
    assert response.status_code == 403
    lab.close()


def test_browser_upload_dry_run_then_confirm(page, server, samples, tmp_path):
    """Real Chromium: choose a GeneMapper file, see the dry-run report, confirm, see it
    imported."""
    before = _profiles(server)
    path = tmp_path / "browser-run.txt"
    path.write_text(GENEMAPPER.replace("WEBLAB-S1", "WEBLAB-S4").replace("WEBLAB-S2",
                                                                         "WEBLAB-S2X"),
                    encoding="utf-8")
    path.write_text("\n".join(line for line in path.read_text().splitlines()
                              if "WEBLAB-S2X" not in line) + "\n", encoding="utf-8")
    log_in(page, server, "lab")
    page.get(server.url + "/lab/upload")
    page.find_element(By.ID, "upload-file").send_keys(str(path))
    page.find_element(By.ID, "dry-run").click()
    report = wait_for(page, "#import-report")
    assert report.get_attribute("data-dry-run") == "yes"
    assert page.find_element(By.ID, "report-added").get_attribute("data-count") == "1"
    assert _profiles(server) == before
    page.execute_script("arguments[0].scrollIntoView()", report)
    screenshot(page, "lab-upload-dry-run")
    page.find_element(By.ID, "confirm-import").click()
    wait_for(page, "#import-done")
    screenshot(page, "lab-upload-imported")
    assert _profiles(server) - before == {"WEBLAB-S4"}
    # a refused file: the place is shown, no confirmation is offered
    bad = tmp_path / "bad-run.txt"
    bad.write_text(GENEMAPPER.replace("WEBLAB-S1", "NOT-A-SAMPLE"), encoding="utf-8")
    page.get(server.url + "/lab/upload")
    page.find_element(By.ID, "upload-file").send_keys(str(bad))
    page.find_element(By.ID, "dry-run").click()
    refused = wait_for(page, "#import-refused")
    page.execute_script("arguments[0].scrollIntoView()", refused)
    assert page.find_element(By.ID, "refused-file").text == "bad-run.txt"
    assert page.find_element(By.ID, "refused-line").text == "2"
    assert not page.find_elements(By.ID, "confirm-import")
    screenshot(page, "lab-upload-refused")
    page.set_window_size(390, 844)
    page.get(server.url + "/lab/upload")
    width = page.execute_script("return document.documentElement.scrollWidth")
    assert width <= 400  # nothing wider than a phone
    screenshot(page, "lab-upload-phone")


def test_the_upload_page_speaks_ukrainian_and_english(server):
    lab = _client(server, "lab")
    uk = lab.get("/lab/upload").text
    assert "Завантаження результатів лабораторії" in uk and "Перевірити файл" in uk
    lab.cookies.set("homecoming_lang", "en")
    en = lab.get("/lab/upload").text
    assert "Upload lab results" in en and "Check the file (dry run)" in en
    assert "Завантаження результатів" not in en
    lab.close()
