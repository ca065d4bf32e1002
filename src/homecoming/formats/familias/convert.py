"""Conversions between Familias files and our formats: :func:`to_kinship_case` and
:func:`to_dvi_dataset` (also methods of :class:`~.model.FamiliasFile`), and
:func:`familias_from_kinship_case` / :func:`familias_from_dvi_dataset`. The documented
choices are in :mod:`homecoming.formats.familias`.

Messages (errors and import-report notes/warnings) never quote a person's name: Familias
names are free text and in casework may be real names. A person is named by position,
as :mod:`.read` does: ``individual 3`` (main part, 1-based), ``extra female 2`` (the
unnamed extras), ``unidentified person 4``, ``reference family 2, person 3`` and, for a
person known only from a pedigree's relations, ``reference family 2, pedigree 'P1',
relation 5``. Pedigree names (``"H1"``, ``"paternity"``, ``"unrelated"``) are kept: they
are labels of hypotheses chosen by the lab, and :mod:`.read` quotes them too. Reference
families are named by their number, not their name: labs often name a family after the
missing person (a surname), so the name may be a personal datum."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from homecoming.errors import FormatError, InputError
from homecoming.formats.familias.model import (
    DVI_DATASET_FORMAT,
    KINSHIP_CASE_FORMAT,
    MISSING_PERSON,
    MODEL_FROM_CODE,
    DviFamily,
    DviPedigree,
    DviPerson,
    FamiliasDvi,
    FamiliasFile,
    FamiliasLocus,
    FamiliasPedigree,
    FamiliasPerson,
    FamiliasRelation,
)
from homecoming.formats.report import ImportReport
from homecoming.genetics.alleles import is_valid_allele
from homecoming.genetics.mutation import pm_stationary


def markers_json(ff: FamiliasFile, names: Iterable[str] | None = None, *,
                 chromosome: str = "autosomal",
                 report: ImportReport | None = None) -> list[dict]:
    """The database as kinship-case@1 ``markers`` items (all loci, or those named)."""
    report = report if report is not None else ff.report
    wanted = None if names is None else set(names)
    return [_locus_json(loc, chromosome, report) for loc in ff.loci
            if wanted is None or loc.name in wanted]


def to_kinship_case(ff: FamiliasFile, *, reference: str | None = None, all_markers: bool = False,
                    chromosome: str = "autosomal") -> dict:
    """The pedigrees of the main part as a kinship-case@1 JSON dict (see module doc).

    :param reference: name of the reference pedigree (default: see module doc).
    :param all_markers: keep markers that nobody is typed for.
    :param chromosome: ``"autosomal"`` or ``"X"`` for every marker (``.fam`` does not say).
    """
    report = ff.report
    where = ff.path or "Familias file"
    if not ff.persons and not ff.known_extra_females and not ff.known_extra_males:
        raise InputError(f"{where}: has no individuals (a database-only or DVI file); "
                         "expected individuals and pedigrees for a kinship case (Tip: use "
                         "to_dvi_dataset() for a DVI file)", field="individuals")
    _check_person_names(ff)
    genotypes = {p.name: {m: list(g) for m, g in p.genotypes.items()}
                 for p in ff.persons if p.genotypes}
    typed = {m for g in genotypes.values() for m in g}
    loci = [loc.name for loc in ff.loci if all_markers or loc.name in typed]
    pedigrees = list(ff.pedigrees)
    if not pedigrees:
        pedigrees = [FamiliasPedigree("Known relations")]
        report.note("the file defines no pedigrees; the known relations form one hypothesis")
    hypotheses = []
    for ped in pedigrees:
        hypotheses.append({"name": ped.name, "pedigree": _pedigree_json(ff, ped)})
    names = [h["name"] for h in hypotheses]
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        raise FormatError(f"pedigree names {dup} are used more than once; expected unique "
                          "names", path=ff.path, value=dup)
    if reference is None:
        unrelated = [h["name"] for h, ped in zip(hypotheses, pedigrees)
                     if not ped.relations and not ff.known_relations]
        if len(hypotheses) == 1:
            if unrelated:
                reference = unrelated[0]
            else:
                ref_name = "unrelated"
                while ref_name in names:
                    ref_name += "_"
                hypotheses.append({"name": ref_name, "pedigree": [
                    {"id": p.name, "father": None, "mother": None,
                     "sex": "male" if p.male else "female"} for p in ff.persons]})
                reference = ref_name
                report.note(f"one pedigree only; added the reference hypothesis "
                            f"{ref_name!r} (everybody unrelated)")
        elif len(unrelated) == 1:
            reference = unrelated[0]
        else:
            reference = names[-1]
        report.note(f"reference hypothesis: {reference!r}")
    elif reference not in names:
        raise InputError(f"reference {reference!r} is not a pedigree of {where}; expected "
                         f"one of {names}", field="reference", value=reference)
    case = {
        "format": KINSHIP_CASE_FORMAT,
        "theta": ff.theta,
        "markers": markers_json(ff, loci, chromosome=chromosome, report=report),
        "genotypes": {pid: {m: g for m, g in gt.items() if m in loci}
                      for pid, gt in genotypes.items()},
        "hypotheses": hypotheses,
        "reference": reference,
    }
    dropout = _dropout_json(ff, loci)
    if dropout:
        case["dropout"] = dropout
    return case


def _dropout_json(ff: FamiliasFile, loci: Sequence[str]) -> dict[str, float] | None:
    """``{person: d}`` for persons marked "Consider dropouts" (kinship-case extension).

    Familias gives one dropout probability per marker; our format has one per person, so
    this works when all markers used share one nonzero value (the usual case), and is
    reported as not representable otherwise.
    """
    marked = [p.name for p in ff.persons if p.consider_dropout]
    if not marked:
        return None
    values = {loc.dropout_probability or 0.0 for loc in ff.loci if loc.name in loci}
    nonzero = sorted(v for v in values if v > 0)
    if not nonzero:
        return None
    if len(values) > 1:
        ff.report.warn(f"per-marker dropout probabilities differ ({sorted(values)}); "
                         "kinship-case@1 has one dropout value per person, so dropout is "
                         "left out")
        return None
    ff.report.note(f"dropout {nonzero[0]:g} for {len(marked)} persons marked "
                     "'Consider dropouts'")
    return {name: nonzero[0] for name in marked}


def to_dvi_dataset(ff: FamiliasFile, *, missing_prefix: str = "Missing",
                   undecided_sex: str = "unknown", all_markers: bool = False,
                   chromosome: str = "autosomal") -> dict:
    """The ``[DVI]`` section as a dvi-dataset@1 JSON dict (see module doc).

    :param missing_prefix: names starting with this are missing persons.
    :param undecided_sex: sex given to people whose sex the file does not decide:
        ``"unknown"`` (default: pairs with victims of either sex), ``"auto"`` (the more
        common sex among the victims, female on a tie), ``"female"`` (as
        pedFamilias/dvir) or ``"male"``.
    """
    if undecided_sex not in ("auto", "male", "female", "unknown"):
        raise InputError(f"undecided_sex {undecided_sex!r}; expected 'auto', 'male', "
                         "'female' or 'unknown'", field="undecided_sex",
                         value=undecided_sex)
    where = ff.path or "Familias file"
    if ff.dvi is None:
        raise InputError(f"{where}: has no [DVI] section; expected a Familias DVI file "
                         "(Tip: use to_kinship_case() for a pedigree file)", field="[DVI]")
    report = ff.report
    dvi = ff.dvi
    victims = []
    for v in dvi.unidentified:
        victims.append({"id": v.name, "sex": v.sex,
                        "genotypes": {m: list(g) for m, g in v.genotypes.items()}})
    victim_ids = [v["id"] for v in victims]
    if len(set(victim_ids)) != len(victim_ids):
        at = _positions(victim_ids, {n for n in victim_ids if victim_ids.count(n) > 1})
        raise FormatError(f"unidentified persons {at} have the same name as another; "
                          "expected unique names", path=ff.path, value=at)
    if undecided_sex == "auto":
        n_male = sum(1 for v in victims if v["sex"] == "male")
        n_female = sum(1 for v in victims if v["sex"] == "female")
        undecided_sex = "male" if n_male > n_female else "female"
    built = []
    for k, fam in enumerate(dvi.families):
        built.append(_dvi_family(ff, fam, k + 1, missing_prefix, undecided_sex, report))
    # qualify ids that are not unique across the dataset
    seen: dict[str, int] = {}
    for vid in victim_ids:
        seen[vid] = seen.get(vid, 0) + 1
    for _fam_name, ped, _missing, _gt in built:
        for p in ped:
            seen[p["id"]] = seen.get(p["id"], 0) + 1
    clashes = {i for i, n in seen.items() if n > 1}
    families = []
    family_names = [b[0] for b in built]
    if len(set(family_names)) != len(family_names):
        at = _positions(family_names, {n for n in family_names if family_names.count(n) > 1})
        raise FormatError(f"reference families {at} have the same name as another; "
                          "expected unique names", path=ff.path, value=at)
    qualified_any = False
    for fam_name, ped, missing, gt in built:
        def q(pid: str | None, fam_name: str = fam_name) -> str | None:
            if pid is None or pid not in clashes:
                return pid
            return f"{pid} [{fam_name}]"
        if any(p["id"] in clashes for p in ped):
            qualified_any = True
        families.append({
            "name": fam_name,
            "pedigree": [{"id": q(p["id"]), "father": q(p["father"]),
                          "mother": q(p["mother"]), "sex": p["sex"]} for p in ped],
            "missing": [q(m) for m in missing],
            "genotypes": {q(pid): g for pid, g in gt.items()},
        })
    if qualified_any:
        report.note("person names used in more than one family (or by a victim) are "
                    "qualified as '<name> [<family>]'")
    typed = {m for v in victims for m in v["genotypes"]}
    typed |= {m for f in families for g in f["genotypes"].values() for m in g}
    loci = [loc.name for loc in ff.loci if all_markers or loc.name in typed]
    unknown = sorted(typed - {loc.name for loc in ff.loci})
    if unknown:
        raise FormatError(f"DVI genotypes use markers {unknown} that are not in the "
                          "database; expected database loci", path=ff.path, value=unknown)
    return {
        "format": DVI_DATASET_FORMAT,
        "theta": ff.theta,
        "markers": markers_json(ff, loci, chromosome=chromosome, report=report),
        "victims": [{**v, "genotypes": {m: g for m, g in v["genotypes"].items()
                                        if m in loci}} for v in victims],
        "families": families,
    }

# --- helpers --------------------------------------------------------------------------
def _main_who(ff: FamiliasFile, ped: FamiliasPedigree | None = None) -> dict[str, str]:
    """Person name -> its position in the main part, for messages (see module doc)."""
    who: dict[str, str] = {}
    for k, p in enumerate(ff.persons):
        who.setdefault(p.name, f"individual {k + 1}")
    for k, n in enumerate(ff.known_extra_females):
        who.setdefault(n, f"extra female {k + 1} (known relations)")
    for k, n in enumerate(ff.known_extra_males):
        who.setdefault(n, f"extra male {k + 1} (known relations)")
    if ped is not None:
        for k, n in enumerate(ped.extra_females):
            who.setdefault(n, f"extra female {k + 1} of pedigree {ped.name!r}")
        for k, n in enumerate(ped.extra_males):
            who.setdefault(n, f"extra male {k + 1} of pedigree {ped.name!r}")
    return who


def _positions(names: Sequence[str], dup: Iterable[str]) -> list[int]:
    """1-based positions of the names in ``dup`` (for 'listed twice' messages)."""
    bad = set(dup)
    return [k + 1 for k, n in enumerate(names) if n in bad]


def _check_person_names(ff: FamiliasFile) -> None:
    names = [p.name for p in ff.persons] + ff.known_extra_females + ff.known_extra_males
    if len(set(names)) != len(names):
        at = _positions(names, {n for n in names if names.count(n) > 1})
        raise FormatError(f"individuals {at} (counting extras after the individuals) have "
                          "the same name as another; expected unique names", path=ff.path,
                          value=at)


def _pedigree_json(ff: FamiliasFile, ped: FamiliasPedigree) -> list[dict]:
    sex = {p.name: ("male" if p.male else "female") for p in ff.persons}
    for n in ff.known_extra_females + ped.extra_females:
        sex[n] = "female"
    for n in ff.known_extra_males + ped.extra_males:
        sex[n] = "male"
    who = _main_who(ff, ped)
    father: dict[str, str] = {}
    mother: dict[str, str] = {}
    for rel in list(ff.known_relations) + list(ped.relations):
        if rel.kind != "parent":
            raise FormatError(f"pedigree {ped.name!r}: identical twins ('Direct' relation "
                              f"between {who.get(rel.parent, 'an unknown person')} and "
                              f"{who.get(rel.child, 'an unknown person')}) are not "
                              "supported; expected parent-child relations only",
                              path=ff.path)
        for n in (rel.parent, rel.child):
            if n not in sex:
                raise FormatError(f"pedigree {ped.name!r}: a relation names a person who is "
                                  "not an individual or extra of the file; expected known "
                                  "persons", path=ff.path)
        role = father if sex[rel.parent] == "male" else mother
        if rel.child in role and role[rel.child] != rel.parent:
            raise FormatError(f"pedigree {ped.name!r}: {who[rel.child]} has two "
                              f"{'fathers' if role is father else 'mothers'} "
                              f"({who[role[rel.child]]}, {who[rel.parent]}); expected one",
                              path=ff.path, value=who[rel.child])
        role[rel.child] = rel.parent
    return _complete_pedigree(list(sex), sex, father, mother, ff.report,
                              f"pedigree {ped.name!r}", who)


def _dvi_family(ff: FamiliasFile, fam: DviFamily, number: int, missing_prefix: str,
                undecided_sex: str, report: ImportReport):
    family = f"reference family {number}"
    if not fam.pedigrees:
        raise FormatError(f"{family} has no pedigree; expected at least one", path=ff.path,
                          value=number)
    ped = fam.pedigrees[-1]
    if len(fam.pedigrees) > 2:
        report.note(f"{family}: {len(fam.pedigrees)} pedigrees; the last one, "
                    f"{ped.name!r}, is used")
    sex: dict[str, str] = {}
    who: dict[str, str] = {}
    for j, p in enumerate(fam.persons):
        if p.name in sex:
            raise FormatError(f"{family}, person {j + 1} has the same name as "
                              f"{who[p.name]}; expected unique names", path=ff.path,
                              value=j + 1)
        sex[p.name] = p.sex
        who[p.name] = f"{family}, person {j + 1}"
    genotypes = {p.name: {m: list(g) for m, g in p.genotypes.items()}
                 for p in fam.persons if p.genotypes}
    extras = []
    for r, (parent, child) in enumerate(ped.relations):
        for n in (parent, child):
            if n not in sex:
                sex[n] = "unknown"
                extras.append(n)
                who[n] = f"{family}, pedigree {ped.name!r}, relation {r + 1}"
    # decide the sex of parents whose sex is not recorded (e.g. "Missing person")
    parents_of: dict[str, list[str]] = {}
    for parent, child in ped.relations:
        parents_of.setdefault(child, [])
        if parent not in parents_of[child]:
            parents_of[child].append(parent)
    for child, pars in parents_of.items():
        if len(pars) > 2:
            raise FormatError(f"{family}, pedigree {ped.name!r}: {who[child]} has "
                              f"{len(pars)} parents; expected at most two",
                              path=ff.path, value=len(pars))
    for _ in range(3):
        for _child, pars in parents_of.items():
            if len(pars) == 2:
                a, b = pars
                if sex[a] == "unknown" and sex[b] in ("male", "female"):
                    sex[a] = "female" if sex[b] == "male" else "male"
                elif sex[b] == "unknown" and sex[a] in ("male", "female"):
                    sex[b] = "female" if sex[a] == "male" else "male"
    for n in extras:
        report.note(f"{who[n]}: a person who is not in the person list; added")
    for n in list(sex):
        if sex[n] == "unknown" and undecided_sex != "unknown":
            sex[n] = undecided_sex
            report.warn(f"{who[n]}: the file does not record the sex and no co-parent "
                        f"decides it; taken as {undecided_sex!r}")

    father: dict[str, str] = {}
    mother: dict[str, str] = {}
    for child, pars in parents_of.items():
        if len(pars) == 2:
            a, b = pars
            if sex[a] == "female" or sex[b] == "male":
                a, b = b, a
            if sex[a] == "female" or sex[b] == "male":
                raise FormatError(f"{family}, pedigree {ped.name!r}: the parents of "
                                  f"{who[child]} ({who[a]}; {who[b]}) have the same sex; "
                                  "expected a father and a mother", path=ff.path)
            father[child], mother[child] = a, b
        else:
            (a,) = pars
            if sex[a] == "female":
                mother[child] = a
            else:
                father[child] = a
    # an undecided parent takes the sex of its role (a father is male, a mother female)
    for role, parent_of, role_sex in (("father", father, "male"),
                                      ("mother", mother, "female")):
        for child, a in parent_of.items():
            if sex[a] == "unknown":
                sex[a] = role_sex
                report.warn(f"{who[a]}: the file does not record the sex; taken as "
                            f"{role_sex!r} as the {role} of {who[child]}")
    for n in [p.name for p in fam.persons] + extras:
        if sex.get(n) == "unknown":
            report.warn(f"{who[n]}: the file does not record the sex and no co-parent "
                        "decides it; kept as 'unknown' (pairs with victims of either sex)")
    # keep people connected by at least one relation (all, if there are no relations)
    connected = {n for rel in ped.relations for n in rel}
    order = [p.name for p in fam.persons] + extras
    if connected:
        dropped = [n for n in order if n not in connected]
        for n in dropped:
            what = "typed" if n in genotypes else "untyped"
            report.note(f"{who[n]}: {what} person not connected in pedigree "
                        f"{ped.name!r}; left out")
        order = [n for n in order if n in connected]
    persons = _complete_pedigree(order, sex, father, mother, report, family, who)
    ids = {p["id"] for p in persons}
    missing = [n for n in order
               if n == MISSING_PERSON or n.startswith(missing_prefix)]
    missing = [m for m in missing if m in ids]
    if not missing:
        report.warn(f"{family}: no missing person (nobody named "
                    f"{MISSING_PERSON!r} or starting with {missing_prefix!r})")
    typed_missing = [m for m in missing if m in genotypes]
    if typed_missing:
        at = [who[m] for m in typed_missing]
        raise FormatError(f"{family}: missing persons ({'; '.join(at)}) have DNA data; "
                          "expected untyped missing persons", path=ff.path)
    genotypes = {k: v for k, v in genotypes.items() if k in ids}
    return fam.name, persons, missing, genotypes


def _complete_pedigree(order: Sequence[str], sex: Mapping[str, str], father: dict[str, str],
                       mother: dict[str, str], report: ImportReport, what: str,
                       who: Mapping[str, str]) -> list[dict]:
    """Pedigree JSON items; a child with one parent gets the other as an added founder."""
    out = []
    added = []
    taken = set(order)
    for n in order:
        f, m = father.get(n), mother.get(n)
        if (f is None) != (m is None):
            role = "father" if f is None else "mother"
            new = f"added {role} of {n}"
            while new in taken:
                new += "_"
            taken.add(new)
            added.append({"id": new, "father": None, "mother": None,
                          "sex": "male" if role == "father" else "female"})
            if f is None:
                f = new
            else:
                m = new
            person = who.get(n, "a person")
            prefix = "" if person.startswith(what) else f"{what}: "
            report.fix(f"{prefix}{person} has one parent; added the other ({role}), untyped")
        out.append({"id": n, "father": f, "mother": m, "sex": sex[n]})
    return added + out


def _is_repeat_number(allele: str, locus: str | None = None) -> bool:
    """Whether a stepwise model can use ``allele``: an STR allele of the one grammar
    (:func:`homecoming.genetics.alleles.is_valid_allele`)."""
    return is_valid_allele(allele, locus)


def _locus_json(loc: FamiliasLocus, chromosome: str, report: ImportReport) -> dict:
    item: dict = {"name": loc.name, "chromosome": chromosome, "alleles": list(loc.alleles),
                  "frequencies": list(loc.frequencies)}
    if loc.has_silent and loc.silent_frequency > 0:
        item["silent_frequency"] = loc.silent_frequency
    codes = {"female": loc.female_model, "male": loc.male_model}
    stepwise = any(c >= 2 for c in codes.values())
    fallback = False
    if stepwise and not all(_is_repeat_number(a, loc.name) for a in loc.alleles):
        bad = next(a for a in loc.alleles if not _is_repeat_number(a, loc.name))
        fallback = True
        report.fix(f"locus {loc.name}: allele name {bad!r} is not a repeat number, so a "
                   "stepwise model cannot be used; changed to the 'equal' model with the same "
                   "rate")
    if loc.female_rate == 0 and loc.male_rate == 0:
        item["mutation"] = None
        return item
    mutation = {}
    for sex, code, rate, rate2, rng in (
            ("female", loc.female_model, loc.female_rate, loc.female_rate2, loc.female_range),
            ("male", loc.male_model, loc.male_rate, loc.male_rate2, loc.male_range)):
        if fallback and code >= 2:
            code = 0
        model = MODEL_FROM_CODE[code]
        spec: dict = {"model": model, "rate": rate}
        if model == "stepwise":
            spec["rate2"] = rate2
            spec["range"] = rng
            if code == 3 and rate > 0:
                matrix = _stationary_stepwise(loc, spec, sex, report)
                if matrix is not None:
                    spec["matrix"] = matrix
        mutation[sex] = spec
    item["mutation"] = mutation
    return item


def _stationary_stepwise(loc: FamiliasLocus, spec: dict, sex: str,
                         report: ImportReport) -> list[list[float]] | None:
    from homecoming.genetics.markers import MutationSpec
    from homecoming.genetics.mutation import mutation_matrix

    if loc.has_silent and loc.silent_frequency > 0:
        report.warn(f"locus {loc.name}: stationary stepwise model ({sex}) with a silent allele; "
                    "the plain stepwise matrix is used")
        return None
    try:
        m = mutation_matrix(MutationSpec("stepwise", rate=spec["rate"], rate2=spec["rate2"],
                                         range=spec["range"]), loc.alleles, loc.frequencies,
                            marker=loc.name, sex=sex)
    except InputError as exc:
        raise FormatError(f"locus {loc.name}: {exc}", expected="a valid stepwise model") \
            from None
    p = pm_stationary(m, loc.frequencies)
    if p is None:
        report.warn(f"locus {loc.name}: no stationary (PM) version of the {sex} stepwise model "
                    "exists; the plain stepwise matrix is used")
        return None
    # rows renormalised against rounding so they sum to 1 exactly enough for the validator
    rows = p / p.sum(axis=1, keepdims=True)
    return [[float(x) for x in row] for row in rows]


def _code_for(spec: Mapping | None, marker: str, sex: str) -> tuple[int, float, float, float]:
    """(code, rate, rate2, range) for one sex's mutation spec (kinship-case@1 JSON)."""
    if spec is None:
        return 0, 0.0, 0.0, 0.1
    model = spec.get("model")
    rate = float(spec.get("rate") or 0.0)
    if model == "equal":
        return 0, rate, 0.0, 0.1
    if model == "proportional":
        return 1, rate, 0.0, 0.1
    if model == "stepwise":
        rate2 = spec.get("rate2")
        rng = float(spec.get("range") if spec.get("range") is not None else 0.1)
        return (2 if rate2 is None else 4), rate, float(rate2 or 0.0), rng
    raise InputError(f"marker {marker}: {sex} mutation model {model!r} cannot be written to a "
                     "Familias .fam file; expected 'equal', 'proportional' or 'stepwise'",
                     field="mutation", value=model)


