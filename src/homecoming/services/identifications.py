"""Stored identifications: what each identification run concluded, kept as versions.

:func:`store_case_identification` takes the result of identifying the stored case (the
pipeline's :class:`~homecoming.services.case_identification.CaseIdentification` with the
victims, families, markers and frequency database it used) and stores, per missing person,
the conclusion, the LR and the per-marker LRs, the posterior with its prior, the references and
the pedigree used, runner-up remains, the model (frequency database and its hash, mutation
model, θ, drop-out, thresholds) and the provenance. A new run never overwrites: it adds a new
version where something changed and reports what changed (:class:`StoreReport`); the earlier
version becomes ``superseded``, or ``stale`` when it had been reviewed or confirmed and the LR
moved by more than 10× or a competing candidate appeared
(:mod:`homecoming.casework.identifications`).

**The stored LR depends only on the profiles compared, the frequency database and the model.**
It is recomputed for the pair (the family's typed references and the remains) with markers
built from the alleles of *those* profiles alone. Rare-allele rule: an allele absent from
the frequency table gets the frequency 5/(2N) (N: the table's sample size; the minimum allele
frequency recommended by the NRC II report, 1996) and that locus is renormalised, using only
the alleles observed in the profiles compared. Loci typed but absent from the frequency table
are left out and listed (``model.loci_left_out``). The conclusion itself is the engine's,
whose LR (``provenance.engine_lr``) is computed with markers built from every stored profile
and can differ in the last digits.
"""

from __future__ import annotations

import datetime as _dt
import math
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from homecoming.casework.identifications import STALE_LR_FACTOR, IdentificationStatus
from homecoming.errors import InputError
from homecoming.services.accounts import authorize
from homecoming.storage.repositories.identifications import IdentificationRepository, log_access

__all__ = ["StoreReport", "store_case_identification", "list_identifications",
           "identification_page", "IdentificationPage",
           "get_identification", "identification_summary", "pair_lr", "RARE_ALLELE_RULE",
           "ancestry_lrs", "ANCESTRY_DATABASES", "ANCESTRY_RULE", "report_data",
           "identification_report_data", "list_runs", "run_summary"]

RARE_ALLELE_RULE = ("an allele absent from the frequency table gets 5/(2N) (N: the table's "
                    "sample size; NRC II, 1996) and its locus is renormalised, using only the "
                    "alleles of the profiles compared")

_IDENTIFIED = {"undisputed", "match by GLR", "symmetric match"}
_RUNNER_UPS = 3
S = IdentificationStatus


@dataclass
class StoreReport:
    """What storing one run did: new versions, unchanged ones, and what changed."""

    run_id: str
    stored: list[str] = field(default_factory=list)          # ids of new versions
    unchanged: list[str] = field(default_factory=list)       # ids kept (nothing changed)
    stale: list[str] = field(default_factory=list)           # reviewed/confirmed made stale
    superseded: list[str] = field(default_factory=list)
    changes: dict[str, dict[str, Any]] = field(default_factory=dict)  # new id -> changes

    def to_dict(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "stored": self.stored, "unchanged": len(self.unchanged),
                "stale": self.stale, "superseded": self.superseded, "changes": self.changes}


# --- the LR of one pair, from its own profiles only ------------------------------------------

def _person_rows(pedigree: Any, typed: set[str], mp: str) -> list[dict[str, Any]]:
    return [{"id": p.id, "father": p.father, "mother": p.mother, "sex": p.sex.value,
             "typed": p.id in typed, "missing": p.id == mp} for p in pedigree]


