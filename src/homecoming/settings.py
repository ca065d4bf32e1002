"""Where Homecoming keeps its data, and who is working.

``HOMECOMING_DATABASE_URL`` (any SQLAlchemy URL, e.g. ``postgresql+psycopg://user@host/db``)
selects the database; without it Homecoming uses a SQLite file in the per-user data folder
(``platformdirs.user_data_dir("homecoming")``, e.g. ``~/.local/share/homecoming/homecoming.db``
on Linux). ``HOMECOMING_USER`` names the person written into the audit trail; without it, the
operating-system user.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path

import platformdirs

__all__ = ["DATABASE_URL_ENV", "USER_ENV", "data_dir", "database_url", "current_user"]

DATABASE_URL_ENV = "HOMECOMING_DATABASE_URL"
USER_ENV = "HOMECOMING_USER"


def data_dir() -> Path:
    """The per-user data folder (created if missing)."""
    path = Path(platformdirs.user_data_dir("homecoming", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url() -> str:
    """``HOMECOMING_DATABASE_URL`` if set, else ``sqlite:///<data_dir>/homecoming.db``."""
    url = os.environ.get(DATABASE_URL_ENV, "").strip()
    if url:
        return url
    return f"sqlite:///{data_dir() / 'homecoming.db'}"


def current_user() -> str:
    """``HOMECOMING_USER`` if set, else the operating-system user name."""
    user = os.environ.get(USER_ENV, "").strip()
    if user:
        return user
    try:
        return getpass.getuser()
    except Exception:  # no login name (e.g. a container without a passwd entry)
        return f"uid:{os.getuid()}" if hasattr(os, "getuid") else "unknown"
