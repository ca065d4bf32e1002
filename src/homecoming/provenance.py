"""What produced a number: provenance as versioned data.

Every likelihood ratio and identification Homecoming reports carries one provenance record, so
that an expert can reproduce it elsewhere. Every record has the same keys
(:data:`PROVENANCE_KEYS`, schema :data:`SCHEMA_VERSION`), whichever command made it
(``kinship``, ``identify`` of a dataset or of the stored case, ``screen``, the stored
candidates and identifications); a key that does not apply is ``null``:

=====================  ============================================================================
``schema_version``     this schema's version (1)
``software``           ``"homecoming <version>"``; ``software_version`` the version alone
``python``             Python version; ``numpy`` and ``scipy`` their versions
``created``            UTC time, ISO 8601
``frequency_database`` ``{"name", "sha256"}`` of the allele-frequency table (a dataset's own
                       markers: name ``"dataset markers"``, SHA-256 of their frequencies;
                       screening-candidates@1 keeps its original plain ``"dataset markers"``)
``mutation_model``     the mutation model (``{"model", "rate", ...}``), or ``null``
``theta``              Balding–Nichols θ
``dropout``            drop-out probability (a number, or per person), or ``null``
``thresholds``         the thresholds that decided the result (names as the command records them)
``seed``               random seed of a simulation, or ``null``
``input_sha256``       SHA-256 of the input (file bytes, or the canonical JSON of the case)
=====================  ============================================================================

Records may hold more keys (``parameters``, ``markers``, ``execution``, ...). :class:`Provenance`
(pydantic) validates a record.
"""

from __future__ import annotations

import datetime as _dt
import functools
import hashlib
import json
import platform
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from homecoming._version import __version__

__all__ = ["SCHEMA_VERSION", "PROVENANCE_KEYS", "THRESHOLD_KEYS", "Provenance",
           "FrequencyDatabaseRef", "software", "sha256_bytes", "sha256_json", "record",
           "frequency_database_ref", "validate"]

#: version of the provenance schema (add keys compatibly; a change of meaning is a new version)
SCHEMA_VERSION = 1

#: the keys of every provenance record, in this order
PROVENANCE_KEYS: tuple[str, ...] = (
    "schema_version", "software", "software_version", "python", "numpy", "scipy", "created",
    "frequency_database", "mutation_model", "theta", "dropout", "thresholds", "seed",
    "input_sha256",
)

#: parameter names that are thresholds (lifted from ``parameters`` into ``thresholds``)
THRESHOLD_KEYS = frozenset({
    "lr_threshold", "probable_threshold", "posterior_threshold", "prior_missing",
    "max_incompatible", "min_log10_lr", "min_common_loci", "min_compared", "max_mismatches",
    "screening_min_log10_lr", "screening_top",
})


def software() -> str:
    """The software string written into every result, e.g. ``"homecoming 0.1.0"``."""
    return f"homecoming {__version__}"


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_json(obj: Any) -> str:
    """SHA-256 of a canonical JSON encoding (sorted keys, no spaces)."""
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str)
    return sha256_bytes(text.encode("utf-8"))


@functools.cache
def _version(distribution: str) -> str:
    # an imported module's own __version__ first: reading the installed distributions'
    # metadata (importlib.metadata) takes ~20 ms per package, a tenth of a small solve
    import sys

    module = sys.modules.get(distribution)
    found = getattr(module, "__version__", None)
    if isinstance(found, str):
        return found
    # not imported: the installed distribution's dist-info folder beside the package is
    # named "<name>-<version>.dist-info" (PEP 427) — importing importlib.metadata alone
    # takes ~60 ms
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec(distribution)
    if spec is not None and spec.origin:
        site = Path(spec.origin).parent.parent
        names = sorted(site.glob(f"{distribution}-*.dist-info"))
        if len(names) == 1:
            return names[0].name[len(distribution) + 1:-len(".dist-info")]
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return "not installed"


