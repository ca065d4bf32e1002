"""Blind screening of every PM profile against every reference profile, PM–PM matching, and
the contamination (elimination) check.

:func:`screen` reads the profiles from the database (post-mortem: samples from remains;
references: samples from donors), or from a dvi-dataset@1 file, screens them for the chosen
relationships with the pairwise models and, for the database, stores the candidates with
their provenance (replacing earlier candidates of the same relationships, in one
transaction). :func:`eliminate` compares every PM profile with the staff (elimination)
profiles and stores the flags. Both run in this process, or on a Dask cluster
(``workers`` / ``scheduler``).
"""

from __future__ import annotations

import csv
import json
import math
import operator
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from homecoming.errors import InputError
from homecoming.identification.screening import (
    DEFAULT_MIN_COMMON,
    DEFAULT_MIN_LOG10_LR,
    DEFAULT_MUTATION,
    RELATIONSHIPS,
    Candidates,
    screen_codes,
    screening_provenance,
)
from homecoming.services._common import _authorize
from homecoming.services.dataset_identification import markers_reference

__all__ = ["DEFAULT_FREQUENCIES", "CANDIDATES_FORMAT", "ELIMINATION_FORMAT",
           "ScreeningResult", "screen", "write_candidates", "EliminationResult", "eliminate",
           "markers_from_frequencies", "markers_reference", "distinct_genotypes",
           "markers_from_genotypes", "normalise_genotypes",
           "write_elimination", "check_screening_rule"]

#: frequency database used when neither ``frequencies`` nor a dataset's markers are given
DEFAULT_FREQUENCIES = "nist1036_all"
CANDIDATES_FORMAT = "homecoming/screening-candidates@1"
ELIMINATION_FORMAT = "homecoming/elimination-flags@1"
PERMISSION_SCREEN = "screen.run"

Progress = Callable[[int, int], None]


def check_screening_rule(min_log10_lr: float, top: int) -> tuple[float, int]:
    """The checked candidate rule (``min_log10_lr``, ``top``) of the stored case's pairwise
    screening (:func:`~homecoming.services.case_identification.screen_candidates`): a remains
    is a candidate for a family when the sum of its log10 LRs reaches ``min_log10_lr`` or is
    among the family's ``top`` best positive sums. ``identify --screen-min-log10-lr``,
    ``--screen-top``, :func:`~homecoming.services.case_identification.identify_stored_case`
    and :func:`~homecoming.services.incremental.identify_incrementally` check it.

    :raises InputError: ``min_log10_lr`` not a finite number above 0 (at 0 or below, a
        remains that shares no typed locus with a family, score 0, would be a candidate for
        every family), or ``top`` not a whole number >= 0.
    """
    try:
        value = float(min_log10_lr)
    except (TypeError, ValueError):
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise InputError(f"screening min_log10_lr {min_log10_lr!r}; expected a finite log10 "
                         "LR above 0 (2 = LR 100, the default)", field="min_log10_lr",
                         value=min_log10_lr, expected="finite number > 0")
    try:
        k = -1 if isinstance(top, bool) else operator.index(top)
    except TypeError:
        k = -1
    if k < 0:
        raise InputError(f"screening top {top!r}; expected a whole number >= 0 (0: no "
                         "best-k rule)", field="top", value=top, expected="integer >= 0")
    return value, k


def normalise_genotypes(genotypes: Mapping[str, Sequence[str | None]]) -> dict[str, tuple]:
    """A single listed allele is a homozygote (``"15"`` → ``("15", "15")``), as in CODIS
    and most laboratory exports."""
    out = {}
    for locus, g in genotypes.items():
        g = tuple(g)
        if len(g) == 1:
            g = (g[0], g[0])
        out[locus] = g
    return out


