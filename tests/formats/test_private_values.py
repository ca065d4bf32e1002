"""Readers and writers name the place of a bad genotype or personal datum (field, sample,
locus), never the value itself (SYNTHETIC values)."""

from __future__ import annotations

import pytest

from homecoming.errors import InputError
from homecoming.formats.codis import format_cmf
from homecoming.formats.dvi_dataset import dataset_from_json
from homecoming.formats.genemapper import format_genemapper

MARKERS = [{"name": "TH01", "alleles": ["6", "7"], "frequencies": [0.5, 0.5]}]


def _dataset(birth_date: object) -> dict:
    return {
        "format": "homecoming/dvi-dataset@1",
        "markers": MARKERS,
        "victims": [{"id": "V1", "sex": "male", "genotypes": {"TH01": ["6", "7"]}}],
        "families": [{
            "name": "F1",
            "pedigree": [{"id": "FA", "father": None, "mother": None, "sex": "male"},
                         {"id": "MO", "father": None, "mother": None, "sex": "female"},
                         {"id": "M1", "father": "FA", "mother": "MO", "sex": "male"}],
            "missing": ["M1"],
            "genotypes": {"MO": {"TH01": ["6", "6"]}},
            "missing_info": {"M1": {"birth_date": birth_date}},
        }],
    }


def test_dataset_reads_a_good_birth_date():
    ds = dataset_from_json(_dataset("1970-05-01"))
    assert str(ds.families[0].missing_info["M1"].birth_date) == "1970-05-01"


def test_dataset_bad_birth_date_names_the_field_not_the_date():
    with pytest.raises(InputError) as e:
        dataset_from_json(_dataset("01/05/1970"))
    assert str(e.value) == ('families[0].missing_info.M1.birth_date: not a date; expected '
                            '"YYYY-MM-DD"')
    assert e.value.value is None


def test_genemapper_writer_names_sample_and_locus_not_the_allele():
    with pytest.raises(InputError) as e:
        format_genemapper({"PM-1": {"TH01": ["9.3\t7", "6"]}})
    assert str(e.value) == ("an allele of sample 'PM-1' at 'TH01': a value that is empty or "
                            "contains a tab or line break; a GeneMapper table cannot hold it")
    assert "9.3" not in str(e.value) and e.value.value is None


def test_cmf_writer_does_not_repeat_the_allele():
    with pytest.raises(InputError) as e:
        format_cmf({"PM-1": {"TH01": ["9.3\x01", "6"]}})
    assert str(e.value) == ("<ALLELEVALUE>: a value that is empty or has control characters; "
                            "expected printable text")
    assert e.value.value is None
