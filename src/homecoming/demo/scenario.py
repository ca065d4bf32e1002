"""A SYNTHETIC demonstration scenario modelled on the published figures of the Izium exhumation.

Public reporting of the exhumation of the forest burial site at Izium (Kharkiv oblast,
September 2022) gave these figures, which the scenario reproduces at its default size:

* 447 bodies exhumed: 215 women, 194 men, 5 children, 22 military and 11 of undetermined sex
  (casework-standards.md [Z1], https://thenewstrace.com/ukraine-completed-the-exhumation-of-izium-and-confirmed-447-dead-among-the-recovered-remains-there-are-215-women-and-5-children/254538/);
* about 440 graves, most marked with wooden crosses bearing numbers, some mass graves
  ([Z2] https://uatribune.com/en/three-more-mass-graves-found-in-izium-forest/);
* violent deaths: gunshot, shrapnel / blast, mine and explosive injuries, stab wounds, signs
  of torture and bound hands ([Z2][Z3][Z4]); demining preceded the work ([Z2]);
* supervision by police scene-of-crime officers, a Ministry of Interior forensic expert and
  prosecutors' investigators ([M9]).

**Everything else is invented.** Every person, name, date, place inside the site, family,
cause of death, DNA profile and record here is SYNTHETIC: ids start with ``SYN-``, surnames are
``SYNTHETIC-nnnn`` and every notes field says ``SYNTHETIC``. No record describes a real victim
or a real family. The proportions of the mechanisms of death, the share of bodies with a
family report, the family structures and the DNA results are our own choices for a realistic
demonstration, not published figures.

:func:`generate_scenario` is pure: it returns casework record values (``homecoming.casework``),
DNA profiles and the ground truth (which remains are which missing person), nothing is
stored. ``homecoming demo`` stores it (:mod:`homecoming.services.demo`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from homecoming.casework import (
    CombatantStatus, Condition, ConsentScope, CustodyEvent, CustodyItemKind, DnaProfile, Donor,
    EffectCategory, Examination, Exhumation, ExhumationMethod, Geometry, Grave, GraveStatus,
    GraveType, HazardArea, HazardType, Incident, Injury, LocationPrecision, Manner,
    MechanismClass, MissingPerson, PersonalEffect, ProfileQuality, Range, Relationship, Remains,
    RemainsKind, RemainsStatus, ReportChannel, ResultStatus, Sample, SampleElement, SampleSource,
    SharingLevel, Site, TeamMember, VerificationMethod, VerificationStatus, WeaponClass,
)
from homecoming.demo.families import MISSING_ID, FamilyPlan, plan_family
from homecoming.demo.markers import DEMO_KIT, demo_markers
from homecoming.errors import InputError
from homecoming.genetics.markers import Marker
from homecoming.genetics.profiles import Genotype
from homecoming.pedigree.pedigree import Pedigree, Sex
from homecoming.simulation import drop_alleles, simulate_founders, to_profiles

__all__ = ["IZIUM_FIGURES", "SYNTHETIC", "Scenario", "generate_scenario", "category_counts"]

#: the label carried by every generated record
SYNTHETIC = "SYNTHETIC demonstration record (invented; not a real person or event)"

#: the published Izium breakdown [Z1]: 447 = 215 + 194 + 5 + 22 + 11
IZIUM_FIGURES: dict[str, int] = {
    "women": 215, "men": 194, "children": 5, "military": 22, "undetermined_sex": 11,
}
IZIUM_BODIES = sum(IZIUM_FIGURES.values())   # 447
#: about 440 graves were reported [Z2]; with 3 mass graves holding 10 bodies: 437 + 3 = 440
_IZIUM_MASS_GRAVE_SIZES = (4, 3, 3)

_SITE_LON, _SITE_LAT = 37.275, 49.175        # approximate: forest at the edge of Izium
_EXHUMATION_START = dt.date(2022, 9, 16)
_EXHUMATION_DAYS = 8

# synthetic choices (not published figures): mechanism of death by group
_CIVILIAN_MECHANISMS = {
    MechanismClass.BLAST_SHRAPNEL: 0.36, MechanismClass.AIR_STRIKE: 0.14,
    MechanismClass.GUNSHOT: 0.20, MechanismClass.MINE_ERW: 0.08, MechanismClass.STAB: 0.03,
    MechanismClass.BLUNT_FORCE: 0.03, MechanismClass.UNDETERMINED: 0.16,
}
_MILITARY_MECHANISMS = {
    MechanismClass.GUNSHOT: 0.45, MechanismClass.BLAST_SHRAPNEL: 0.35,
    MechanismClass.MINE_ERW: 0.10, MechanismClass.UNDETERMINED: 0.10,
}
_CAUSE_LINES = {
    MechanismClass.GUNSHOT: ("Gunshot wound of the head", "Firearm injury"),
    MechanismClass.BLAST_SHRAPNEL: ("Multiple shrapnel wounds of the chest and abdomen",
                                    "Artillery shelling (blast and fragmentation)"),
    MechanismClass.AIR_STRIKE: ("Multiple blunt and penetrating blast injuries",
                                "Air strike on a residential building"),
    MechanismClass.MINE_ERW: ("Traumatic amputation of the lower limbs with haemorrhage",
                              "Explosion of an anti-personnel mine"),
    MechanismClass.STAB: ("Stab wound of the chest", "Sharp force injury"),
    MechanismClass.BLUNT_FORCE: ("Blunt force injury of the head",),
    MechanismClass.UNDETERMINED: ("Undetermined (advanced decomposition)",),
}
_INJURY_REGIONS = ("head", "neck", "chest", "abdomen", "pelvis", "upper limb", "lower limb")
_GIVEN_F = ("Olena", "Tetiana", "Nataliia", "Iryna", "Halyna", "Liudmyla", "Oksana", "Mariia")
_GIVEN_M = ("Oleksandr", "Serhii", "Volodymyr", "Mykola", "Andrii", "Ivan", "Viktor", "Petro")
#: father's given name -> (son's, daughter's) patronymic
_PATRONYMIC = {
    "Oleksandr": ("Oleksandrovych", "Oleksandrivna"), "Serhii": ("Serhiiovych", "Serhiivna"),
    "Volodymyr": ("Volodymyrovych", "Volodymyrivna"), "Mykola": ("Mykolaiovych", "Mykolaivna"),
    "Andrii": ("Andriiovych", "Andriivna"), "Ivan": ("Ivanovych", "Ivanivna"),
    "Viktor": ("Viktorovych", "Viktorivna"), "Petro": ("Petrovych", "Petrivna"),
}


class _GeneDropper:
    """Profiles of a family's pedigree by gene dropping (:mod:`homecoming.simulation`, each
    marker's mutation model), the transmission matrices computed once per marker."""

    def __init__(self, markers: Sequence[Marker]) -> None:
        from homecoming.genetics.mutation import transmission_matrices

        self.markers = list(markers)
        self.matrices = {m.name: transmission_matrices(m) for m in self.markers}

    def family(self, pedigree: Pedigree, rng: np.random.Generator,
               ) -> dict[str, dict[str, Genotype]]:
        alleles = drop_alleles(pedigree, self.markers, 1, rng,
                               transmission=lambda m: self.matrices[m.name])
        return {pid: to_profiles(self.markers, a)[0] for pid, a in alleles.items()}

    def unrelated(self, count: int, rng: np.random.Generator) -> list[dict[str, Genotype]]:
        return to_profiles(self.markers, simulate_founders(self.markers, count, rng))


