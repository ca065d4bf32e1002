"""Database errors become one line without data (issue 13, failure 3).

A database error used to surface as a SQLAlchemy traceback whose SQL parameters held the
genotypes, names and birth dates being written. Now every one is a
:class:`~homecoming.storage.DatabaseError` (a lock or timeout: ``DatabaseBusyError``) whose
message, traceback and chained causes carry no parameter; the CLI prints one line.
All names and alleles here are SYNTHETIC.
"""

from __future__ import annotations

import contextlib
import sqlite3
import traceback

import pytest
from sqlalchemy.engine import make_url

from homecoming import casework as cw
from homecoming.cli.main import main
from homecoming.storage import Database, DatabaseBusyError, DatabaseError
from homecoming.storage.repositories import Repositories

SURNAME = "Synthetickovalenko"
GIVEN = "Synthetolena"


def _everything(exc: BaseException) -> str:
    """The message and the whole printed traceback, causes and contexts included."""
    return "".join(traceback.format_exception(exc))


@contextlib.contextmanager
def locked(url: str, table: str = "missing_persons"):
    """Another client holds the database (SQLite: an exclusive transaction; PostgreSQL: an
    exclusive lock on ``table``) while the block runs."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        conn = sqlite3.connect(parsed.database, isolation_level=None)
        conn.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            conn.execute("ROLLBACK")
            conn.close()
        return
    import psycopg

    with psycopg.connect(host=parsed.host, port=parsed.port, user=parsed.username,
                         dbname=parsed.database) as conn:
        conn.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        yield
        conn.rollback()


def _person(**changes):
    data = dict(id="MP-9", surname=SURNAME, given_name=GIVEN, birth_date="1972-04-02",
                sex="female", reported_by="SYNTHETIC son", reported_on="2022-04-01")
    data.update(changes)
    return cw.MissingPerson(**data)


def test_a_lock_is_a_one_line_busy_error_without_data(database_url):
    Database(database_url).upgrade()
    db = Database(database_url, busy_timeout=0.2)
    with locked(database_url), pytest.raises(DatabaseBusyError) as info:
        with db.session() as session:
            Repositories(session).missing_persons.add(_person())
    message = str(info.value)
    assert message.startswith("database busy") and message.endswith("retry")
    assert "\n" not in message
    text = _everything(info.value)
    assert SURNAME not in text and GIVEN not in text and "1972" not in text
    db.dispose()


@pytest.mark.postgres
def test_a_nul_byte_on_postgresql_is_one_line_without_data(postgres_server):
    """PostgreSQL refuses NUL in text; the refusal names neither the value nor the row.
    (The casework models refuse NUL first; ``model_construct`` skips them to reach the
    database.)"""
    postgres_server.admin('CREATE DATABASE "nul_test"')
    db = Database(postgres_server.url("nul_test"))
    try:
        db.upgrade()
        bad = cw.MissingPerson.model_construct(**{**_person().__dict__,
                                                  "notes": f"{SURNAME}\x00{GIVEN}"})
        with pytest.raises(DatabaseError) as info:
            with db.session() as session:
                Repositories(session).missing_persons.add(bad)
        text = _everything(info.value)
        assert "NUL" in str(info.value) and "\n" not in str(info.value)
        assert SURNAME not in text and GIVEN not in text and "1972" not in text
        assert db.counts()["missing_persons"] == 0
    finally:
        db.dispose()
        postgres_server.admin('DROP DATABASE "nul_test" WITH (FORCE)')


MISSING = ("id,surname,given_name,sex,birth_date,reported_by,reported_on\n"
           f"MP-1,{SURNAME},{GIVEN},female,1972-04-02,SYNTHETIC son,2022-04-01\n")
DONORS = ("id,missing_person_id,full_name,sex,relationship,consent,consent_on\n"
          "D-1,MP-1,SYNTHETIC relative,female,daughter,also_court,2022-05-01\n")
SAMPLES = ("barcode,source,donor_id,element,collected_on\n"
           "AM-1,donor,D-1,buccal_swab,2022-05-01\n")
PROFILES = "barcode,locus,allele1,allele2\nAM-1,D3S1358,15,16\nAM-1,TH01,9.3,6\n"


def _run_failing(url, capsys, *args):
    capsys.readouterr()
    with pytest.raises(SystemExit) as info:
        main(["--database", url, *args])
    assert info.value.code == 1
    return capsys.readouterr().err


@pytest.mark.parametrize("kind, table", [("missing-persons", "missing_persons"),
                                         ("profiles", "profiles")])
def test_a_failing_command_prints_one_line_without_names_or_alleles(
        database_url, tmp_path, capsys, monkeypatch, kind, table):
    monkeypatch.setenv("HOMECOMING_BUSY_TIMEOUT", "0.2")
    assert main_ok(database_url, "init")
    paths = {}
    for name, text in [("missing-persons", MISSING), ("donors", DONORS), ("samples", SAMPLES),
                       ("profiles", PROFILES)]:
        paths[name] = tmp_path / f"{name}.csv"
        paths[name].write_text(text, encoding="utf-8")
    if kind == "profiles":
        for name in ("missing-persons", "donors", "samples"):
            assert main_ok(database_url, "import", name, str(paths[name]))
    with locked(database_url, table):
        err = _run_failing(database_url, capsys, "import", kind, str(paths[kind]))
    assert err.startswith("Error: database busy") and err.count("\n") == 1
    for datum in (SURNAME, GIVEN, "1972-04-02", "15,16", "'15', '16'", "9.3"):
        assert datum not in err


def main_ok(url, *args) -> bool:
    try:
        main(["--database", url, *args])
    except SystemExit as exc:
        return exc.code in (0, None)
    return True
