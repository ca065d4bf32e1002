"""Lineage-marker records (homecoming.casework.lineage): the Y-STR locus and allele grammar,
multi-copy loci, the rCRS variant notation (insertions, deletions, IUPAC heteroplasmy) and
typed ranges; errors never show an allele or a variant. SYNTHETIC values."""

from __future__ import annotations

import pytest

from homecoming.casework import CaseworkError
from homecoming.casework.lineage import (
    MtdnaHaplotype,
    YHaplotype,
    canonical_y_locus,
    normalise_mt_variant,
)


def test_y_haplotype_grammar_and_copies():
    y = YHaplotype(sample_barcode="S-1", haplotype={
        "DYS19": "14", "DYS385b": "11", "DYS385a": "14", "Y-GATA-H4": "12", "dys389ii": "29",
        "DYF387S1": "35-37", "DYS458": "17.2"})
    assert y.haplotype == {"DYS19": ("14",), "DYS385": ("11", "14"), "YGATAH4": ("12",),
                           "DYS389II": ("29",), "DYF387S1": ("35", "37"), "DYS458": ("17.2",)}
    assert y.alleles()["DYS385a"] == "11" and y.alleles()["DYS385b"] == "14"
    assert canonical_y_locus("GATA H4") == "YGATAH4"
    for bad, message in (({"DYS19": "14,15"}, "single-copy locus DYS19"),
                         ({"D3S1358": "15"}, "Y-STR locus name"),
                         ({"DYS19": "OL"}, "repeat numbers"),
                         ({"DYS19": "14.12"}, "repeat numbers")):
        with pytest.raises(CaseworkError, match=message) as err:
            YHaplotype(sample_barcode="S-1", haplotype=bad)
        assert "OL" not in str(err.value) and "14.12" not in str(err.value)


def test_mtdna_notation_ranges_and_errors():
    m = MtdnaHaplotype(sample_barcode="S-1",
                       variants="16519c 263G 309.1C 315.1C 249d 16093Y 8860G",
                       typed_range="16024-16569 1-576 8000-9000")
    assert m.variants == ("249DEL", "263G", "309.1C", "315.1C", "8860G", "16093Y", "16519C")
    assert m.typed_range == ((16024, 16569), (1, 576), (8000, 9000))
    assert [normalise_mt_variant(v) for v in ("249del", "249-", "249DEL", "16093y")] == \
        ["249DEL", "249DEL", "249DEL", "16093Y"]
    assert MtdnaHaplotype(sample_barcode="S-2", variants="").variants == ()
    for variants, message in (("16519Q", "rCRS notation"), ("16570A", "rCRS notation"),
                              ("263G 263G", "each variant once"),
                              ("315.1d", "deletion at a reference position"),
                              ("1000A", "outside the typed range")):
        with pytest.raises(CaseworkError, match=message) as err:
            MtdnaHaplotype(sample_barcode="S-1", variants=variants)
        assert "16519Q" not in str(err.value)
    with pytest.raises(CaseworkError, match="ranges"):
        MtdnaHaplotype(sample_barcode="S-1", variants="", typed_range="576-1")