def markers_from_frequencies(name: str, profiles: Sequence[Mapping[str, tuple]],
                             ) -> tuple[list[Any], Any]:
    """The markers of frequency database ``name`` typed in ``profiles`` (alleles seen in the
    profiles but not in the table are added as rare alleles), with the default mutation model;
    returns (markers, the frequency database)."""
    from homecoming.genetics.frequencies import load_database
    from homecoming.identification.screening import default_mutation

    fdb = load_database(name)
    observed: dict[str, set[str]] = {}
    for prof in profiles:
        for locus, g in prof.items():
            if locus not in fdb:
                continue
            key = fdb.locus_name(locus)
            observed.setdefault(key, set()).update(a for a in g if a is not None)
    names = [locus for locus in fdb.loci if locus in observed]
    if not names:
        raise InputError(f"frequencies {name!r}: none of its loci is typed in the profiles; "
                         "expected profiles with loci of the frequency database",
                         field="frequencies", value=name)
    markers = fdb.markers(names, mutation=default_mutation(), extra_alleles=observed)
    return markers, fdb


def distinct_genotypes(profiles: Iterable[Mapping[str, Any]],
                       base: set[tuple[str, Any]] | None = None) -> set[tuple[str, Any]]:
    """The distinct (locus, genotype) pairs of ``profiles`` (added to a copy of ``base``): all
    that :func:`markers_from_frequencies` reads of them, collected at C speed."""
    out = set(base) if base is not None else set()
    for prof in profiles:
        out.update(prof.items())
    return out


def markers_from_genotypes(name: str, pairs: set[tuple[str, Any]],
                           ) -> tuple[list[Any], Any, list[str]]:
    """:func:`markers_from_frequencies` of the profiles whose distinct (locus, genotype)
    pairs are ``pairs`` (:func:`distinct_genotypes`): the same markers, from one summary
    profile; returns (markers, frequency database, loci typed but absent from it)."""
    alleles: dict[str, set[Any]] = {}
    for locus, g in pairs:
        alleles.setdefault(locus, set()).update(a for a in g if a is not None)
    summary = {locus: tuple(sorted(a)) for locus, a in alleles.items()}
    markers, fdb = markers_from_frequencies(name, [summary])
    return markers, fdb, sorted(locus for locus in summary if locus not in fdb)


def _profiles_from_database(db: Any) -> tuple[list, list, dict[str, Any]]:
    """PM and reference profiles; profiles the engines cannot use (consent withdrawn,
    malformed) are left out and named in ``source["profiles_left_out"]``."""
    from homecoming.services.consent import split_usable, withdrawn_barcodes
    from homecoming.storage.repositories import profiles_for

    with db.session() as session:
        withdrawn = withdrawn_barcodes(session)
        pm, left = split_usable(profiles_for(session, "remains"), withdrawn=withdrawn)
        refs, left_refs = split_usable(profiles_for(session, "donor"), withdrawn=withdrawn)
    pm = [(b, normalise_genotypes(g)) for b, g in pm]
    refs = [(b, normalise_genotypes(g)) for b, g in refs]
    source: dict[str, Any] = {"database": db.masked_url}
    if left or left_refs:
        source["profiles_left_out"] = sorted(left + left_refs, key=lambda x: x["record"])
    return pm, refs, source


def _profiles_from_dataset(path: str | Path) -> tuple[list, list, dict[str, Any], Any]:
    from homecoming.formats.dvi_dataset import load_dvi_dataset

    ds = load_dvi_dataset(path)
    pm = [(v.id, dict(v.genotypes)) for v in ds.victims]
    refs = []
    for fam in ds.families:
        for pid in fam.typed_members():
            refs.append((f"{fam.name}/{pid}", dict(fam.genotypes[pid])))
    source = {"dataset": str(path), "input_sha256": getattr(ds, "input_sha256", None)}
    return pm, refs, source, ds


