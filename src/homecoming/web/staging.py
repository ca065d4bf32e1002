"""Uploaded files kept between the dry run and the confirmation.

The lab uploads a file once: the server keeps its bytes in a private folder (mode 0700, files
0600, one folder per server process, removed at exit), under a random token that belongs to
the web session that uploaded it, and with its SHA-256. The confirmation names the token and
the SHA-256 the dry-run report showed; the import reads the kept bytes only if both match,
so what is imported is exactly what was checked. A kept upload expires after
:data:`LIFETIME` seconds and is deleted once imported or discarded.
"""

from __future__ import annotations

import atexit
import hashlib
import hmac
import os
import re
import secrets
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from homecoming.errors import NotFoundError

__all__ = ["StagedUpload", "UploadStore", "LIFETIME", "MAX_BYTES", "owner_key"]

#: seconds an upload is kept for its confirmation
LIFETIME = 3600
#: the largest file accepted (bytes)
MAX_BYTES = 50 * 1024 * 1024

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def owner_key(account: str, session_secret: str) -> str:
    """A key naming one web session (its account and a digest of its secret), never the
    secret itself."""
    return account + ":" + hashlib.sha256(session_secret.encode()).hexdigest()[:32]


def safe_filename(name: str | None) -> str:
    """The uploaded file's own name without folders or unusual characters (for display)."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = _SAFE.sub("_", base).strip("._")[:120]
    return base or "upload"


@dataclass
class StagedUpload:
    token: str
    owner: str
    kind: str
    filename: str
    sha256: str
    path: Path
    size: int
    options: dict[str, str] = field(default_factory=dict)
    created: float = field(default_factory=time.monotonic)


class UploadStore:
    """The kept uploads of one server process (thread-safe)."""

    def __init__(self, root: Path | None = None, *, lifetime: float = LIFETIME) -> None:
        self._root = root
        self._lifetime = lifetime
        self._items: dict[str, StagedUpload] = {}
        self._lock = threading.Lock()

    @property
    def root(self) -> Path:
        if self._root is None:
            self._root = Path(tempfile.mkdtemp(prefix="homecoming-uploads-"))
            atexit.register(shutil.rmtree, self._root, True)
        self._root.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self._root, 0o700)
        return self._root

    def put(self, data: bytes, *, owner: str, kind: str, filename: str | None,
            options: dict[str, str] | None = None) -> StagedUpload:
        """Keep ``data`` for ``owner``; returns the kept upload (its token and SHA-256)."""
        self.expire()
        token = secrets.token_urlsafe(24)
        name = safe_filename(filename)
        folder = self.root / token
        folder.mkdir(mode=0o700)
        path = folder / "upload"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        item = StagedUpload(token, owner, kind, name, hashlib.sha256(data).hexdigest(), path,
                            len(data), dict(options or {}))
        with self._lock:
            self._items[token] = item
        return item

    def get(self, token: str, *, owner: str) -> StagedUpload:
        """The kept upload ``token`` of ``owner``; NotFoundError for an unknown, expired or
        someone else's token (the same answer, so a token cannot be probed)."""
        self.expire()
        with self._lock:
            item = self._items.get(token)
        if item is None or not hmac.compare_digest(item.owner, owner):
            raise NotFoundError("this upload is not kept (expired, already imported, or not "
                                "yours); expected a file uploaded in this session: upload "
                                "it again")
        return item

    def discard(self, token: str) -> None:
        with self._lock:
            item = self._items.pop(token, None)
        if item is not None:
            shutil.rmtree(item.path.parent, ignore_errors=True)

    def expire(self) -> None:
        now = time.monotonic()
        with self._lock:
            old = [t for t, i in self._items.items() if now - i.created > self._lifetime]
        for token in old:
            self.discard(token)
