"""Every route × every role: allowed (200 or a redirect) or denied (a 403 page), never a crash
or an empty page; anonymous visitors go to the log-in page; every form refuses a missing or
wrong CSRF token. HTTP-level, against the real server on loopback."""

from __future__ import annotations

import re

import httpx
import pytest
from formkeys import form_route_keys

from homecoming.casework.accounts import PERMISSIONS, allowed
from homecoming.services.identifications import list_identifications
from homecoming.services.records import list_records
from homecoming.web.security import (
    PUBLIC,
    ROUTE_PERMISSIONS,
    SIGNED_IN,
    api_routes,
    check_csrf,
)
from homecoming.web.views.forms import CREATE_PATHS, CUSTODY_PATHS, EDIT_PATHS

ROLES = ("field", "pathologist", "lab", "analyst", "board", "liaison", "investigator",
         "monitor", "admin")
#: example values for the path parameters of the routes ("ident_id": set from the database)
PATH_VALUES = {"kind": "graves", "key": "WEBTEST-S2-G1", "person_id": "WEBTEST-MP-1",
               "donor_id": "DONOR-NOT-STORED"}
#: the lab's confirm / discard forms of an upload that is not kept answer 404
PATH_VALUES["token"] = "UPLOAD-NOT-KEPT"
#: POST routes that answer an allowed role's form without its file or choice with 400 (not
#: 404): the lab's upload (no file), the identification run (no scope), the screening (no
#: relationship)
POST_EMPTY_FORM = {"/lab/upload": 400, "/analysis/run": 400, "/analysis/screen": 400}
#: the key of a stored record, for routes of one kind ("/records/donors/{key}": from the
#: database)
ROUTE_KEYS = {"/records/missing-persons/{key}": "WEBTEST-MP-1"}
#: the record forms (views/forms.py): an allowed role's empty create form is answered 422 (the
#: errors beside the fields, nothing stored); edit and custody forms are sent for a record that
#: is not stored (404); their GET pages open a stored record (keys set from the database)
POST_EMPTY_FORM.update({path: 422 for path in CREATE_PATHS.values()})
POST_PATH_VALUES = {path: {"key": "NOT-STORED"} for path in
                    (*EDIT_PATHS.values(), *CUSTODY_PATHS.values())}


def _csrf(client: httpx.Client, path: str = "/login") -> str:
    html = client.get(path).text
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    assert match, "every page carries the CSRF token of its forms"
    return match.group(1)


def _signed_in(server, name: str) -> httpx.Client:
    client = httpx.Client(base_url=server.url, follow_redirects=False, timeout=30)
    token = _csrf(client)
    response = client.post("/login", data={"name": name, "password": server.passwords[name],
                                           "csrf_token": token})
    assert response.status_code == 303, response.text[:300]
    return client


def _url(path: str, **values: str) -> str:
    known = {**PATH_VALUES, **({"key": ROUTE_KEYS[path]} if path in ROUTE_KEYS else {}),
             **values}
    return re.sub(r"\{(\w+)\}", lambda m: known[m.group(1)], path)


@pytest.fixture(scope="module", autouse=True)
def _an_identification(web_server):
    with web_server.db.session() as session:
        PATH_VALUES["ident_id"] = list_identifications(session, actor="admin")[0]["id"]
        ROUTE_KEYS["/records/donors/{key}"] = list_records(session, "donors",
                                                           actor="admin")[0]["id"]
        ROUTE_KEYS.update(form_route_keys(session))


def _get_routes():
    return sorted((m, p) for (m, p) in ROUTE_PERMISSIONS if m == "GET")


def test_every_route_declares_a_permission_from_the_table(web_server):
    routes = api_routes(web_server.app)
    assert len(routes) >= 12
    assert {(m, r.path) for r in routes for m in r.methods} == set(ROUTE_PERMISSIONS)
    for route in routes:
        for method in route.methods:
            permission = ROUTE_PERMISSIONS[(method, route.path)]
            assert permission in PERMISSIONS or permission in (PUBLIC, SIGNED_IN)
            if method == "POST":
                assert any(d.call is check_csrf for d in route.dependant.dependencies), \
                    f"{route.path} must check CSRF"


