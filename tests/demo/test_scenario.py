"""The synthetic Izium-modelled demonstration scenario: counts, labels, reproducibility,
genetics."""

from collections import Counter

import pytest

from homecoming.casework import GraveType, HazardType, RemainsKind, ResultStatus, SampleSource
from homecoming.demo.families import MISSING_ID
from homecoming.demo.scenario import IZIUM_FIGURES, category_counts, generate_scenario


@pytest.fixture(scope="module")
def scenario():
    return generate_scenario(seed=2022)


def test_published_izium_breakdown_is_reproduced_exactly(scenario):
    assert IZIUM_FIGURES == {"women": 215, "men": 194, "children": 5, "military": 22,
                             "undetermined_sex": 11}
    assert len(scenario.remains) == 447
    assert len(scenario.examinations) == 447
    assert scenario.breakdown() == IZIUM_FIGURES


def test_site_graves_and_hazard(scenario):
    counts = scenario.counts()
    assert counts["sites"] == 1
    assert counts["graves"] == 440            # ~440 graves reported
    kinds = Counter(g.grave_type for g in scenario.graves)
    assert kinds[GraveType.MASS] == 3
    assert sum(g.minimum_individuals for g in scenario.graves) == 447
    # every body lies in a grave of the site, as many as the grave's MNI
    per_grave = Counter(r.grave_id for r in scenario.remains)
    assert all(per_grave[g.id] == g.minimum_individuals for g in scenario.graves)
    assert all(g.label == str(n) for n, g in enumerate(scenario.graves, start=1))
    assert any(r.kind is RemainsKind.COMMINGLED for r in scenario.remains)
    (hazard,) = scenario.hazard_areas
    assert hazard.hazard is HazardType.MINES and hazard.blocks_work


def test_causes_spread_over_the_reported_mechanisms(scenario):
    mech = scenario.mechanisms()
    for name in ("gunshot", "blast_shrapnel", "mine_erw", "air_strike"):
        assert mech.get(name, 0) >= 20, name
    assert sum(mech.values()) == 447


def test_missing_persons_families_and_references(scenario):
    counts = scenario.counts()
    assert counts["missing_persons"] >= 300
    mp_ids = {m.id for m in scenario.missing_persons}
    in_site = {v for v in scenario.truth.values() if v is not None}
    assert in_site < mp_ids                        # some missing persons are not in the site
    assert len(mp_ids - in_site) >= 50
    assert sum(v is None for v in scenario.truth.values()) >= 50   # bodies with no family
    per_mp = Counter(d.missing_person_id for d in scenario.donors)
    assert set(per_mp) == mp_ids
    assert set(per_mp.values()) <= {1, 2, 3, 4}
    assert {1, 4} <= set(per_mp.values())
    # every sample belongs to remains or a donor, every donor sample has a profile
    by_barcode = {p.sample_barcode for p in scenario.profiles}
    donor_samples = [s for s in scenario.samples if s.source is SampleSource.DONOR]
    assert len(donor_samples) == len(scenario.donors)
    assert all(s.barcode in by_barcode for s in donor_samples)
    no_dna = [s for s in scenario.samples if s.result_status is ResultStatus.NO_USABLE_DNA]
    assert no_dna and all(s.barcode not in by_barcode for s in no_dna)
    barcodes = [s.barcode for s in scenario.samples]
    assert len(barcodes) == len(set(barcodes))
    # custody: every sample has at least one custody event
    items = {c.item_id for c in scenario.custody_events}
    assert all(b in items for b in barcodes)


def test_every_record_is_labelled_synthetic(scenario):
    records = [scenario.site, *scenario.hazard_areas, *scenario.incidents, *scenario.graves,
               *scenario.exhumations, *scenario.remains, *scenario.examinations,
               *scenario.missing_persons, *scenario.donors, *scenario.samples]
    for rec in records:
        text = getattr(rec, "notes", None) or getattr(rec, "description", "")
        assert "SYNTHETIC" in text, rec.key
        assert rec.key.startswith("SYN-"), rec.key
    for mp in scenario.missing_persons:
        assert mp.surname.startswith("SYNTHETIC-")
    for donor in scenario.donors:
        assert donor.full_name.startswith("SYNTHETIC")
    for ev in scenario.custody_events:
        assert "SYNTHETIC" in ev.reason and ev.id.startswith("SYN-")
    for p in scenario.profiles:
        assert p.sample_barcode.startswith("SYN-") and "SYNTHETIC" in p.kit


def test_same_seed_same_scenario_other_seed_differs():
    a = generate_scenario(seed=5, bodies=40)
    b = generate_scenario(seed=5, bodies=40)
    c = generate_scenario(seed=6, bodies=40)
    assert a.profiles == b.profiles and a.missing_persons == b.missing_persons
    assert a.truth == b.truth
    assert a.profiles != c.profiles


def test_smaller_scenarios_scale_the_breakdown():
    assert category_counts(447) == IZIUM_FIGURES
    small = category_counts(40)
    assert sum(small.values()) == 40
    s = generate_scenario(seed=1, bodies=40)
    assert len(s.remains) == 40 and s.breakdown() == small


def _consistent(child, parent):
    return bool(set(child) & set(parent))


def test_profiles_are_mendelian_within_families_up_to_mutations(scenario):
    profile = {p.sample_barcode: p.genotypes for p in scenario.profiles}
    donor_sample = {s.donor_id: s.barcode for s in scenario.samples if s.donor_id}
    body_sample = {s.remains_code: s.barcode for s in scenario.samples if s.remains_code}
    body_of = {mp: code for code, mp in scenario.truth.items() if mp}
    checked = inconsistent = trios = inconsistent_trios = 0
    donors_by_mp = {}
    for d in scenario.donors:
        donors_by_mp.setdefault(d.missing_person_id, []).append(d)
    for mp_id, plan in scenario.families.items():
        typed = {d.pedigree_id: profile[donor_sample[d.id]] for d in donors_by_mp[mp_id]}
        if mp_id in body_of and body_sample[body_of[mp_id]] in profile:
            typed[MISSING_ID] = profile[body_sample[body_of[mp_id]]]
        for person in plan.pedigree:
            if person.id not in typed or person.is_founder:
                continue
            for parent in (person.father, person.mother):
                if parent in typed:
                    for locus, g in typed[person.id].items():
                        if locus in typed[parent]:
                            inconsistent += not _consistent(g, typed[parent][locus])
                            checked += 1
            if person.father in typed and person.mother in typed:
                for locus, (a, b) in typed[person.id].items():
                    fa, mo = typed[person.father].get(locus), typed[person.mother].get(locus)
                    if fa and mo:
                        trios += 1
                        inconsistent_trios += not ((a in fa and b in mo) or (b in fa and a in mo))
    assert checked > 1000
    # the markers' stepwise mutation model (rate 0.002 per transmission) makes a few
    # parent-child pairs inconsistent; without mutation there would be none
    assert inconsistent <= 0.01 * checked
    assert inconsistent_trios <= 0.02 * max(trios, 1)
