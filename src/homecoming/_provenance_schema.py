"""The pydantic models of the provenance schema (version 1); see :mod:`homecoming.provenance`.

Kept apart so that recording provenance does not import pydantic; validating does."""

from __future__ import annotations

import datetime as _dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Provenance", "FrequencyDatabaseRef"]

Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class FrequencyDatabaseRef(BaseModel):
    """The allele-frequency table a result used."""

    model_config = ConfigDict(extra="forbid")
    name: str
    sha256: Sha256 | None


class Provenance(BaseModel):
    """A provenance record (schema version 1); more keys are allowed."""

    model_config = ConfigDict(extra="allow")
    schema_version: Literal[1]
    software: str = Field(pattern=r"^homecoming \S+$")
    software_version: str
    python: str
    numpy: str
    scipy: str
    created: _dt.datetime
    frequency_database: FrequencyDatabaseRef | Literal["dataset markers"] | None
    mutation_model: dict[str, Any] | str | None
    theta: Annotated[float, Field(ge=0, lt=1)] | None
    dropout: float | dict[str, Any] | None
    thresholds: dict[str, Any] | None
    seed: int | None
    input_sha256: Sha256 | None
