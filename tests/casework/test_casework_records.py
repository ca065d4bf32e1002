"""Casework values: validation messages name Record.field, the bad value and the expectation."""

import datetime as dt

import pytest

from homecoming import casework as cw
from homecoming.errors import InputError

TODAY = dt.datetime.now(dt.UTC).date()
NEXT_YEAR = TODAY.replace(year=TODAY.year + 1)


def site(**kw):
    data = dict(id="S-1", name="Izium forest (synthetic)", location=cw.Geometry.point(37.25, 49.2),
                reported_on="2022-09-10")
    data.update(kw)
    return cw.Site(**data)


def test_site_round_trips_through_dict():
    s = site(verification_status="verified", verification_method="site_inspection",
             verified_on="2022-09-15", legal_authority="Prosecutor order 42/2022")
    again = cw.Site.from_dict(s.to_dict())
    assert again == s
    assert again.to_dict()["location"] == {"type": "Point", "coordinates": [37.25, 49.2]}
    assert again.verified_on == dt.date(2022, 9, 15)


@pytest.mark.parametrize("make, field", [
    (lambda d: site(reported_on=d), "Site.reported_on"),
    (lambda d: cw.Incident(id="I", occurred_on=d, place="Izium"), "Incident.occurred_on"),
    (lambda d: cw.Exhumation(id="E", grave_id="G", started_on=d), "Exhumation.started_on"),
    (lambda d: cw.Remains(code="B-1", recovered_on=d), "Remains.recovered_on"),
    (lambda d: cw.Sample(barcode="S", source="donor", donor_id="D", element="blood",
                         collected_on=d), "Sample.collected_on"),
    (lambda d: cw.MissingPerson(id="M", surname="A", given_name="B", reported_by="x",
                                reported_on=d), "MissingPerson.reported_on"),
    (lambda d: cw.Examination(id="X", remains_code="B", examined_on=d, prosector="Dr P"),
     "Examination.examined_on"),
    (lambda d: cw.DnaProfile(sample_barcode="S", genotypes={"TH01": ["6", "7"]}, typed_on=d),
     "DnaProfile.typed_on"),
])
def test_future_dates_are_refused_naming_the_field(make, field):
    with pytest.raises(cw.CaseworkError) as info:
        make(NEXT_YEAR.isoformat())
    message = str(info.value)
    assert message.startswith(f"{field}: '{NEXT_YEAR.isoformat()}' is not valid; ")
    assert "not in the future" in message
    assert info.value.field == field
    assert isinstance(info.value, InputError) and isinstance(info.value, ValueError)


def test_future_custody_datetime_is_refused():
    with pytest.raises(cw.CaseworkError, match=r"^CustodyEvent\.occurred_at: .* not in the future"):
        cw.CustodyEvent(id="C1", item_kind="sample", item_id="S1", from_party="a", to_party="b",
                        occurred_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=2),
                        reason="transport")


def test_geometry_polygon_is_closed_and_checked():
    poly = cw.Geometry.polygon([(37.0, 49.0), (37.1, 49.0), (37.1, 49.1)])
    assert poly.to_geojson()["coordinates"][0][0] == poly.to_geojson()["coordinates"][0][-1]
    assert poly.centroid == pytest.approx((37.0666667, 49.0333333))
    with pytest.raises(cw.CaseworkError, match="latitude in \\[-90, 90\\]"):
        cw.Geometry.point(37.0, 95.0)


def test_hazard_area_needs_cleared_flag_for_clearance_date():
    with pytest.raises(cw.CaseworkError,
                       match="^HazardArea: expected cleared=true when cleared_on"):
        cw.HazardArea(id="H1", site_id="S-1", hazard="mines",
                      area=cw.Geometry.point(37.0, 49.0), cleared_on="2022-09-12")
    h = cw.HazardArea(id="H1", site_id="S-1", hazard="mines", area=cw.Geometry.point(37, 49))
    assert h.blocks_work is True


