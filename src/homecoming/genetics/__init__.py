"""What a DNA profile is: markers, alleles, frequencies, mutation models, profiles.

The frequency databases (:mod:`homecoming.genetics.frequencies`) are loaded on first use of
their names here (PEP 562): a command that reads its frequencies from a case file, such as
``identify FILE``, does not import them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from homecoming.genetics.markers import Marker, MutationSpec
from homecoming.genetics.profiles import Genotype, Profile

if TYPE_CHECKING:
    from homecoming.genetics.frequencies import (
        DatabaseInfo,
        FrequencyDatabase,
        combine,
        list_databases,
        load_database,
    )

__all__ = ["Marker", "MutationSpec", "Genotype", "Profile", "DatabaseInfo", "FrequencyDatabase",
           "combine", "list_databases", "load_database"]

_FREQUENCIES = {"DatabaseInfo", "FrequencyDatabase", "combine", "list_databases",
                "load_database"}


def __getattr__(name: str) -> Any:
    if name in _FREQUENCIES:
        value = getattr(importlib.import_module("homecoming.genetics.frequencies"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