@pytest.mark.parametrize("role", ROLES)
def test_route_role_matrix(web_server, role):
    client = _signed_in(web_server, role)

    for method, path in _get_routes():
        permission = ROUTE_PERMISSIONS[(method, path)]
        response = client.get(_url(path))
        may = permission in (PUBLIC, SIGNED_IN) or allowed([role], permission)
        where = f"{role} GET {path} ({permission})"
        if may:
            assert response.status_code in (200, 303), where
            if response.status_code == 200:
                assert len(response.content) > 200, where
        else:
            assert response.status_code == 403, where
            assert "Немає доступу" in response.text and permission in response.text, where

    # the POST routes that change records: sent for an identification that does not exist,
    # an allowed role gets "not found" (nothing changes), a denied one the 403 page
    token = _csrf(client, "/dashboard")
    for method, path in sorted(ROUTE_PERMISSIONS):
        permission = ROUTE_PERMISSIONS[(method, path)]
        if method != "POST" or permission in (PUBLIC, SIGNED_IN):
            continue
        response = client.post(_url(path, ident_id="IDN-NOT-STORED",
                                    **POST_PATH_VALUES.get(path, {})),
                               data={"csrf_token": token, "note": "x", "reason": "x"})
        expected = POST_EMPTY_FORM.get(path, 404) if allowed([role], permission) else 403
        assert response.status_code == expected, f"{role} POST {path} ({permission})"

    # the language switch and log-out are for every signed-in account
    assert client.post("/language", data={"language": "en", "next": "/",
                                          "csrf_token": token}).status_code == 303
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    assert client.get("/dashboard").status_code == 303  # the session has ended
    client.close()


@pytest.mark.parametrize("role", ["field", "pathologist", "lab", "monitor"])
def test_accounts_that_work_with_codes_never_see_names(web_server, role):
    """Issue 12 item 3: a lab (field, pathologist) account sees bar-codes and codes, never a
    person's name; the pages of missing persons and donors are refused (403, the permission
    named), the record-kind menu does not offer them, and no other page lists them."""
    client = _signed_in(web_server, role)
    for path in ("/records/missing-persons", "/records/missing-persons/WEBTEST-MP-1",
                 "/records/donors", f"/records/donors/{ROUTE_KEYS['/records/donors/{key}']}",
                 "/records/missing-persons?q=Олена"):
        response = client.get(path)
        assert response.status_code == 403, (role, path)
        assert "persons.view" in response.text or role == "monitor", (role, path)
        assert "Іваненко" not in response.text, (role, path)
    if role != "monitor":
        page = client.get("/records/graves")
        assert page.status_code == 200
        assert 'href="/records/missing-persons"' not in page.text
        assert 'href="/records/donors"' not in page.text
        assert 'href="/records/samples"' in page.text
    client.close()


def test_an_incident_page_names_its_missing_persons_only_to_persons_view(web_server):
    import datetime as dt

    from homecoming.casework import Incident, MissingPerson
    from homecoming.storage.repositories import Repositories

    with web_server.db.session() as session:
        repos = Repositories(session, user="web-tests")
        repos.incidents.add(Incident(id="WEBTEST-INC-1", occurred_on=dt.date(2022, 4, 1),
                                     place="SYNTHETIC village", description="SYNTHETIC"))
        repos.missing_persons.add(MissingPerson(
            id="WEBTEST-MP-INC", surname="Кузьмичук", given_name="Тарас",
            incident_id="WEBTEST-INC-1", reported_by="SYNTHETIC",
            reported_on=dt.date(2023, 5, 4), notes="SYNTHETIC: web tests"))
    for role, shown in (("lab", False), ("field", False), ("investigator", True),
                        ("liaison", True)):
        client = _signed_in(web_server, role)
        page = client.get("/records/incidents/WEBTEST-INC-1")
        assert page.status_code == 200, role
        assert ("Кузьмичук" in page.text) is shown, role
        assert ("WEBTEST-MP-INC" in page.text) is shown, role
        client.close()


def test_liaison_sees_people_and_their_names(web_server):
    client = _signed_in(web_server, "liaison")
    page = client.get("/records/missing-persons/WEBTEST-MP-1")
    assert page.status_code == 200 and "Олена" in page.text
    page = client.get("/records/graves")
    assert 'href="/records/missing-persons"' in page.text
    client.close()


