"""Drop-out in the stored-case identification (issue 11 item 8): remains whose profile lost
alleles are identified with a drop-out probability and not without; the model, the provenance
and the stored identification record it. SYNTHETIC demonstration data."""

from __future__ import annotations

import json
import math

import pytest

from homecoming.casework import Relationship
from homecoming.services.case_identification import DROPOUT_APPLIES_TO, identify_stored_case
from homecoming.services.demo import load_demo
from homecoming.services.identifications import get_identification, list_identifications
from homecoming.storage import Database
from homecoming.storage.repositories import Repositories

SEED, BODIES = 7, 12
_PARENT_CHILD = {Relationship.FATHER, Relationship.MOTHER, Relationship.SON,
                 Relationship.DAUGHTER}


@pytest.fixture(scope="module")
def degraded(tmp_path_factory):
    """The demo case with one identified remains' profile degraded: at the first three loci
    where the remains are heterozygous a/b and a parent or child reference carries a but not
    b, allele a dropped out (typed b/b) — a Mendelian inconsistency with that reference
    without drop-out (3 > max_incompatible = 2: excluded)."""
    path = tmp_path_factory.mktemp("dropout") / "case.db"
    db = Database(f"sqlite:///{path}")
    load_demo(db, seed=SEED, bodies=BODIES, identify=False)
    run = identify_stored_case(db, store=False)
    by_victim = {v.id: v for v in run.victims}
    for fam in run.families:
        remains = run.result.identified.get(fam.missing.id)
        if remains is None:
            continue
        refs = [fam.profiles[d.id] for d in fam.donors
                if d.relationship in _PARENT_CHILD and d.id in fam.profiles]
        gts = dict(by_victim[remains].genotypes)
        changed = []
        for locus, g in gts.items():
            if len(changed) == 3:
                break
            if len(g) != 2 or None in g or g[0] == g[1]:
                continue
            for ref in refs:
                rg = ref.get(locus)
                if rg is None:
                    continue
                shared = [x for x in g if x in rg]
                if len(shared) == 1:
                    kept = next(x for x in g if x != shared[0])
                    gts[locus] = (kept, kept)
                    changed.append(locus)
                    break
        if len(changed) == 3:
            break
    else:
        pytest.fail("the demo case has no identified remains with a parent/child reference "
                    "sharing one allele at 3 loci (seed changed?)")
    with db.session() as session:
        repos = Repositories(session)
        barcode = next(s.barcode for s in repos.samples.list(remains_code=remains)
                       if repos.profiles.find(s.barcode) is not None)
        old = repos.profiles.delete(barcode)
        repos.profiles.add(old.evolve(genotypes=gts))
    return db, fam.missing.id, remains, changed


def test_degraded_remains_identified_with_dropout_only(degraded):
    db, missing, remains, changed = degraded
    assert len(changed) == 3
    plain = identify_stored_case(db, store=False)
    assert plain.result.identified.get(missing) != remains
    with_d = identify_stored_case(db, store=True, dropout=0.05)
    assert with_d.result.identified.get(missing) == remains
    assert with_d.result.details[missing]["lr"] > 1e6
    model = with_d.document["model"]
    assert model["dropout"] == 0.05 and model["dropout_applies_to"] == DROPOUT_APPLIES_TO
    assert with_d.document["provenance"]["dropout"] == 0.05
    assert {c.get("dropout") for c in with_d.document["components"]} == {0.05}
    assert all("dropout" not in c for c in plain.document["components"])
    # the stored identification: drop-out in its model, finite per-marker LRs at the loci
    # that lost an allele (0 without drop-out would make them impossible)
    with db.session() as s:
        rows = [r for r in list_identifications(s, latest_only=True)
                if r["missing_person"] == missing]
        full = get_identification(s, rows[0]["id"])
    assert full["remains"] == remains and full["model"]["dropout"] == 0.05
    for locus in changed:
        lr = full["per_marker"][locus]
        assert 0 < lr < math.inf
    # the stored LR is the product of the per-marker LRs (1e-9 relative)
    assert math.prod(full["per_marker"].values()) == pytest.approx(full["lr"], rel=1e-9)


def test_zero_dropout_is_none(degraded):
    db = degraded[0]
    a = identify_stored_case(db, store=False, dropout=0.0)
    b = identify_stored_case(db, store=False)
    assert a.result.details == b.result.details
    assert a.document["model"]["dropout"] == b.document["model"]["dropout"] == 0.0
    assert a.document["provenance"]["dropout"] is None


def test_identify_dropout_on_the_command_line(degraded):
    from click.testing import CliRunner

    from homecoming.cli.main import cli

    db, missing, remains, _ = degraded
    url = db.url
    res = CliRunner().invoke(cli, ["--database", url, "identify", "--dropout", "0.05",
                                   "--no-store", "--quiet", "--json"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["model"]["dropout"] == 0.05
    row = next(r for r in doc["missing_persons"] if r["missing"] == missing)
    assert row["victim"] == remains
    text = CliRunner().invoke(cli, ["--database", url, "identify", "--dropout", "0.05",
                                    "--no-store", "--quiet"], catch_exceptions=False)
    assert text.exit_code == 0 and "drop-out 0.05" in text.output
