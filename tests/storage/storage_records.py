"""One linked set of casework records covering every aggregate (synthetic data), and how to
store it; used by the storage tests (imported by tests/storage/conftest.py)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from homecoming import casework as cw


def make_records() -> SimpleNamespace:
    """One record of every kind, linked to each other (synthetic data)."""
    r = SimpleNamespace()
    r.site = cw.Site(
        id="S-IZM", name="Forest burial site (synthetic)",
        location=cw.Geometry.polygon([(37.21, 49.18), (37.23, 49.18), (37.23, 49.19)]),
        location_precision="gps", reported_via="official", reported_on="2022-09-10",
        reported_by="regional police (synthetic)", verification_status="verified",
        verification_method="site_inspection", verified_on="2022-09-12",
        legal_authority="court order 1/2022 (synthetic)", responsible_agency="prosecutor's office",
        personnel=("investigator A", "archaeologist B"), description="pine forest, crosses")
    r.hazard = cw.HazardArea(id="H-1", site_id="S-IZM", hazard="mines",
                             area=cw.Geometry.point(37.215, 49.185), surveyed_on="2022-09-13")
    r.grave = cw.Grave(id="G-17", site_id="S-IZM", label="17", marker_inscription="№ 17",
                       location=cw.Geometry.point(37.22, 49.185), grave_type="mass",
                       minimum_individuals=3, estimated_individuals=4)
    r.exhumation = cw.Exhumation(
        id="EX-1", grave_id="G-17", started_on="2022-09-16", ended_on="2022-09-17",
        team=[{"name": "B", "role": "forensic archaeologist"},
              {"name": "C", "role": "forensic doctor", "organisation": "bureau (synthetic)"}],
        supervising_authorities=[{"name": "D", "role": "prosecutor's investigator"}],
        method="manual", family_consultation="families informed on site")
    r.incident = cw.Incident(id="INC-1", occurred_on="2022-03-15", occurred_until="2022-03-16",
                             place="Izium, central square (synthetic)",
                             location=cw.Geometry.point(37.26, 49.21),
                             weapon_class="explosive_wide_area", description="shelling")
    r.remains = cw.Remains(
        code="IZM-0001", kind="body", grave_id="G-17", incident_id="INC-1",
        recovered_on="2022-09-17", position="supine, head to the west",
        location=cw.Geometry.point(37.2201, 49.1851), depth_m=1.2, condition="decomposed",
        effects=[{"id": "IZM-0001-E1", "category": "clothing", "description": "blue jacket"},
                 {"id": "IZM-0001-E2", "category": "projectile", "description": "fragment"}],
        storage_location="refrigerated container 2")
    r.examination = cw.Examination(
        id="PM-IZM-0001", remains_code="IZM-0001", examined_on="2022-09-20",
        prosector="Dr P (synthetic)", persons_present=("investigator A",), sex="female",
        age={"minimum": 40, "maximum": 55}, stature={"minimum": 158, "maximum": 166},
        injuries=[{"description": "shrapnel wounds of the chest", "body_region": "thorax",
                   "mechanism": "blast_shrapnel", "perimortem": True,
                   "foreign_object_id": "IZM-0001-E2"}],
        cause_of_death=("multiple shrapnel wounds", "artillery shelling"),
        mechanism="blast_shrapnel", manner="homicide", status="civilian")
    r.missing_person = cw.MissingPerson(
        id="MP-1", surname="Коваленко", given_name="Олена", patronymic="Іванівна",
        birth_date="1972-04-02", birth_place="Izium", sex="female", height_cm=162,
        last_seen_place="Izium", last_seen_on="2022-03-15", circumstances="during shelling",
        distinguishing_marks="scar on left forearm", dental_notes="crown 36",
        clothing="blue jacket", status="civilian", reported_by="son (synthetic)",
        reported_on="2022-04-01", sharing_level="government")
    r.donor = cw.Donor(id="D-1", missing_person_id="MP-1", full_name="Андрій Коваленко "
                       "(synthetic)", sex="male", relationship="son", family_id="FAM-1",
                       pedigree_id="son", pedigree_mother="MP-1", consent="also_court",
                       consent_on="2022-10-01", collection_place="Kharkiv")
    r.pm_sample = cw.Sample(barcode="PM-000001", source="remains", remains_code="IZM-0001",
                            element="bone", collected_on="2022-09-20",
                            laboratory="lab A (synthetic)", ordered_by="prosector order 7",
                            result_status="profile_obtained")
    r.ref_sample = cw.Sample(barcode="AM-000001", source="donor", donor_id="D-1",
                             element="buccal_swab", collected_on="2022-10-01",
                             laboratory="lab A (synthetic)", result_status="profile_obtained")
    r.custody = cw.CustodyEvent(id="CU-1", item_kind="sample", item_id="PM-000001",
                                from_party="morgue", to_party="lab A",
                                occurred_at=dt.datetime(2022, 9, 21, 9, 30,
                                                        tzinfo=dt.UTC),
                                reason="DNA analysis", location="Kharkiv")
    r.pm_profile = cw.DnaProfile(sample_barcode="PM-000001", kit="kit X",
                                 genotypes={"D3S1358": ("15", "16"), "TH01": ("9.3", "9.3"),
                                            "FGA": ("22", None)},
                                 quality="partial", typed_on="2022-10-10")
    r.ref_profile = cw.DnaProfile(sample_barcode="AM-000001", kit="kit X",
                                  genotypes={"D3S1358": ("15", "17"), "TH01": ("6", "9.3")},
                                  typed_on="2022-10-12")
    return r


def store_all(repos, r: SimpleNamespace) -> None:
    """Store every record of ``make_records()`` in dependency order."""
    repos.sites.add(r.site)
    repos.hazard_areas.add(r.hazard)
    repos.graves.add(r.grave)
    repos.exhumations.add(r.exhumation)
    repos.incidents.add(r.incident)
    repos.remains.add(r.remains)
    repos.examinations.add(r.examination)
    repos.missing_persons.add(r.missing_person)
    repos.donors.add(r.donor)
    repos.samples.add_all([r.pm_sample, r.ref_sample])
    repos.custody_events.add(r.custody)
    repos.profiles.add_all([r.pm_profile, r.ref_profile])
