"""A small registry of file formats: name -> reader / writer, file suffixes.

Modelled on Datasette's plugins (style.md §B): the built-in formats are registered the same
way a third-party one would be. Each built-in module listed in :data:`DEFAULT_FORMAT_MODULES`
defines ``FORMATS`` (a list of :class:`FileFormat`); a package can add more through the
``homecoming.formats`` entry-point group (each entry point names a module with ``FORMATS``, or a
:class:`FileFormat` itself). Modules are imported only when the registry is first used.

A reader takes a path and returns an :class:`Imported` (the data and its
:class:`~homecoming.formats.report.ImportReport`); it raises
:class:`~homecoming.errors.FormatError` for a structural fault and writes nothing. A writer
takes the data and a path, writes the whole file or nothing, and returns the path.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from homecoming.errors import InputError, NotFoundError
from homecoming.formats.report import ImportReport

#: Built-in format modules, registered in this order.
DEFAULT_FORMAT_MODULES: tuple[str, ...] = (
    "homecoming.formats.familias",
    "homecoming.formats.genemapper",
    "homecoming.formats.codis",
    "homecoming.formats.frequency_tables",
    "homecoming.formats.geojson",
    "homecoming.formats.csv_records",
)
#: Entry-point group for formats from other packages.
ENTRY_POINT_GROUP = "homecoming.formats"


@dataclass
class Imported:
    """What a reader returns: the data and what happened while reading it."""

    data: Any
    report: ImportReport


@dataclass(frozen=True)
class FileFormat:
    """One registered format.

    :param name: registry name, e.g. ``"familias"``.
    :param description: one line for ``--help`` and error messages.
    :param suffixes: file-name endings, lower case with the dot (``(".fam",)``).
    :param kind: what the data is (``"familias"``, ``"profiles"``, ``"frequencies"``,
        ``"features"``, ``"records"``) so callers can pick among formats of one kind.
    :param reader: ``reader(path, **options) -> Imported``, or ``None`` if write-only.
    :param writer: ``writer(data, path, **options) -> Path``, or ``None`` if read-only.
    """

    name: str
    description: str
    suffixes: tuple[str, ...]
    kind: str
    reader: Callable[..., Imported] | None = None
    writer: Callable[..., Path] | None = None
    module: str | None = field(default=None, compare=False)


class FormatRegistry:
    """The formats known to Homecoming; use the module-level :data:`registry`."""

    def __init__(self, modules: Iterable[str] = DEFAULT_FORMAT_MODULES, *,
                 entry_points: bool = True) -> None:
        self._modules = tuple(modules)
        self._entry_points = entry_points
        self._formats: dict[str, FileFormat] = {}
        self._loaded = False

    # --- registration ---------------------------------------------------------------------
    def register(self, fmt: FileFormat, *, replace: bool = False) -> FileFormat:
        """Add a format; a second format with the same name needs ``replace=True``."""
        if not fmt.name or not fmt.name.replace("-", "").replace("_", "").isalnum():
            raise InputError(f"format name {fmt.name!r}; expected letters, digits, '-' or '_'",
                             field="name", value=fmt.name)
        if fmt.reader is None and fmt.writer is None:
            raise InputError(f"format {fmt.name!r} has neither a reader nor a writer",
                             field="reader", value=fmt.name)
        if fmt.name in self._formats and not replace:
            raise InputError(f"format {fmt.name!r} is already registered (Tip: pass "
                             "replace=True to override it)", field="name", value=fmt.name)
        self._formats[fmt.name] = fmt
        return fmt

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        for module in self._modules:
            self._register_module(importlib.import_module(module))
        if self._entry_points:
            from importlib.metadata import entry_points

            for ep in entry_points(group=ENTRY_POINT_GROUP):
                obj = ep.load()
                if isinstance(obj, FileFormat):
                    self.register(obj)
                else:
                    self._register_module(obj)

    def _register_module(self, module: Any) -> None:
        for fmt in getattr(module, "FORMATS", ()):
            self.register(fmt)

    # --- lookup ---------------------------------------------------------------------------
    def formats(self, *, kind: str | None = None) -> list[FileFormat]:
        self._load()
        return [f for f in self._formats.values() if kind is None or f.kind == kind]

    def names(self) -> list[str]:
        return [f.name for f in self.formats()]

    def get(self, name: str) -> FileFormat:
        self._load()
        try:
            return self._formats[name]
        except KeyError:
            raise NotFoundError(f"format {name!r} is not registered; expected one of "
                                f"{sorted(self._formats)}") from None

    def for_path(self, path: str | os.PathLike[str], *, kind: str | None = None,
                 reading: bool = True) -> FileFormat:
        """The format whose suffix ends the file name (longest suffix wins)."""
        self._load()
        name = Path(path).name.lower()
        best: FileFormat | None = None
        best_len = -1
        for f in self._formats.values():
            if kind is not None and f.kind != kind:
                continue
            if (f.reader if reading else f.writer) is None:
                continue
            for s in f.suffixes:
                if name.endswith(s) and len(s) > best_len:
                    best, best_len = f, len(s)
        if best is None:
            known = sorted({s for f in self.formats(kind=kind) for s in f.suffixes})
            raise NotFoundError(f"{path}: no {'reader' if reading else 'writer'} for this file "
                                f"name; expected one of the suffixes {known} (Tip: name the "
                                "format explicitly)")
        return best

    # --- use ------------------------------------------------------------------------------
    def read(self, path: str | os.PathLike[str], *, format: str | None = None,
             **options: Any) -> Imported:
        fmt = self.get(format) if format else self.for_path(path)
        if fmt.reader is None:
            raise InputError(f"format {fmt.name!r} cannot be read", field="format",
                             value=fmt.name)
        return fmt.reader(Path(path), **options)

    def write(self, data: Any, path: str | os.PathLike[str], *, format: str | None = None,
              **options: Any) -> Path:
        fmt = self.get(format) if format else self.for_path(path, reading=False)
        if fmt.writer is None:
            raise InputError(f"format {fmt.name!r} cannot be written", field="format",
                             value=fmt.name)
        return fmt.writer(data, Path(path), **options)


#: The registry used by the CLI and the API.
registry = FormatRegistry()


def read(path: str | os.PathLike[str], *, format: str | None = None, **options: Any) -> Imported:
    """Read ``path`` with the format named, or the one its suffix selects."""
    return registry.read(path, format=format, **options)


def write(data: Any, path: str | os.PathLike[str], *, format: str | None = None,
          **options: Any) -> Path:
    """Write ``data`` to ``path`` with the format named, or the one its suffix selects."""
    return registry.write(data, path, format=format, **options)


def get_format(name: str) -> FileFormat:
    """The registered format called ``name``."""
    return registry.get(name)


def list_formats(*, kind: str | None = None) -> list[FileFormat]:
    """Every registered format (of one ``kind``, if given)."""
    return registry.formats(kind=kind)


def atomic_write_text(path: str | os.PathLike[str], text: str, *, encoding: str = "utf-8",
                      newline: str | None = None) -> Path:
    """Write ``text`` to ``path`` through a temporary file renamed into place, so a failure
    never leaves a partial file."""
    import tempfile

    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=".homecoming-", suffix=".tmp",
                               dir=str(target.parent) if str(target.parent) else ".")
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline=newline) as fh:
            fh.write(text)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return target


__all__ = ["DEFAULT_FORMAT_MODULES", "ENTRY_POINT_GROUP", "FileFormat", "FormatRegistry",
           "Imported", "atomic_write_text", "get_format", "list_formats", "read", "registry",
           "write"]
