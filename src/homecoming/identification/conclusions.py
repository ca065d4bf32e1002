"""Conclusions: a fixed vocabulary and the rules that turn LRs into them.

The vocabulary follows dvir's ``dviSolve`` categories (Vigeland & Egeland, Sci Rep 11:13661, 2021;
Egeland & Vigeland, FSI:G 2025, GLR); the values are the strings written in the
``homecoming/dvi-result@1`` output.
"""

from __future__ import annotations

import enum


class Conclusion(enum.Enum):
    """What Homecoming concludes about one missing person or one victim."""

    #: The pairing's LR reaches the LR threshold and beats every competitor in its row and
    #: column by that factor (and, when set, the posterior threshold with prior 1/N).
    UNDISPUTED = "undisputed"
    #: In a family with several missing persons: the GLR of the pairing reaches the threshold.
    MATCH_BY_GLR = "match by GLR"
    #: Two or more missing persons (e.g. full siblings) whom the data cannot tell apart; the
    #: set of victims is identified with the set of missing persons, not one by one.
    SYMMETRIC_MATCH = "symmetric match"
    #: Exactly one candidate exceeds the lower "probable" threshold (or, with several missing
    #: persons in the family, the GLR does).
    PROBABLE = "probable"
    #: Several candidates exceed the "probable" threshold.
    DISPUTED = "disputed"
    #: Some support, but nothing reaching a threshold: a best LR of at least 1 below the
    #: probable threshold (dvir R/amDrivenDVI.R ``.simpleFamDVI``), or no usable DNA.
    INCONCLUSIVE = "inconclusive"
    #: Every candidate pairing is excluded (too many Mendelian inconsistencies, or non-DNA
    #: evidence), or no victim has a compatible sex (dvir R/findExcluded.R).
    EXCLUDED = "excluded"
    #: The missing person is no blood relative of a typed family member, directly or through
    #: other missing persons (dvir R/findNonidentifiable.R): DNA cannot identify them.
    NON_IDENTIFIABLE = "non-identifiable"
    #: Every candidate's LR is below 1 (or, for a victim, none reaches the probable threshold).
    NO_MATCH = "no match"

    def __str__(self) -> str:
        return self.value

    @property
    def identified(self) -> bool:
        """True for the conclusions that name an identification."""
        return self in (Conclusion.UNDISPUTED, Conclusion.MATCH_BY_GLR,
                        Conclusion.SYMMETRIC_MATCH)
