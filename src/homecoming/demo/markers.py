"""The STR markers of the synthetic demonstration: a 23-locus autosomal kit, frequencies from
shipped published tables.

The loci are the 23 autosomal STRs of a PowerPlex Fusion 6C-like kit (the 20 expanded CODIS
core loci plus PentaD, PentaE and SE33). Allele frequencies come from STRidER 2015 Poland
(the closest Eastern European population shipped, 206 individuals) for the 15 loci it covers,
and from NIST 1036 (all populations pooled, Steffen et al. 2017, doi:10.1016/j.fsigen.2017.08.011)
for the 8 loci STRidER Poland lacks. See the shipped data's SOURCES.md for both tables.

The tables are loaded through :func:`homecoming.genetics.frequencies.load_database` when that
module is present. Before it lands (or if it fails to import), the same published CSV files
are read directly; STRidER publishes six significant digits, so a locus whose sum is off by
rounding (at most 2e-6) is scaled to sum 1 for the demonstration and the marker's ``source``
says so.
"""

from __future__ import annotations

import csv
import importlib
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from homecoming.errors import FrequencyError
from homecoming.genetics.markers import Marker

__all__ = ["PRIMARY_DATABASE", "FALLBACK_DATABASE", "DEMO_LOCI", "DEMO_KIT", "demo_markers"]

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


def _load_with_frequencies_module(name: str, loci: Sequence[str]) -> dict[str, Marker] | None:
    try:
        module = importlib.import_module("homecoming.genetics.frequencies")
        load_database = module.load_database
    except (ImportError, AttributeError):
        return None
    database = load_database(name)
    wanted = [locus for locus in loci if locus in set(database.loci)]
    if not wanted:
        return {}
    return {m.name: m for m in database.markers(wanted)}


def _csv_candidates(name: str) -> list[Path]:
    here = Path(__file__).resolve()
    roots = [here.parents[1] / "genetics" / "data", here.parents[1] / "genetics" / "data" / "frequencies",
             here.parents[3] / "data" / "allele-frequencies",
             Path("/work/shared/data/allele-frequencies")]
    extra = os.environ.get("HOMECOMING_FREQUENCY_DIR")
    if extra:
        roots.insert(0, Path(extra))
    return [root / f"{name}.csv" for root in roots]


def _load_from_csv(name: str, loci: Sequence[str]) -> dict[str, Marker]:
    path = next((p for p in _csv_candidates(name) if p.is_file()), None)
    if path is None:
        raise FrequencyError(f"frequency table {name!r} not found (looked in "
                             f"{', '.join(str(p.parent) for p in _csv_candidates(name))}); "
                             "expected the shipped published tables", field="database",
                             value=name)
    table: dict[str, list[tuple[str, float]]] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            table.setdefault(row["locus"], []).append((row["allele"], float(row["frequency"])))
    out: dict[str, Marker] = {}
    for locus in loci:
        if locus not in table:
            continue
        alleles = [a for a, _ in table[locus]]
        freqs = np.array([f for _, f in table[locus]])
        total = float(freqs.sum())
        source = f"{name} ({path.name})"
        if abs(total - 1.0) > 1e-9:
            freqs = freqs / total
            source += f"; scaled from a published sum of {total:.7f} to 1 for the demo"
        out[locus] = Marker(locus, tuple(alleles), freqs, source=source)
    return out


def _load(name: str, loci: Sequence[str]) -> dict[str, Marker]:
    markers = _load_with_frequencies_module(name, loci)
    if markers is None:
        markers = _load_from_csv(name, loci)
    return markers


def demo_markers(loci: Sequence[str] = DEMO_LOCI) -> list[Marker]:
    """The demonstration kit's markers: STRidER Poland first, NIST 1036 for the other loci.

    :param loci: locus names (default: the 23 loci of :data:`DEMO_LOCI`).
    :returns: one autosomal :class:`Marker` per locus, in the order of ``loci``.
    :raises FrequencyError: if a locus is in neither table.
    """
    primary = _load(PRIMARY_DATABASE, loci)
    missing = [locus for locus in loci if locus not in primary]
    secondary = _load(FALLBACK_DATABASE, missing) if missing else {}
    result = []
    for locus in loci:
        marker = primary.get(locus) or secondary.get(locus)
        if marker is None:
            raise FrequencyError(f"locus {locus!r} is in neither {PRIMARY_DATABASE!r} nor "
                                 f"{FALLBACK_DATABASE!r}; expected one of the shipped tables "
                                 "to cover every demonstration locus", field="locus", value=locus)
        result.append(marker)
    return result
