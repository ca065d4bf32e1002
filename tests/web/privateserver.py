"""A second real server on a private copy of the web tests' database.

Tests that change the stored case (the lab imports profiles, the analyst runs the
identification and stores new versions) run against their own copy, so that the shared
server's database — which other test modules read and count — stays as they expect. The
copy is made with SQLite's online backup (the fixture database is WAL), so it holds the
demonstration, the accounts and their passwords (``web_server.passwords`` work on it).
"""

from __future__ import annotations

import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from homecoming.storage import Database
from homecoming.web.app import create_app
from homecoming.web.config import WebConfig

__all__ = ["PrivateServer", "private_server"]


@dataclass
class PrivateServer:
    url: str
    db: Database
    passwords: dict[str, str] = field(default_factory=dict)
    app: Any = None


def _port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def private_server(shared: Any, folder: Path) -> Iterator[PrivateServer]:
    """Copy ``shared`` (the ``web_server`` fixture) into ``folder`` and serve the copy."""
    import uvicorn

    source = str(shared.db.engine.url.database)
    target = folder / "private.db"
    with sqlite3.connect(source) as src, sqlite3.connect(str(target)) as dst:
        src.backup(dst)
    url = f"sqlite:///{target}"
    db = Database(url)
    app = create_app(WebConfig(database_url=url, public_statistics=True, page_size=25),
                     database=db)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=_port(),
                                           log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the private web server did not start")
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield PrivateServer(f"http://127.0.0.1:{port}", db, dict(shared.passwords), app)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        db.dispose()