def pair_lr(fdb: Any, family: Any, victim: Any, *, mutation: Any = None, theta: float = 0.0,
            dropout: float | None = None) -> dict[str, Any]:
    """LR (remains = the missing person vs an unrelated person) per marker for one family
    and one set of remains, from their profiles alone.

    :returns: ``{"lr", "log10_lr", "per_marker": {locus: lr}, "loci_left_out": [...],
        "pedigree": [...], "references": [...]}``
    """
    from homecoming.kinship import log_likelihood
    from homecoming.pedigree.pedigree import Pedigree, Person
    from homecoming.services.case_identification import family_pedigree

    ped, placed = family_pedigree(family.missing, family.donors)
    refs: dict[str, dict[str, Any]] = {}
    for donor_id, prof in family.profiles.items():
        if donor_id in placed:
            refs[placed[donor_id]] = dict(prof)
    profiles = [*refs.values(), dict(victim.genotypes)] if victim is not None else list(
        refs.values())
    typed_loci: dict[str, set[str]] = {}
    left_out: set[str] = set()
    for prof in profiles:
        for locus, g in prof.items():
            if locus not in fdb:
                left_out.add(locus)
                continue
            typed_loci.setdefault(fdb.locus_name(locus), set()).update(
                a for a in g if a is not None)
    names = [locus for locus in fdb.loci if locus in typed_loci]
    references = [{"donor": d.id, "relationship": d.relationship.value,
                   "pedigree_person": placed.get(d.id), "typed": d.id in family.profiles
                   and d.id in placed} for d in family.donors]
    out: dict[str, Any] = {"lr": None, "log10_lr": None, "per_marker": {},
                           "loci_left_out": sorted(left_out), "references": references,
                           "pedigree": _person_rows(ped, set(refs), family.missing.id)}
    if victim is None or not names or not refs:
        return out
    markers = fdb.markers(names, mutation=mutation, extra_alleles=typed_loci)
    from homecoming.provenance import sha256_json

    out["input_sha256"] = sha256_json({
        "references": {pid: {k: list(v) for k, v in sorted(p.items())}
                       for pid, p in sorted(refs.items())},
        "remains": {k: list(v) for k, v in sorted(dict(victim.genotypes).items())},
        "pedigree": out["pedigree"]})

    def keyed(prof: Mapping[str, Any]) -> dict[str, Any]:
        return {fdb.locus_name(k): v for k, v in prof.items() if k in fdb}

    ref_g = {pid: keyed(p) for pid, p in refs.items()}
    vic_g = keyed(victim.genotypes)
    mp = family.missing.id
    drop = {mp: dropout} if dropout else None
    with_mp = log_likelihood(ped, markers, {**ref_g, mp: vic_g}, theta=theta, dropout=drop)
    without = log_likelihood(ped, markers, ref_g, theta=theta)
    alone_ped = Pedigree([Person(mp, sex=ped[mp].sex)])
    alone = log_likelihood(alone_ped, markers, {mp: vic_g}, theta=theta, dropout=drop)
    per = np.asarray(with_mp) - np.asarray(without) - np.asarray(alone)
    per_marker = {}
    for m, value in zip(markers, per, strict=True):
        if m.name in vic_g:
            per_marker[m.name] = float(math.exp(value)) if np.isfinite(value) else 0.0
    total = float(np.sum(per))
    out["per_marker"] = per_marker
    out["log10_lr"] = total / math.log(10) if np.isfinite(total) else None
    out["lr"] = float(math.exp(total)) if np.isfinite(total) and total < 700 else (
        math.inf if total > 0 else 0.0)
    return out


def _finite(x: Any) -> float | None:
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def _runner_ups(markers: Sequence[Any], victims: Sequence[Any], families: Sequence[Any],
                wanted: set[str], best: Mapping[str, str | None], dropout: float = 0.0
                ) -> dict[str, list[dict]]:
    """Per missing person: the best other remains by pairwise screening score (sum over the
    family's typed relatives of the pairwise log10 LR; ``dropout`` on the remains' side)."""
    from homecoming.services.case_identification import pairwise_log10_lr

    typed = [v for v in victims if v.genotypes]
    out: dict[str, list[dict]] = {}
    if not typed:
        return out
    refs, rels, owner = [], [], []
    fams = [f for f in families if f.missing.id in wanted]
    for k, fam in enumerate(fams):
        for d in fam.donors:
            rel = d.relationship.pairwise
            if rel is not None and d.id in fam.profiles:
                refs.append(fam.profiles[d.id])
                rels.append(rel)
                owner.append(k)
    if not refs:
        return out
    scores = pairwise_log10_lr(markers, [v.genotypes for v in typed], refs, rels,
                               dropout=dropout or 0.0)
    per_family = np.zeros((len(typed), len(fams)))
    np.add.at(per_family.T, np.asarray(owner), scores.T)
    for k, fam in enumerate(fams):
        col = per_family[:, k]
        order = np.argsort(-col)
        rows = []
        for i in order:
            vid = typed[int(i)].id
            if vid == best.get(fam.missing.id):
                continue
            if not np.isfinite(col[i]) or col[i] <= 0:
                break
            rows.append({"remains": vid, "screening_log10_lr": round(float(col[i]), 4)})
            if len(rows) == _RUNNER_UPS:
                break
        out[fam.missing.id] = rows
    return out


