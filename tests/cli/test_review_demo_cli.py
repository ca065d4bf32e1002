"""homecoming demo --workflow: the SYNTHETIC demo goes through review and release."""

from __future__ import annotations

import json

from click.testing import CliRunner

from homecoming.cli.main import cli


def test_demo_workflow_option(tmp_path):
    url = f"sqlite:///{tmp_path / 'd.db'}"
    runner = CliRunner()
    r = runner.invoke(cli, ["--database", url, "demo", "--bodies", "12", "--workflow", "--json"])
    assert r.exit_code == 0, r.output
    w = json.loads(r.stdout)["workflow"]
    assert w["released"] >= 1 and w["confirmed"] >= w["released"]
    r = runner.invoke(cli, ["--database", url, "stats", "--json"],
                      env={"HOMECOMING_USER": "syn-monitor"})
    counts = json.loads(r.stdout)
    assert counts["remains_released"] == w["released"]
    assert counts["identifications_confirmed"] == w["confirmed"]
