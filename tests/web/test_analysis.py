"""The analyst's pages (issue 12 item 4): screening candidates with the per-marker LR table,
and the identification run started in the background, its progress polled, then linked to the
stored proposals. HTTP tests against a real server on loopback (a private copy of the web
tests' database: the run stores identification versions), and one real-Chromium run.
SYNTHETIC data."""

from __future__ import annotations

import math
import re
import time

import httpx
import pytest
from privateserver import private_server
from webpages import CYRILLIC_SURNAMES, By, log_in, screenshot, wait_for

from homecoming.identification.progress import STAGE_LABELS
from homecoming.services.analysis import candidate_rows
from homecoming.services.identifications import list_identifications
from homecoming.services.screening import screen
from homecoming.storage.repositories import Repositories
from homecoming.web.views.analysis import STAGE_NAMES


@pytest.fixture(scope="module")
def server(web_server, tmp_path_factory):
    with private_server(web_server, tmp_path_factory.mktemp("analysis")) as private:
        screen(private.db, relationships=["parent_child", "full_sibling"], actor="analyst")
        yield private


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


def _rows(server, **kw):
    with server.db.session() as session:
        return candidate_rows(session, actor="analyst", **kw)


def test_stage_names_cover_the_engine_stages():
    assert set(STAGE_LABELS) <= set(STAGE_NAMES)
    for stage, (label, _unit) in STAGE_LABELS.items():
        assert STAGE_NAMES[stage] == label  # the same English text, translated on the page


def test_candidates_list_filters_and_links(server):
    rows = _rows(server)
    assert len(rows) >= 3
    analyst = _client(server, "analyst")
    page = analyst.get("/analysis/candidates")
    assert page.status_code == 200
    assert f'id="candidate-count" data-count="{len(rows)}"' in page.text
    top = rows[0]
    assert f'href="/records/samples/{top["pm"]}"' in page.text
    assert f'href="/records/remains/{top["remains_code"]}"' in page.text
    assert "/analysis/candidates/detail?pm=" in page.text
    assert f'href="/records/donors/{top["donor_id"]}"' in page.text  # analysts: persons.view
    assert 'id="nav-analysis"' in page.text and 'id="nav-lab-upload"' not in page.text
    sibs = [r for r in rows if r["relationship"] == "full_sibling"]
    page = analyst.get("/analysis/candidates", params={"relationship": "full_sibling"})
    assert f'data-count="{len(sibs)}"' in page.text
    strong = [r for r in rows if r["log10_lr"] >= 6]
    page = analyst.get("/analysis/candidates", params={"min_lr": "1000000"})
    assert f'data-count="{len(strong)}"' in page.text
    page = analyst.get("/analysis/candidates", params={"q": top["pm"]})
    assert f'data-count="{len(_rows(server, search=top["pm"]))}"' in page.text
    analyst.close()


def test_candidate_detail_per_marker_lrs_multiply_to_the_lr(server):
    top = _rows(server)[0]
    analyst = _client(server, "analyst")
    page = analyst.get("/analysis/candidates/detail", params={
        "pm": top["pm"], "ref": top["reference"], "relationship": top["relationship"]})
    assert page.status_code == 200
    per_marker = [float(x) for x in re.findall(r'<tr data-locus="[^"]+" data-log10="([^"]+)"',
                                               page.text)]
    assert len(per_marker) >= 10
    shown = float(re.search(r'id="candidate-lr" data-log10="([^"]+)"', page.text).group(1))
    assert math.isclose(shown, top["log10_lr"], abs_tol=1e-9)
    assert math.isclose(sum(per_marker), top["log10_lr"], abs_tol=1e-6)
    # no pair chosen: back to the list; a pair that is not stored: 404
    assert analyst.get("/analysis/candidates/detail").status_code == 303
    assert analyst.get("/analysis/candidates/detail", params={
        "pm": "NOPE", "ref": top["reference"], "relationship": top["relationship"]}
    ).status_code == 404
    analyst.close()