def _lr_factor(old: float | None, new: float | None) -> float:
    if old is None or new is None:
        return math.inf if (old is None) != (new is None) else 1.0
    if old <= 0 or new <= 0:
        return 1.0 if old == new else math.inf
    if math.isinf(old) or math.isinf(new):
        return 1.0 if old == new else math.inf
    return max(old / new, new / old)


def _changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in ("remains_code", "conclusion"):
        if old[name] != new[name]:
            out[name] = [old[name], new[name]]
    if not _same_lr(old["lr"], new["lr"]):
        out["lr"] = [old["lr"], new["lr"]]
    for name in ("frequencies", "mutation", "theta", "dropout", "loci"):
        a, b = (old["model"] or {}).get(name), (new["model"] or {}).get(name)
        if a != b:
            out[f"model.{name}"] = [a, b]
    if [r["donor"] for r in old["references"] if r["typed"]] != [
            r["donor"] for r in new["references"] if r["typed"]]:
        out["references"] = [[r["donor"] for r in old["references"] if r["typed"]],
                             [r["donor"] for r in new["references"] if r["typed"]]]
    return out


def _same_lr(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return a == b or math.isclose(a, b, rel_tol=1e-9)


def _prior_missing(thresholds: Mapping[str, Any], n_families: int) -> int:
    """N of the solver's flat prior 1/N, as the solver recorded it (``"prior": "1/N"``, see
    IdentificationConfig.thresholds); the number of families given only if it is absent (an
    incremental run passes only the families it touches, so that count is not N)."""
    text = thresholds.get("prior")
    if isinstance(text, str) and text.startswith("1/"):
        try:
            return max(int(text[2:]), 1)
        except ValueError:
            pass
    return max(n_families, 1)


def _competing(old: Mapping[str, Any], new: Mapping[str, Any], probable: float) -> bool:
    if new["remains_code"] != old["remains_code"]:
        return True
    if new["conclusion"] not in _IDENTIFIED:
        return True
    before = {r["remains"] for r in old["runner_ups"]}
    threshold = math.log10(probable) if probable and probable > 0 else 0.0
    return any(r["remains"] not in before and r["screening_log10_lr"] >= threshold
               for r in new["runner_ups"])


def store_case_identification(session: Any, result: Any, *, markers: Sequence[Any],
                              victims: Sequence[Any], families: Sequence[Any], fdb: Any,
                              mutation: Any = None, theta: float = 0.0,
                              dropout: float | None = None,
                              provenance: Mapping[str, Any] | None = None,
                              actor: str | None = None,
                              now: _dt.datetime | None = None,
                              lineage: Mapping[tuple[str, str], Any] | None = None
                              ) -> StoreReport:
    """Store one identification run of the stored case (permission ``identify.run``).

    :param result: the pipeline's ``CaseIdentification`` (``details`` per missing person:
        victim, lr, glr, posterior, conclusion, comment; ``thresholds``; ``warnings``).
    :param markers: the markers the run used (for the runner-up screening).
    :param victims, families: the ``VictimData`` / ``FamilyData`` the run used.
    :param fdb: the :class:`~homecoming.genetics.frequencies.FrequencyDatabase` used.
    :param mutation: the mutation model (``MutationSpec``) the run used, None for none.
    :param lineage: (remains code, missing id) -> a
        :class:`~homecoming.services.lineage.LineageMatch`: its LRs multiply into the stored
        LR, its rows ("Y haplotype", "mtDNA") join the per-marker table and ``model.lineage``
        states the rule and the counts.
    :returns: a :class:`StoreReport`; new versions are ``proposed`` when the conclusion names
        an identification, else ``unresolved``.
    """
    who = authorize(session, "identify.run", actor=actor)
    repo = IdentificationRepository(session, user=who)
    now = now or _dt.datetime.now(_dt.UTC)
    # the time to the microsecond first: run ids sort in the order the runs were stored (the
    # latest run's screening rule is read as the greatest id), also for runs a second apart
    run_id = f"RUN-{now.strftime('%Y%m%dT%H%M%S.%f')}-{uuid.uuid4().hex[:6]}"
    report = StoreReport(run_id=run_id)
    thresholds = dict(result.thresholds)
    prior_n = _prior_missing(thresholds, len(families))
    probable = float(thresholds.get("probable") or thresholds.get("lr") or 1e3)
    by_victim = {v.id: v for v in victims}
    details = result.details
    wanted = {mp for mp, d in details.items() if d.get("victim") is not None}
    runner = _runner_ups(markers, victims, families, wanted,
                         {mp: d.get("victim") for mp, d in details.items()},
                         dropout=dropout or 0.0)
    mutation_text = None if mutation is None else {
        k: getattr(mutation, k) for k in ("model", "rate", "rate2", "range")}
    # only the missing persons of this run (an incremental run touches a few of many)
    latest = repo.latest_all(sorted(details) if len(details) <= 500 else None)
    for fam in families:
        mp = fam.missing.id
        d = details.get(mp)
        if d is None:
            continue
        victim = by_victim.get(d["victim"]) if d.get("victim") else None
        pair = pair_lr(fdb, fam, victim, mutation=mutation, theta=theta, dropout=dropout)
        conclusion = str(d["conclusion"])
        model = {"frequencies": {"name": fdb.name, "sha256": fdb.sha256},
                 "mutation": mutation_text, "theta": theta, "dropout": dropout,
                 "thresholds": thresholds, "loci": sorted(pair["per_marker"]),
                 "loci_left_out": pair["loci_left_out"], "rare_allele_rule": RARE_ALLELE_RULE}
        match = (lineage or {}).get((victim.id, mp)) if victim is not None else None
        if match is not None and match.lr is not None and pair["lr"] is not None:
            from homecoming.kinship.lineage import combine_lrs

            model["lineage"] = match.to_dict()
            model["lineage"]["autosomal_lr"] = pair["lr"]
            pair["per_marker"].update(match.per_marker())
            pair["lr"] = combine_lrs(pair["lr"], match.y_lr, match.mtdna_lr)
            pair["log10_lr"] = (math.log10(pair["lr"]) if 0 < pair["lr"] < math.inf
                                else pair["log10_lr"] if pair["lr"] > 0 else None)
        row = {
            "missing_person_id": mp, "remains_code": d.get("victim"), "run_id": run_id,
            "conclusion": conclusion,
            "lr": _finite(pair["lr"]) if victim is not None else None,
            "log10_lr": _finite(pair["log10_lr"]),
            "glr": _finite(d.get("glr")), "posterior": _finite(d.get("posterior")),
            "prior": 1.0 / float(prior_n), "per_marker": pair["per_marker"],
            "references": pair["references"], "pedigree": pair["pedigree"],
            "runner_ups": runner.get(mp, []), "model": model,
            "provenance": {**(provenance or {}), "engine_lr": _finite(d.get("lr")),
                           "case_input_sha256": (provenance or {}).get("input_sha256"),
                           "input_sha256": pair.get("input_sha256"),
                           "comment": d.get("comment", "")},
            "comment": str(d.get("comment") or ""), "run_by": who, "created_at": now,
        }
        status = S.PROPOSED if conclusion in _IDENTIFIED and victim is not None else \
            S.UNRESOLVED
        old = latest.get(mp)
        if old is not None:
            changes = _changes(old, row)
            if not changes:
                report.unchanged.append(old["id"])
                continue
            old_status = S(old["status"])
            if old_status in (S.REVIEWED, S.CONFIRMED):
                factor = _lr_factor(old["lr"], row["lr"])
                if factor > STALE_LR_FACTOR or _competing(old, row, probable):
                    _mark(repo, old, S.STALE, who, now,
                          f"run {run_id}: LR changed {factor:.3g}x or a competing candidate")
                    report.stale.append(old["id"])
                else:
                    status = S.RECORDED
            elif old_status in (S.PROPOSED, S.UNRESOLVED, S.RECORDED):
                _mark(repo, old, S.SUPERSEDED, who, now, f"run {run_id}: new version")
                report.superseded.append(old["id"])
            version = int(old["version"]) + 1
            supersedes = old["id"]
        else:
            changes = {"new": True}
            version, supersedes = 1, None
        ident_id = f"IDN-{mp}-v{version}"
        repo.add({**row, "id": ident_id, "version": version, "status": status.value,
                  "changes": changes, "supersedes": supersedes})
        report.stored.append(ident_id)
        report.changes[ident_id] = changes
    # the run itself, also when it changed nothing: its settings are the next run's defaults
    repo.add_run({"run_id": run_id, "run_by": who, "created_at": now,
                  "model": {"frequencies": {"name": fdb.name, "sha256": fdb.sha256},
                            "mutation": mutation_text, "theta": theta, "dropout": dropout,
                            "thresholds": thresholds},
                  "outcome": {"missing_persons": len(details), "stored": len(report.stored),
                              "unchanged": len(report.unchanged),
                              "stale": len(report.stale),
                              "superseded": len(report.superseded)}})
    return report


def _mark(repo: IdentificationRepository, old: Mapping[str, Any], status: IdentificationStatus,
          who: str, now: _dt.datetime, why: str) -> None:
    repo.set_status(old["id"], status.value, why=why)
    repo.add_review_event({"identification_id": old["id"],
                           "action": "stale" if status is S.STALE else "supersede",
                           "from_status": old["status"], "to_status": status.value,
                           "actor": who, "at": now, "note": why})


# --- reading ---------------------------------------------------------------------------------

def identification_summary(row: Mapping[str, Any]) -> dict[str, Any]:
    """The short JSON form: id, missing_person, remains, status, conclusion, lr, ..."""
    return {"id": row["id"], "missing_person": row["missing_person_id"],
            "remains": row["remains_code"], "status": row["status"],
            "conclusion": row["conclusion"], "lr": row["lr"], "log10_lr": row["log10_lr"],
            "posterior": row["posterior"], "version": row["version"], "run_id": row["run_id"],
            "run_by": row["run_by"], "created_at": row["created_at"].isoformat()}


def run_summary(row: Mapping[str, Any]) -> dict[str, Any]:
    """One recorded identification run: id, who, when, the frequency database, the screening
    rule, the drop-out probability, the LR threshold, and what it stored (``outcome``:
    missing_persons, stored, unchanged, stale, superseded)."""
    model = row["model"] or {}
    thresholds = model.get("thresholds") or {}
    return {"run_id": row["run_id"], "run_by": row["run_by"],
            "created_at": row["created_at"].isoformat(),
            "frequencies": (model.get("frequencies") or {}).get("name"),
            "screening_min_log10_lr": thresholds.get("screening_min_log10_lr"),
            "screening_top": thresholds.get("screening_top"),
            "dropout": model.get("dropout") or 0.0, "lr_threshold": thresholds.get("lr"),
            "outcome": dict(row["outcome"] or {})}


def list_runs(session: Any, *, limit: int | None = 20, actor: str | None = None
              ) -> list[dict[str, Any]]:
    """The recorded identification runs, newest first (:func:`run_summary` each; at most
    ``limit``, None: all). Every run that stored its results since migration 0011 is recorded,
    also one that changed nothing; older runs are known by their identifications' ``run_id``."""
    authorize(session, "identifications.view", actor=actor)
    return [run_summary(r) for r in IdentificationRepository(session).runs(limit)]


def _full(row: Mapping[str, Any], repo: IdentificationRepository) -> dict[str, Any]:
    out = identification_summary(row)
    for name in ("glr", "prior", "per_marker", "references", "pedigree", "runner_ups", "model",
                 "provenance", "comment", "changes", "supersedes"):
        out[name] = row[name]
    out["review"] = [{"action": e["action"], "from": e["from_status"], "to": e["to_status"],
                      "actor": e["actor"], "at": e["at"].isoformat(), "note": e["note"]}
                     for e in repo.review_events(row["id"])]
    out["notifications"] = [{"donor": n["donor_id"], "method": n["method"],
                             "on": n["notified_on"].isoformat(), "note": n["note"],
                             "recorded_by": n["recorded_by"]}
                            for n in repo.notifications(row["id"])]
    out["releases"] = [{"donor": r["donor_id"], "remains": r["remains_code"],
                        "on": r["released_on"].isoformat(), "documents": r["documents"],
                        "recorded_by": r["recorded_by"]} for r in repo.releases(row["id"])]
    return out


def list_identifications(session: Any, *, status: str | Sequence[str] | None = None,
                         search: str | None = None, latest_only: bool = False,
                         limit: int | None = None, offset: int = 0,
                         actor: str | None = None) -> list[dict[str, Any]]:
    """Stored identifications (summaries), missing person and version order; ``limit`` and
    ``offset`` take one page of them (in SQL)."""
    authorize(session, "identifications.view", actor=actor)
    _check_status(status)
    repo = IdentificationRepository(session)
    if latest_only:  # the newest versions chosen in SQL, no JSON column read
        rows, _ = repo.latest_page(status=status, search=search, limit=limit, offset=offset,
                                   count=False)
    else:
        rows = repo.list(status=status, search=search, limit=limit, offset=offset)
    return [identification_summary(r) for r in rows]


@dataclass(frozen=True)
class IdentificationPage:
    """One page of the newest identifications (the web list and the review queue)."""

    rows: list[dict[str, Any]]
    total: int
    page: int
    page_size: int
    search: str = ""
    filters: dict[str, str] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))


