"""What produced a number: software version, parameters, input and database hashes.

Every likelihood ratio and identification Homecoming reports carries a provenance record, so
that an expert can reproduce it elsewhere.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import platform
from collections.abc import Mapping
from typing import Any

from homecoming._version import __version__


def software() -> str:
    """The software string written into every result, e.g. ``"homecoming 0.1.0"``."""
    return f"homecoming {__version__}"


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_json(obj: Any) -> str:
    """SHA-256 of a canonical JSON encoding (sorted keys, no spaces)."""
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str)
    return sha256_bytes(text.encode("utf-8"))


def record(*, parameters: Mapping[str, Any] | None = None, input_sha256: str | None = None,
           **extra: Any) -> dict[str, Any]:
    """A provenance record as a plain JSON-able dict."""
    rec: dict[str, Any] = {
        "software": software(),
        "python": platform.python_version(),
        "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
    }
    if input_sha256 is not None:
        rec["input_sha256"] = input_sha256
    if parameters is not None:
        rec["parameters"] = dict(parameters)
    rec.update(extra)
    return rec