def test_grave_transitions():
    g = cw.Grave(id="G-1", site_id="S-1", label="cross 17", marker_inscription="ЗСУ 17")
    assert g.status is cw.GraveStatus.REPORTED
    g2 = g.with_status("verified").with_status(cw.GraveStatus.PROTECTED)
    assert g2.status is cw.GraveStatus.PROTECTED
    with pytest.raises(cw.StatusTransitionError) as info:
        g.with_status("closed")
    assert str(info.value) == ("Grave.status of grave 'G-1': 'reported' -> 'closed' is not an "
                               "allowed status change; expected one of 'verified'")
    closed = cw.Grave(id="G-2", site_id="S-1", label="2", status="closed")
    with pytest.raises(cw.StatusTransitionError, match="expected one of none \\(final\\)"):
        closed.with_status("excavated")


def test_grave_minimum_individuals():
    with pytest.raises(cw.CaseworkError) as info:
        cw.Grave(id="G", site_id="S", label="1", minimum_individuals=-1)
    assert str(info.value) == ("Grave.minimum_individuals: -1 is not valid; expected a number "
                               ">= 0")
    with pytest.raises(cw.CaseworkError, match="use grave_type 'mass'"):
        cw.Grave(id="G", site_id="S", label="1", minimum_individuals=3)
    assert cw.Grave(id="G", site_id="S", label="1", grave_type="mass",
                    minimum_individuals=17).minimum_individuals == 17


def test_remains_transitions_allow_late_identification():
    r = cw.Remains(code="IZM-001", grave_id="G-1", condition="skeletonised",
                   effects=[{"id": "IZM-001-E1", "category": "clothing",
                             "description": "blue jacket"}])
    r = r.with_status("examined").with_status("sampled").with_status("unidentified")
    assert r.with_status("identified").status is cw.RemainsStatus.IDENTIFIED
    with pytest.raises(cw.StatusTransitionError, match="'recovered' -> 'identified'"):
        cw.Remains(code="X").with_status("identified")
    with pytest.raises(cw.CaseworkError, match="personal effect ids, 'E1' appears twice"):
        cw.Remains(code="X", effects=[{"id": "E1", "description": "a"},
                                      {"id": "E1", "description": "b"}])


def test_examination_mechanism_maps_to_hrmmu_weapon_class():
    ex = cw.Examination(id="PM-1", remains_code="IZM-001", examined_on="2022-09-20",
                        prosector="Dr P", mechanism="mine_erw", age={"minimum": 30,
                                                                   "maximum": 45},
                        cause_of_death=["blast injuries of the trunk", "anti-personnel mine"],
                        hands_bound=True)
    assert ex.weapon_class is cw.WeaponClass.MINES_ERW
    assert ex.is_child is False
    assert cw.MechanismClass.AIR_STRIKE.weapon_class is cw.WeaponClass.EXPLOSIVE_WIDE_AREA
    assert cw.MechanismClass.GUNSHOT.weapon_class is cw.WeaponClass.SMALL_ARMS
    assert set(cw.MECHANISM_WEAPON_CLASS) == set(cw.MechanismClass)
    with pytest.raises(cw.CaseworkError, match="^Examination.cause_of_death: .*at most 4"):
        cw.Examination(id="PM", remains_code="B", examined_on="2022-09-20", prosector="P",
                       cause_of_death=["a", "b", "c", "d", "e"])
    with pytest.raises(cw.CaseworkError, match="expected minimum <= maximum, got 45.0 > 30.0"):
        cw.Range(minimum=45, maximum=30)


def test_sample_link_and_custody_hash():
    with pytest.raises(cw.CaseworkError,
                       match="^Sample: expected donor_id \\(and no remains_code\\)"):
        cw.Sample(barcode="S1", source="donor", remains_code="B", element="blood",
                  collected_on="2022-10-01")
    with pytest.raises(cw.CaseworkError, match="expected a sha256 for a digital item"):
        cw.CustodyEvent(id="C1", item_kind="digital", item_id="PHOTO-1", from_party="a",
                        to_party="b", occurred_at="2022-10-01T10:00:00", reason="copy")
    ev = cw.CustodyEvent(id="C1", item_kind="digital", item_id="PHOTO-1", from_party="a",
                         to_party="b", occurred_at="2022-10-01T10:00:00", reason="copy",
                         sha256="AB" * 32)
    assert ev.sha256 == "ab" * 32
    assert ev.occurred_at.tzinfo is not None