def _check_status(status: str | Sequence[str] | None) -> None:
    for s in [] if status is None else [status] if isinstance(status, str) else status:
        try:
            IdentificationStatus(s)
        except ValueError:
            raise InputError(f"status {s!r} is unknown; expected one of "
                             f"{', '.join(x.value for x in IdentificationStatus)}",
                             field="status", value=s) from None


def identification_page(session: Any, *, status: str | None = None, search: str | None = None,
                        page: int = 1, page_size: int = 50, actor: str | None = None
                        ) -> IdentificationPage:
    """Page ``page`` (from 1) of the newest version of each missing person's identification,
    in missing person order (the rows of ``list_identifications(latest_only=True)``), with the
    number matching: the status filter, the search, the newest versions and the page are
    chosen in SQL, and only the page's rows are read."""
    authorize(session, "identifications.view", actor=actor)
    _check_status(status)
    page, page_size = max(1, int(page)), max(1, min(int(page_size), 500))
    rows, total = IdentificationRepository(session).latest_page(
        status=status, search=search, limit=page_size, offset=(page - 1) * page_size)
    return IdentificationPage([identification_summary(r) for r in rows], int(total or 0), page,
                              page_size, search or "", {"status": status or ""})


def get_identification(session: Any, ident_id: str, *, actor: str | None = None
                       ) -> dict[str, Any]:
    """Everything stored about one identification, with its review, notification and release
    records. An investigator or prosecutor (consent's ``court`` audience) does not see the
    references of donors without court consent (``references_withheld`` counts them; the
    donor of a notification or release is ``None``)."""
    from homecoming.services.consent import viewer_withheld

    who = authorize(session, "identifications.view", actor=actor)
    repo = IdentificationRepository(session)
    out = _full(repo.get(ident_id), repo)
    donors, _ = viewer_withheld(session, who)
    if donors:
        refs = out["references"] or []
        out["references"] = [r for r in refs
                             if not (isinstance(r, Mapping) and r.get("donor") in donors)]
        out["references_withheld"] = len(refs) - len(out["references"])
        for item in out["notifications"] + out["releases"]:
            if item["donor"] in donors:
                item["donor"] = None
    return out


