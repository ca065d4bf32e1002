"""Per-family genotype tables: the pairwise stage as lookups.

For "victim V is missing person M" against "V is unrelated", the likelihood ratio factorises over
markers, and at each marker it depends on V only through V's *observation* there (the genotype as
typed, partial or not; nothing when untyped):

    LR(V, M) = Π_markers P(F, V's observation placed on M) / (P(F) · P(V's observation))

at θ = 0, and with θ > 0 (kinship-case convention: all founder alleles of the family *and* the
victim conditioned jointly; the victim is not independent of the family)

    LR(V, M) = Π_markers P(F, V's observation placed on M) / P(F + V as an unrelated founder).

Every factor is one exact likelihood of the family pedigree with one more typed person — a
function of (family, marker, observation) only. So instead of one engine call per victim ×
missing person, Homecoming lists the distinct observations of all victims at each marker
(typically 20–90 per STR, whatever the number of victims), evaluates each factor **once** per
family (per missing person for the numerator) and marker with the exact engine
(:func:`homecoming.kinship.likelihood.log_likelihood`), and every victim's LR becomes a sum of
table lookups. This is the same computation as the per-pair path, reorganised: mutation, θ,
silent alleles and partial genotypes enter exactly as they do there, because the engine sees
the same pedigree with the same observation at every marker.

The engine batches markers; the distinct observations of one marker are passed to it as copies
of the marker under new names (``"<name>#<k>"``, same alleles, frequencies and mutation model),
so one call evaluates every column of a table. Column 0 of every table is "untyped" (the person
has no observation at that marker).

Mendelian-inconsistency counts come from the same tables built without mutation: a marker is
inconsistent when the pairing's no-mutation factor is 0 while the family alone is possible.

Drop-out. The DVI dataset format has no per-person drop-out probability, but the stored-case
identification can set one for every post-mortem profile (``homecoming identify --dropout D``):
:class:`DropoutLikelihood` wraps the engine so that every person carrying a victim's
observation (the missing person it is placed on, or the victim alone / as an unrelated founder)
is observed with drop-out ``d`` — the kinship engine's observation model (kinship-case@1
'dropout'; module doc of :mod:`homecoming.kinship.likelihood`) — while the references are
observed exactly. Each table entry is then ``log Σ_g P(family, g on M) P(obs | g)`` and the
"alone" column ``log Σ_g P(g) P(obs | g)``, exactly; the table key stays the observation (one
``d`` for all victims). ``solve(dataset, loglik=DropoutLikelihood(...))`` uses the same wrapper
for every likelihood of the joint stage.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from homecoming.errors import InputError
from homecoming.genetics.markers import Marker
from homecoming.pedigree.pedigree import Pedigree

#: Likelihood function with the signature of homecoming.kinship.likelihood.log_likelihood.
LogLikelihood = Callable[..., Any]

#: Most marker copies passed to the engine in one call (θ = 0; with θ > 0 one marker a call).
CHUNK = 128


class DropoutLikelihood:
    """The engine with drop-out probability ``dropout`` for the typed persons among
    ``observed`` (persons that carry a post-mortem observation); others are observed exactly.

    A picklable callable with the signature of
    :func:`homecoming.kinship.likelihood.log_likelihood` (so it travels to dask workers).
    """

    def __init__(self, dropout: float, observed: Sequence[str] | frozenset[str],
                 loglik: LogLikelihood | None = None) -> None:
        if not 0.0 <= float(dropout) < 1.0:
            raise InputError(f"dropout {dropout!r}; expected a probability in [0, 1)",
                             field="dropout", value=dropout)
        self.dropout = float(dropout)
        self.observed = frozenset(observed)
        self.loglik = loglik

    def __call__(self, pedigree: Pedigree, markers: Sequence[Marker],
                 genotypes: Mapping[str, Any], **kwargs: Any) -> Any:
        engine: LogLikelihood
        if self.loglik is None:
            from homecoming.kinship.likelihood import log_likelihood

            engine = log_likelihood
        else:
            engine = self.loglik
        drop = dict(kwargs.pop("dropout", None) or {})
        if self.dropout > 0.0:
            for pid in genotypes:
                if pid in self.observed:
                    drop.setdefault(pid, self.dropout)
        return engine(pedigree, markers, genotypes, dropout=drop or None, **kwargs)


def _typed(genotype: Any) -> bool:
    return genotype is not None and any(a is not None for a in genotype)


@dataclasses.dataclass(frozen=True)
class ObservationIndex:
    """The distinct observations of the victims per marker.

    ``observations[i]``: the observations of marker ``i`` (column ``k + 1`` is
    ``observations[i][k]``; column 0 is "untyped"); ``columns``: victim id -> column per
    marker (int array, 0 where the victim is untyped).
    """

    markers: tuple[Marker, ...]
    observations: tuple[tuple[tuple[Any, ...], ...], ...]
    columns: Mapping[str, np.ndarray]

    @property
    def width(self) -> int:
        """Columns of a table (1 + the largest number of observations of a marker)."""
        return 1 + max((len(o) for o in self.observations), default=0)

    @classmethod
    def build(cls, markers: Sequence[Marker],
              victims: Mapping[str, Mapping[str, Any]]) -> ObservationIndex:
        """``victims``: victim id -> {marker name: genotype} (used markers only)."""
        keys: list[dict[tuple[Any, ...], int]] = [{} for _ in markers]
        cols: dict[str, np.ndarray] = {}
        for vid, gts in victims.items():
            c = np.zeros(len(markers), dtype=np.intp)
            for i, mk in enumerate(markers):
                g = gts.get(mk.name)
                if not _typed(g):
                    continue
                key = tuple(g)  # type: ignore[arg-type]
                c[i] = keys[i].setdefault(key, len(keys[i]) + 1)
            cols[vid] = c
        obs = tuple(tuple(sorted(k, key=k.__getitem__)) for k in keys)
        return cls(tuple(markers), obs, cols)


class GenotypeTables:
    """Builds per-family tables of exact log-likelihoods over the victims' observations.

    :param markers: the markers (with their mutation models) the tables use.
    :param index: the victims' observations.
    :param loglik: the exact engine.
    :param theta: Balding–Nichols θ passed to the engine.
    """

    def __init__(self, markers: Sequence[Marker], index: ObservationIndex,
                 loglik: LogLikelihood, theta: float) -> None:
        self.markers = tuple(markers)
        self.index = index
        self.loglik = loglik
        self.theta = float(theta)
        self.calls = 0
        # the marker copies, kept alive for the engine's per-marker caches
        self._copies: list[tuple[int, int, Marker]] = []
        for i, mk in enumerate(self.markers):
            for k in range(len(index.observations[i])):
                self._copies.append((i, k + 1, dataclasses.replace(mk, name=f"{mk.name}#{k + 1}")))

    def _chunks(self, victims: Sequence[str] | None) -> list[list[tuple[int, int, Marker]]]:
        copies = self._copies
        if victims is not None:    # only the observations of these victims
            cols = np.stack([self.index.columns[v] for v in victims], axis=1) if victims else \
                np.zeros((len(self.markers), 0), dtype=np.intp)
            used = [set(row.tolist()) for row in cols]   # (np.unique would import numpy.ma)
            copies = [c for c in copies if c[1] in used[c[0]]]
        if self.theta > 0.0:
            by_marker: dict[int, list[tuple[int, int, Marker]]] = {}
            for c in copies:
                by_marker.setdefault(c[0], []).append(c)
            return list(by_marker.values())
        return [copies[j:j + CHUNK] for j in range(0, len(copies), CHUNK)]

    def table(self, pedigree: Pedigree, genotypes: Mapping[str, Mapping[str, Any]],
              node: str, untyped: np.ndarray, victims: Sequence[str] | None = None
              ) -> np.ndarray:
        """``T[i, k]`` = log P(data, ``node`` has observation ``k`` at marker ``i``).

        :param genotypes: the other typed persons (marker name -> genotype, original names).
        :param untyped: per marker, the log-likelihood with ``node`` untyped (column 0).
        :param victims: compute only the columns these victims use (e.g. the victims whose sex
            fits ``node``: an X-marker observation is one allele for a male, two for a female);
            the other columns are NaN. ``None``: every column.
        """
        out = np.full((len(self.markers), self.index.width), np.nan)
        out[:, 0] = untyped
        names = [mk.name for mk in self.markers]
        for chunk in self._chunks(victims):
            gts: dict[str, dict[str, Any]] = {p: {} for p in genotypes}
            gts[node] = {}
            for i, k, copy in chunk:
                for p, pg in genotypes.items():
                    g = pg.get(names[i])
                    if g is not None:
                        gts[p][copy.name] = g
                gts[node][copy.name] = self.index.observations[i][k - 1]
            self.calls += 1
            res = np.asarray(self.loglik(pedigree, [c for _, _, c in chunk], gts,
                                         theta=self.theta), dtype=float)
            for (i, k, _), x in zip(chunk, res):
                out[i, k] = x
        return out

    def lookup(self, table: np.ndarray, victims: Sequence[str]) -> np.ndarray:
        """``table`` read at each victim's observations: shape (markers, victims)."""
        if not victims:
            return np.zeros((len(self.markers), 0))
        cols = np.stack([self.index.columns[v] for v in victims], axis=1)
        return np.take_along_axis(table, cols, axis=1)