@dataclass
class ScreeningResult:
    """What :func:`screen` found."""

    candidates: Candidates
    relationships: list[str]
    counts: dict[str, int]          # relationship -> candidates
    n_pm: int
    n_ref: int
    n_markers: int
    seconds: float
    #: with ``follow_up``: exact pedigree LRs per (victim, missing person) pair
    follow_up: list[dict[str, Any]] | None = None
    #: with ``pm_pm``: {"links", "groups"} (JSON) and the groups as id lists
    pm_pm: dict[str, Any] | None = None
    pm_pm_groups: list[list[str]] = field(default_factory=list)
    #: candidates stored in the database (None: not stored)
    stored: int | None = None
    #: stored profiles left out, as ``{"record": barcode, "reason": ...}``
    left_out: list[dict[str, str]] = field(default_factory=list)
    #: lineage-marker LRs of candidate pairs where both have Y-STR / mtDNA haplotypes
    #: (:func:`homecoming.services.lineage.screening_lineage`); None for a dataset
    lineage: list[dict[str, Any]] | None = None

    @property
    def provenance(self) -> dict[str, Any]:
        return self.candidates.provenance

    @property
    def pair_tests(self) -> int:
        return self.n_pm * self.n_ref * len(self.relationships)


def screen(db: Any | None = None, *, dataset: str | Path | None = None,
           relationships: Sequence[str] = (), min_lr: float | None = None,
           min_common: int = DEFAULT_MIN_COMMON, frequencies: str | None = None,
           theta: float = 0.0, store: bool = True, follow_up: bool = False,
           pm_pm: bool = False, workers: int | None = None, scheduler: str | None = None,
           progress: Progress | None = None, actor: str | None = None) -> ScreeningResult:
    """Screen every PM profile against every reference profile.

    :param db: the database to read (and store candidates in); ignored with ``dataset``.
    :param dataset: a dvi-dataset@1 file to screen instead (victims against the typed family
        members); nothing is stored.
    :param relationships: of :data:`RELATIONSHIPS` (default all four).
    :param min_lr: keep pairs with LR at least this (default per relationship
        :data:`DEFAULT_MIN_LOG10_LR`).
    :param frequencies: allele-frequency database (default :data:`DEFAULT_FREQUENCIES`; with a
        dataset, the dataset's own markers).
    :param follow_up: with a dataset, the exact pedigree LR of every (victim, family) pair
        among the candidates.
    :param pm_pm: also match PM profiles with each other (direct match).
    :param progress: called with (pair tests done, total) over all relationships.
    """
    from homecoming.kinship.pairwise import PairwiseModel

    rels = list(dict.fromkeys(relationships)) or list(RELATIONSHIPS)
    unknown = [r for r in rels if r not in RELATIONSHIPS]
    if unknown:
        raise InputError(f"relationship {unknown[0]!r}; expected one of "
                         f"{', '.join(RELATIONSHIPS)}", field="relationship", value=unknown[0])
    if min_lr is not None and not (min_lr > 0 and math.isfinite(min_lr)):
        raise InputError(f"min_lr {min_lr!r}; expected a positive LR such as 10000",
                         field="min_lr", value=min_lr)
    if follow_up and dataset is None:
        raise InputError("follow-up needs a dataset (the families' pedigrees)",
                         field="follow_up")
    if workers is not None and workers < 1:
        raise InputError(f"workers {workers}; expected at least 1", field="workers",
                         value=workers)
    if dataset is None and db is None:
        raise InputError("nothing to screen: expected a database or a dataset", field="db")
    if scheduler is not None:
        from homecoming.distributed.screening import check_scheduler_address

        check_scheduler_address(scheduler)
    thresholds = ({r: math.log10(min_lr) for r in rels} if min_lr is not None
                  else {r: DEFAULT_MIN_LOG10_LR[r] for r in rels})
    started = time.perf_counter()
    ds = None
    if dataset is not None:
        pm, refs, source, ds = _profiles_from_dataset(dataset)
    else:
        pm, refs, source = _profiles_from_database(db)
    if not pm or not refs:
        raise InputError(f"nothing to screen: {len(pm)} post-mortem and {len(refs)} reference "
                         "profiles; expected at least one of each", field="profiles")
    profiles = [g for _, g in pm] + [g for _, g in refs]
    if ds is not None and frequencies is None:
        markers = list(ds.markers)
        fdb_info: Any = "dataset markers"
    else:
        markers, fdb = markers_from_frequencies(frequencies or DEFAULT_FREQUENCIES, profiles)
        fdb_info = {"name": fdb.name, "sha256": fdb.sha256}
    pm_ids = [i for i, _ in pm]
    ref_ids = [i for i, _ in refs]
    pairs = len(pm) * len(refs)
    total = pairs * len(rels)
    parts = []
    client = None
    try:
        if scheduler is not None or workers is not None:
            from dask.distributed import Client

            from homecoming.distributed.screening import connect, local_cluster

            client = connect(scheduler) if scheduler is not None \
                else Client(local_cluster(workers or 2))
        for k, rel in enumerate(rels):
            model = PairwiseModel(markers, rel, theta=theta)
            pm_codes = model.encode([g for _, g in pm], unknown="untyped")
            ref_codes = model.encode([g for _, g in refs], unknown="untyped")
            tick = None
            if progress is not None:
                def tick(done: int, _total: int, base: int = k * pairs) -> None:
                    progress(base + done, total)
            kw: dict[str, Any] = dict(relationship=rel, min_log10_lr=thresholds[rel],
                                      min_common=min_common, progress=tick, pm_ids=pm_ids,
                                      ref_ids=ref_ids)
            if client is not None:
                from homecoming.distributed.screening import screen_distributed

                parts.append(screen_distributed(pm_codes, ref_codes, model, client=client, **kw))
            else:
                parts.append(screen_codes(pm_codes, ref_codes, model, **kw))
    finally:
        if client is not None:
            cluster = getattr(client, "cluster", None)
            client.close()
            if cluster is not None:
                cluster.close()
    prov = screening_provenance(
        relationship=rels, min_log10_lr=thresholds, min_common=min_common, n_pm=len(pm),
        n_ref=len(refs), frequency_db=fdb_info, theta=theta,
        markers=[m.name for m in markers], mutation=DEFAULT_MUTATION if ds is None or
        frequencies is not None else "dataset markers",
        execution=("dask " + (scheduler or f"local cluster of {workers} processes"))
        if client is not None else "single process",
        elapsed_s=round(time.perf_counter() - started, 3), **source)
    if ds is not None and frequencies is None:
        # "dataset markers" is what screening-candidates@1 has always written here
        prov["frequency_database"] = "dataset markers"
        prov["markers_sha256"] = markers_reference(markers)["sha256"]
        prov["mutation_model"] = "dataset markers"
    else:
        prov["mutation_model"] = dict(DEFAULT_MUTATION)
    cands = Candidates.concat(parts, prov)
    cands = Candidates(cands.table, prov, tuple(pm_ids), tuple(ref_ids))
    result = ScreeningResult(
        candidates=cands, relationships=rels,
        counts={r: int((cands.relationship == r).sum()) for r in rels}, n_pm=len(pm),
        n_ref=len(refs), n_markers=len(markers), seconds=time.perf_counter() - started,
        left_out=list(source.get("profiles_left_out", [])))
    if follow_up and ds is not None:
        from homecoming.identification.screening import follow_up as exact_follow_up

        fams = {f.name: f for f in ds.families}
        ref_family = [rid.split("/", 1)[0] for rid in ref_ids]
        fu = exact_follow_up(cands, [g for _, g in pm], ref_family, fams, list(ds.markers),
                             theta=ds.theta)
        result.follow_up = [
            {"pm": pm_ids[f.pm], "family": f.family, "missing": f.missing,
             "log10_lr": f.log10_lr if math.isfinite(f.log10_lr) else None,
             "screening_relationship": f.relationship,
             "screening_log10_lr": f.screening_log10_lr} for f in fu]
    if pm_pm:
        from homecoming.identification.pmpm import match_pm

        direct = PairwiseModel(markers, "direct", theta=theta)
        res = match_pm(direct.encode([g for _, g in pm], unknown="untyped"), direct,
                       min_common=min_common, pm_ids=pm_ids)
        doc = res.to_json()
        result.pm_pm = {"links": doc["links"], "groups": doc["groups"]}
        result.pm_pm_groups = [list(g) for g in res.group_ids]
    if ds is None:
        from homecoming.services.lineage import screening_lineage

        with db.session() as session:
            result.lineage = screening_lineage(session, cands.records())
    if ds is None and store:
        result.stored = _store_candidates(db, cands, rels, actor)
    return result


