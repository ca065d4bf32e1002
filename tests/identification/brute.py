"""Brute-force reference for joint identification (tests only).

Enumerates every assignment of victims to missing persons allowed by ``allowed`` (each victim
at most once, each missing person at most once) and scores each one from scratch: one engine
likelihood per family with the assigned victims' genotypes placed on their missing persons, plus
one per unassigned victim. No search, no bounds, no factorised gains.
:func:`combined_loglik` scores one assignment with a single likelihood of one big pedigree (all
families and victims together), the check that the factorisation itself is right.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from homecoming.identification.dataset import DviDataset
from homecoming.kinship.likelihood import log_likelihood
from homecoming.pedigree.pedigree import Pedigree, Person


def assignments(victims: list[str],
                allowed: dict[str, list[str]]) -> Iterator[dict[str, str | None]]:
    """All injective partial maps victim -> missing with victim's options in ``allowed``."""
    out: dict[str, str | None] = {}

    def rec(i: int, used: set[str]) -> Iterator[dict[str, str | None]]:
        if i == len(victims):
            yield dict(out)
            return
        v = victims[i]
        out[v] = None
        yield from rec(i + 1, used)
        for m in allowed.get(v, []):
            if m not in used:
                out[v] = m
                used.add(m)
                yield from rec(i + 1, used)
                used.discard(m)
        out[v] = None

    yield from rec(0, set())


def _names(ds: DviDataset) -> set[str]:
    return {m.name for m in ds.markers}


def assignment_loglik(ds: DviDataset, a: dict[str, str | None], cache: dict | None = None) -> float:
    names = _names(ds)
    vg = {v.id: {m: g for m, g in v.genotypes.items() if m in names} for v in ds.victims}
    total = 0.0
    for f in ds.families:
        gts = {p: {m: g for m, g in x.items() if m in names} for p, x in f.genotypes.items()}
        placed = tuple(sorted((m, v) for v, m in a.items() if m in f.missing))
        key = (f.name, placed)
        if cache is not None and key in cache:
            total += cache[key]
            continue
        for m, v in placed:
            gts[m] = vg[v]
        ll = float(np.sum(log_likelihood(f.pedigree, ds.markers, gts, theta=ds.theta)))
        if cache is not None:
            cache[key] = ll
        total += ll
    for v in ds.victims:
        if a.get(v.id) is None:
            key = ("victim", v.id)
            if cache is not None and key in cache:
                total += cache[key]
                continue
            ped = Pedigree([Person("X", sex=v.sex)])
            ll = float(np.sum(log_likelihood(ped, ds.markers, {"X": vg[v.id]}, theta=ds.theta)))
            if cache is not None:
                cache[key] = ll
            total += ll
    return total


def combined_loglik(ds: DviDataset, a: dict[str, str | None]) -> float:
    """One likelihood of the union of all families and unassigned victims (θ = 0 check)."""
    names = _names(ds)
    persons = []
    gts: dict[str, dict] = {}
    for f in ds.families:
        def rn(x: str | None, f=f) -> str | None:
            return None if x is None else f"{f.name}::{x}"
        for p in f.pedigree:
            persons.append(Person(rn(p.id), rn(p.father), rn(p.mother), p.sex))
        for p, x in f.genotypes.items():
            gts[rn(p)] = {m: g for m, g in x.items() if m in names}
    fam_of = {m: f.name for f in ds.families for m in f.missing}
    for v in ds.victims:
        g = {m: x for m, x in v.genotypes.items() if m in names}
        m = a.get(v.id)
        if m is None:
            persons.append(Person(f"victim::{v.id}", sex=v.sex))
            gts[f"victim::{v.id}"] = g
        else:
            gts[f"{fam_of[m]}::{m}"] = g
    return float(np.sum(log_likelihood(Pedigree(persons), ds.markers, gts, theta=ds.theta)))


def brute_force(ds: DviDataset,
                allowed: dict[str, list[str]]) -> tuple[list[tuple[float, dict]], float]:
    """All assignments scored, best first, and log Σ exp(loglik) (the flat-prior normaliser)."""
    cache: dict = {}
    scored = [(assignment_loglik(ds, a, cache), a)
              for a in assignments([v.id for v in ds.victims], allowed)]
    scored.sort(key=lambda x: -x[0])
    finite = [s for s, _ in scored if s > -math.inf]
    m = max(finite)
    log_z = m + math.log(sum(math.exp(s - m) for s in finite))
    return scored, log_z