class PerMissing(Mapping[tuple[str, str], Any]):
    """``(victim, missing person) -> number``, held as one array per missing person over the
    victims compared with it (a dict of millions of pairings took ~130 bytes each; this is 8).

    Built by :func:`pairwise_by_tables`; reading gives a Python ``float`` (``kind="float"``) or
    ``int`` (``kind="int"``), a missing pairing raises ``KeyError``.
    """

    def __init__(self, kind: str) -> None:
        self._kind: Callable[[Any], Any] = float if kind == "float" else int
        self._cols: dict[str, tuple[dict[str, int], np.ndarray]] = {}
        self._positions: dict[tuple[str, ...], dict[str, int]] = {}   # shared per victim list

    def put(self, missing: str, victims: tuple[str, ...], values: np.ndarray) -> None:
        """Set the values of ``missing`` against ``victims`` (one value each)."""
        pos = self._positions.get(victims)
        if pos is None:
            pos = self._positions[victims] = {v: j for j, v in enumerate(victims)}
        self._cols[missing] = (pos, values)

    def __getitem__(self, key: tuple[str, str]) -> Any:
        victim, missing = key
        pos, values = self._cols[missing]
        return self._kind(values[pos[victim]])

    def __iter__(self) -> Iterator[tuple[str, str]]:
        for m, (pos, _) in self._cols.items():
            for v in pos:
                yield (v, m)

    def __len__(self) -> int:
        return sum(len(pos) for pos, _ in self._cols.values())