def frequency_database_ref(value: Any) -> dict[str, Any] | None:
    """``{"name", "sha256"}`` of a frequency database given as the object (with ``name`` and
    ``sha256``), a mapping, or a name alone (SHA-256 unknown: ``None``)."""
    if value is None:
        return None
    if isinstance(value, Mapping):
        return {"name": str(value.get("name")), "sha256": value.get("sha256")}
    if isinstance(value, str):
        return {"name": value, "sha256": None}
    return {"name": str(value.name), "sha256": getattr(value, "sha256", None)}


def _plain(value: Any) -> Any:
    """A mutation model (MutationSpec or similar) as JSON-able data."""
    if value is None or isinstance(value, (str, int, float, bool, list, dict)):
        return value
    if isinstance(value, Mapping):
        return dict(value)
    fields = ("model", "rate", "rate2", "range")
    if all(hasattr(value, f) for f in fields[:1]):
        return {f: getattr(value, f) for f in fields if hasattr(value, f)}
    return str(value)


_UNSET: Any = object()


def record(*, parameters: Mapping[str, Any] | None = None, input_sha256: str | None = None,
           frequency_database: Any = _UNSET, mutation_model: Any = _UNSET,
           theta: Any = _UNSET, dropout: Any = _UNSET,
           thresholds: Mapping[str, Any] | None | Any = _UNSET, seed: Any = _UNSET,
           **extra: Any) -> dict[str, Any]:
    """A provenance record (schema :data:`SCHEMA_VERSION`) as a plain JSON-able dict.

    ``theta``, ``dropout``, ``seed``, ``mutation_model`` and ``thresholds`` not given are taken
    from ``parameters`` where it holds them (thresholds: its :data:`THRESHOLD_KEYS`), else
    ``None``. ``frequency_database`` may be the table object, a mapping or a name.
    """
    params = dict(parameters) if parameters is not None else {}
    if theta is _UNSET:
        theta = params.get("theta")
    if dropout is _UNSET:
        dropout = params.get("dropout")
    if seed is _UNSET:
        seed = params.get("seed")
    if mutation_model is _UNSET:
        mutation_model = params.get("mutation", params.get("mutation_model"))
    if thresholds is _UNSET:
        lifted = {k: v for k, v in params.items() if k in THRESHOLD_KEYS}
        thresholds = lifted or None
    rec: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "software": software(),
        "software_version": __version__,
        "python": platform.python_version(),
        "numpy": _version("numpy"),
        "scipy": _version("scipy"),
        "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "frequency_database": frequency_database_ref(
            None if frequency_database is _UNSET else frequency_database),
        "mutation_model": _plain(mutation_model),
        "theta": None if theta is None else float(theta),
        "dropout": dropout if dropout not in ({}, ()) else None,
        "thresholds": dict(thresholds) if thresholds is not None else None,
        "seed": seed,
        "input_sha256": input_sha256,
    }
    if parameters is not None:
        rec["parameters"] = params
    rec.update(extra)
    return rec


def validate(data: Mapping[str, Any]) -> Provenance:
    """Check ``data`` against the schema (every key of :data:`PROVENANCE_KEYS` present, each
    of its type); pydantic's ValidationError if not."""
    missing = [k for k in PROVENANCE_KEYS if k not in data]
    if missing:
        from homecoming.errors import InputError

        raise InputError(f"provenance lacks {', '.join(missing)}; expected every key of "
                         "provenance schema version 1", field=missing[0])
    from homecoming._provenance_schema import Provenance

    return Provenance.model_validate(dict(data))


if TYPE_CHECKING:
    from homecoming._provenance_schema import FrequencyDatabaseRef, Provenance


def __getattr__(name: str) -> Any:
    # the pydantic models load on first use, so commands that only record provenance (kinship,
    # identify) do not pay for importing pydantic
    if name in ("Provenance", "FrequencyDatabaseRef"):
        from homecoming import _provenance_schema

        return getattr(_provenance_schema, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