# --- the data of an identification report ---------------------------------------------------

def _is_synthetic(*texts: Any) -> bool:
    return any(isinstance(t, str) and ("SYNTHETIC" in t or t.startswith("SYN-")) for t in texts)


def report_data(session: Any, ident_id: str, *, family: bool = False,
                actor: str | None = None) -> dict[str, Any]:
    """Everything the identification report shows, as plain values.

    ``family=False`` (permission ``report.identification``) includes the genotypes of the
    remains and the typed references (the read is written to the access log);
    ``family=True`` (``report.family``) leaves genotypes and technical tables out.
    """
    from homecoming._version import __version__
    from homecoming.storage.repositories import Repositories

    who = authorize(session, "report.family" if family else "report.identification",
                    actor=actor)
    repo = IdentificationRepository(session)
    ident = _full(repo.get(ident_id), repo)
    repos = Repositories(session)
    mp = repos.missing_persons.find(ident["missing_person"])
    remains = repos.remains.find(ident["remains"]) if ident["remains"] else None
    grave = site = None
    exhumations: list[Any] = []
    examinations: list[Any] = []
    if remains is not None:
        if remains.grave_id:
            grave = repos.graves.find(remains.grave_id)
            site = repos.sites.find(grave.site_id) if grave else None
            exhumations = repos.exhumations.list(grave_id=remains.grave_id)
        examinations = repos.examinations.list(remains_code=remains.code)
    data: dict[str, Any] = {
        "identification": ident, "family_version": family, "software": __version__,
        "missing_person": None if mp is None else mp.to_dict(),
        "remains": None if remains is None else remains.to_dict(),
        "grave": None if grave is None else grave.to_dict(),
        "site": None if site is None else {"id": site.id, "name": site.name},
        "exhumations": [e.to_dict() for e in exhumations],
        "examinations": [e.to_dict() for e in examinations],
        "verbal_scale_source": None, "genotypes": {},
    }
    data["synthetic"] = _is_synthetic(
        ident["missing_person"], ident["remains"] or "",
        *(v for v in (data["missing_person"] or {}).values()),
        *(v for v in (data["remains"] or {}).values()))
    if not family and remains is not None:
        samples = repos.samples.list(remains_code=remains.code)
        donors = {r["donor"]: r for r in ident["references"] if r["typed"]}
        for d in donors:
            samples += repos.samples.list(donor_id=d)
        for s in samples:
            prof = repos.profiles.find(s.barcode)
            if prof is None:
                continue
            label = (f"remains {remains.code}" if s.remains_code else
                     f"{donors[s.donor_id]['relationship']} ({s.donor_id})")
            data["genotypes"].setdefault(label, {k: list(v) for k, v in prof.genotypes.items()})
            log_access(session, user=who, table_name="profiles", record_key=s.barcode,
                       purpose=f"identification report {ident_id}")
    if mp is not None:   # the report shows a person (issue 13: every read is audited)
        from homecoming.services.audit import record_read

        record_read(session, "missing_persons", [mp.id], actor=who,
                    purpose=f"identification report {ident_id} "
                            f"({'family' if family else 'technical'} version)")
    return data


