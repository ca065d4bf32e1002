"""``homecoming serve`` (a real process on loopback) and ``homecoming password``."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from homecoming.cli.main import main
from homecoming.services import accounts, web_auth
from homecoming.storage import Database


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture()
def url(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    db = Database(url)
    db.upgrade()
    with db.session() as session:
        accounts.add_user(session, "admin", ["admin"], actor="admin")
        accounts.add_user(session, "olena", ["liaison"], actor="admin")
    db.dispose()
    return url


def _run(argv, capsys, monkeypatch, user="admin", stdin=None):
    monkeypatch.setenv("HOMECOMING_USER", user)
    if stdin is not None:
        import io

        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
        raise SystemExit(0)
    out = capsys.readouterr()
    return exit_info.value.code or 0, out.out, out.err


def test_password_generate_prompt_and_refusals(url, capsys, monkeypatch):
    code, out, _ = _run(["--database", url, "password", "olena", "--generate"], capsys,
                        monkeypatch)
    assert code == 0 and out.startswith("Password of olena: ")
    generated = out.split(": ", 1)[1].strip()
    db = Database(url)
    with db.session() as session:
        assert web_auth.verify_password(session, "olena", generated).name == "olena"
    code, out, _ = _run(["--database", url, "password", "olena"], capsys, monkeypatch,
                        stdin="a new passphrase\na new passphrase\n")
    assert code == 0 and out.strip() == "Password of olena set."
    with db.session() as session:
        assert web_auth.verify_password(session, "olena", generated) is None
        assert web_auth.verify_password(session, "olena", "a new passphrase")
    code, _, err = _run(["--database", url, "password", "olena"], capsys, monkeypatch,
                        stdin="short\nshort\n")
    assert code == 1 and "at least 10 characters" in err
    code, _, err = _run(["--database", url, "password", "admin", "--generate"], capsys,
                        monkeypatch, user="olena")
    assert code == 1 and "may not users.manage" in err
    db.dispose()


def test_serve_runs_the_application(url):
    port = _free_port()
    exe = Path(sys.executable).parent / "homecoming"
    env = {**os.environ, "HOMECOMING_DATABASE_URL": url}
    process = subprocess.Popen([str(exe), "serve", "--port", str(port)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/login", timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stderr.read()
                assert time.monotonic() < deadline, "serve did not answer in 30 s"
                time.sleep(0.2)
        assert response.status_code == 200
        assert '<html lang="uk">' in response.text
        assert httpx.get(f"http://127.0.0.1:{port}/public/statistics").status_code == 404
    finally:
        process.terminate()
        _, err = process.communicate(timeout=15)
    assert f"http://127.0.0.1:{port}" in err


def test_serve_refuses_a_database_without_schema(tmp_path, capsys, monkeypatch):
    code, _, err = _run(["--database", f"sqlite:///{tmp_path / 'none.db'}", "serve"], capsys,
                        monkeypatch)
    assert code == 1 and "homecoming init" in err
