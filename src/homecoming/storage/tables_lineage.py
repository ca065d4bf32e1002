"""Tables of lineage-marker profiles: Y-STR haplotypes and mitochondrial DNA (migration 0008).

Defined on the same ``metadata`` as :mod:`homecoming.storage.tables` (which imports this
module at its end, so Alembic and the schema tests see one schema). Both are keyed, like
``profiles``, by the sample bar-code (never a name); the link to a person goes sample ->
remains or donor.

- ``y_haplotypes``: locus -> allele labels (JSON; a multi-copy locus such as DYS385 holds its
  copies in one list, e.g. ``["11", "14"]``), kit, laboratory, typing date.
- ``mtdna_haplotypes``: the control-region differences to the rCRS (JSON list in the usual
  notation, ``"16519C"``, ``"315.1C"``, ``"249d"``, ``"16093Y"``), the typed range (JSON list
  of ``[start, end]`` pairs of rCRS positions), laboratory, typing date.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Date, ForeignKey, Table, Text

from homecoming.storage.tables import _code, _row_version, metadata

__all__ = ["y_haplotypes", "mtdna_haplotypes", "LINEAGE_TABLES"]

y_haplotypes = Table(
    "y_haplotypes", metadata,
    _code("sample_barcode", ForeignKey("samples.barcode"), primary_key=True),
    Column("haplotype", JSON, nullable=False),
    Column("kit", Text),
    Column("laboratory", Text),
    Column("typed_on", Date),
    _row_version(),
)

mtdna_haplotypes = Table(
    "mtdna_haplotypes", metadata,
    _code("sample_barcode", ForeignKey("samples.barcode"), primary_key=True),
    Column("variants", JSON, nullable=False),
    Column("typed_range", JSON, nullable=False),
    Column("laboratory", Text),
    Column("typed_on", Date),
    _row_version(),
)

LINEAGE_TABLES = (y_haplotypes, mtdna_haplotypes)
