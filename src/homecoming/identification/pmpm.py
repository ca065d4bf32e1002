"""PM–PM matching: the same person sampled more than once.

In a commingled or secondary mass grave one body can be found in parts in several graves, and
a body can be sampled twice (femur and tooth). Every post-mortem profile is compared with every
other one (a self-join over pairs ``i < j``, chunked like the blind screening, never the full
matrix) with the **direct-match** likelihood ratio; pairs at or above the threshold on enough
common loci are linked, and the connected components of those links are the groups of samples
that come from one person.

Defaults: LR ≥ 10^6 (:data:`DEFAULT_PMPM_MIN_LOG10_LR`) — stricter than the screening
threshold, because a link merges samples and every link in a chain must hold — on at least
:data:`~homecoming.identification.screening.DEFAULT_MIN_COMMON` loci typed in both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from homecoming.identification.groups import connected_groups as connected_groups_
from homecoming.identification.screening import (
    DEFAULT_MIN_COMMON,
    DEFAULT_PM_BLOCK,
    Candidates,
    Progress,
    screen_codes,
)

__all__ = ["DEFAULT_PMPM_MIN_LOG10_LR", "PmPmResult", "match_pm", "connected_groups"]

#: a PM–PM link needs a direct-match LR of at least 10^6
DEFAULT_PMPM_MIN_LOG10_LR = 6.0


@dataclass(frozen=True)
class PmPmResult:
    """Direct-match links between PM profiles and the groups they form.

    ``links`` are the pairs (``pm`` < ``ref``, both rows of the same PM codes);
    ``groups`` are tuples of row indices (size ≥ 2, each sorted, ordered by their first row);
    ``group_ids`` the same with the PM ids when they were given.
    """

    links: Candidates
    groups: tuple[tuple[int, ...], ...]
    pm_ids: tuple[str, ...] | None = None

    @property
    def group_ids(self) -> tuple[tuple[str, ...], ...]:
        if self.pm_ids is None:
            return tuple(tuple(str(i) for i in g) for g in self.groups)
        return tuple(tuple(self.pm_ids[i] for i in g) for g in self.groups)

    def group_of(self, row: int) -> tuple[int, ...] | None:
        for g in self.groups:
            if row in g:
                return g
        return None

    def to_json(self) -> dict[str, Any]:
        return {"links": self.links.records(), "groups": [list(g) for g in self.group_ids],
                "provenance": self.links.provenance}


def connected_groups(n: int, i: np.ndarray, j: np.ndarray) -> tuple[tuple[int, ...], ...]:
    """Connected components (size ≥ 2) of the undirected graph on ``range(n)`` with edges
    ``(i[k], j[k])`` (:mod:`homecoming.identification.groups`)."""
    edges = zip(np.asarray(i).tolist(), np.asarray(j).tolist())
    return tuple(sorted(tuple(g) for g in connected_groups_(n, edges, min_size=2)))


def match_pm(pm_codes: np.ndarray, model: Any, *,
             min_log10_lr: float = DEFAULT_PMPM_MIN_LOG10_LR,
             min_common: int = DEFAULT_MIN_COMMON, block: int = DEFAULT_PM_BLOCK,
             progress: Progress | None = None, pm_ids: Sequence[str] | None = None,
             frequency_db: Any = None) -> PmPmResult:
    """Link PM profiles that match directly and group them.

    :param pm_codes: ``model.encode(pm_profiles)``.
    :param model: a ``PairwiseModel`` for the ``"direct"`` relationship.
    """
    codes = np.asarray(pm_codes)
    links = screen_codes(codes, codes, model, relationship="direct", min_log10_lr=min_log10_lr,
                         min_common=min_common, pm_block=block, ref_block=block,
                         progress=progress, pm_ids=pm_ids, ref_ids=pm_ids,
                         frequency_db=frequency_db, self_join=True)
    groups = connected_groups(codes.shape[0], links.pm, links.ref)
    return PmPmResult(links, groups, tuple(pm_ids) if pm_ids is not None else None)
