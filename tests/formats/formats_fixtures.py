"""Synthetic casework records shared by the format tests."""

from __future__ import annotations


def make_casework():
    """Linked synthetic records: one site, grave, set of remains, missing person, donor and
    two samples (PM-000001 from the remains, AM-000001 from the donor)."""
    from types import SimpleNamespace

    from homecoming import casework as cw

    r = SimpleNamespace()
    r.site = cw.Site(
        id="S-1", name="Burial site (synthetic)",
        location=cw.Geometry.polygon([(37.21, 49.18), (37.23, 49.18), (37.23, 49.19)]),
        location_precision="gps", reported_via="official", reported_on="2022-09-10",
        reported_by="police (synthetic)", verification_status="verified",
        verification_method="site_inspection", verified_on="2022-09-12",
        legal_authority="order 1/2022 (synthetic)", responsible_agency="prosecutor's office")
    r.hazard = cw.HazardArea(id="H-1", site_id="S-1", hazard="mines",
                             area=cw.Geometry.point(37.215, 49.185), surveyed_on="2022-09-13")
    r.grave = cw.Grave(id="G-1", site_id="S-1", label="1",
                       location=cw.Geometry.point(37.22, 49.185),
                       grave_type="mass", minimum_individuals=2)
    r.remains = cw.Remains(code="R-0001", kind="body", grave_id="G-1", recovered_on="2022-09-17")
    r.missing_person = cw.MissingPerson(
        id="MP-1", surname="Doe (synthetic)", given_name="Jane", sex="female",
        birth_date="1972-04-02", last_seen_place="Izium", last_seen_on="2022-03-15",
        reported_on="2022-04-01", reported_by="son (synthetic)")
    r.donor = cw.Donor(id="D-1", missing_person_id="MP-1", full_name="John Doe (synthetic)",
                       sex="male", relationship="son", consent="also_court",
                       consent_on="2022-10-01")
    r.pm_sample = cw.Sample(barcode="PM-000001", source="remains", remains_code="R-0001",
                            element="bone", collected_on="2022-09-20")
    r.ref_sample = cw.Sample(barcode="AM-000001", source="donor", donor_id="D-1",
                             element="buccal_swab", collected_on="2022-10-01")
    return r
