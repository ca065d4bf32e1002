"""scripts/ensure-postgres: with the server binaries present it does nothing, every time."""

import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "ensure-postgres"


@pytest.mark.postgres
def test_ensure_postgres_is_idempotent_when_installed(postgres_server):
    # postgres_server started, so the binaries exist: the script must not try to install
    for _ in range(2):
        proc = subprocess.run([str(SCRIPT)], capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout == "" and proc.stderr == ""