def test_missing_person_full_name_and_consistency():
    mp = cw.MissingPerson(id="MP-1", surname="Шевченко", given_name="Тарас",
                          patronymic="Григорович", sex="male", reported_by="sister",
                          reported_on="2022-05-01", last_seen_on="2022-03-20",
                          status="military", military_unit="unit A0000 (synthetic)")
    assert mp.full_name == "Шевченко Тарас Григорович"
    with pytest.raises(cw.CaseworkError, match="expected status 'military' when a military_unit"):
        mp.evolve(status="civilian")
    with pytest.raises(cw.CaseworkError, match="expected reported_on on or after last_seen_on$"):
        mp.evolve(reported_on="2022-03-01")


def test_donor_relationship_and_consent():
    d = cw.Donor(id="D-1", missing_person_id="MP-1", full_name="Олена (synthetic)",
                 sex="female", relationship="mother", consent="also_court")
    assert d.court_use and d.relationship.pairwise == "parent_child"
    assert cw.Relationship.UNCLE.pairwise == "half_sibling"
    assert cw.Relationship.SPOUSE.pairwise is None
    with pytest.raises(cw.CaseworkError,
                       match="expected a sex matching relationship 'father', got 'female'"):
        cw.Donor(id="D-2", missing_person_id="MP-1", full_name="x", sex="female",
                 relationship="father")
    with pytest.raises(cw.CaseworkError, match="^Donor.consent: 'court' is not valid; expected"):
        cw.Donor(id="D-2", missing_person_id="MP-1", full_name="x", relationship="father",
                 consent="court")


def test_dna_profile_shape():
    p = cw.DnaProfile(sample_barcode="PM-0001", genotypes={"D8S1179": "13/14", "TH01": ["9.3"]})
    assert p.genotypes == {"D8S1179": ("13", "14"), "TH01": ("9.3",)}
    assert p.to_profile().genotypes["D8S1179"] == ("13", "14")
    assert "name" not in cw.DnaProfile.model_fields
    with pytest.raises(cw.CaseworkError, match="expected one or two alleles at locus TH01"):
        cw.DnaProfile(sample_barcode="X", genotypes={"TH01": ["6", "7", "8"]})
    with pytest.raises(cw.CaseworkError, match="expected an STR allele") as err:
        cw.DnaProfile(sample_barcode="X", genotypes={"TH01": ["1?"]})
    assert "1?" not in str(err.value) and "TH01" in str(err.value)   # no genetic data shown


def test_records_are_frozen():
    g = cw.Grave(id="G", site_id="S", label="1")
    with pytest.raises(ValueError, match="frozen"):  # pydantic's ValidationError
        g.status = cw.GraveStatus.CLOSED  # type: ignore[misc]


def test_candidate_relationship():
    c = cw.Candidate(pm_barcode="PM1", ref_barcode="R1", relationship="parent_child",
                     log10_lr=5.2)
    assert c.log10_lr == 5.2
    with pytest.raises(cw.CaseworkError, match="^Candidate.relationship: 'cousin' is not valid"):
        cw.Candidate(pm_barcode="PM1", ref_barcode="R1", relationship="cousin", log10_lr=1)


def test_nested_value_errors_name_the_full_path():
    with pytest.raises(cw.CaseworkError) as info:
        cw.Remains(code="B-1", effects=[{"id": "bad id", "description": "shoe"}])
    assert str(info.value).startswith("Remains.effects.0.id: 'bad id' is not valid; expected a "
                                      "text matching")
    with pytest.raises(cw.CaseworkError) as info:
        cw.Site(id="S", name="n", location={"type": "Point", "coordinates": [37.0, 95.0]},
                reported_on="2022-01-01")
    assert str(info.value) == ("Site.location: {'type': 'Point', 'coordinates': [37.0, 95.0]} is "
                               "not valid; expected a latitude in [-90, 90] at the point, got "
                               "95.0")
    with pytest.raises(cw.CaseworkError) as info:
        cw.Grave(id="G", site_id="S", label="1").evolve(minimum_individuals=-2)
    assert str(info.value) == "Grave.minimum_individuals: -2 is not valid; expected a number >= 0"


def test_weapon_class_labels_follow_hrmmu():
    assert cw.MechanismClass.BLAST_SHRAPNEL.weapon_class.label == \
        "explosive weapons with wide area effects"
    assert cw.MechanismClass.MINE_ERW.weapon_class.label == "mines and explosive remnants of war"
    assert cw.MechanismClass.STAB.weapon_class.label == "other"