def _store_candidates(db: Any, cands: Candidates, relationships: Sequence[str],
                      actor: str | None) -> int:
    from homecoming.casework import Candidate
    from homecoming.storage.repositories import add_candidates, delete_candidates

    records = [Candidate(pm_barcode=r["pm"], ref_barcode=r["reference"],
                         relationship=r["relationship"], log10_lr=r["log10_lr"],
                         provenance=cands.provenance)
               for r in cands.records()]
    with db.session() as session:
        _authorize(session, PERMISSION_SCREEN, actor)
        for rel in relationships:
            delete_candidates(session, relationship=rel, user=actor)
        return int(add_candidates(session, records, user=actor))


def write_candidates(path: str | Path, result: ScreeningResult) -> None:
    """The candidates (and any follow-up and PM–PM links) as ``.csv`` or, otherwise, JSON
    (homecoming/screening-candidates@1)."""
    path = Path(path)
    cands = result.candidates
    rows = cands.records()
    if path.suffix.lower() == ".csv":
        with path.open("w", newline="", encoding="utf-8") as fh:
            fh.write(f"# {CANDIDATES_FORMAT}; provenance: "
                     f"{json.dumps(cands.provenance, sort_keys=True, default=str)}\n")
            writer = csv.DictWriter(fh, fieldnames=["pm", "reference", "relationship",
                                                    "log10_lr", "lr", "common_loci"])
            writer.writeheader()
            writer.writerows(rows)
        return
    for r in rows:
        if not math.isfinite(r["lr"]):
            r["lr"] = None
    doc: dict[str, Any] = {"format": CANDIDATES_FORMAT, "provenance": cands.provenance,
                           "candidates": rows}
    if result.follow_up is not None:
        doc["follow_up"] = result.follow_up
    if result.pm_pm is not None:
        doc["pm_pm"] = result.pm_pm
    if result.lineage:
        doc["lineage"] = result.lineage
    path.write_text(json.dumps(doc, indent=2, default=str) + "\n", encoding="utf-8")