# --- ancestry-robust LR (issue 14 item 5) ------------------------------------------------------

#: frequency databases the ancestry-robust LR is computed over by default: the continental
#: and pooled populations of the shipped tables (``homecoming frequencies list``)
ANCESTRY_DATABASES = (
    "nist1036_african_american", "nist1036_asian", "nist1036_caucasian", "nist1036_hispanic",
    "strider2015_europe_all", "ukdna17_white_ea1_ea2", "norstr2023_europe",
    "norstr2023_west_asia", "norstr2023_middle_asia", "norstr2023_east_asia",
    "norstr2023_africa", "norstr2023_south_america")

ANCESTRY_RULE = ("the LR of the stored pair recomputed with each frequency database (same "
                 "profiles, pedigree, mutation model, theta and rare-allele rule); range and "
                 "conservative value (the minimum) over the databases that have every locus "
                 "of the stored LR; lineage-marker LRs (case counts) multiply in unchanged")


def ancestry_lrs(db: Any, ident_id: str, *, databases: Sequence[str] | None = None,
                 actor: str | None = None) -> dict[str, Any]:
    """The LR of stored identification ``ident_id`` over several shipped frequency databases:
    per database the LR, log10 LR and the loci it lacks; ``range`` [min, max] and
    ``conservative_lr`` (the minimum, with its database) over the databases that have every
    locus of the stored LR, so a report can say whether the conclusion hangs on the choice
    of population (:data:`ANCESTRY_RULE`).

    :param databases: shipped database names (default :data:`ANCESTRY_DATABASES`).
    :raises InputError: the identification names no remains (nothing to recompute).
    """
    from homecoming.genetics.frequencies import canonical_locus, load_database
    from homecoming.genetics.markers import MutationSpec
    from homecoming.services.case_identification import load_stored_case

    names = list(databases or ANCESTRY_DATABASES)
    with db.session() as session:
        ident = get_identification(session, ident_id, actor=actor)
        victims, families = load_stored_case(session)
    if ident["remains"] is None:
        raise InputError(f"identification {ident_id!r} names no remains; expected one with a "
                         "remains code (an LR to recompute)", field="identification",
                         value=ident_id)
    model = ident["model"] or {}
    family = next((f for f in families if f.missing.id == ident["missing_person"]), None)
    victim = next((v for v in victims if v.id == ident["remains"]), None)
    if family is None or victim is None:
        raise InputError(f"identification {ident_id!r}: its missing person or remains is no "
                         "longer stored with a profile; expected both", field="identification",
                         value=ident_id)
    spec = None if not model.get("mutation") else MutationSpec(**model["mutation"])
    wanted = {canonical_locus(x) for x in model.get("loci") or []}
    lineage = math.prod(v for k, v in (ident["per_marker"] or {}).items()
                        if k in ("Y haplotype", "mtDNA"))
    rows = []
    for name in names:
        fdb = load_database(name)
        pair = pair_lr(fdb, family, victim, mutation=spec, theta=float(model.get("theta") or 0),
                       dropout=model.get("dropout"))
        have = {canonical_locus(x) for x in pair["per_marker"]}
        lr = None if pair["lr"] is None else pair["lr"] * lineage
        rows.append({"database": fdb.name, "population": fdb.population,
                     "lr": _finite(lr),
                     "log10_lr": _finite(math.log10(lr)) if lr and lr > 0 else None,
                     "loci": len(pair["per_marker"]),
                     "missing_loci": sorted(wanted - have),
                     "comparable": not (wanted - have) and lr is not None})
    usable = [r for r in rows if r["comparable"] and r["lr"] is not None]
    low = min(usable, key=lambda r: r["lr"]) if usable else None
    high = max(usable, key=lambda r: r["lr"]) if usable else None
    return {"identification": ident_id, "missing_person": ident["missing_person"],
            "remains": ident["remains"], "stored_lr": ident["lr"],
            "stored_frequencies": (model.get("frequencies") or {}).get("name"),
            "databases": rows,
            "range": None if low is None or high is None else [low["lr"], high["lr"]],
            "conservative_lr": None if low is None else low["lr"],
            "conservative_database": None if low is None else low["database"],
            "lineage_lr": lineage if lineage != 1 else None, "rule": ANCESTRY_RULE}


