"""Non-DNA evidence: exclusions and likelihood ratios (docs/explanation/non-dna-evidence.md)."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from homecoming.formats.dvi_dataset import dataset_from_json, dvi_result_json
from homecoming.identification import (
    EvidenceConfig,
    IdentificationConfig,
    MissingInfo,
    Victim,
    solve,
)
from homecoming.identification.evidence import pairing_evidence
from homecoming.pedigree.pedigree import Sex

from .test_hand_computed import dataset_a

D = dt.date


def victim(**kw):
    return Victim("V", Sex.MALE, {}, **kw)


def test_seen_alive_after_burial_is_excluded():
    info = MissingInfo(date_last_seen=D(2022, 5, 1))
    res = pairing_evidence(victim(found_date=D(2022, 3, 1)), info, [info], EvidenceConfig())
    assert res.excluded and res.log_lr == -math.inf
    assert "after the remains were found" in res.items[0]["note"]
    res = pairing_evidence(victim(found_date=D(2022, 6, 1)), info, [info], EvidenceConfig())
    assert not res.excluded and res.log_lr == 0.0


def test_age_lr_is_inverse_compatible_fraction():
    seen, found = D(2022, 1, 1), D(2023, 1, 1)
    pop = [MissingInfo(age_missing=a, date_last_seen=seen) for a in (10, 30, 60)]
    v = victim(age_range=(25, 40), found_date=found)
    res = pairing_evidence(v, pop[1], pop, EvidenceConfig())
    # only the 30-year-old is compatible: f = 1/3, LR = 3
    age = [it for it in res.items if it["evidence"] == "age"][0]
    assert age["lr"] == pytest.approx(3.0)
    assert pairing_evidence(v, pop[0], pop, EvidenceConfig()).excluded
    # without dates the 10-year-old could have died later: compatible
    v2 = victim(age_range=(25, 40))
    assert not pairing_evidence(v2, pop[0], pop, EvidenceConfig()).excluded
    # birth date + last seen give the age
    info = MissingInfo(birth_date=D(1990, 1, 1), date_last_seen=D(2022, 1, 1))
    assert info.age_when_missing() == pytest.approx(32.0, abs=0.01)


def test_stature_and_category():
    pop = [MissingInfo(height=h, category=c) for h, c in
           ((160, "civilian"), (175, "military"), (180, "civilian"))]
    v = victim(stature_range=(170, 185), category="military")
    res = pairing_evidence(v, pop[1], pop, EvidenceConfig())
    lrs = {it["evidence"]: it["lr"] for it in res.items}
    assert lrs["stature"] == pytest.approx(1.5)       # 2 of 3 heights compatible
    assert lrs["category"] == pytest.approx(3.0)      # 1 of 3 military
    assert res.log_lr == pytest.approx(math.log(4.5))
    res = pairing_evidence(v, pop[2], pop, EvidenceConfig())
    lrs = {it["evidence"]: it["lr"] for it in res.items}
    assert lrs["category"] == pytest.approx(0.1)      # policy value for a mismatch
    assert pairing_evidence(v, pop[0], pop, EvidenceConfig()).excluded  # 160 outside range
    # tolerance widens the range; switches turn items off
    assert not pairing_evidence(v, pop[0], pop, EvidenceConfig(stature_tolerance=10)).excluded
    items = pairing_evidence(v, pop[0], pop, EvidenceConfig(stature=False)).items
    assert items[-1]["evidence"] == "category"
    assert pairing_evidence(v, pop[0], pop, EvidenceConfig(enabled=False)).items == []


def test_evidence_combines_with_dna_in_solve():
    d = dataset_a()
    d["victims"][0]["found_date"] = "2022-03-01"     # V1
    d["victims"][2]["stature_range"] = [150, 165]   # V3
    d["families"][0]["missing_info"] = {"M1": {"date_last_seen": "2022-05-01"}}
    d["families"][1]["missing_info"] = {"M2": {"height": 160}}
    ds = dataset_from_json(d)
    cfg = IdentificationConfig(lr_threshold=4, posterior_threshold=None)
    r = solve(ds, config=cfg)
    p = r.pairing("V1", "M1")
    assert p.lr == pytest.approx(5.0)                  # DNA LR unchanged
    assert p.excluded and any(x.startswith("dates") for x in p.exclusion_reasons)
    assert all(a.assignment["V1"] is None for a in r.joint)
    # one missing person with a height recorded: f = 1, LR 1
    assert math.exp(r.pairing("V3", "M2").combined_log_lr) == pytest.approx(5.0)
    out = dvi_result_json(r)
    row = next(x for x in out["pairwise"] if x["victim"] == "V1")
    assert row["evidence_lr"] == 0 and row["combined_lr"] == 0
    assert out["provenance"]["parameters"]["evidence"]["enabled"] is True
    off = solve(ds, config=IdentificationConfig(lr_threshold=4, posterior_threshold=None,
                                                evidence=EvidenceConfig(enabled=False)))
    assert not off.pairing("V1", "M1").excluded
    assert off.best.assignment["V1"] == "M1"
    assert off.provenance["parameters"]["evidence"]["enabled"] is False
