"""The casework models and the database columns agree (issue 13, failure 4): SQLite used to
store NUL bytes and names longer than the String(200) columns that PostgreSQL refuses, so a
case exported from SQLite might not import into PostgreSQL. Now the model boundary refuses
control characters and over-long values, with lengths from one place (casework._base) that
the columns use too. Records are SYNTHETIC."""

from __future__ import annotations

import enum
import json

import pytest
from click.testing import CliRunner
from sqlalchemy import String

from homecoming import casework as cw
from homecoming.casework._base import NAME_LENGTH, CaseworkError
from homecoming.cli.main import cli
from homecoming.storage import tables
from homecoming.storage.repositories import Repositories

SECRET = "Synthetickovalenko"


def _pairs(session):
    repos = Repositories(session)
    for name, repo in vars(repos).items():
        if hasattr(repo, "model") and hasattr(repo, "table"):
            yield name, repo


def test_every_bounded_column_is_bounded_in_its_model(records):
    """For every String(n) column of every repository table, the model refuses n+1
    characters (so no backend is ever asked to store more than its column holds)."""
    stored = {type(r).__name__: r for r in vars(records).values() if isinstance(r, cw.Record)}
    checked = 0
    for _name, repo in _pairs(Repositories(None)):
        record = stored.get(repo.model.__name__)
        if record is None:
            continue
        for column in repo.table.columns:
            if not isinstance(column.type, String) or column.type.length is None:
                continue
            if column.name not in repo.model.model_fields:
                continue
            current = getattr(record, column.name)
            if isinstance(current, enum.Enum) or column.name == repo.model.key_field:
                continue
            with pytest.raises(CaseworkError):
                record.evolve(**{column.name: "x" * (column.type.length + 1)})
            checked += 1
    assert checked >= 10
    assert tables.missing_persons.c.surname.type.length == NAME_LENGTH


@pytest.mark.parametrize("field, value", [
    ("surname", f"{SECRET}\x00"), ("given_name", f"Ol\x07{SECRET}"),
    ("surname", f"{SECRET}\n2"), ("notes", f"{SECRET}\x1b[2J"), ("notes", f"a\u202e{SECRET}"),
    ("surname", SECRET * 12),
])
def test_control_characters_and_overlong_names_are_refused_without_echo(records, field,
                                                                        value):
    with pytest.raises(CaseworkError) as info:
        records.missing_person.evolve(**{field: value})
    message = str(info.value)
    assert message.startswith(f"MissingPerson.{field}: ")
    assert SECRET not in message and "\n" not in message and "\x1b" not in message
    with pytest.raises(CaseworkError):
        cw.MissingPerson.from_dict({**records.missing_person.to_dict(), field: value})


def test_free_text_keeps_line_breaks_and_tabs(records):
    person = records.missing_person.evolve(notes="line 1\n\tline 2")
    assert person.notes == "line 1\n\tline 2"
    assert records.missing_person.evolve(surname="x" * NAME_LENGTH).surname == "x" * NAME_LENGTH


STEPS = [
    ("geojson", "sites.geojson"), ("incidents", "incidents.csv"),
    ("missing-persons", "missing-persons.csv"), ("donors", "donors.csv"),
    ("remains", "remains.csv"), ("examinations", "examinations.csv"),
    ("samples", "samples.csv"), ("profiles", "profiles.csv"),
]


def _run(*args):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


@pytest.mark.postgres
def test_a_case_exported_from_sqlite_imports_into_postgresql(tmp_path, postgres_server):
    """The longest name a model accepts and non-Latin text go through unchanged."""
    a = f"sqlite:///{tmp_path / 'a.db'}"
    postgres_server.admin('CREATE DATABASE "transfer_pg"')
    b = postgres_server.url("transfer_pg")
    try:
        _run("--database", a, "demo", "--bodies", "5", "--seed", "8", "--no-identify",
             "--json")
        from homecoming.storage import Database

        db = Database(a)
        with db.session() as session:
            repos = Repositories(session)
            first = repos.missing_persons.list(limit=1)[0]
            repos.missing_persons.update(first.id, surname="Ш" * NAME_LENGTH,
                                         notes="рядок 1\n\tрядок 2")
        db.dispose()
        _run("--database", b, "init")
        (tmp_path / "a").mkdir()
        (tmp_path / "b").mkdir()
        for kind, name in STEPS:
            _run("--database", a, "export", kind, str(tmp_path / "a" / name))
            _run("--database", b, "import", kind, str(tmp_path / "a" / name))
            _run("--database", b, "export", kind, str(tmp_path / "b" / name))
            assert (tmp_path / "b" / name).read_bytes() == \
                (tmp_path / "a" / name).read_bytes(), name
        stats = [json.loads(_run("--database", u, "stats", "--json").output) for u in (a, b)]
        for key in ("sites", "graves", "remains", "missing_persons", "donors", "profiles"):
            assert stats[0][key] == stats[1][key] > 0, key
    finally:
        postgres_server.admin('DROP DATABASE IF EXISTS "transfer_pg" WITH (FORCE)')
