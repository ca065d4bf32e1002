"""homecoming list / show / audit log over a small SYNTHETIC demo (SQLite): filters, search,
genotypes only on request (permission and access log), one-line refusals."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from homecoming.cli.main import cli
from homecoming.errors import InputError, PermissionDenied


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('records') / 'r.db'}"
    runner = CliRunner()
    env = {"HOMECOMING_USER": "ops"}
    assert runner.invoke(cli, ["--database", url, "init"], env=env).exit_code == 0
    r = runner.invoke(cli, ["--database", url, "demo", "--bodies", "6", "--no-identify"],
                      env=env)
    assert r.exit_code == 0, r.output
    for args in (["ops", "--role", "admin"], ["lab1", "--role", "lab"],
                 ["liz", "--role", "liaison"], ["mon", "--role", "monitor"]):
        r = runner.invoke(cli, ["--database", url, "users", "add", *args], env=env)
        assert r.exit_code == 0, r.output
    return url


def _json(url: str, user: str, *args: str):
    r = CliRunner().invoke(cli, ["--database", url, *args, "--json"],
                           env={"HOMECOMING_USER": user})
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        raise r.exception
    return json.loads(r.stdout)


def test_list_filters_and_search(demo_url):
    remains = _json(demo_url, "liz", "list", "remains")
    assert len(remains) == 6 and all(r["code"].startswith("SYN-") for r in remains)
    sampled = _json(demo_url, "liz", "list", "remains", "--status", "sampled")
    assert {r["code"] for r in sampled} == {r["code"] for r in remains
                                            if r["status"] == "sampled"}
    first = remains[0]["code"]
    found = _json(demo_url, "liz", "list", "remains", "--search", first.lower())
    assert [r["code"] for r in found] == [first]
    with pytest.raises(InputError, match="incidents have no status"):
        _json(demo_url, "liz", "list", "incidents", "--status", "x")


def test_show_sample_with_custody_and_remains(demo_url):
    samples = _json(demo_url, "liz", "list", "samples")
    pm = next(s for s in samples if s["source"] == "remains")
    shown = _json(demo_url, "liz", "show", "samples", pm["barcode"])
    assert shown["barcode"] == pm["barcode"]
    assert shown["custody"] and all(e["item_id"] == pm["barcode"] for e in shown["custody"])
    remains = _json(demo_url, "liz", "show", "remains", pm["remains_code"])
    assert pm["barcode"] in remains["samples"]


def test_genotypes_only_on_request_permission_and_access_log(demo_url):
    plain = _json(demo_url, "liz", "list", "profiles", "--limit", "1")
    assert "genotypes" not in plain[0] and plain[0]["loci_typed"] > 10
    with pytest.raises(PermissionDenied) as info:
        _json(demo_url, "liz", "list", "profiles", "--genotypes")
    assert str(info.value) == ("'liz' (liaison) may not profiles.view_genotypes; it needs the "
                               "role lab, analyst")
    barcode = plain[0]["sample_barcode"]
    shown = _json(demo_url, "lab1", "show", "profiles", barcode, "--genotypes")
    assert len(shown["genotypes"]) == plain[0]["loci_typed"]
    trail = _json(demo_url, "ops", "audit", "log", "--record", barcode)
    reads = [t for t in trail if t["action"] == "read"]
    assert [(t["user"], t["table"]) for t in reads] == [("lab1", "profiles")]
    # the purpose, never the alleles
    assert reads[0]["after"] == {"purpose": "genotypes shown (homecoming list/show --genotypes)"}


def test_monitor_sees_no_records(demo_url):
    with pytest.raises(PermissionDenied, match="'mon' \\(monitor\\) may not records.view"):
        _json(demo_url, "mon", "list", "remains")
