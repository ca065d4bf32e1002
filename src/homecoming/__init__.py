"""Homecoming: bringing the dead of a war home.

The public API is collected here; the implementation lives in the domain packages
(`genetics`, `pedigree`, `kinship`, `identification`, `casework`) and the adapters around them
(`formats`, `storage`, `cli`, `reports`).
"""

from homecoming._version import __version__
from homecoming.errors import (
    FormatError,
    GenotypeError,
    HomecomingError,
    HypothesisError,
    InputError,
    PedigreeError,
)

__all__ = [
    "__version__",
    "HomecomingError",
    "InputError",
    "FormatError",
    "PedigreeError",
    "GenotypeError",
    "HypothesisError",
]