def test_lab_sees_candidates_as_bar_codes_only(server):
    with server.db.session() as session:
        names = {p.surname for p in Repositories(session).missing_persons.list()}
    names |= set(CYRILLIC_SURNAMES)
    lab = _client(server, "lab")
    page = lab.get("/analysis/candidates")
    assert page.status_code == 200
    assert not [n for n in names if n and n in page.text]
    assert 'href="/records/donors/' not in page.text         # no persons.view: codes only
    assert 'id="nav-lab-upload"' in page.text and 'id="nav-analysis"' in page.text
    assert lab.get("/analysis/run").status_code == 403      # identify.run: analysts only
    lab.close()
    for role in ("board", "liaison", "monitor"):
        client = _client(server, role)
        assert client.get("/analysis/candidates").status_code == 403, role
        client.close()


def _latest(server):
    with server.db.session() as session:
        return {r["id"]: r for r in list_identifications(session, latest_only=True,
                                                         actor="admin")}


def test_identification_run_in_the_background_with_progress(server):
    before = _latest(server)
    analyst = _client(server, "analyst")
    page = analyst.get("/analysis/run")
    assert 'id="run-identification"' in page.text and '<label for="scope-case"' in page.text
    token = _token(page.text)
    assert analyst.post("/analysis/run", data={"csrf_token": token}).status_code == 400
    assert analyst.post("/analysis/run", data={"csrf_token": token, "scope": "new"}
                        ).status_code == 400                # no bar-codes given
    started = analyst.post("/analysis/run", data={"csrf_token": token, "scope": "case"})
    assert started.status_code == 303
    location = started.headers["location"]
    job = re.fullmatch(r"/analysis/run\?job=([\w-]+)", location).group(1)
    states = []
    deadline = time.monotonic() + 240
    while True:
        block = analyst.get("/analysis/run/progress", params={"job": job},
                            headers={"HX-Request": "true"})
        assert block.status_code == 200
        state = re.search(r'id="run-progress" data-state="(\w+)"', block.text).group(1)
        states.append(state)
        if state != "running":
            break
        assert 'hx-trigger="every 1s"' in block.text       # htmx keeps polling
        assert time.monotonic() < deadline
        time.sleep(0.3)
    assert state == "done", block.text[-2000:]
    assert "hx-trigger" not in block.text                  # polling stops
    stages = re.findall(r'data-stage="(\w+)"', block.text)
    assert stages[0] == "loading" and stages[-1] == "storing"
    assert "pairwise" in stages and "conclusions" in stages
    after = _latest(server)
    stored = re.findall(r'<li><a href="/identifications/([^"]+)">', block.text)
    count = int(re.search(r'id="run-stored" data-count="(\d+)"', block.text).group(1))
    unchanged = int(re.search(r'id="run-unchanged" data-count="(\d+)"', block.text).group(1))
    assert count == len(stored) == len(set(after) - set(before))
    assert unchanged == len(set(after) & set(before))
    assert all(after[i]["status"] == "proposed" for i in stored)
    assert 'href="/review"' in block.text
    # the whole page shows the finished run too
    page = analyst.get(location)
    assert 'id="run-done"' in page.text
    analyst.close()


def test_browser_run_identification(page, server):
    """Real Chromium: the analyst starts a run, watches it finish, follows the link to the
    review queue."""
    log_in(page, server, "analyst")
    page.get(server.url + "/analysis/run")
    assert page.find_element(By.ID, "screen-min").get_attribute("value")   # filled in
    assert page.find_element(By.ID, "run-dropout").get_attribute("value") == "0"
    screenshot(page, "analysis-run-form")
    page.execute_script("document.getElementById('run-dropout').scrollIntoView()")
    screenshot(page, "analysis-run-form-dropout")
    page.find_element(By.ID, "scope-case").click()
    page.find_element(By.ID, "run-identification").click()
    wait_for(page, "#run-progress")
    screenshot(page, "analysis-run-progress")
    wait_for(page, "#run-done", timeout=240)
    screenshot(page, "analysis-run-done")
    page.find_element(By.ID, "go-review").click()
    wait_for(page, "main h1")
    assert page.current_url.endswith("/review")
    page.get(server.url + "/analysis/candidates")
    screenshot(page, "analysis-candidates")
    page.find_element(By.CSS_SELECTOR, "a.candidate-link").click()
    wait_for(page, "#per-marker")
    screenshot(page, "analysis-candidate")