def test_anonymous_visitor_is_sent_to_login(web_server):
    with httpx.Client(base_url=web_server.url, follow_redirects=False) as client:
        for method, path in _get_routes():
            permission = ROUTE_PERMISSIONS[(method, path)]
            response = client.get(_url(path))
            if permission == PUBLIC:
                assert response.status_code in (200, 303), path
            else:
                assert response.status_code == 303, path
                assert response.headers["location"].startswith("/login?next="), path


def test_monitor_sees_aggregates_only(web_server):
    client = _signed_in(web_server, "monitor")
    assert client.get("/statistics").status_code == 200
    assert client.get("/dashboard").status_code == 200
    for path in ("/map", "/map/features.geojson", "/records/missing-persons",
                 "/records/samples/anything"):
        assert client.get(path).status_code == 403, path
    client.close()


def test_forms_refuse_missing_or_wrong_csrf(web_server):
    client = _signed_in(web_server, "field")
    token = _csrf(client, "/dashboard")
    for data in ({}, {"csrf_token": "forged"}, {"csrf_token": token + "x"}):
        response = client.post("/logout", data=data)
        assert response.status_code == 403
        assert "Форма недійсна" in response.text
    assert client.get("/dashboard").status_code == 200  # still signed in
    # the htmx header carries the token too
    assert client.post("/logout", headers={"X-CSRF-Token": token}).status_code == 303
    client.close()
    with httpx.Client(base_url=web_server.url) as anonymous:
        anonymous.get("/login")  # sets the double-submit cookie
        response = anonymous.post("/login", data={"name": "field",
                                                  "password": web_server.passwords["field"]})
        assert response.status_code == 403
        # a token from another browser (not this cookie's) is refused too
        response = anonymous.post("/login", data={"name": "field", "csrf_token": "x" * 43,
                                                  "password": web_server.passwords["field"]})
        assert response.status_code == 403


def test_login_redirect_stays_on_this_site(web_server):
    with httpx.Client(base_url=web_server.url, follow_redirects=False) as client:
        token = _csrf(client)
        response = client.post("/login", data={
            "name": "analyst", "password": web_server.passwords["analyst"],
            "csrf_token": token, "next": "https://evil.example/"})
        assert response.headers["location"] == "/dashboard"


def test_audit_trail_and_accounts_pages(web_server):
    client = _signed_in(web_server, "investigator")
    page = client.get("/records/graves/WEBTEST-S2-G1/audit")
    assert page.status_code == 200
    # the grave was added by the test fixture as "web-tests" (one insert entry)
    assert "web-tests" in page.text and "створено" in page.text
    assert client.get("/users").status_code == 403
    client.close()
    client = _signed_in(web_server, "admin")
    page = client.get("/users")
    assert page.status_code == 200
    for role in ROLES:
        assert f"<td>{role}</td>" in page.text
    assert "<td>лабораторія</td>" in page.text  # the lab role's label
    client.close()


def test_cyrillic_names_sorted_and_searched(web_server):
    client = _signed_in(web_server, "liaison")
    page = client.get("/records/missing-persons", params={"q": "Олена"})
    surnames = re.findall(r'<td>([^<]+)</td>\s*<td>Олена</td>', page.text)
    assert surnames == ["Бойко", "Гнатюк", "Ґалаґан", "Євтушенко", "Ищенко", "Іваненко",
                        "Їжак", "Яковенко"]
    for query in ("іваненко", "ІВАНЕНКО", "ваненк"):
        page = client.get("/records/missing-persons", params={"q": query})
        assert re.findall(r'<td>([^<]+)</td>\s*<td>Олена</td>', page.text) == ["Іваненко"], query
    client.close()


def test_unknown_pages_are_404_pages(web_server):
    client = _signed_in(web_server, "analyst")
    for path in ("/records/nothing", "/records/graves/NO-SUCH-GRAVE", "/no-such-page"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Не знайдено" in response.text
    response = client.get("/records/graves?status=not-a-filter&site_id=x&page=0")
    assert response.status_code == 200  # an unmatched filter value is just no records
    client.close()
