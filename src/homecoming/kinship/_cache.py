"""One bounded cache for the likelihood engine's memoised values.

Every cache of the engine (marker state spaces, elimination plans, factor tables, …) is a
:class:`BoundedCache`: a dict with a maximum size that forgets its oldest entries when full.
Keys that contain ``id(obj)`` pass ``obj`` as ``keep``: the entry holds a strong reference to
it, so the object cannot be freed and its id reused while the entry exists.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from types import MappingProxyType
from typing import Generic, TypeVar

__all__ = ["BoundedCache"]

V = TypeVar("V")


class BoundedCache(Generic[V]):
    """A mapping from hashable keys to values with at most ``max_size`` entries.

    When an insertion would exceed ``max_size`` the oldest quarter of the entries (by
    insertion) is dropped, so a steady stream of new keys costs O(1) per insertion.
    """

    __slots__ = ("max_size", "_data", "_keep")

    def __init__(self, max_size: int) -> None:
        if max_size < 1:
            raise ValueError(f"max_size {max_size}; expected at least 1")
        self.max_size = max_size
        self._data: dict[Hashable, V] = {}
        self._keep: dict[Hashable, object] = {}

    def __len__(self) -> int:
        return len(self._data)

    def get(self, key: Hashable) -> V | None:
        """The value stored under ``key``, or ``None``."""
        return self._data.get(key)

    def put(self, key: Hashable, value: V, keep: object = None) -> V:
        """Store ``value`` under ``key`` (``keep`` is held alive with it); returns ``value``."""
        data = self._data
        if key not in data and len(data) >= self.max_size:
            drop = max(1, self.max_size // 4)
            for old in list(data)[:drop]:
                del data[old]
                self._keep.pop(old, None)
        data[key] = value
        if keep is not None:
            self._keep[key] = keep
        return value

    def get_or_make(self, key: Hashable, make: Callable[[], V], keep: object = None) -> V:
        """The value under ``key``; computed by ``make()`` and stored when absent."""
        data = self._data
        if key in data:
            return data[key]
        return self.put(key, make(), keep)

    def view(self) -> Mapping[Hashable, V]:
        """A read-only live view of the entries, for lookups in hot loops."""
        return MappingProxyType(self._data)

    def clear(self) -> None:
        self._data.clear()
        self._keep.clear()