def familias_from_kinship_case(case: Mapping, *, database_name: str = "Homecoming",
                               version: str = "3.3", validate: bool = True) -> FamiliasFile:
    """A :class:`FamiliasFile` for a kinship-case@1 dict (each hypothesis a pedigree).

    Everybody who appears in any hypothesis becomes an individual (sex from the first
    hypothesis that names them); the relations of each hypothesis become its pedigree.
    """
    if not isinstance(case, Mapping) or case.get("format") != KINSHIP_CASE_FORMAT:
        got = case.get("format") if isinstance(case, Mapping) else type(case).__name__
        raise InputError(f"format {got!r}; expected {KINSHIP_CASE_FORMAT!r}",
                         field="format", value=got)
    if validate:
        from homecoming.formats.kinship_case import load_kinship_case

        load_kinship_case(case)  # every field checked before anything is converted
    for h in case.get("hypotheses", []):
        if h.get("founder_inbreeding"):
            raise InputError(f"hypothesis {h.get('name')!r}: founder inbreeding cannot be "
                             "written to a Familias .fam file", field="founder_inbreeding")
    for m in case.get("markers", []):
        if m.get("chromosome", "autosomal") != "autosomal":
            raise InputError(f"marker {m.get('name')}: chromosome {m.get('chromosome')!r}; a "
                             "Familias .fam file holds autosomal markers only",
                             field="chromosome", value=m.get("chromosome"))
    fam = FamiliasFile(version=version,
                       header=(f"Output from Familias, version {version}",
                               "Written by Homecoming"),
                       comment="", theta=float(case.get("theta") or 0.0),
                       database_name=database_name)
    for m in case.get("markers", []):
        mut = m.get("mutation") or {}
        fc, fr, fr2, frg = _code_for(mut.get("female"), m["name"], "female")
        mc, mr, mr2, mrg = _code_for(mut.get("male"), m["name"], "male")
        silent = float(m.get("silent_frequency") or 0.0)
        fam.loci.append(FamiliasLocus(
            name=str(m["name"]), alleles=[str(a) for a in m["alleles"]],
            frequencies=[float(f) for f in m["frequencies"]], female_rate=fr, male_rate=mr,
            female_model=fc, male_model=mc, female_range=frg, male_range=mrg,
            female_rate2=fr2, male_rate2=mr2, has_silent=silent > 0, silent_frequency=silent))
    sexes: dict[str, str] = {}
    for h in case.get("hypotheses", []):
        for p in h["pedigree"]:
            sexes.setdefault(p["id"], p.get("sex", "unknown"))
    genotypes = case.get("genotypes", {})
    for pid, sex in sexes.items():
        if sex not in ("male", "female"):
            raise InputError(f"person {pid!r} has sex {sex!r}; Familias needs 'male' or "
                             "'female'", field="sex", value=sex)
        gt = {m: (str(g[0]), str(g[1])) for m, g in genotypes.get(pid, {}).items()
              if len(g) == 2 and None not in g}
        partial = [m for m, g in genotypes.get(pid, {}).items() if len(g) != 2 or None in g]
        if partial:
            raise InputError(f"person {pid!r}: partial or one-allele genotypes at {partial} "
                             "cannot be written to a Familias .fam file", field="genotypes",
                             value=partial)
        fam.persons.append(FamiliasPerson(pid, sex == "male", gt))
    dropout = case.get("dropout") or {}
    values = {float(v) for v in dropout.values() if float(v) > 0}
    if len(values) > 1:
        raise InputError(f"dropout probabilities {sorted(values)} differ between persons; a "
                         "Familias .fam file has one per marker", field="dropout")
    if values:
        (d,) = values
        for loc in fam.loci:
            loc.dropout_probability = d
        for person in fam.persons:
            person.consider_dropout = float(dropout.get(person.name, 0) or 0) > 0
    for h in case.get("hypotheses", []):
        rels = []
        for p in h["pedigree"]:
            for parent in (p.get("father"), p.get("mother")):
                if parent is not None:
                    rels.append(FamiliasRelation(parent, p["id"]))
        fam.pedigrees.append(FamiliasPedigree(h["name"], [], [], rels))
    return fam