def _wait_done(client, location: str) -> str:
    job = re.fullmatch(r"/analysis/run\?job=([\w-]+)", location).group(1)
    deadline = time.monotonic() + 240
    while True:
        block = client.get("/analysis/run/progress", params={"job": job},
                           headers={"HX-Request": "true"}).text
        state = re.search(r'id="run-progress" data-state="(\w+)"', block).group(1)
        if state != "running":
            return state
        assert time.monotonic() < deadline
        time.sleep(0.3)


def test_the_run_takes_the_screening_rule_and_offers_the_latest(server):
    """The run page fills in the latest stored run's screening rule; a rule given on the form
    is checked (a bad value: 400, the values kept, nothing started), used by the run and
    recorded in the stored thresholds, and offered next time."""
    from homecoming.services.incremental import latest_run_settings

    def latest_screening_rule(db):
        settings = latest_run_settings(db)
        return settings.run_id, settings.min_log10_lr, settings.top

    analyst = _client(server, "analyst")
    run_id, min_lr, top = latest_screening_rule(server.db)
    page = analyst.get("/analysis/run").text
    assert f'name="screen_min_log10_lr" inputmode="decimal" value="{min_lr:g}"' in page
    assert f'name="screen_top" inputmode="numeric" value="{top}"' in page
    token = _token(page)
    for bad_min, bad_top in (("abc", "2"), ("0", "2"), ("2", "-1"), ("2", "1.5")):
        refused = analyst.post("/analysis/run", data={
            "csrf_token": token, "scope": "case", "screen_min_log10_lr": bad_min,
            "screen_top": bad_top})
        assert refused.status_code == 400, (bad_min, bad_top)
        assert 'id="run-form-error"' in refused.text
        assert f'value="{bad_min}"' in refused.text and f'value="{bad_top}"' in refused.text
    # a rule strict enough to change the conclusions (a run that changes nothing is recorded
    # too: tests/services/test_identification_runs.py)
    started = analyst.post("/analysis/run", data={
        "csrf_token": token, "scope": "case", "screen_min_log10_lr": "30,5",
        "screen_top": "0"})
    assert started.status_code == 303
    assert _wait_done(analyst, started.headers["location"]) == "done"
    latest = latest_screening_rule(server.db)
    assert latest[1:] == (30.5, 0) and latest[0] != run_id
    page = analyst.get("/analysis/run").text
    assert 'value="30.5"' in page and 'name="screen_top" inputmode="numeric" value="0"' in page
    assert latest[0] in page                       # the run whose rule it is
    # the default rule again, for the tests after this one
    again = analyst.post("/analysis/run", data={
        "csrf_token": _token(page), "scope": "case", "screen_min_log10_lr": f"{min_lr:g}",
        "screen_top": str(top)})
    assert _wait_done(analyst, again.headers["location"]) == "done"
    assert latest_screening_rule(server.db)[1:] == (min_lr, top)
    analyst.close()


def test_the_run_takes_the_dropout_and_offers_the_latest(server):
    """The drop-out field: filled in with the latest stored run's (0 here), checked (a value
    outside [0, 1): 400), used by the run and recorded in the stored model, offered next."""
    from homecoming.services.incremental import latest_run_settings

    def latest_dropout(db):
        return latest_run_settings(db).dropout

    analyst = _client(server, "analyst")
    assert latest_dropout(server.db) == 0.0
    page = analyst.get("/analysis/run").text
    assert 'name="dropout" inputmode="decimal" value="0"' in page
    token = _token(page)
    for bad in ("1", "-0.1", "x"):
        refused = analyst.post("/analysis/run", data={"csrf_token": token, "scope": "case",
                                                      "dropout": bad})
        assert refused.status_code == 400 and 'id="run-form-error"' in refused.text, bad
        assert f'name="dropout" inputmode="decimal" value="{bad}"' in refused.text
    started = analyst.post("/analysis/run", data={"csrf_token": token, "scope": "case",
                                                  "dropout": "0,05"})
    assert _wait_done(analyst, started.headers["location"]) == "done"
    assert latest_dropout(server.db) == 0.05        # the stored versions' model.dropout
    page = analyst.get("/analysis/run").text
    assert 'name="dropout" inputmode="decimal" value="0.05"' in page
    # no drop-out again, for the tests after this one
    again = analyst.post("/analysis/run", data={"csrf_token": _token(page), "scope": "case",
                                                "dropout": "0"})
    assert _wait_done(analyst, again.headers["location"]) == "done"
    assert latest_dropout(server.db) == 0.0
    analyst.close()


