"""Regenerate the SYNTHETIC example files of the how-to guides (run from the repository root):

    .venv/bin/python docs/howto/examples/generate.py

Everything is simulated from the demonstration scenario (homecoming.demo), seeded, so the files
are reproducible. No file describes a real person.
"""

from __future__ import annotations

import csv
import dataclasses
import json
from pathlib import Path

import numpy as np

from homecoming.demo.markers import demo_markers
from homecoming.demo.scenario import generate_scenario
from homecoming.pedigree.pedigree import Pedigree, Person, Sex
from homecoming.services.case_identification import case_from_records, dvi_dataset_json
from homecoming.simulation import drop_alleles, to_profiles

HERE = Path(__file__).resolve().parent


def _rename(value: str | None) -> str | None:
    return None if value is None else value.replace("SYN-", "EX-")


def _renamed(record):
    """The record with every ``SYN-`` key (also inside nested values) renamed ``EX-``."""
    def walk(value):
        if isinstance(value, str):
            return _rename(value)
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        return value
    return type(record).from_dict(walk(record.to_dict()))


def import_csvs() -> None:
    from homecoming.formats.csv_records import format_csv

    s = generate_scenario(seed=101, bodies=8)
    people = list(s.missing_persons[:3])
    ids = {p.id for p in people}
    donors = [d for d in s.donors if d.missing_person_id in ids]
    donor_ids = {d.id for d in donors}
    # the bodies of two of these missing persons, and one body nobody reported missing; no
    # grave or incident (those come from GeoJSON and the incident register)
    codes = sorted(v for v, m in s.truth.items() if m in ids)[:2]
    codes += sorted(v for v, m in s.truth.items() if m is None)[:1]
    remains = [_renamed(r.evolve(grave_id=None, incident_id=None))
               for r in s.remains if r.code in codes]
    (HERE / "remains.csv").write_text(format_csv("remains", remains), encoding="utf-8")
    exams = [_renamed(e) for e in s.examinations if e.remains_code in codes]
    (HERE / "examinations.csv").write_text(format_csv("examinations", exams), encoding="utf-8")
    (HERE / "examples-truth.json").write_text(json.dumps(
        {_rename(v): _rename(s.truth[v]) for v in codes}, indent=1) + "\n")
    samples = [x for x in s.samples if x.donor_id in donor_ids or x.remains_code in codes]
    barcodes = {x.barcode for x in samples}
    profiles = [p for p in s.profiles if p.sample_barcode in barcodes]

    def write(name: str, header: list[str], rows: list[list[object]]) -> None:
        with (HERE / name).open("w", newline="", encoding="utf-8") as handle:
            w = csv.writer(handle, lineterminator="\n")
            w.writerow(header)
            w.writerows([["" if v is None else v for v in row] for row in rows])

    mp_cols = ["id", "surname", "given_name", "patronymic", "sex", "birth_date", "last_seen_on",
               "last_seen_place", "status", "reported_by", "reported_on", "sharing_level", "notes"]
    write("missing-persons.csv", mp_cols,
          [[_rename(p.id) if c == "id" else getattr(p, c).value if c in ("sex", "status",
                                                                          "sharing_level")
            else getattr(p, c) for c in mp_cols] for p in people])
    d_cols = ["id", "missing_person_id", "full_name", "sex", "relationship", "family_id",
              "pedigree_id", "pedigree_father", "pedigree_mother", "consent", "consent_on",
              "notes"]
    rows = []
    for d in donors:
        row = []
        for c in d_cols:
            v = getattr(d, c)
            v = v.value if hasattr(v, "value") else v
            row.append(_rename(v) if isinstance(v, str) and c != "notes" else v)
        rows.append(row)
    write("donors.csv", d_cols, rows)
    s_cols = ["barcode", "source", "remains_code", "donor_id", "element", "collected_on",
              "laboratory", "result_status"]
    write("samples.csv", s_cols,
          [[_rename(x.barcode), x.source.value, _rename(x.remains_code), _rename(x.donor_id),
            x.element.value, x.collected_on, x.laboratory, x.result_status.value]
           for x in samples])
    p_rows = []
    for prof in profiles:
        first = True
        for locus, (a, b) in prof.genotypes.items():
            p_rows.append([_rename(prof.sample_barcode), locus, a, b,
                           prof.kit if first else "", prof.laboratory if first else ""])
            first = False
    write("profiles.csv", ["barcode", "locus", "allele1", "allele2", "kit", "laboratory"], p_rows)


def dvi_dataset() -> None:
    s = generate_scenario(seed=202, bodies=10)
    victims, families = case_from_records(examinations=s.examinations, samples=s.samples,
                                          profiles=s.profiles, missing_persons=s.missing_persons,
                                          donors=s.donors)
    data = dvi_dataset_json(s.markers, victims, families)
    (HERE / "dvi-synthetic.json").write_text(json.dumps(data, indent=1) + "\n")
    # the ground truth (remains code -> missing person id, null: nobody reported them)
    (HERE / "dvi-synthetic-truth.json").write_text(json.dumps(dict(s.truth), indent=1) + "\n")


def kinship_case() -> None:
    # the case declares no mutation model, so none is simulated here either
    markers = [dataclasses.replace(m, mutation_female=None, mutation_male=None)
               for m in demo_markers()]
    trio = Pedigree([Person("AF", sex=Sex.MALE), Person("MO", sex=Sex.FEMALE),
                     Person("CH", "AF", "MO", Sex.FEMALE)])
    alleles = drop_alleles(trio, markers, 1, np.random.default_rng(303))
    g = {pid: to_profiles(markers, a)[0] for pid, a in alleles.items()}
    case = {
        "format": "homecoming/kinship-case@1",
        "theta": 0.0,
        "markers": [{"name": m.name, "chromosome": "autosomal", "alleles": list(m.alleles),
                     "frequencies": [float(f) for f in m.frequencies], "mutation": None}
                    for m in markers],
        "genotypes": {pid: {m: list(gt) for m, gt in g[pid].items()} for pid in ("AF", "CH")},
        "hypotheses": [
            {"name": "paternity", "pedigree": [
                {"id": "AF", "father": None, "mother": None, "sex": "male"},
                {"id": "MO", "father": None, "mother": None, "sex": "female"},
                {"id": "CH", "father": "AF", "mother": "MO", "sex": "female"}]},
            {"name": "unrelated", "pedigree": [
                {"id": "AF", "father": None, "mother": None, "sex": "male"},
                {"id": "CH", "father": None, "mother": None, "sex": "female"}]}],
        "reference": "unrelated",
    }
    (HERE / "paternity-synthetic.json").write_text(json.dumps(case, indent=1) + "\n")


if __name__ == "__main__":
    import_csvs()
    dvi_dataset()
    kinship_case()
