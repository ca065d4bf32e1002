"""The STR markers of the synthetic demonstration: a 23-locus autosomal kit, frequencies from
shipped published tables.

The loci are the 23 autosomal STRs of a PowerPlex Fusion 6C-like kit (the 20 expanded CODIS
core loci plus PentaD, PentaE and SE33). Allele frequencies come from STRidER 2015 Poland
(the closest Eastern European population shipped, 206 individuals) for the 15 loci it covers,
and from NIST 1036 (all populations pooled, Steffen et al. 2017, doi:10.1016/j.fsigen.2017.08.011)
for the 8 loci STRidER Poland lacks. See the shipped data's SOURCES.md for both tables.

The two tables are joined with :func:`homecoming.genetics.frequencies.combine` (which
records which locus came from which table); the markers carry the shipped tables' policies
(STRidER pseudo-alleles dropped, sums normalised, all recorded in ``Marker.source``).
"""

from __future__ import annotations

from collections.abc import Sequence

from homecoming.genetics.frequencies import FrequencyDatabase, combine, load_database
from homecoming.genetics.markers import Marker

__all__ = ["PRIMARY_DATABASE", "FALLBACK_DATABASE", "DEMO_LOCI", "DEMO_KIT", "demo_database",
           "demo_markers"]

#: frequency table used first (Eastern European population closest to the scenario)
PRIMARY_DATABASE = "strider2015_poland"
#: table used for the loci the primary one lacks
FALLBACK_DATABASE = "nist1036_all"
#: kit name recorded on the demonstration's profiles
DEMO_KIT = "PowerPlex Fusion 6C (autosomal loci; SYNTHETIC simulated profiles)"
#: the 23 autosomal loci of the demonstration kit, in a fixed order
DEMO_LOCI: tuple[str, ...] = (
    "D3S1358", "vWA", "D16S539", "CSF1PO", "TPOX", "D8S1179", "D21S11", "D18S51",
    "D2S441", "D19S433", "TH01", "FGA", "D22S1045", "D5S818", "D13S317", "D7S820",
    "SE33", "D10S1248", "D1S1656", "D12S391", "D2S1338", "PentaE", "PentaD",
)


def demo_database() -> FrequencyDatabase:
    """STRidER 2015 Poland, with NIST 1036 (all) for the loci Poland lacks."""
    return combine(load_database(PRIMARY_DATABASE), load_database(FALLBACK_DATABASE))


def demo_markers(loci: Sequence[str] = DEMO_LOCI) -> list[Marker]:
    """The demonstration kit's markers: STRidER Poland first, NIST 1036 for the other loci,
    each with the screening's default mutation model
    (:data:`homecoming.identification.screening.DEFAULT_MUTATION`: stepwise, rate 0.002, the
    model ``homecoming identify`` uses on the stored case), which the gene dropping of the
    scenario (:mod:`homecoming.simulation`) applies to every transmitted allele.

    :param loci: locus names (default: the 23 loci of :data:`DEMO_LOCI`).
    :returns: one autosomal :class:`Marker` per locus, in the order of ``loci``.
    :raises FrequencyError: if a locus is in neither table.
    """
    from homecoming.identification.screening import default_mutation

    return demo_database().markers(list(loci), mutation=default_mutation())
