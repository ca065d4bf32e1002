"""A stand-in with the PairwiseModel interface (homecoming.kinship.pairwise) for testing the
screening machinery independently of the genetics: per-locus random symmetric log-LR tables
over genotype codes. Synthetic."""

from __future__ import annotations

import numpy as np


class TableModel:
    """log_lr(a, b) = sum over loci typed in both of T[l][a_l, b_l]."""

    def __init__(self, n_loci: int, n_genotypes: int, relationship: str = "direct", *,
                 seed: int = 0, scale: float = 1.5, theta: float = 0.0) -> None:
        rng = np.random.default_rng(seed)
        t = rng.normal(-0.5, scale, size=(n_loci, n_genotypes, n_genotypes))
        self.tables = (t + t.transpose(0, 2, 1)) / 2
        self.relationship = relationship
        self.theta = theta
        self.n_genotypes = n_genotypes

    def log_lr(self, codes_a: np.ndarray, codes_b: np.ndarray) -> np.ndarray:
        out = np.zeros((codes_a.shape[0], codes_b.shape[0]))
        for locus, t in enumerate(self.tables):
            a = codes_a[:, locus][:, None]
            b = codes_b[:, locus][None, :]
            v = t[np.maximum(a, 0), np.maximum(b, 0)]
            out += np.where((a >= 0) & (b >= 0), v, 0.0)
        return out

    def n_common(self, codes_a, codes_b):
        return ((codes_a[:, None, :] >= 0) & (codes_b[None, :, :] >= 0)).sum(axis=2)


def random_codes(n: int, n_loci: int, n_genotypes: int, *, seed: int, missing: float = 0.1
                 ) -> np.ndarray:
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, n_genotypes, size=(n, n_loci)).astype(np.int32)
    codes[rng.random((n, n_loci)) < missing] = -1
    return codes


class IdentityModel:
    """Direct match without mutation: each locus typed in both adds log(1/f) if the genotype
    codes are equal (f = ``genotype_frequency``) and −inf otherwise."""

    relationship = "direct"
    theta = 0.0

    def __init__(self, genotype_frequency: float = 0.05) -> None:
        self.gain = float(np.log(1.0 / genotype_frequency))

    def log_lr(self, codes_a: np.ndarray, codes_b: np.ndarray) -> np.ndarray:
        a = codes_a[:, None, :]
        b = codes_b[None, :, :]
        both = (a >= 0) & (b >= 0)
        mismatch = (both & (a != b)).any(axis=2)
        out = both.sum(axis=2) * self.gain
        return np.where(mismatch, -np.inf, out)
