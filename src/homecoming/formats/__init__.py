"""Lab and exchange formats, one module per format, all registered in one small registry.

Built-in formats (each module defines ``FORMATS``; see :mod:`homecoming.formats.registry`):

* :mod:`~homecoming.formats.familias` — Familias ``.fam`` (pedigrees, database, DVI section);
  ``read_fam(path).to_kinship_case()`` / ``.to_dvi_dataset()``, ``write_fam``.
* :mod:`~homecoming.formats.genemapper` — GeneMapper ID/ID-X allele tables.
* :mod:`~homecoming.formats.codis` — CODIS CMF 3.2 XML (profiles).
* :mod:`~homecoming.formats.frequency_tables` — allele frequencies: our CSV, Familias text
  database, STRidER-style matrix.
* :mod:`~homecoming.formats.geojson` — sites, graves and hazard areas.
* :mod:`~homecoming.formats.csv_records` — CSV export of casework records; update by id.

Our own JSON formats live in :mod:`~homecoming.formats.kinship_case` and
:mod:`~homecoming.formats.dvi_dataset`; CSV imports in :mod:`~homecoming.formats.csv_import`.
Every importer stops on a structural fault with a :class:`~homecoming.errors.FormatError`
naming the file and line, and lists what it fixed in an
:class:`~homecoming.formats.report.ImportReport`.

Submodules are imported on first use, so ``import homecoming.formats`` stays cheap. The
registry object itself is ``homecoming.formats.registry.registry``.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["FileFormat", "ImportReport", "Imported", "get_format", "list_formats", "read",
           "read_fam", "write", "write_fam"]

#: public name -> "module:attribute", imported lazily
_LAZY = {
    "FileFormat": "homecoming.formats.registry:FileFormat",
    "Imported": "homecoming.formats.registry:Imported",
    "get_format": "homecoming.formats.registry:get_format",
    "list_formats": "homecoming.formats.registry:list_formats",
    "read": "homecoming.formats.registry:read",
    "write": "homecoming.formats.registry:write",
    "ImportReport": "homecoming.formats.report:ImportReport",
    "read_fam": "homecoming.formats.familias:read_fam",
    "write_fam": "homecoming.formats.familias:write_fam",
}


def __getattr__(name: str) -> Any:
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module 'homecoming.formats' has no attribute {name!r}")
    module, attr = target.split(":")
    return getattr(importlib.import_module(module), attr)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
