"""DNA profiles, keyed by sample bar-code; the audit trail keeps a digest, never alleles."""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from homecoming.casework import DnaProfile, SampleSource
from homecoming.genetics.profiles import Genotype
from homecoming.storage import tables
from homecoming.storage.repositories._base import Repository, genotypes_digest

__all__ = ["ProfileRepository", "profiles_for"]


class ProfileRepository(Repository[DnaProfile]):
    model = DnaProfile
    table = tables.profiles
    noun = "profile"

    def audit_view(self, record: DnaProfile) -> dict[str, Any]:
        """Genetic data stays out of the audit trail: loci and a SHA-256 of the genotypes."""
        view = record.to_dict()
        genotypes = view.pop("genotypes")
        view["loci"] = sorted(genotypes)
        view["genotypes_sha256"] = genotypes_digest(genotypes)
        return view


def profiles_for(session: Session, source: Literal["remains", "donor"] | SampleSource
                 ) -> list[tuple[str, dict[str, Genotype]]]:
    """``(barcode, {locus: genotype})`` for every profile whose sample comes from ``source``
    (``"remains"``: post-mortem; ``"donor"``: family references), ordered by bar-code."""
    source = SampleSource(source).value
    p, s = tables.profiles, tables.samples
    query = (select(p.c.sample_barcode, p.c.genotypes)
             .join(s, s.c.barcode == p.c.sample_barcode)
             .where(s.c.source == source).order_by(p.c.sample_barcode))
    return [(barcode, {locus: tuple(alleles) for locus, alleles in genotypes.items()})
            for barcode, genotypes in session.execute(query)]
