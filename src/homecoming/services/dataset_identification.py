"""Solving a DVI dataset file (dvi-dataset@1 JSON or a Familias ``.fam``): ``homecoming
identify FILE`` and the web's tools. Kept apart from :mod:`homecoming.services.case_identification`
(the stored case), whose models and imports a dataset file does not need: the command's whole
process is part of what it costs (issue 15)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from homecoming.errors import FormatError

__all__ = ["load_dataset", "identify_dataset", "markers_reference"]


def markers_reference(markers: Sequence[Any]) -> dict[str, Any]:
    """``{"name": "dataset markers", "sha256": ...}``: the frequency-database entry of a
    provenance record when a dataset's own markers were used (SHA-256 of their names, alleles
    and frequencies)."""
    from homecoming.provenance import sha256_json

    return {"name": "dataset markers",
            "sha256": sha256_json([[m.name, list(m.alleles), [float(f) for f in m.frequencies]]
                                   for m in markers])}


#: suffix of a file given to ``identify`` that is not a dataset -> what to do instead
_NOT_A_DATASET = {
    ".csv": "a CSV file is imported into the database (homecoming import profiles / "
            "missing-persons / donors / samples FILE.csv), then `homecoming identify` with no "
            "FILE identifies the stored case",
    ".xlsx": "an Excel workbook is not read; save the sheet as comma-separated CSV and import "
             "it (homecoming import ...)",
    ".xls": "an Excel workbook is not read; save the sheet as comma-separated CSV and import "
            "it (homecoming import ...)",
    ".txt": "a GeneMapper table is imported with `homecoming import genemapper FILE`",
    ".tsv": "a GeneMapper table is imported with `homecoming import genemapper FILE`",
    ".xml": "a CODIS CMF file is imported with `homecoming import codis FILE`",
    ".geojson": "GeoJSON is imported with `homecoming import geojson FILE`",
}


def load_dataset(path: str | Path) -> Any:
    """A DVI dataset from a dvi-dataset@1 JSON file or a Familias ``.fam`` file (its [DVI]
    section); any other kind of file is refused naming the command that reads it."""
    from homecoming.formats.dvi_dataset import dataset_from_json, load_dvi_dataset
    from homecoming.provenance import sha256_bytes

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".fam":
        from homecoming.formats.familias import read_fam

        obj = read_fam(path).to_dvi_dataset()
        ds = dataset_from_json(obj)
        ds.input_sha256 = sha256_bytes(path.read_bytes())
        ds.source = str(path)
        return ds
    if suffix in _NOT_A_DATASET:
        raise FormatError(f"is not a DVI dataset ({_NOT_A_DATASET[suffix]}); expected a "
                          "dvi-dataset@1 JSON file or a Familias .fam file", path=path)
    return load_dvi_dataset(path)


def identify_dataset(dataset: str | Path | Any, *, config: Any = None,
                     progress: Callable[[int, int], None] | None = None,
                     stage_progress: Callable[[str, int, int], None] | None = None
                     ) -> tuple[Any, Any]:
    """Solve a DVI dataset (a loaded one, or the file :func:`load_dataset` reads); returns
    (the dataset, the :class:`~homecoming.identification.DviResult`).

    :param progress: called with (pairings done, pairings) over the pairwise stage.
    :param stage_progress: called with (stage, done, total) for every stage of the solve
        (:func:`homecoming.identification.progress.tqdm_stages` draws it).
    """
    from homecoming.identification import solve

    ds = load_dataset(dataset) if isinstance(dataset, (str, Path)) else dataset
    result = solve(ds, config=config, input_sha256=getattr(ds, "input_sha256", None),
                   progress=progress, stage_progress=stage_progress)
    if result.provenance.get("frequency_database") is None:
        result.provenance["frequency_database"] = markers_reference(ds.markers)
    if result.provenance.get("mutation_model") is None:
        result.provenance["mutation_model"] = "dataset markers"
    return ds, result
