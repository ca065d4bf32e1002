"""`homecoming frequencies list|show` prints the shipped tables with their attribution."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from homecoming.cli.main import cli, main


def run(*args: str):
    result = CliRunner().invoke(cli, ["frequencies", *args], catch_exceptions=False)
    return result


def test_list_table_names_every_database_with_n_loci_and_source():
    result = run("list")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["name", "population", "loci", "N", "source"]
    row = next(line for line in lines if line.startswith("strider2015_poland "))
    assert " Poland " in row and " 15 " in row and " 206 " in row and "STRidER" in row
    row = next(line for line in lines if line.startswith("norstr2023_norway "))
    assert " 50 " in row and " unknown " in row
    assert "50 databases." in result.output


def test_list_json():
    data = json.loads(run("list", "--json").output)
    assert len(data) == 50
    nist = next(d for d in data if d["name"] == "nist1036_all")
    assert nist["loci"] == 29 and nist["n_individuals"] == 1036
    assert nist["reference"] == "10.1016/j.fsigen.2017.08.011"


def test_show_one_locus_with_pseudo_alleles_flagged():
    result = run("show", "strider2015_germany", "--locus", "D19S433")
    assert result.exit_code == 0
    out = result.output
    assert out.startswith("strider2015_germany: Germany")
    assert "doi:10.1016/j.fsigen.2016.06.008" in out
    assert "sha256:    0766be9e6636" in out
    assert "D19S433  (16 alleles, N = 662," in out
    line99 = next(line for line in out.splitlines() if line.startswith("99 "))
    assert "0.000755" in line99 and "above range" in line99
    assert "D3S1358" not in out


def test_show_json_values():
    data = json.loads(run("show", "nist1036_all", "--locus", "TH01", "--json").output)
    assert list(data["loci"]) == ["TH01"]
    th01 = data["loci"]["TH01"]
    assert th01["n_alleles_typed"] == 2072
    assert th01["rare_allele_frequency"] == 5 / 2072
    assert abs(th01["frequency_sum"] - 1) < 1e-9
    assert th01["frequencies"]["9.3"] == 0.205598455598


def test_show_unknown_database_and_locus_are_one_line_errors(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["frequencies", "show", "atlantis"])
    assert exc.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: frequency database 'atlantis' is not shipped; expected one of")
    assert len(err.strip().splitlines()) == 1
    result = CliRunner().invoke(
        cli, ["frequencies", "show", "strider2015_poland", "--locus", "TPOX"])
    assert result.exit_code != 0
    assert "'TPOX' is not in frequency database 'strider2015_poland'" in str(result.exception)


def test_show_prints_the_attribution_the_licence_requires():
    out = run("show", "ukdna17_white_ea1_ea2", "--locus", "TH01").output
    assert ("notice:    Contains public sector information licensed under the Open Government "
            "Licence v3.0.") in out
    out = run("show", "norstr2023_europe", "--locus", "TH01").output
    assert "Copyright (c) 2025 norSTR authors" in out
    data = json.loads(run("show", "strider2015_slovakia", "--locus", "TH01", "--json").output)
    assert "Bodner et al. 2016" in data["notice"]
    from importlib import resources

    text = resources.files("homecoming.genetics").joinpath(
        "data", "allele-frequencies", "LICENSE-norSTR.md").read_text(encoding="utf-8")
    assert "Permission is hereby granted, free of charge" in text