def _ancestry_for_report(db: Any, ident: Mapping[str, Any], *, actor: str | None,
                         databases: Sequence[str] | None) -> dict[str, Any]:
    from homecoming.casework.identifications import verbal_equivalent

    try:
        out = ancestry_lrs(db, ident["id"], databases=databases, actor=actor)
    except InputError as exc:
        return {"available": False, "reason": str(exc)}
    lr, low = ident["lr"], out["conservative_lr"]
    threshold = ((ident.get("model") or {}).get("thresholds") or {}).get("lr")
    out.update({
        "available": True, "verbal": verbal_equivalent(lr),
        "conservative_verbal": None if low is None else verbal_equivalent(low),
        "same_verbal": None if low is None else verbal_equivalent(low) == verbal_equivalent(lr),
        "threshold_lr": threshold,
        "conservative_meets_threshold": (None if low is None or threshold is None
                                         else low >= float(threshold)),
        "compared": sum(1 for r in out["databases"] if r["comparable"]
                        and r["lr"] is not None)})
    return out


def identification_report_data(db: Any, ident_id: str, *, family: bool = False,
                               ancestry: bool = True, databases: Sequence[str] | None = None,
                               actor: str | None = None) -> dict[str, Any]:
    """:func:`report_data` of ``ident_id`` and, unless ``ancestry=False``, its
    ancestry-robust LR computed once for the report (``data["ancestry"]``): what
    :func:`ancestry_lrs` gives, plus ``available`` (``False`` with a ``reason`` where the
    pair cannot be recomputed), ``verbal`` and ``conservative_verbal`` (ENFSI scale of the
    stored and of the conservative LR), ``same_verbal``, ``threshold_lr`` (the run's
    identification threshold), ``conservative_meets_threshold`` and ``compared`` (databases
    with every locus). ``None`` where the identification names no remains or no LR, or with
    ``ancestry=False``. The function behind ``homecoming report identification`` and the web
    application's report downloads.
    """
    with db.session() as session:
        data = report_data(session, ident_id, family=family, actor=actor)
    ident = data["identification"]
    data["ancestry"] = None
    if ancestry and ident["remains"] and ident["lr"] is not None:
        data["ancestry"] = _ancestry_for_report(db, ident, actor=actor, databases=databases)
    return data
