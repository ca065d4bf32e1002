"""`homecoming init` and `homecoming stats [--json]` on a temporary SQLite file."""

import json

from click.testing import CliRunner

from homecoming.cli.main import cli, main
from homecoming.storage import Database


def _run(*args, env=None):
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def test_init_creates_then_reports_up_to_date(tmp_path):
    url = f"sqlite:///{tmp_path / 'sub' / 'h.db'}"
    first = _run("--database", url, "init")
    assert first.exit_code == 0
    head = Database.head_revision()
    assert first.output == f"Database {url} created (schema revision {head}).\n"
    again = _run("--database", url, "init")
    assert again.output == f"Database {url} is up to date (schema revision {head}).\n"
    assert Database(url).current_revision() == head


def test_init_uses_environment_url(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'env.db'}"
    result = _run("init", env={"HOMECOMING_DATABASE_URL": url})
    assert result.exit_code == 0 and url in result.output
    assert (tmp_path / "env.db").is_file()


def test_init_default_is_the_per_user_file(tmp_path, monkeypatch):
    monkeypatch.delenv("HOMECOMING_DATABASE_URL", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    result = _run("init")
    assert result.exit_code == 0
    assert (tmp_path / "homecoming" / "homecoming.db").is_file()


def test_init_masks_the_password():
    from homecoming.storage import mask_url

    assert mask_url("postgresql+psycopg://ana:s3cret@db.example:5432/homecoming") == \
        "postgresql+psycopg://ana:***@db.example:5432/homecoming"


def test_stats_json_and_text(tmp_path):
    url = f"sqlite:///{tmp_path / 'h.db'}"
    _run("--database", url, "init")
    from homecoming import casework as cw
    from homecoming.storage.repositories import Repositories

    db = Database(url)
    with db.session() as session:
        repos = Repositories(session)
        repos.sites.add(cw.Site(id="S-1", name="site (synthetic)",
                                location=cw.Geometry.point(37.2, 49.2), reported_on="2022-09-10"))
        repos.graves.add_all(cw.Grave(id=f"G-{i}", site_id="S-1", label=str(i))
                             for i in range(3))
    db.dispose()
    result = _run("--database", url, "stats", "--json")
    assert result.exit_code == 0
    counts = json.loads(result.stdout)
    for key in ("sites", "graves", "remains", "missing_persons", "donors", "samples",
                "profiles"):
        assert key in counts
    assert counts["sites"] == 1 and counts["graves"] == 3 and counts["remains"] == 0
    assert counts["audit_records"] == 4
    text = _run("--database", url, "stats").output
    assert text.splitlines()[0] == f"Database {url}"
    assert any(line.split() == ["graves", "3"] for line in text.splitlines())
    # every count has a readable label (no raw keys such as "staff_profiles" in the text)
    from homecoming.cli.database import count_labels

    assert set(counts) <= set(count_labels())
    assert "staff_profiles" not in text and "contamination flags" in text


def _exit_code(argv):
    try:
        main(argv)
    except SystemExit as exc:
        return exc.code
    return 0


def test_stats_on_an_empty_database_is_a_one_line_error(tmp_path, capsys):
    (tmp_path / "none.db").touch()
    url = f"sqlite:///{tmp_path / 'none.db'}"
    assert _exit_code(["--database", url, "stats"]) == 1
    err = capsys.readouterr().err
    assert err == (f"Error: database {url} has no Homecoming schema; run `homecoming init` "
                   "first\n")


def test_stats_on_a_mistyped_sqlite_path_creates_nothing(tmp_path, capsys):
    path = tmp_path / "typo" / "deeper" / "homecomin.db"
    assert _exit_code(["--database", f"sqlite:///{path}", "stats"]) == 1
    err = capsys.readouterr().err
    assert err == (f"Error: database file {path} does not exist; run `homecoming init` first "
                   "(or check --database / HOMECOMING_DATABASE_URL)\n")
    assert not (tmp_path / "typo").exists()


def test_unreachable_postgresql_is_one_line(capsys):
    # port 9 (discard) on loopback: nothing listens there, the connection is refused at once
    url = "postgresql+psycopg://nobody:secret@127.0.0.1:9/homecoming"
    assert _exit_code(["--database", url, "stats"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("Error: database") and "127.0.0.1" in err
    assert "secret" not in err


def test_init_creates_the_folder_of_a_new_sqlite_file(tmp_path):
    path = tmp_path / "new" / "folder" / "h.db"
    assert _exit_code(["--database", f"sqlite:///{path}", "init"]) == 0
    assert path.is_file()


def test_help():
    assert "Create the database" in _run("init", "--help").output
    assert "--json" in _run("stats", "--help").output
