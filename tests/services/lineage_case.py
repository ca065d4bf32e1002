"""A small SYNTHETIC stored case for the lineage-marker tests: one missing man (MP-1) whose
only typed reference is his paternal uncle (placed with pedigree ids: the untyped father is
recorded as a donor without a sample), his remains (R-1) among unrelated remains, and other
families whose typed fathers carry Y haplotypes (with the uncle they form the case's count
database: N = 1 + N_OTHER). Every person, profile and haplotype is SYNTHETIC (gene-dropped
with a fixed seed)."""

from __future__ import annotations

from homecoming.casework import Donor, MissingPerson, Relationship, Sample, Sex
from homecoming.casework.lineage import YHaplotype
from homecoming.casework.profiles import DnaProfile
from homecoming.casework.remains import Remains
from homecoming.pedigree.pedigree import Pedigree, Person

UNCLE_Y = {"DYS19": "14", "DYS389I": "13", "DYS390": "24", "DYS391": "10", "DYS392": "11",
           "DYS393": "13", "DYS437": "15", "DYS438": "12", "DYS439": "12", "DYS448": "19",
           "DYS456": "16", "DYS458": "17", "DYS635": "23", "YGATAH4": "11",
           "DYS385": "11-14"}
#: the remains' haplotype: the uncle's (no mutation in the 3 meioses between them)
REMAINS_Y = dict(UNCLE_Y)
N_OTHER = 39
N_UNRELATED_REMAINS = 4
DAY = "2023-03-01"


def other_y(i: int) -> dict[str, str]:
    """An unrelated SYNTHETIC haplotype (DYS19 and DYS390 differ from the uncle's)."""
    return {**UNCLE_Y, "DYS19": str(15 + i % 3), "DYS390": str(21 + i % 3),
            "DYS439": str(10 + i % 2)}


def _sample(barcode: str, *, remains: str | None = None, donor: str | None = None) -> Sample:
    return Sample(barcode=barcode, source="remains" if remains else "donor",
                  remains_code=remains, donor_id=donor,
                  element="bone" if remains else "buccal_swab", collected_on=DAY)


def build(repos, markers, seed: int, *, with_y: bool) -> None:
    """Store the case through ``repos`` (``homecoming.storage.repositories.Repositories``)."""
    from homecoming.simulation import simulate_pedigree, to_profiles

    ped = Pedigree([Person("GF", sex=Sex.MALE), Person("GM", sex=Sex.FEMALE),
                    Person("F", "GF", "GM", Sex.MALE), Person("M", sex=Sex.FEMALE),
                    Person("U", "GF", "GM", Sex.MALE), Person("MP", "F", "M", Sex.MALE),
                    *[Person(f"X{i}", sex=Sex.MALE) for i in range(N_UNRELATED_REMAINS
                                                                  + 2 * N_OTHER)]])
    drop = simulate_pedigree(ped, markers, 1, seed=seed)
    prof = {pid: to_profiles(markers, arr)[0] for pid, arr in drop.items()}
    mps = [MissingPerson(id="MP-1", surname="SYNTHETIC", given_name="ONE", sex=Sex.MALE,
                         reported_by="SYNTHETIC", reported_on=DAY)]
    donors = [Donor(id="D-F", missing_person_id="MP-1", full_name="SYNTHETIC FATHER",
                    sex=Sex.MALE, relationship=Relationship.FATHER, pedigree_id="F",
                    pedigree_father="GF", pedigree_mother="GM"),
              Donor(id="D-U", missing_person_id="MP-1", full_name="SYNTHETIC UNCLE",
                    sex=Sex.MALE, relationship=Relationship.UNCLE, pedigree_id="U",
                    pedigree_father="GF", pedigree_mother="GM")]
    remains = [Remains(code="R-1")] + [Remains(code=f"R-{i + 2}")
                                       for i in range(N_UNRELATED_REMAINS)]
    samples = [_sample("S-R-1", remains="R-1"), _sample("S-D-U", donor="D-U")]
    profiles = [DnaProfile(sample_barcode="S-R-1", genotypes=prof["MP"]),
                DnaProfile(sample_barcode="S-D-U", genotypes=prof["U"])]
    ys = [YHaplotype(sample_barcode="S-R-1", haplotype=REMAINS_Y),
          YHaplotype(sample_barcode="S-D-U", haplotype=UNCLE_Y)]
    for i in range(N_UNRELATED_REMAINS):
        samples.append(_sample(f"S-R-{i + 2}", remains=f"R-{i + 2}"))
        profiles.append(DnaProfile(sample_barcode=f"S-R-{i + 2}", genotypes=prof[f"X{i}"]))
    for k in range(N_OTHER):
        mp, d = f"MP-{k + 2}", f"D-{k + 2}"
        mps.append(MissingPerson(id=mp, surname="SYNTHETIC", given_name=f"N{k}", sex=Sex.MALE,
                                 reported_by="SYNTHETIC", reported_on=DAY))
        donors.append(Donor(id=d, missing_person_id=mp, full_name="SYNTHETIC", sex=Sex.MALE,
                            relationship=Relationship.FATHER))
        samples.append(_sample(f"S-{d}", donor=d))
        profiles.append(DnaProfile(sample_barcode=f"S-{d}",
                                   genotypes=prof[f"X{N_UNRELATED_REMAINS + k}"]))
        ys.append(YHaplotype(sample_barcode=f"S-{d}", haplotype=other_y(k)))
    repos.missing_persons.add_all(mps)
    repos.donors.add_all(donors)
    repos.remains.add_all(remains)
    repos.samples.add_all(samples)
    repos.profiles.add_all(profiles)
    if with_y:
        from homecoming.services.lineage import YHaplotypeRepository

        YHaplotypeRepository(repos.session).add_all(ys)
