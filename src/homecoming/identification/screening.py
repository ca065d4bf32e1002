"""Blind screening: every post-mortem (PM) profile against every reference profile.

For each relationship (``direct``, ``parent_child``, ``full_sibling``, ``half_sibling``) a
:class:`~homecoming.kinship.pairwise.PairwiseModel` gives the pairwise likelihood ratio of
"related so" against "unrelated" from per-marker lookup tables (mutation included where the
markers carry a mutation model). The pair matrix (10^4 PM × 10^5 references is 10^9 pairs) is
never materialised: it is cut into blocks of ``pm_block × ref_block`` pairs, each block is
scored and thresholded on its own, and only the candidates are kept. Peak memory is a few
arrays of one block (``pm_block × ref_block`` float64 ≈ 32 MB at the defaults) plus the
candidates.

A candidate is a pair with log10 LR ≥ ``min_log10_lr`` **and** at least ``min_common`` loci
typed in both profiles. A candidate is a *lead* for the exact pedigree analysis, not an
identification. Defaults (:data:`DEFAULT_MIN_LOG10_LR`, :data:`DEFAULT_MIN_COMMON`):

* LR ≥ 10^4 for every relationship. In the accuracy study (``benchmarks/accuracy_study.py``,
  23 STRs, 10^5 unrelated and 10^4 true pairings per relationship, founders = the NIST 1036
  people) this keeps all true direct matches, 99.8 % of parent–child, about 90 % of full-sibling
  and about 11 % of half-sibling pairings, while 0 (direct, parent–child) to 1 (full and half
  sibling) in 10^5 unrelated pairings pass — a candidate load of about 10^-5 per pair test,
  i.e. some 10^4 false leads in a 10^9-pair national screening, each settled by the follow-up.
* 10 common loci: a direct "match" on fewer loci is weak evidence whatever its LR, and
  degraded bone profiles with fewer loci are better resolved against whole families.

:data:`DEFAULT_IDENTIFICATION_LOG10_LR` (LR ≥ 10^6 for every relationship) is the level at
which a single pairwise LR is reported as an identification in the accuracy study: the
Swissair 101 identifications used an LR threshold of about 10^6 (kinship-software.md §3.5,
[W21]); with it the study finds no false identification in 4 × 10^5 unrelated pairings.

Candidates are returned as a :class:`Candidates` value (numpy structured array + provenance)
sorted by relationship (in :data:`RELATIONSHIPS` order), then log10 LR descending, then PM
index, then reference index — the same order on every path (chunked, Dask).

:func:`exact_log10_lr` and :func:`follow_up` compute the exact pedigree LR (kinship engine)
for the (PM, reference family) pairs that passed.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from homecoming import provenance as _prov
from homecoming.errors import InputError
from homecoming.genetics.profiles import Genotype

__all__ = [
    "RELATIONSHIPS",
    "DEFAULT_MIN_LOG10_LR",
    "DEFAULT_MIN_COMMON",
    "DEFAULT_IDENTIFICATION_LOG10_LR",
    "DEFAULT_MUTATION",
    "default_mutation",
    "DEFAULT_PM_BLOCK",
    "DEFAULT_REF_BLOCK",
    "CANDIDATE_DTYPE",
    "Candidates",
    "ScreeningModel",
    "block_ranges",
    "screen_block",
    "screen_codes",
    "screen_profiles",
    "exact_log10_lr",
    "follow_up",
]

RELATIONSHIPS: tuple[str, ...] = ("direct", "parent_child", "full_sibling", "half_sibling")
#: default candidate thresholds, log10 LR (see the module docstring for the reasoning)
DEFAULT_MIN_LOG10_LR: dict[str, float] = {r: 4.0 for r in RELATIONSHIPS}
#: LR level at which one pairwise LR counts as an identification on its own (accuracy study)
DEFAULT_IDENTIFICATION_LOG10_LR: dict[str, float] = {r: 6.0 for r in RELATIONSHIPS}
#: default minimum number of loci typed in both profiles
DEFAULT_MIN_COMMON = 10
#: default mutation model for screening markers (both sexes): the extended stepwise model of
#: Familias/pedmut with a total rate of 0.002 per meiosis (a conservative, high-end STR rate so
#: that one mutation does not exclude a true relative), a factor 0.1 per extra step (range) and
#: 1e-6 for changes between integer and microvariant alleles (rate2).
DEFAULT_MUTATION: dict[str, Any] = {"model": "stepwise", "rate": 0.002, "rate2": 1e-6, "range": 0.1}
DEFAULT_PM_BLOCK = 1024
DEFAULT_REF_BLOCK = 4096

CANDIDATE_DTYPE = np.dtype([
    ("pm", np.int64),            # row of the PM codes
    ("ref", np.int64),           # row of the reference codes
    ("relationship", np.int8),   # index into RELATIONSHIPS
    ("log10_lr", np.float64),
    ("common", np.int16),        # loci typed in both
])

_LN10 = math.log(10.0)

#: progress callback: (pairs done, pairs in total)
Progress = Callable[[int, int], None]


class ScreeningModel(Protocol):
    """What screening needs of a :class:`~homecoming.kinship.pairwise.PairwiseModel`."""

    relationship: str

    def log_lr(self, codes_a: np.ndarray, codes_b: np.ndarray) -> np.ndarray: ...


def default_mutation() -> Any:
    """:data:`DEFAULT_MUTATION` as a :class:`~homecoming.genetics.markers.MutationSpec`."""
    from homecoming.genetics.markers import MutationSpec

    d = DEFAULT_MUTATION
    return MutationSpec(str(d["model"]), rate=float(d["rate"]), rate2=float(d["rate2"]),
                        range=float(d["range"]))


def _relationship_of(model: Any, relationship: str | None) -> str:
    rel = relationship if relationship is not None else getattr(model, "relationship", None)
    if rel not in RELATIONSHIPS:
        raise InputError(f"relationship {rel!r}; expected one of {', '.join(RELATIONSHIPS)}",
                         field="relationship", value=rel)
    return rel


def _empty_table() -> np.ndarray:
    return np.empty(0, dtype=CANDIDATE_DTYPE)


def sort_table(table: np.ndarray) -> np.ndarray:
    """The canonical order: relationship, log10 LR descending, PM, reference."""
    if table.size == 0:
        return table
    order = np.lexsort((table["ref"], table["pm"], -table["log10_lr"], table["relationship"]))
    return table[order]


@dataclass(frozen=True)
class Candidates:
    """Screening candidates: a structured array (:data:`CANDIDATE_DTYPE`) and provenance.

    ``pm_ids`` / ``ref_ids`` (optional) name the rows of the PM and reference code arrays.
    """

    table: np.ndarray
    provenance: dict[str, Any] = field(default_factory=dict)
    pm_ids: tuple[str, ...] | None = None
    ref_ids: tuple[str, ...] | None = None

    def __len__(self) -> int:
        return int(self.table.size)

    def __eq__(self, other: object) -> bool:  # provenance (timestamps) is not compared
        return (isinstance(other, Candidates) and np.array_equal(self.table, other.table)
                and self.pm_ids == other.pm_ids and self.ref_ids == other.ref_ids)

    __hash__ = None  # type: ignore[assignment]

    @property
    def pm(self) -> np.ndarray:
        return self.table["pm"]

    @property
    def ref(self) -> np.ndarray:
        return self.table["ref"]

    @property
    def log10_lr(self) -> np.ndarray:
        return self.table["log10_lr"]

    @property
    def common(self) -> np.ndarray:
        return self.table["common"]

    @property
    def relationship(self) -> np.ndarray:
        """Relationship names, one per candidate (object array)."""
        names = np.array(RELATIONSHIPS, dtype=object)
        return np.asarray(names[self.table["relationship"]])

    def of(self, relationship: str) -> "Candidates":
        """The candidates of one relationship."""
        k = RELATIONSHIPS.index(_relationship_of(None, relationship))
        return Candidates(self.table[self.table["relationship"] == k], self.provenance,
                          self.pm_ids, self.ref_ids)

    def records(self) -> list[dict[str, Any]]:
        """JSON-able rows: pm, ref (ids where known, else indices), relationship, log10_lr,
        lr, common."""
        rows = []
        for r in self.table:
            pm, ref = int(r["pm"]), int(r["ref"])
            rows.append({
                "pm": self.pm_ids[pm] if self.pm_ids is not None else pm,
                "reference": self.ref_ids[ref] if self.ref_ids is not None else ref,
                "relationship": RELATIONSHIPS[int(r["relationship"])],
                "log10_lr": float(r["log10_lr"]),
                "lr": float(10.0 ** r["log10_lr"]) if r["log10_lr"] < 308 else float("inf"),
                "common_loci": int(r["common"]),
            })
        return rows

    @classmethod
    def concat(cls, parts: Sequence["Candidates"], provenance: Mapping[str, Any] | None = None
               ) -> "Candidates":
        """Join candidates (e.g. of several relationships) in the canonical order."""
        tables = [p.table for p in parts]
        table = sort_table(np.concatenate(tables)) if tables else _empty_table()
        pm_ids = parts[0].pm_ids if parts else None
        ref_ids = parts[0].ref_ids if parts else None
        prov = dict(provenance) if provenance is not None else (
            dict(parts[0].provenance) if parts else {})
        return cls(table, prov, pm_ids, ref_ids)


def block_ranges(n: int, size: int) -> list[tuple[int, int]]:
    """``[(start, stop), …]`` covering ``range(n)`` in blocks of ``size``."""
    if size < 1:
        raise InputError(f"block size {size}; expected a positive integer", field="block",
                         value=size)
    return [(s, min(s + size, n)) for s in range(0, n, size)]


def _check_codes(codes: np.ndarray, name: str) -> np.ndarray:
    arr = np.asarray(codes)
    if arr.ndim != 2:
        raise InputError(f"{name}: shape {arr.shape}; expected (profiles, loci)", field=name,
                         value=arr.shape)
    return arr


def screen_block(model: ScreeningModel, pm_codes: np.ndarray, ref_codes: np.ndarray, *,
                 relationship: str | None = None, min_log10_lr: float, min_common: int,
                 pm_offset: int = 0, ref_offset: int = 0, upper_only: bool = False
                 ) -> np.ndarray:
    """Score one block of pairs and keep the candidates (a :data:`CANDIDATE_DTYPE` array,
    unsorted). ``upper_only`` keeps only pairs with global PM index < reference index (for a
    self-join)."""
    rel = _relationship_of(model, relationship)
    if pm_codes.shape[0] == 0 or ref_codes.shape[0] == 0:
        return _empty_table()
    llr = np.asarray(model.log_lr(pm_codes, ref_codes))
    keep = llr >= min_log10_lr * _LN10
    if upper_only:
        gi = np.arange(pm_offset, pm_offset + pm_codes.shape[0])[:, None]
        gj = np.arange(ref_offset, ref_offset + ref_codes.shape[0])[None, :]
        keep &= gi < gj
    i, j = np.nonzero(keep)
    if i.size == 0:
        return _empty_table()
    common = ((pm_codes[i] >= 0) & (ref_codes[j] >= 0)).sum(axis=1)
    ok = common >= min_common
    i, j, common = i[ok], j[ok], common[ok]
    out = np.empty(i.size, dtype=CANDIDATE_DTYPE)
    out["pm"] = i + pm_offset
    out["ref"] = j + ref_offset
    out["relationship"] = RELATIONSHIPS.index(rel)
    out["log10_lr"] = llr[i, j] / _LN10
    out["common"] = common
    return out


def iter_blocks(n_pm: int, n_ref: int, pm_block: int, ref_block: int, *,
                upper_only: bool = False) -> Iterator[tuple[int, int, int, int]]:
    """The blocks ``(pm_start, pm_stop, ref_start, ref_stop)`` in a fixed order; with
    ``upper_only`` (self-join), blocks entirely below the diagonal are skipped."""
    for a0, a1 in block_ranges(n_pm, pm_block):
        for b0, b1 in block_ranges(n_ref, ref_block):
            if upper_only and b1 - 1 <= a0:
                continue
            yield a0, a1, b0, b1


def _threshold(min_log10_lr: float | Mapping[str, float] | None, rel: str) -> float:
    if min_log10_lr is None:
        return DEFAULT_MIN_LOG10_LR[rel]
    if isinstance(min_log10_lr, Mapping):
        return float(min_log10_lr.get(rel, DEFAULT_MIN_LOG10_LR[rel]))
    return float(min_log10_lr)


def screening_provenance(*, relationship: str | Sequence[str], min_log10_lr: Any,
                         min_common: int, n_pm: int, n_ref: int, frequency_db: Any = None,
                         theta: float | None = None, pm_block: int | None = None,
                         ref_block: int | None = None, **extra: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "relationship": relationship if isinstance(relationship, str) else list(relationship),
        "min_log10_lr": dict(min_log10_lr) if isinstance(min_log10_lr, Mapping) else min_log10_lr,
        "min_common_loci": min_common,
        "pm_profiles": n_pm,
        "reference_profiles": n_ref,
        "pairs": n_pm * n_ref,
    }
    if theta is not None:
        params["theta"] = theta
    if pm_block is not None:
        params["pm_block"] = pm_block
        params["ref_block"] = ref_block
    rec = _prov.record(parameters=params, **extra)
    if frequency_db is not None:
        rec["frequency_database"] = frequency_db
    return rec


def _blocks_task(model: Any, pm_codes: np.ndarray, ref_codes: np.ndarray,
                 blocks: Sequence[tuple[int, int, int, int]], rel: str, thr: float,
                 min_common: int, self_join: bool) -> np.ndarray:
    """One task of :func:`screen_codes`: a group of blocks, concatenated."""
    parts = [screen_block(model, pm_codes[a0:a1], ref_codes[b0:b1], relationship=rel,
                          min_log10_lr=thr, min_common=min_common, pm_offset=a0,
                          ref_offset=b0, upper_only=self_join)
             for a0, a1, b0, b1 in blocks]
    return np.concatenate(parts) if parts else _empty_table()


def _is_dask(executor: Any) -> bool:
    return hasattr(executor, "scatter") and hasattr(executor, "scheduler_info")


def _executor_info(executor: Any, blocks_per_task: int) -> dict[str, Any]:
    if _is_dask(executor):
        info = executor.scheduler_info()
        return {"dask": {"scheduler": str(info.get("address", "client")),
                         "workers": len(info.get("workers", {})),
                         "blocks_per_task": blocks_per_task}}
    return {"executor": {"type": type(executor).__name__, "blocks_per_task": blocks_per_task}}


def _run_tasks(executor: Any, pm_codes: np.ndarray, ref_codes: np.ndarray, model: Any,
               groups: Sequence[Sequence[tuple[int, int, int, int]]], rel: str, thr: float,
               min_common: int, self_join: bool) -> Iterator[tuple[int, np.ndarray]]:
    """Submit one task per group of blocks; yield (group index, table) as tasks finish."""
    if _is_dask(executor):
        from distributed import as_completed as dask_completed

        # send the data once; every worker holds its own copy
        model_f, pm_f, ref_f = executor.scatter([model, pm_codes, ref_codes], broadcast=True,
                                                hash=False)
        futures = {executor.submit(_blocks_task, model_f, pm_f, ref_f, g, rel, thr,
                                   min_common, self_join, pure=False): k
                   for k, g in enumerate(groups)}
        for fut in dask_completed(list(futures)):  # type: ignore[no-untyped-call]
            yield futures.pop(fut), fut.result()
            fut.release()
        return
    from concurrent.futures import as_completed

    cfutures = {executor.submit(_blocks_task, model, pm_codes, ref_codes, g, rel, thr,
                                min_common, self_join): k for k, g in enumerate(groups)}
    for cf in as_completed(list(cfutures)):
        yield cfutures.pop(cf), cf.result()


def screen_codes(pm_codes: np.ndarray, ref_codes: np.ndarray, model: ScreeningModel, *,
                 relationship: str | None = None,
                 min_log10_lr: float | Mapping[str, float] | None = None,
                 min_common: int = DEFAULT_MIN_COMMON,
                 pm_block: int = DEFAULT_PM_BLOCK, ref_block: int = DEFAULT_REF_BLOCK,
                 progress: Progress | None = None,
                 pm_ids: Sequence[str] | None = None, ref_ids: Sequence[str] | None = None,
                 frequency_db: Any = None, self_join: bool = False,
                 executor: Any = None, blocks_per_task: int = 1) -> Candidates:
    """Screen encoded PM profiles against encoded reference profiles with one model.

    The pairs are cut into blocks (:func:`iter_blocks`) scored by :func:`screen_block`; the
    candidates are sorted into one canonical order, so the result does not depend on where the
    blocks ran.

    :param pm_codes, ref_codes: ``model.encode(...)`` arrays, shape (n, L), −1 = untyped.
    :param min_log10_lr: a number, or relationship → number (defaults
        :data:`DEFAULT_MIN_LOG10_LR`).
    :param min_common: minimum loci typed in both profiles.
    :param progress: called as ``progress(pairs_done, pairs_total)`` after each block (task).
    :param self_join: ``ref_codes`` is ``pm_codes`` and only pairs ``pm < ref`` are scored.
    :param executor: ``None``: this process, block after block; a
        ``concurrent.futures.Executor``; or a Dask ``distributed.Client`` (a ``LocalCluster`` or
        a remote scheduler: the codes and the model are scattered to every worker once). The
        provenance records where it ran (``dask`` or ``executor``).
    :param blocks_per_task: blocks computed by one task (fewer, larger tasks on big runs).
    """
    pm_codes = _check_codes(pm_codes, "pm_codes")
    ref_codes = _check_codes(ref_codes, "ref_codes")
    if pm_codes.shape[1] != ref_codes.shape[1]:
        raise InputError(f"ref_codes: {ref_codes.shape[1]} loci; expected {pm_codes.shape[1]} "
                         "as in pm_codes", field="ref_codes", value=ref_codes.shape[1])
    if blocks_per_task < 1:
        raise InputError(f"blocks_per_task {blocks_per_task}; expected at least 1",
                         field="blocks_per_task", value=blocks_per_task)
    rel = _relationship_of(model, relationship)
    thr = _threshold(min_log10_lr, rel)
    n_pm, n_ref = pm_codes.shape[0], ref_codes.shape[0]
    total = n_pm * (n_pm - 1) // 2 if self_join else n_pm * n_ref
    done = 0
    started = time.perf_counter()
    parts = []

    def pairs_of(block: tuple[int, int, int, int]) -> int:
        a0, a1, b0, b1 = block
        return _upper_pairs(a0, a1, b0, b1) if self_join else (a1 - a0) * (b1 - b0)

    blocks = list(iter_blocks(n_pm, n_ref, pm_block, ref_block, upper_only=self_join))
    extra: dict[str, Any] = {}
    if executor is None:
        for block in blocks:
            parts.append(_blocks_task(model, pm_codes, ref_codes, [block], rel, thr,
                                      min_common, self_join))
            done += pairs_of(block)
            if progress is not None:
                progress(done, total)
    else:
        groups = [blocks[k:k + blocks_per_task] for k in range(0, len(blocks), blocks_per_task)]
        if groups:
            for k, part in _run_tasks(executor, pm_codes, ref_codes, model, groups, rel, thr,
                                      min_common, self_join):
                parts.append(part)
                done += sum(pairs_of(b) for b in groups[k])
                if progress is not None:
                    progress(done, total)
        extra = _executor_info(executor, blocks_per_task)
    table = sort_table(np.concatenate(parts)) if parts else _empty_table()
    prov = screening_provenance(
        relationship=rel, min_log10_lr=thr, min_common=min_common, n_pm=n_pm, n_ref=n_ref,
        frequency_db=_database_info(frequency_db), theta=getattr(model, "theta", None),
        pm_block=pm_block,
        ref_block=ref_block, elapsed_s=round(time.perf_counter() - started, 3),
        self_join=self_join, **extra)
    return Candidates(table, prov, tuple(pm_ids) if pm_ids is not None else None,
                      tuple(ref_ids) if ref_ids is not None else None)


def _upper_pairs(a0: int, a1: int, b0: int, b1: int) -> int:
    """Number of pairs (i, j), a0 ≤ i < a1, b0 ≤ j < b1, with i < j."""
    i = np.arange(a0, a1)
    return int(np.clip(b1 - np.maximum(i + 1, b0), 0, None).sum())


def _database_info(db: Any) -> Any:
    if db is None:
        return None
    if isinstance(db, (str, Mapping)):
        return db
    info = {"name": getattr(db, "name", None), "sha256": getattr(db, "sha256", None)}
    return {k: v for k, v in info.items() if v is not None} or str(db)


def screen_profiles(pm_profiles: Sequence[Mapping[str, Genotype]],
                    ref_profiles: Sequence[Mapping[str, Genotype]], markers: Sequence[Any], *,
                    relationships: Iterable[str] = RELATIONSHIPS, theta: float = 0.0,
                    min_log10_lr: float | Mapping[str, float] | None = None,
                    min_common: int = DEFAULT_MIN_COMMON,
                    pm_block: int = DEFAULT_PM_BLOCK, ref_block: int = DEFAULT_REF_BLOCK,
                    progress: Progress | None = None,
                    pm_ids: Sequence[str] | None = None, ref_ids: Sequence[str] | None = None,
                    frequency_db: Any = None,
                    model_factory: Callable[..., Any] | None = None) -> Candidates:
    """Blind screening of profiles for several relationships (the high-level entry point).

    Builds one :class:`~homecoming.kinship.pairwise.PairwiseModel` per relationship, encodes
    the profiles and runs :func:`screen_codes`; ``progress`` sees the pairs of all
    relationships together.
    """
    rels = [_relationship_of(None, r) for r in relationships]
    if model_factory is None:
        from homecoming.kinship.pairwise import PairwiseModel

        model_factory = PairwiseModel
    total = len(pm_profiles) * len(ref_profiles) * len(rels)
    parts = []
    offset = 0
    for rel in rels:
        model = model_factory(markers, rel, theta=theta)
        pm_codes = model.encode(pm_profiles)
        ref_codes = model.encode(ref_profiles)

        def _progress(done: int, _total: int, _offset: int = offset) -> None:
            if progress is not None:
                progress(_offset + done, total)

        parts.append(screen_codes(pm_codes, ref_codes, model, relationship=rel,
                                  min_log10_lr=min_log10_lr, min_common=min_common,
                                  pm_block=pm_block, ref_block=ref_block, progress=_progress,
                                  pm_ids=pm_ids, ref_ids=ref_ids))
        offset += len(pm_profiles) * len(ref_profiles)
    thresholds = {r: _threshold(min_log10_lr, r) for r in rels}
    prov = screening_provenance(
        relationship=rels, min_log10_lr=thresholds, min_common=min_common,
        n_pm=len(pm_profiles), n_ref=len(ref_profiles), frequency_db=_database_info(frequency_db),
        theta=theta, pm_block=pm_block, ref_block=ref_block,
        markers=[getattr(m, "name", str(m)) for m in markers])
    out = Candidates.concat(parts, prov)
    return Candidates(out.table, prov, tuple(pm_ids) if pm_ids is not None else None,
                      tuple(ref_ids) if ref_ids is not None else None)


# --- exact follow-up ----------------------------------------------------------------------

def exact_log10_lr(pedigree: Any, markers: Sequence[Any], relatives: Mapping[str, Mapping[str, Genotype]],
                   missing: str, pm_profile: Mapping[str, Genotype], *, theta: float = 0.0,
                   log_likelihood: Callable[..., np.ndarray] | None = None) -> float:
    """Exact log10 LR of "the PM profile is ``missing`` in this family" against "the PM
    profile is of someone unrelated to the family" (the family's other missing persons
    untyped), with the kinship engine.

    LR = P(relatives, PM as ``missing`` | pedigree) / (P(relatives | pedigree) · P(PM)).
    """
    if missing not in pedigree:
        raise InputError(f"missing person {missing!r} is not in the pedigree", field="missing",
                         value=missing)
    if missing in relatives:
        raise InputError(f"missing person {missing!r} is typed among the relatives; expected "
                         "an untyped missing person", field="missing", value=missing)
    from homecoming.kinship.likelihood import log_likelihood as engine
    from homecoming.pedigree.pedigree import Pedigree, Person

    loglik: Callable[..., np.ndarray] = engine if log_likelihood is None else log_likelihood

    names = {m.name for m in markers}
    pm = {k: v for k, v in pm_profile.items() if k in names}
    joined = dict(relatives)
    joined[missing] = pm
    h1 = np.asarray(loglik(pedigree, markers, joined, theta=theta), dtype=float)
    h0_family = np.asarray(loglik(pedigree, markers, dict(relatives), theta=theta),
                           dtype=float)
    sex = pedigree[missing].sex
    alone_id = "__pm__" if "__pm__" not in pedigree else "__pm_profile__"
    alone = Pedigree([Person(alone_id, sex=sex)])
    h0_pm = np.asarray(loglik(alone, markers, {alone_id: pm}, theta=theta), dtype=float)
    num = float(h1.sum())
    den = float(h0_family.sum() + h0_pm.sum())
    if den == -math.inf:
        raise InputError("the data are impossible without the identification (check the "
                         "relatives' genotypes)", field="genotypes")
    return (num - den) / _LN10


@dataclass(frozen=True)
class FollowUp:
    pm: int
    family: str
    missing: str
    log10_lr: float
    screening_log10_lr: float
    relationship: str


def follow_up(candidates: Candidates, pm_profiles: Sequence[Mapping[str, Genotype]],
              ref_family: Sequence[str], families: Mapping[str, Any], markers: Sequence[Any], *,
              theta: float = 0.0, log_likelihood: Callable[..., np.ndarray] | None = None
              ) -> list[FollowUp]:
    """Exact pedigree LRs for the (PM, reference family) pairs among the candidates.

    :param ref_family: family name of each reference profile (row of the reference codes).
    :param families: family name → an object with ``pedigree``, ``missing`` (ids) and
        ``genotypes`` (typed relatives), e.g. :class:`homecoming.identification.dataset.Family`.
    :returns: one :class:`FollowUp` per (PM, family, missing person), best screening
        relationship recorded, sorted by exact log10 LR descending, then PM, family, missing.
    """
    best: dict[tuple[int, str], tuple[float, str]] = {}
    for row in candidates.table:
        fam = ref_family[int(row["ref"])]
        key = (int(row["pm"]), fam)
        value = (float(row["log10_lr"]), RELATIONSHIPS[int(row["relationship"])])
        if key not in best or value[0] > best[key][0]:
            best[key] = value
    out = []
    for (pm, fam), (slr, rel) in sorted(best.items()):
        if fam not in families:
            raise InputError(f"reference family {fam!r} is not among the families", field="family",
                             value=fam)
        family = families[fam]
        for missing in family.missing:
            lr = exact_log10_lr(family.pedigree, markers, family.genotypes, missing,
                                pm_profiles[pm], theta=theta, log_likelihood=log_likelihood)
            out.append(FollowUp(pm, fam, missing, lr, slr, rel))
    out.sort(key=lambda f: (-f.log10_lr, f.pm, f.family, f.missing))
    return out