def test_the_run_page_lists_the_recent_runs(server):
    """The newest recorded runs (the demo's, and those of the tests above when they ran),
    newest first, each with its rule, drop-out and what it stored, as ``list_runs`` gives
    them (the service the command line's ``identifications runs`` calls)."""
    from homecoming.services.identifications import list_runs

    with server.db.session() as session:
        runs = list_runs(session, limit=10, actor="analyst")
    assert runs
    analyst = _client(server, "analyst")
    page = analyst.get("/analysis/run").text
    table = page[page.index('id="runs"'):page.index("</table>", page.index('id="runs"'))]
    rows = [row for row in table.split("<tr>") if row.startswith("<td>RUN-")]
    assert [re.match(r"<td>([^<]+)</td>", row).group(1) for row in rows] == \
        [r["run_id"] for r in runs]
    for row, run in zip(rows, runs):    # the page is in Ukrainian: decimal comma
        cells = re.findall(r"<td>([^<]*)</td>", row)
        rule = re.fullmatch(r"log10 LR ≥ ([\d,]+), (\d+) найкращих", cells[3])
        assert rule, cells[3]
        assert float(rule.group(1).replace(",", ".")) == run["screening_min_log10_lr"]
        assert int(rule.group(2)) == run["screening_top"]
        assert float(cells[4].replace(",", ".")) == run["dropout"]
        assert cells[5:] == [str(run["outcome"][k]) for k in ("stored", "unchanged", "stale")]
    analyst.close()


def test_screening_runs_in_the_background_and_stores_candidates(server):
    """Last in this module: it adds half-sibling candidates to the private database."""
    lab = _client(server, "lab")                  # screen.run: the laboratory too
    page = lab.get("/analysis/candidates")
    assert 'id="run-screening"' in page.text and '<label for="screen-half_sibling"' in page.text
    token = _token(page.text)
    assert lab.post("/analysis/screen", data={"csrf_token": token}).status_code == 400
    started = lab.post("/analysis/screen", data={"csrf_token": token,
                                                 "relationship": "half_sibling"})
    assert started.status_code == 303
    job = re.fullmatch(r"/analysis/candidates\?job=([\w-]+)",
                       started.headers["location"]).group(1)
    deadline = time.monotonic() + 240
    while True:
        block = lab.get("/analysis/screen/progress", params={"job": job},
                        headers={"HX-Request": "true"})
        state = re.search(r'id="screen-progress" data-state="(\w+)"', block.text).group(1)
        if state != "running":
            break
        assert time.monotonic() < deadline
        time.sleep(0.3)
    assert state == "done", block.text[-1500:]
    halves = _rows(server, relationship="half_sibling")
    assert halves, "the demonstration has half-sibling pairs above the threshold"
    assert f'id="screen-done" role="status" data-count="{len(halves)}"' in block.text
    # the other relationships' candidates are kept
    assert _rows(server, relationship="parent_child")
    # without htmx the progress address shows the candidates page with the finished job
    page = lab.get(f"/analysis/screen/progress?job={job}", follow_redirects=True)
    assert 'id="screen-done"' in page.text
    # an identification page does not take a screening job
    analyst = _client(server, "analyst")
    assert analyst.get("/analysis/run", params={"job": job}).status_code == 404
    analyst.close()
    lab.close()