def _pair(pid: str, marker: str, g: Sequence) -> tuple[str, str]:
    if len(g) != 2 or None in g:
        raise InputError(f"person {pid!r}, marker {marker}: a partial or one-allele genotype "
                         "cannot be written to a Familias .fam file", field="genotypes",
                         value=marker)
    return str(g[0]), str(g[1])


def familias_from_dvi_dataset(dataset: Mapping, *, database_name: str = "Homecoming",
                              version: str = "3.3 (DVI)", validate: bool = True) -> FamiliasFile:
    """A :class:`FamiliasFile` with a ``[DVI]`` section for a dvi-dataset@1 dict.

    Each family is written with one pedigree. Familias and dvir recognise missing persons by
    name, so a missing person whose id does not start with ``Missing`` is written as
    ``"Missing <id>"`` (and a non-missing person must not be named ``Missing ...``).
    """
    if not isinstance(dataset, Mapping) or dataset.get("format") != DVI_DATASET_FORMAT:
        got = dataset.get("format") if isinstance(dataset, Mapping) else type(dataset).__name__
        raise InputError(f"format {got!r}; expected {DVI_DATASET_FORMAT!r}",
                         field="format", value=got)
    if validate:
        from homecoming.formats.dvi_dataset import load_dvi_dataset

        load_dvi_dataset(dataset)
    case = {"format": KINSHIP_CASE_FORMAT, "theta": dataset.get("theta", 0.0),
            "markers": dataset.get("markers", []), "genotypes": {}, "hypotheses": []}
    fam = familias_from_kinship_case(case, database_name=database_name, version=version,
                                     validate=False)
    fam.header = (f"Output from Familias, version {version.split()[0]}", "Written by Homecoming")
    gender = {"male": "Male", "female": "Female"}
    dvi = FamiliasDvi()
    # Familias (and dvir) recognise missing persons by name: 'Missing person' or 'Missing ...'
    rename: dict[tuple[str, str], str] = {}
    for f in dataset.get("families", []):
        taken = {p["id"] for p in f["pedigree"]}
        for m in f.get("missing", []):
            if m != MISSING_PERSON and not m.startswith("Missing"):
                new = f"Missing {m}"
                while new in taken:
                    new += "_"
                taken.add(new)
                rename[(f["name"], m)] = new
    for v in dataset.get("victims", []):
        dvi.unidentified.append(DviPerson(
            v["id"], gender.get(v.get("sex", "unknown"), "Unknown"),
            {m: _pair(v["id"], m, g) for m, g in v.get("genotypes", {}).items()}))
    for f in dataset.get("families", []):
        fam_gt = f.get("genotypes", {})

        def nm(pid: str, fam_name: str = f["name"]) -> str:
            return rename.get((fam_name, pid), pid)
        persons = [DviPerson(nm(p["id"]), gender.get(p.get("sex", "unknown"), "Unknown"),
                             {m: _pair(p["id"], m, g) for m, g in fam_gt.get(p["id"], {}).items()})
                   for p in f["pedigree"]]
        rels = [(nm(parent), nm(p["id"])) for p in f["pedigree"]
                for parent in (p.get("father"), p.get("mother")) if parent is not None]
        dvi.families.append(DviFamily(f["name"], persons, [DviPedigree("Reference pedigree",
                                                                       rels)]))
    dvi.notes = [""] * len(dvi.families)
    fam.dvi = dvi
    return fam


__all__ = ["familias_from_dvi_dataset", "familias_from_kinship_case", "markers_json",
           "to_dvi_dataset", "to_kinship_case"]
