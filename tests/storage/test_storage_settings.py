"""settings: database URL and user from the environment, else per-user defaults."""

from pathlib import Path

from homecoming import settings


def test_database_url_from_environment(monkeypatch):
    monkeypatch.setenv("HOMECOMING_DATABASE_URL", "postgresql+psycopg://u@h/db")
    assert settings.database_url() == "postgresql+psycopg://u@h/db"


def test_database_url_default_is_sqlite_in_user_data_dir(monkeypatch, tmp_path):
    monkeypatch.delenv("HOMECOMING_DATABASE_URL", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    url = settings.database_url()
    assert url == f"sqlite:///{tmp_path / 'data' / 'homecoming' / 'homecoming.db'}"
    assert (tmp_path / "data" / "homecoming").is_dir()
    assert Path(url.removeprefix("sqlite:///")).parent == settings.data_dir()


def test_current_user(monkeypatch):
    monkeypatch.setenv("HOMECOMING_USER", "a.kovalenko")
    assert settings.current_user() == "a.kovalenko"
    monkeypatch.delenv("HOMECOMING_USER")
    monkeypatch.setenv("USER", "osuser")
    monkeypatch.setenv("LOGNAME", "osuser")
    assert settings.current_user() == "osuser"
