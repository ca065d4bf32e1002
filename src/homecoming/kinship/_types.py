"""Array type aliases shared by the likelihood engine's private modules.

For the type checker they are precise ``numpy.typing.NDArray`` types; at run time they are
plain ``numpy.ndarray`` so that importing the engine does not import ``numpy.typing`` (tens
of milliseconds in every command-line process).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

__all__ = ["FloatArray", "IntArray", "BoolArray", "AnyArray"]

if TYPE_CHECKING:
    import numpy.typing as npt

    FloatArray = npt.NDArray[np.float64]
    IntArray = npt.NDArray[np.intp]
    BoolArray = npt.NDArray[np.bool_]
    AnyArray = npt.NDArray[Any]
else:
    FloatArray = IntArray = BoolArray = AnyArray = np.ndarray
