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

__all__ = ["DATABASE_URL_ENV", "USER_ENV", "data_dir", "database_url", "current_user",
           "private_directory", "private_open", "make_private"]

DATABASE_URL_ENV = "HOMECOMING_DATABASE_URL"
USER_ENV = "HOMECOMING_USER"


def data_dir() -> Path:
    """The per-user data folder (created if missing; owner-only, mode 0700)."""
    path = Path(platformdirs.user_data_dir("homecoming", appauthor=False))
    return private_directory(path)


def private_directory(path: str | os.PathLike[str]) -> Path:
    """Create ``path`` (and missing parents) if needed and make it owner-only (0700)."""
    path = Path(path)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    make_private(path)
    return path


def make_private(path: str | os.PathLike[str]) -> None:
    """Make a file (0600) or folder (0700) owned by this user readable by its owner only."""
    if os.name != "posix":  # pragma: no cover - POSIX permissions only
        return
    path = Path(path)
    try:
        if path.stat().st_uid != os.getuid():
            return  # not ours to change (e.g. a shared folder)
        path.chmod(0o700 if path.is_dir() else 0o600)
    except FileNotFoundError:
        return


def private_open(path: str | os.PathLike[str], mode: str = "w", **kwargs: object):  # type: ignore[no-untyped-def]
    """``open(path, mode)`` for writing a file only its owner can read (0600), created so
    from the start (no moment where it is world-readable); an existing file is made 0600.
    Use it for exports, screening results and anything holding genetic or personal data."""
    flags = os.O_WRONLY | os.O_CREAT
    flags |= os.O_APPEND if "a" in mode else os.O_TRUNC
    if "x" in mode:
        flags |= os.O_EXCL
        mode = mode.replace("x", "w")
    fd = os.open(path, flags, 0o600)
    try:
        make_private(path)
        return os.fdopen(fd, mode, **kwargs)  # type: ignore[call-overload]
    except BaseException:
        os.close(fd)
        raise


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