# --- elimination --------------------------------------------------------------------------

@dataclass
class EliminationResult:
    """What :func:`eliminate` found: the flags (dicts: pm, staff, compared_loci, mismatches,
    log10_lr), the thresholds used, the provenance, and how many flags were stored."""

    records: list[dict[str, Any]]
    flagged_pm: int
    n_pm: int
    n_staff: int
    n_markers: int
    min_compared: int
    max_mismatches: int
    min_log10_lr: float
    provenance: dict[str, Any]
    stored: int | None = None


def eliminate(db: Any, *, frequencies: str | None = None, min_lr: float | None = None,
              min_compared: int | None = None, max_mismatches: int | None = None,
              store: bool = True, actor: str | None = None) -> EliminationResult:
    """The contamination check: every stored PM profile against the staff (elimination)
    profiles; flags are stored (replacing earlier flags) unless ``store`` is false.

    :param min_lr: the inclusion LR a flag needs (default 1e6).
    :param min_compared: loci compared, at least (default 6).
    :param max_mismatches: loci where the PM profile may fail to be included (default 0).
    """
    from homecoming.identification.elimination import (
        DEFAULT_MAX_MISMATCHES,
        DEFAULT_MIN_COMPARED,
    )
    from homecoming.identification.elimination import (
        DEFAULT_MIN_LOG10_LR as ELIMINATION_MIN_LOG10_LR,
    )
    from homecoming.identification.elimination import eliminate as run_elimination
    from homecoming.storage.repositories import profiles_for
    from homecoming.storage.repositories.staff import (
        add_elimination_flags,
        delete_elimination_flags,
        flags_from_result,
        staff_profiles,
    )

    if min_lr is not None and not (min_lr > 0 and math.isfinite(min_lr)):
        raise InputError(f"min_lr {min_lr!r}; expected a positive LR such as 1000000",
                         field="min_lr", value=min_lr)
    min_log10_lr = ELIMINATION_MIN_LOG10_LR if min_lr is None else math.log10(min_lr)
    min_compared = DEFAULT_MIN_COMPARED if min_compared is None else min_compared
    max_mismatches = DEFAULT_MAX_MISMATCHES if max_mismatches is None else max_mismatches
    started = time.perf_counter()
    with db.session() as session:
        pm = [(b, normalise_genotypes(g)) for b, g in profiles_for(session, "remains")]
        staff = [(c, normalise_genotypes(g)) for c, g in staff_profiles(session)]
    if not pm or not staff:
        raise InputError(f"nothing to compare: {len(pm)} post-mortem and {len(staff)} staff "
                         "profiles; expected at least one of each (homecoming import "
                         "staff-profiles FILE.csv)", field="profiles")
    markers, fdb = markers_from_frequencies(frequencies or DEFAULT_FREQUENCIES,
                                            [g for _, g in pm] + [g for _, g in staff])

    def rekey(g: Mapping[str, tuple]) -> dict[str, tuple]:
        return {(fdb.locus_name(locus) if locus in fdb else locus): a for locus, a in g.items()}
    result = run_elimination([rekey(g) for _, g in pm], [rekey(g) for _, g in staff],
                             markers=markers, pm_ids=[b for b, _ in pm],
                             staff_ids=[c for c, _ in staff], min_compared=min_compared,
                             max_mismatches=max_mismatches, min_log10_lr=min_log10_lr)
    prov = dict(result.provenance)
    prov.update(frequency_database={"name": fdb.name, "sha256": fdb.sha256},
                frequency_db={"name": fdb.name, "sha256": fdb.sha256},
                database=db.masked_url, elapsed_s=round(time.perf_counter() - started, 3))
    out = EliminationResult(records=result.records(), flagged_pm=len(result.flagged_pm),
                            n_pm=len(pm), n_staff=len(staff), n_markers=len(markers),
                            min_compared=min_compared, max_mismatches=max_mismatches,
                            min_log10_lr=min_log10_lr, provenance=prov)
    if store:
        with db.session() as session:
            _authorize(session, PERMISSION_SCREEN, actor)
            delete_elimination_flags(session, user=actor)
            out.stored = int(add_elimination_flags(session, flags_from_result(result, prov),
                                                   user=actor))
    return out


def write_elimination(path: str | Path, result: EliminationResult) -> None:
    """The flags as ``.csv`` or, otherwise, JSON (homecoming/elimination-flags@1)."""
    path = Path(path)
    if path.suffix.lower() == ".csv":
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, ["pm", "staff", "compared_loci", "mismatches",
                                         "log10_lr"])
            writer.writeheader()
            writer.writerows(result.records)
    else:
        path.write_text(json.dumps({"format": ELIMINATION_FORMAT, "flags": result.records,
                                    "provenance": result.provenance},
                                   indent=2, default=str) + "\n", encoding="utf-8")