@dataclasses.dataclass(frozen=True)
class PairwiseScores:
    """The pairwise stage's numbers for every victim × missing person.

    ``log_lr[(victim, missing)]``: natural log LR (DNA; −inf where not a number);
    ``inconsistent[(victim, missing)]``: markers inconsistent with Mendelian inheritance
    (both :class:`PerMissing`); ``pair_loglik[missing]``: the victims compared with that
    missing person and, per marker × those victims, log P(family, victim placed on the missing
    person); ``victim_loglik[victim]``: log P(victim's profile) (θ-conditioned on its own).
    """

    log_lr: Mapping[tuple[str, str], float]
    inconsistent: Mapping[tuple[str, str], int]
    pair_loglik: Mapping[str, tuple[tuple[str, ...], np.ndarray]]
    victim_loglik: Mapping[str, float]
    calls: int


def pairwise_by_tables(pedigrees: Mapping[str, Pedigree],
                       family_genotypes: Mapping[str, Mapping[str, Mapping[str, Any]]],
                       missing: Mapping[str, Sequence[str]],
                       compared: Mapping[str, Sequence[str]],
                       victims: Mapping[str, Mapping[str, Any]],
                       victim_sex: Mapping[str, Any],
                       markers: Sequence[Marker], nomut_markers: Sequence[Marker] | None,
                       family_null: Mapping[str, np.ndarray],
                       family_null_nomut: Mapping[str, np.ndarray],
                       loglik: LogLikelihood, theta: float, victim_node: str,
                       progress: Callable[[int, int], None] | None = None,
                       keep_columns: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None
                       ) -> PairwiseScores:
    """Every pairwise LR and inconsistency count from per-family tables (see the module doc).

    :param pedigrees, family_genotypes, missing: per family name.
    :param compared: per missing person, the victims to compare (e.g. those of compatible sex).
    :param victims: victim id -> {marker name: genotype} on the used markers.
    :param nomut_markers: the markers without mutation (``None`` when no marker mutates: the
        tables with mutation count the inconsistencies).
    :param family_null, family_null_nomut: per family, log P(family) per marker with and
        without mutation.
    :param victim_node: id given to the victim as an extra founder (θ > 0) or alone.
    :param progress: called with (victims × missing persons done, victims × missing persons).
    :param keep_columns: given a missing person's log LRs and inconsistency counts (one per
        compared victim), which victims' columns ``pair_loglik`` keeps (default all): a large
        dataset keeps only the pairings that can enter the joint stage (markers × victims ×
        missing persons of float64 is ~0.7 GB at 2,000 × 2,000).
    """
    from homecoming.pedigree.pedigree import Person

    index = ObservationIndex.build(markers, victims)
    tab = GenotypeTables(markers, index, loglik, theta)
    tab_nm = GenotypeTables(nomut_markers, index, loglik, theta) if nomut_markers else None
    vids = tuple(victims)
    n_pairs = sum(len(ms) for ms in missing.values()) * len(vids)
    done = 0
    sexes = sorted({victim_sex[v] for v in vids}, key=str)
    by_sex = {s: [j for j, v in enumerate(vids) if victim_sex[v] == s] for s in sexes}
    zeros = np.zeros(len(markers))
    has_x = any(mk.chromosome == "X" for mk in markers)
    alone: dict[str, float] = {}
    for s in sexes:
        sel = [vids[j] for j in by_sex[s]]
        t = tab.table(Pedigree([Person(victim_node, sex=s)]), {}, victim_node, zeros, sel)
        for v, x in zip(sel, tab.lookup(t, sel).sum(axis=0)):
            alone[v] = float(x)
    log_lr = PerMissing("float")
    incons = PerMissing("int")
    pair_ll: dict[str, tuple[tuple[str, ...], np.ndarray]] = {}
    with np.errstate(invalid="ignore"):
        for name, ms in missing.items():
            ped, gts = pedigrees[name], family_genotypes[name]
            null = np.asarray(family_null[name], dtype=float)
            den: dict[str, float] = {}
            need = {v for m in ms for v in compared[m]}
            if theta == 0.0:
                total = float(null.sum())
                den = {v: total + alone[v] for v in need}
            else:
                for s in sexes:
                    sel = [vids[j] for j in by_sex[s] if vids[j] in need]
                    if not sel:
                        continue
                    ped_u = Pedigree(list(ped) + [Person(victim_node, sex=s)])
                    t = tab.table(ped_u, gts, victim_node, null, sel)
                    den.update(zip(sel, tab.lookup(t, sel).sum(axis=0).tolist()))
            for m in ms:
                if progress is not None:
                    progress(done, n_pairs)
                vs = tuple(compared[m])
                done += len(vids)
                # X markers: one call per victim sex (the engine reads a person of unknown sex
                # as male or female from the allele count, once per call)
                groups = [[v for v in vs if victim_sex[v] == s] for s in sexes] if has_x \
                    else [list(vs)]
                vs = tuple(v for g in groups for v in g)
                null_nm = np.asarray(family_null_nomut[name], dtype=float)
                parts, parts_nm = [], []
                for g in groups:
                    if not g:
                        continue
                    parts.append(tab.lookup(tab.table(ped, gts, m, null, g), g))
                    if tab_nm is not None:
                        parts_nm.append(tab_nm.lookup(tab_nm.table(ped, gts, m, null_nm, g), g))
                num = np.concatenate(parts, axis=1) if parts else np.zeros((len(markers), 0))
                lr = num.sum(axis=0) - np.array([den[v] for v in vs])
                if tab_nm is not None:
                    num_nm = np.concatenate(parts_nm, axis=1) if parts_nm else num
                else:
                    null_nm, num_nm = null, num
                bad = ((num_nm == -np.inf) & (null_nm > -np.inf)[:, None]).sum(axis=0)
                lr = np.where(np.isnan(lr), -np.inf, lr)
                if keep_columns is None:
                    pair_ll[m] = (vs, num)
                else:
                    kept = np.flatnonzero(keep_columns(lr, bad))
                    pair_ll[m] = (tuple(vs[j] for j in kept.tolist()), num[:, kept])
                log_lr.put(m, vs, lr)
                incons.put(m, vs, bad.astype(np.int64))
    if progress is not None:
        progress(n_pairs, n_pairs)
    calls = tab.calls + (tab_nm.calls if tab_nm is not None else 0)
    return PairwiseScores(log_lr, incons, pair_ll, alone, calls)
