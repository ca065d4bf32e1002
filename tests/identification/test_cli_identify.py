"""`homecoming identify DATASET.json [--json]`: output shape and values."""

from __future__ import annotations

import hashlib
import json

import pytest
from click.testing import CliRunner

from homecoming.cli.main import cli, main

from .test_hand_computed import dataset_a


@pytest.fixture()
def dataset_file(tmp_path):
    path = tmp_path / "ds.json"
    path.write_text(json.dumps(dataset_a()))
    return path


def run(*args):
    result = CliRunner().invoke(cli, ["identify", *map(str, args)], catch_exceptions=False)
    return result


def test_json_output(dataset_file):
    res = run(dataset_file, "--json", "--lr-threshold", "4", "--no-posterior-threshold",
              "--top", "3")
    assert res.exit_code == 0
    out = json.loads(res.stdout)
    assert out["format"] == "homecoming/dvi-result@1"
    pw = {(p["victim"], p["missing"]): p for p in out["pairwise"]}
    assert pw[("V1", "M1")]["lr"] == pytest.approx(5.0)
    assert pw[("V1", "M1")]["inconsistent_markers"] == 0
    assert pw[("V2", "M1")]["lr"] == 0 and pw[("V2", "M1")]["log10_lr"] is None
    assert pw[("V2", "M1")]["inconsistent_markers"] == 1
    assert len(out["joint"]) == 3
    best = out["joint"][0]
    assert best["assignment"] == {"V1": "M1", "V2": None, "V3": "M2"}
    assert best["lr"] == pytest.approx(25.0)
    assert best["posterior"] == pytest.approx(25 / 36)
    assert out["posterior_exact"] is True
    assert [j["loglik"] for j in out["joint"]] == sorted([j["loglik"] for j in out["joint"]],
                                                         reverse=True)
    cm = {c["missing"]: c for c in out["conclusions"]["missing"]}
    assert cm["M1"]["victim"] == "V1" and cm["M1"]["family"] == "F1"
    assert cm["M1"]["conclusion"] == "undisputed" and cm["M1"]["lr"] == pytest.approx(5.0)
    cv = {c["victim"]: c for c in out["conclusions"]["victims"]}
    assert cv["V2"]["conclusion"] == "excluded"
    assert out["thresholds"]["lr"] == 4 and out["thresholds"]["probable"] == 1  # max(1, 4/10)
    assert out["thresholds"]["posterior"] is None
    assert out["provenance"]["software"].startswith("homecoming ")
    want = hashlib.sha256(dataset_file.read_bytes()).hexdigest()
    assert out["provenance"]["input_sha256"] == want


def test_text_output(dataset_file):
    res = run(dataset_file, "--lr-threshold", "4", "--no-posterior-threshold")
    assert res.exit_code == 0
    assert "Conclusions per missing person" in res.output
    line = next(x for x in res.output.splitlines() if x.startswith("M1 "))
    assert "V1" in line and "undisputed" in line
    assert "V1=M1, V3=M2" in res.output


def test_defaults_recorded(dataset_file):
    out = json.loads(run(dataset_file, "--json").output)
    assert out["thresholds"] == {"lr": 10000.0, "probable": 1000.0, "posterior": 0.9995,
                                 "prior": "1/2", "max_incompatible": 2}
    # best LRs 5 (V1=M1, V3=M2): >= 1 but below the probable threshold 1000: inconclusive, as
    # in dvir (.simpleFamDVI)
    assert {(c["missing"], c["victim"], c["conclusion"]) for c in
            out["conclusions"]["missing"]} == {("M1", "V1", "inconclusive"),
                                               ("M2", "V3", "inconclusive")}


def test_bad_file_one_line_error(tmp_path, capsys):
    path = tmp_path / "bad.json"
    d = dataset_a()
    d["families"][0]["missing"] = ["NOPE"]
    path.write_text(json.dumps(d))
    with pytest.raises(SystemExit) as info:
        main(["identify", str(path)])
    assert info.value.code == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("Error: ") and "NOPE" in err and "\n" not in err


def test_services_pass_stage_progress_on(tmp_path):
    """identify_dataset and identify_case hand their stage_progress to solve(): every stage of
    the solve is reported, in order, ending at its total."""
    from homecoming.formats.dvi_dataset import dataset_from_json
    from homecoming.identification.solver import STAGES
    from homecoming.services.case_identification import identify_dataset

    seen: list[tuple[str, int, int]] = []
    identify_dataset(dataset_from_json(dataset_a()),
                     stage_progress=lambda s, d, t: seen.append((s, d, t)))
    order = [s for k, (s, _, _) in enumerate(seen) if k == 0 or seen[k - 1][0] != s]
    assert order == list(STAGES)
    for stage in STAGES:
        _, done, total = [x for x in seen if x[0] == stage][-1]
        assert done == total


def test_stored_case_bars_restart_for_each_solve(monkeypatch):
    """The stored case solves one group after another: the CLI's callback opens fresh
    tqdm_stages bars when a stage comes back after another one, and closes them at the end."""
    import contextlib

    import homecoming.identification.progress as progress
    from homecoming.cli.identify import _StagesPerSolve

    opened: list[list[tuple[str, int, int]]] = []
    closed: list[int] = []

    @contextlib.contextmanager
    def fake(*, disable: bool = False, **_):
        assert disable is True
        calls: list[tuple[str, int, int]] = []
        opened.append(calls)
        yield lambda s, d, t: calls.append((s, d, t))
        closed.append(len(opened))

    monkeypatch.setattr(progress, "tqdm_stages", fake)
    with _StagesPerSolve(disable=True) as cb:
        for _ in range(2):                      # two solves
            for stage in ("pairwise", "joint", "conclusions"):
                cb(stage, 0, 2)
                cb(stage, 2, 2)
    assert len(opened) == 2 and closed == [1, 2]
    assert [s for s, _, _ in opened[1]] == ["pairwise", "pairwise", "joint", "joint",
                                            "conclusions", "conclusions"]


def test_max_assignment_solves_option(dataset_file):
    """--max-assignment-solves N reaches the engine (recorded in the provenance's parameters);
    the default is the engine's; 0 is refused with the option named."""
    from homecoming.identification import IdentificationConfig

    out = json.loads(run(dataset_file, "--json").stdout)
    assert out["provenance"]["parameters"]["max_assignment_solves"] == \
        IdentificationConfig().max_assignment_solves
    out = json.loads(run(dataset_file, "--json", "--max-assignment-solves", "7").stdout)
    assert out["provenance"]["parameters"]["max_assignment_solves"] == 7
    res = run(dataset_file, "--json", "--max-assignment-solves", "0")
    assert res.exit_code == 2
    assert "--max-assignment-solves" in res.output and "0" in res.output
