"""Genotypes and DNA profiles.

A genotype is a tuple of allele labels: two for autosomal markers (unordered; ``None`` for an
unknown allele in a partial profile), one for an X marker in a male. A profile maps marker
names to genotypes; a marker left out is untyped. A profile knows its sample barcode, never a
person's name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

Allele = str
#: ("15", "16"), ("15", None) for a partial genotype, ("15",) for an X-male.
Genotype = tuple[Allele | None, ...]
#: marker name -> genotype
Genotypes = Mapping[str, Genotype]


@dataclass(frozen=True)
class Profile:
    """A DNA profile of one sample: marker name -> genotype."""

    barcode: str
    genotypes: Mapping[str, Genotype] = field(default_factory=dict)
    kit: str | None = None
    laboratory: str | None = None
    quality: str | None = None

    @property
    def markers(self) -> tuple[str, ...]:
        return tuple(self.genotypes)