def category_counts(bodies: int) -> dict[str, int]:
    """The published Izium breakdown scaled to ``bodies`` (exact at 447; largest remainders)."""
    if bodies < 1:
        raise InputError(f"bodies {bodies!r}; expected at least 1", field="bodies", value=bodies)
    quotas = {k: v * bodies / IZIUM_BODIES for k, v in IZIUM_FIGURES.items()}
    counts = {k: int(q) for k, q in quotas.items()}
    rest = bodies - sum(counts.values())
    for k in sorted(quotas, key=lambda k: (-(quotas[k] - counts[k]), list(quotas).index(k)))[:rest]:
        counts[k] += 1
    return counts


def _mass_grave_sizes(bodies: int) -> tuple[int, ...]:
    if bodies == IZIUM_BODIES:
        return _IZIUM_MASS_GRAVE_SIZES
    in_mass = round(bodies * sum(_IZIUM_MASS_GRAVE_SIZES) / IZIUM_BODIES)
    if bodies < 6:
        return ()
    in_mass = max(in_mass, 2)
    n = min(3, in_mass // 2)
    sizes = [in_mass // n] * n
    for i in range(in_mass - sum(sizes)):
        sizes[i] += 1
    return tuple(sizes)


@dataclass(frozen=True)
class Scenario:
    """The generated demonstration: casework records, DNA profiles and the ground truth.

    ``truth`` maps each remains code to the id of the missing person it really is, or ``None``
    when nobody reported that person missing (no family reference). ``families`` maps each
    missing person id to its :class:`~homecoming.demo.families.FamilyPlan`;
    ``genotypes`` holds the simulated genotypes of each body and each donor by sample barcode
    (also in ``profiles``, minus the loci lost in degraded samples).
    """

    seed: int
    markers: tuple[Marker, ...]
    site: Site
    hazard_areas: tuple[HazardArea, ...]
    incidents: tuple[Incident, ...]
    graves: tuple[Grave, ...]
    exhumations: tuple[Exhumation, ...]
    remains: tuple[Remains, ...]
    examinations: tuple[Examination, ...]
    missing_persons: tuple[MissingPerson, ...]
    donors: tuple[Donor, ...]
    samples: tuple[Sample, ...]
    custody_events: tuple[CustodyEvent, ...]
    profiles: tuple[DnaProfile, ...]
    truth: Mapping[str, str | None]
    families: Mapping[str, FamilyPlan] = field(repr=False)
    categories: Mapping[str, str] = field(repr=False)   # remains code -> figure category

    def counts(self) -> dict[str, int]:
        """Numbers of records, with the keys of ``homecoming stats``."""
        return {
            "sites": 1, "hazard_areas": len(self.hazard_areas), "incidents": len(self.incidents),
            "graves": len(self.graves), "exhumations": len(self.exhumations),
            "remains": len(self.remains), "examinations": len(self.examinations),
            "missing_persons": len(self.missing_persons), "donors": len(self.donors),
            "samples": len(self.samples), "custody_events": len(self.custody_events),
            "profiles": len(self.profiles),
        }

    def breakdown(self) -> dict[str, int]:
        """Bodies by the published categories, computed from the examination records."""
        out = Counter({k: 0 for k in IZIUM_FIGURES})
        for exam in self.examinations:
            if exam.is_child:
                out["children"] += 1
            elif exam.status is CombatantStatus.MILITARY:
                out["military"] += 1
            elif exam.sex is Sex.UNKNOWN:
                out["undetermined_sex"] += 1
            elif exam.sex is Sex.FEMALE:
                out["women"] += 1
            else:
                out["men"] += 1
        return dict(out)

    def mechanisms(self) -> dict[str, int]:
        return dict(Counter(e.mechanism.value for e in self.examinations))


def _choice(rng: np.random.Generator, weights: Mapping[MechanismClass, float]) -> MechanismClass:
    keys = list(weights)
    p = np.array([weights[k] for k in keys])
    return keys[int(rng.choice(len(keys), p=p / p.sum()))]


def _day(rng: np.random.Generator, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=int(rng.integers(0, (end - start).days + 1)))


def _point(rng: np.random.Generator, scale: float = 0.002) -> Geometry:
    return Geometry.point(round(_SITE_LON + float(rng.normal(0, scale)), 6),
                          round(_SITE_LAT + float(rng.normal(0, scale * 0.6)), 6))


def _site() -> tuple[Site, tuple[HazardArea, ...]]:
    d = 0.004
    site = Site(
        id="SYN-SITE-IZIUM", name="SYNTHETIC forest burial site (modelled on Izium, Sept 2022)",
        location=Geometry.polygon([(_SITE_LON - d, _SITE_LAT - d * 0.6),
                                   (_SITE_LON + d, _SITE_LAT - d * 0.6),
                                   (_SITE_LON + d, _SITE_LAT + d * 0.6),
                                   (_SITE_LON - d, _SITE_LAT + d * 0.6)]),
        location_precision=LocationPrecision.GPS, reported_via=ReportChannel.OFFICIAL,
        reported_on=dt.date(2022, 9, 15), reported_by="SYNTHETIC regional police",
        verification_status=VerificationStatus.VERIFIED,
        verification_method=VerificationMethod.SITE_INSPECTION, verified_on=dt.date(2022, 9, 15),
        legal_authority="SYNTHETIC prosecutor's decision No. SYN-2022-0915",
        responsible_agency="SYNTHETIC regional police forensic unit",
        personnel=("SYNTHETIC scene-of-crime officer 1", "SYNTHETIC forensic expert 1"),
        description=(f"{SYNTHETIC}. About 440 graves marked with numbered wooden crosses, a few "
                     "mass graves with commingled remains, a mined area at the northern edge. "
                     "Modelled on the published Izium figures (447 bodies; 215 women, 194 men, "
                     "5 children, 22 military, 11 of undetermined sex)."),
    )
    hazard = HazardArea(
        id="SYN-HAZ-1", site_id=site.id, hazard=HazardType.MINES,
        area=Geometry.polygon([(_SITE_LON - d, _SITE_LAT + d * 0.6),
                               (_SITE_LON + d, _SITE_LAT + d * 0.6),
                               (_SITE_LON + d, _SITE_LAT + d),
                               (_SITE_LON - d, _SITE_LAT + d)]),
        cleared=False, surveyed_on=dt.date(2022, 9, 15),
        notes=f"{SYNTHETIC}. Anti-personnel mines reported along the northern tree line; NOT "
              "cleared: no entry before demining.",
    )
    return site, (hazard,)


def _incidents() -> tuple[Incident, ...]:
    rows = [
        ("SYN-INC-01", dt.date(2022, 3, 9), WeaponClass.EXPLOSIVE_WIDE_AREA,
         "air strike on a residential building"),
        ("SYN-INC-02", dt.date(2022, 3, 6), WeaponClass.EXPLOSIVE_WIDE_AREA,
         "artillery shelling of a residential district"),
        ("SYN-INC-03", dt.date(2022, 3, 20), WeaponClass.EXPLOSIVE_WIDE_AREA,
         "artillery shelling near the city centre"),
        ("SYN-INC-04", dt.date(2022, 3, 28), WeaponClass.EXPLOSIVE_WIDE_AREA,
         "multiple-launch rocket fire on a market"),
        ("SYN-INC-05", dt.date(2022, 4, 15), WeaponClass.MINES_ERW,
         "anti-personnel mine on a path to the forest"),
        ("SYN-INC-06", dt.date(2022, 6, 2), WeaponClass.MINES_ERW,
         "explosive remnant of war in a garden"),
        ("SYN-INC-07", dt.date(2022, 4, 24), WeaponClass.SMALL_ARMS,
         "shooting at a checkpoint"),
        ("SYN-INC-08", dt.date(2022, 5, 30), WeaponClass.SMALL_ARMS,
         "killings during detention"),
        ("SYN-INC-09", dt.date(2022, 7, 14), WeaponClass.OTHER,
         "ground-level killings (stabbing, beating)"),
        ("SYN-INC-10", dt.date(2022, 3, 14), WeaponClass.EXPLOSIVE_WIDE_AREA,
         "air strike on a shelter"),
    ]
    return tuple(Incident(id=i, occurred_on=d, place="SYNTHETIC district of the town",
                          weapon_class=w, description=f"{SYNTHETIC}: {text}",
                          source="SYNTHETIC witness statements")
                 for i, d, w, text in rows)


def _donor_relationship(role: str, sex: Sex) -> Relationship:
    if role == "FA":
        return Relationship.FATHER
    if role == "MO":
        return Relationship.MOTHER
    if role.startswith("SB"):
        return Relationship.BROTHER if sex is Sex.MALE else Relationship.SISTER
    if role.startswith("CH"):
        return Relationship.SON if sex is Sex.MALE else Relationship.DAUGHTER
    return Relationship.SPOUSE


def generate_scenario(seed: int = 2022, *, bodies: int = IZIUM_BODIES,
                      markers: Sequence[Marker] | None = None,
                      share_reported: float = 0.8, share_not_in_site: float = 0.15,
                      share_partial: float = 0.10, share_no_dna: float = 0.03,
                      ) -> Scenario:
    """Generate the synthetic scenario (pure; reproducible for a given seed and size).

    :param seed: random seed: the same seed and arguments give the same scenario.
    :param bodies: number of remains (447 gives the published breakdown exactly; other sizes
        scale it).
    :param markers: STR markers to simulate (default: :func:`~homecoming.demo.markers.demo_markers`).
    :param share_reported: share of the bodies whose family reported them missing and gave
        reference samples (the rest have no family reference).
    :param share_not_in_site: missing persons who are not in the site, as a share of ``bodies``.
    :param share_partial: share of post-mortem samples giving a partial profile.
    :param share_no_dna: share of post-mortem samples with no usable DNA (no profile).
    """
    for name, value in (("share_reported", share_reported), ("share_not_in_site", share_not_in_site),
                        ("share_partial", share_partial), ("share_no_dna", share_no_dna)):
        if not 0.0 <= value <= 1.0:
            raise InputError(f"{name} {value!r}; expected a share in [0, 1]", field=name,
                             value=value)
    counts = category_counts(bodies)
    rng = np.random.default_rng(seed)
    markers = tuple(markers if markers is not None else demo_markers())
    dropper = _GeneDropper(markers)
    site, hazards = _site()
    incidents = _incidents()
    by_weapon: dict[WeaponClass, list[Incident]] = {}
    for inc in incidents:
        by_weapon.setdefault(inc.weapon_class, []).append(inc)

    # --- graves: numbered crosses, a few mass graves -------------------------------------
    mass_sizes = _mass_grave_sizes(bodies)
    n_single = bodies - sum(mass_sizes)
    n_graves = n_single + len(mass_sizes)
    mass_numbers = set()
    if mass_sizes:
        picks = rng.choice(np.arange(1, n_graves + 1), size=len(mass_sizes), replace=False)
        mass_numbers = {int(x) for x in sorted(picks)}
    graves: list[Grave] = []
    grave_slots: list[str] = []   # one entry per body: the grave it lies in
    mass_iter = iter(mass_sizes)
    for number in range(1, n_graves + 1):
        gid = f"SYN-G-{number:04d}"
        if number in mass_numbers:
            size = next(mass_iter)
            graves.append(Grave(
                id=gid, site_id=site.id, label=f"{number}",
                marker_inscription=f"Cross No. {number} (mass grave; SYNTHETIC)",
                location=_point(rng), grave_type=GraveType.MASS, status=GraveStatus.EXCAVATED,
                minimum_individuals=size, estimated_individuals=size,
                notes=f"{SYNTHETIC}. Mass grave with commingled remains."))
            grave_slots += [gid] * size
        else:
            graves.append(Grave(
                id=gid, site_id=site.id, label=f"{number}",
                marker_inscription=f"Cross No. {number} (SYNTHETIC)", location=_point(rng),
                grave_type=GraveType.SINGLE, status=GraveStatus.EXCAVATED,
                minimum_individuals=1, estimated_individuals=1, notes=SYNTHETIC))
            grave_slots.append(gid)
    grave_by_id = {g.id: g for g in graves}

    # exhumation dates: the graves were opened over about eight days
    exhumations: list[Exhumation] = []
    opened_on: dict[str, dt.date] = {}
    team = (TeamMember(name="SYNTHETIC archaeologist 1", role="forensic archaeologist",
                       organisation="SYNTHETIC forensic institute"),
            TeamMember(name="SYNTHETIC recorder 1", role="recorder / photographer",
                       organisation="SYNTHETIC forensic institute"))
    supervisors = (
        TeamMember(name="SYNTHETIC officer 1", role="police scene-of-crime officer"),
        TeamMember(name="SYNTHETIC expert 1", role="Ministry of Interior forensic expert"),
        TeamMember(name="SYNTHETIC investigator 1", role="prosecutor's investigator"),
        TeamMember(name="SYNTHETIC investigator 2", role="prosecutor's investigator"),
    )
    for k, grave in enumerate(graves):
        day = _EXHUMATION_START + dt.timedelta(days=k * _EXHUMATION_DAYS // len(graves))
        opened_on[grave.id] = day
        exhumations.append(Exhumation(
            id=f"SYN-EX-{k + 1:04d}", grave_id=grave.id, started_on=day, ended_on=day,
            team=team, supervising_authorities=supervisors,
            method=ExhumationMethod.MIXED if grave.grave_type is GraveType.MASS
            else ExhumationMethod.MANUAL, notes=SYNTHETIC))

    # --- who lies where: categories over bodies ------------------------------------------
    categories: list[str] = []
    for cat in IZIUM_FIGURES:
        categories += [cat] * counts[cat]
    order = rng.permutation(len(categories))
    categories = [categories[i] for i in order]
    # the largest mass grave holds military dead first (synthetic choice)
    if mass_sizes:
        first_mass = f"SYN-G-{min(mass_numbers):04d}"
        mass_slots = [i for i, g in enumerate(grave_slots) if g == first_mass]
        military = [i for i, c in enumerate(categories) if c == "military"]
        for slot, src in zip(mass_slots, military):
            categories[slot], categories[src] = categories[src], categories[slot]

    remains: list[Remains] = []
    examinations: list[Examination] = []
    true_sex: dict[str, Sex] = {}
    death_dates: dict[str, dt.date] = {}
    ages: dict[str, int] = {}
    cat_of: dict[str, str] = {}
    for k, (grave_id, cat) in enumerate(zip(grave_slots, categories)):
        code = f"SYN-IZ-{k + 1:04d}"
        cat_of[code] = cat
        if cat == "women":
            sex = Sex.FEMALE
        elif cat in ("men", "military"):
            sex = Sex.MALE
        else:
            sex = Sex.FEMALE if rng.random() < 0.5 else Sex.MALE
        true_sex[code] = sex
        age = int(rng.integers(3, 17)) if cat == "children" else \
            int(rng.integers(19, 55)) if cat == "military" else int(np.clip(rng.normal(58, 17), 18, 95))
        ages[code] = age
        mech = _choice(rng, _MILITARY_MECHANISMS if cat == "military" else _CIVILIAN_MECHANISMS)
        weapon = mech.weapon_class
        if mech is MechanismClass.AIR_STRIKE:
            candidates = [i for i in by_weapon[WeaponClass.EXPLOSIVE_WIDE_AREA] if "air" in i.description]
        elif mech is MechanismClass.BLAST_SHRAPNEL:
            candidates = [i for i in by_weapon[WeaponClass.EXPLOSIVE_WIDE_AREA] if "air" not in i.description]
        else:
            candidates = by_weapon.get(weapon, [])
        incident = candidates[int(rng.integers(len(candidates)))] if candidates else None
        death = incident.occurred_on if incident else _day(rng, dt.date(2022, 3, 1), dt.date(2022, 9, 10))
        death_dates[code] = death
        grave = grave_by_id[grave_id]
        is_mass = grave.grave_type is GraveType.MASS
        kind = RemainsKind.COMMINGLED if is_mass and rng.random() < 0.5 else RemainsKind.BODY
        effects = []
        if rng.random() < 0.6:
            effects.append(PersonalEffect(id=f"{code}-E1", category=EffectCategory.CLOTHING,
                                          description="SYNTHETIC: clothing, dark jacket"))
        if cat == "military":
            effects.append(PersonalEffect(id=f"{code}-E2", category=EffectCategory.DOCUMENT,
                                          description="SYNTHETIC: military identity tag"))
        bound = mech is MechanismClass.GUNSHOT and rng.random() < 0.1
        if bound:
            effects.append(PersonalEffect(id=f"{code}-E3", category=EffectCategory.LIGATURE,
                                          description="SYNTHETIC: cord binding the hands"))
        if mech in (MechanismClass.GUNSHOT, MechanismClass.BLAST_SHRAPNEL) and rng.random() < 0.3:
            effects.append(PersonalEffect(id=f"{code}-E4", category=EffectCategory.PROJECTILE,
                                          description="SYNTHETIC: recovered projectile / fragment"))
        remains.append(Remains(
            code=code, kind=kind, grave_id=grave_id,
            incident_id=incident.id if incident else None, recovered_on=opened_on[grave_id],
            position="supine, head to the west" if not is_mass else "commingled, mass grave",
            location=grave.location, depth_m=round(float(rng.uniform(0.6, 1.5)), 2),
            condition=Condition.SKELETONISED if rng.random() < 0.1 else (
                Condition.BURNT if mech is MechanismClass.AIR_STRIKE and rng.random() < 0.3
                else Condition.DECOMPOSED),
            effects=tuple(effects), status=RemainsStatus.SAMPLED,
            storage_location="SYNTHETIC morgue, refrigerated container 2",
            notes=SYNTHETIC + (". Commingled unit: DNA of one individual typed" if
                               kind is RemainsKind.COMMINGLED else "")))
        spread = 5 if cat == "children" else 10
        injuries = () if mech is MechanismClass.UNDETERMINED else (
            Injury(description=f"SYNTHETIC: {_CAUSE_LINES[mech][0].lower()}",
                   body_region=_INJURY_REGIONS[int(rng.integers(len(_INJURY_REGIONS)))],
                   mechanism=mech, perimortem=True,
                   foreign_object_id=f"{code}-E4" if any(e.id == f"{code}-E4" for e in effects)
                   else None),)
        manner = (Manner.HOMICIDE if mech in (MechanismClass.GUNSHOT, MechanismClass.STAB,
                                              MechanismClass.BLUNT_FORCE)
                  else Manner.UNDETERMINED if mech is MechanismClass.UNDETERMINED else Manner.PENDING)
        stature_mid = (110 + 4 * age if cat == "children" and age < 14 else
                       (176 if sex is Sex.MALE else 164))
        examinations.append(Examination(
            id=f"SYN-PME-{k + 1:04d}", remains_code=code,
            examined_on=opened_on[grave_id] + dt.timedelta(days=int(rng.integers(1, 40))),
            prosector="SYNTHETIC prosector 1", persons_present=("SYNTHETIC investigator 1",),
            sex=Sex.UNKNOWN if cat == "undetermined_sex" else sex,
            age=Range(minimum=max(0, age - spread // 2), maximum=min(17, age + spread // 2))
            if cat == "children" else Range(minimum=max(18, age - spread), maximum=age + spread),
            stature=Range(minimum=stature_mid - 6, maximum=stature_mid + 6),
            injuries=injuries, cause_of_death=_CAUSE_LINES[mech], mechanism=mech, manner=manner,
            torture_signs=mech is MechanismClass.GUNSHOT and rng.random() < 0.15,
            hands_bound=bound,
            status=CombatantStatus.MILITARY if cat == "military" else (
                CombatantStatus.UNKNOWN if cat == "undetermined_sex" else CombatantStatus.CIVILIAN),
            notes=SYNTHETIC))

    # --- missing persons: most bodies reported, plus persons not in the site -------------
    codes = [r.code for r in remains]
    n_reported = round(share_reported * bodies)
    reported = sorted(int(i) for i in rng.choice(bodies, size=n_reported, replace=False))
    n_elsewhere = round(share_not_in_site * bodies)
    people: list[tuple[str | None, Sex, int, str]] = []   # (remains code, sex, age, category)
    for i in reported:
        people.append((codes[i], true_sex[codes[i]], ages[codes[i]], cat_of[codes[i]]))
    for _ in range(n_elsewhere):
        sex = Sex.FEMALE if rng.random() < 0.5 else Sex.MALE
        people.append((None, sex, int(np.clip(rng.normal(50, 18), 18, 92)), "elsewhere"))
    order = rng.permutation(len(people))
    people = [people[i] for i in order]

    missing: list[MissingPerson] = []
    donors: list[Donor] = []
    samples: list[Sample] = []
    custody: list[CustodyEvent] = []
    profiles: list[DnaProfile] = []
    families: dict[str, FamilyPlan] = {}
    truth: dict[str, str | None] = {code: None for code in codes}
    body_genotypes: dict[str, dict[str, Genotype]] = {}
    donor_counter = 0
    custody_counter = 0

    def custody_event(item_kind: CustodyItemKind, item: str, src: str, dst: str, when: dt.datetime,
                      why: str) -> None:
        nonlocal custody_counter
        custody_counter += 1
        custody.append(CustodyEvent(id=f"SYN-CE-{custody_counter:06d}", item_kind=item_kind,
                                    item_id=item, from_party=src, to_party=dst, occurred_at=when,
                                    reason=f"{why} (SYNTHETIC)"))

    for k, (code, sex, age, cat) in enumerate(people):
        mp_id = f"SYN-MP-{k + 1:04d}"
        is_child = cat == "children"
        if code is not None:
            truth[code] = mp_id
            last_seen = death_dates[code] - dt.timedelta(days=int(rng.integers(0, 6)))
            last_seen = max(last_seen, dt.date(2022, 2, 24))
        else:
            last_seen = _day(rng, dt.date(2022, 3, 1), dt.date(2022, 9, 10))
        reported_on = min(last_seen + dt.timedelta(days=int(rng.integers(3, 120))),
                          dt.date(2023, 3, 1))
        birth = last_seen - dt.timedelta(days=int(age * 365.25 + rng.integers(0, 365)))
        given = (_GIVEN_F if sex is Sex.FEMALE else _GIVEN_M)[int(rng.integers(8))]
        father_given = _GIVEN_M[int(rng.integers(8))]
        patronymic = _PATRONYMIC[father_given][1 if sex is Sex.FEMALE else 0]
        military = cat == "military"
        missing.append(MissingPerson(
            id=mp_id, surname=f"SYNTHETIC-{k + 1:04d}", given_name=given, patronymic=patronymic,
            birth_date=birth, birth_place="SYNTHETIC village", sex=sex,
            height_cm=float(round(rng.normal(176 if sex is Sex.MALE else 164, 6)))
            if not is_child else float(round(110 + 4 * min(age, 14))),
            last_seen_place="SYNTHETIC street of the town", last_seen_on=last_seen,
            circumstances="SYNTHETIC: did not return home during the shelling",
            clothing="SYNTHETIC: dark jacket", status=CombatantStatus.MILITARY if military
            else CombatantStatus.CIVILIAN,
            military_unit="SYNTHETIC unit A" if military else None,
            reported_by="SYNTHETIC relative", reported_on=reported_on,
            sharing_level=SharingLevel.GOVERNMENT, notes=SYNTHETIC))
        n_donors = int(rng.choice([1, 2, 3, 4], p=[0.3, 0.35, 0.2, 0.15]))
        plan = plan_family(rng, missing_sex=sex, child=is_child, n_donors=n_donors)
        families[mp_id] = plan
        genotypes = dropper.family(plan.pedigree, rng)
        family_id = f"SYN-FAM-{k + 1:04d}"
        for role in plan.donors:
            donor_counter += 1
            donor_id = f"SYN-D-{donor_counter:05d}"
            person = plan.pedigree[role]
            donor_sex = person.sex
            relation = _donor_relationship(role, donor_sex)
            taken = reported_on + dt.timedelta(days=int(rng.integers(1, 90)))
            donors.append(Donor(
                id=donor_id, missing_person_id=mp_id,
                full_name=f"SYNTHETIC relative {role} of {mp_id}", sex=donor_sex,
                relationship=relation, family_id=family_id, pedigree_id=role,
                # in stored records the missing person's pedigree id is their own id
                pedigree_father=mp_id if person.father == MISSING_ID else person.father,
                pedigree_mother=mp_id if person.mother == MISSING_ID else person.mother,
                consent=ConsentScope.ALSO_COURT if rng.random() < 0.7
                else ConsentScope.IDENTIFICATION_ONLY, consent_on=taken,
                sharing_level=SharingLevel.GOVERNMENT,
                collection_place="SYNTHETIC collection point" if rng.random() < 0.8
                else "SYNTHETIC collection point abroad", notes=SYNTHETIC))
            barcode = f"SYN-AM-{donor_counter:06d}"
            samples.append(Sample(barcode=barcode, source=SampleSource.DONOR, donor_id=donor_id,
                                  element=SampleElement.BUCCAL_SWAB, collected_on=taken,
                                  laboratory="SYNTHETIC DNA laboratory",
                                  result_status=ResultStatus.PROFILE_OBTAINED, notes=SYNTHETIC))
            when = dt.datetime.combine(taken, dt.time(10, 0), tzinfo=dt.timezone.utc)
            custody_event(CustodyItemKind.SAMPLE, barcode, "SYNTHETIC sample collector",
                          "SYNTHETIC DNA laboratory", when + dt.timedelta(days=2),
                          "reference sample sent for typing")
            profiles.append(DnaProfile(sample_barcode=barcode, genotypes=dict(genotypes[role]),
                                       kit=DEMO_KIT, laboratory="SYNTHETIC DNA laboratory",
                                       quality=ProfileQuality.FULL,
                                       typed_on=taken + dt.timedelta(days=int(rng.integers(10, 60)))))
        if code is not None:
            body_genotypes[code] = genotypes[MISSING_ID]

    unreported = [c for c in codes if c not in body_genotypes]
    for c, g in zip(unreported, dropper.unrelated(len(unreported), rng), strict=True):
        body_genotypes[c] = g

    # --- post-mortem samples, custody and profiles ---------------------------------------
    names = [m.name for m in markers]
    for k, (rem, exam) in enumerate(zip(remains, examinations)):
        barcode = f"SYN-PM-{k + 1:06d}"
        u = rng.random()
        status = (ResultStatus.NO_USABLE_DNA if u < share_no_dna else
                  ResultStatus.PARTIAL_PROFILE if u < share_no_dna + share_partial
                  else ResultStatus.PROFILE_OBTAINED)
        element = SampleElement.TOOTH if rng.random() < 0.3 else SampleElement.BONE
        samples.append(Sample(barcode=barcode, source=SampleSource.REMAINS, remains_code=rem.code,
                              element=element, collected_on=exam.examined_on,
                              laboratory="SYNTHETIC DNA laboratory",
                              ordered_by="SYNTHETIC prosecutor's order No. SYN-2022-0917",
                              result_status=status, notes=SYNTHETIC))
        recovered = dt.datetime.combine(rem.recovered_on, dt.time(16, 0), tzinfo=dt.timezone.utc)
        custody_event(CustodyItemKind.REMAINS, rem.code, "SYNTHETIC exhumation team",
                      "SYNTHETIC morgue", recovered, "body recovered and taken to the morgue")
        sampled = dt.datetime.combine(exam.examined_on, dt.time(12, 0), tzinfo=dt.timezone.utc)
        custody_event(CustodyItemKind.SAMPLE, barcode, "SYNTHETIC prosector 1",
                      "SYNTHETIC evidence officer", sampled, "sample taken at post-mortem examination")
        custody_event(CustodyItemKind.SAMPLE, barcode, "SYNTHETIC evidence officer",
                      "SYNTHETIC DNA laboratory", sampled + dt.timedelta(days=1),
                      "sample sent for DNA extraction under the prosecutor's order")
        if status is ResultStatus.NO_USABLE_DNA:
            continue
        genotype = body_genotypes[rem.code]
        quality = ProfileQuality.FULL
        if status is ResultStatus.PARTIAL_PROFILE:
            lost = rng.choice(len(names), size=int(rng.integers(4, 12)), replace=False)
            dropped = {names[i] for i in lost}
            genotype = {locus: g for locus, g in genotype.items() if locus not in dropped}
            quality = ProfileQuality.PARTIAL
        profiles.append(DnaProfile(sample_barcode=barcode, genotypes=dict(genotype), kit=DEMO_KIT,
                                   laboratory="SYNTHETIC DNA laboratory", quality=quality,
                                   typed_on=exam.examined_on + dt.timedelta(days=int(rng.integers(20, 90)))))

    return Scenario(
        seed=seed, markers=markers, site=site, hazard_areas=hazards, incidents=incidents,
        graves=tuple(graves), exhumations=tuple(exhumations), remains=tuple(remains),
        examinations=tuple(examinations), missing_persons=tuple(missing), donors=tuple(donors),
        samples=tuple(samples), custody_events=tuple(custody), profiles=tuple(profiles),
        truth=truth, families=families, categories=cat_of)
