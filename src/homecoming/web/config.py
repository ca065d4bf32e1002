"""Settings of the web application (environment variables, or :class:`WebConfig` in code).

=================================  =============================================================
``HOMECOMING_DATABASE_URL``        the database (as for the command line; ``--database`` wins)
``HOMECOMING_PUBLIC_STATISTICS``   ``1`` publishes the statistics pages without log-in
                                   (``/public/statistics``), small cells suppressed; off by
                                   default
``HOMECOMING_TILE_URL``            a base-map tile URL template (``https://…/{z}/{x}/{y}.png``
                                   or ``/tiles/{z}/{x}/{y}.png`` for local files); none by
                                   default: the map draws the stored features on a blank
                                   background and needs no internet
``HOMECOMING_TILE_ATTRIBUTION``    the attribution the tile provider asks for
``HOMECOMING_TILE_DIR``            a folder of local tiles served at ``/tiles``
``HOMECOMING_SECURE_COOKIES``      ``1`` marks cookies Secure (behind HTTPS)
=================================  =============================================================
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from homecoming.services.web_auth import LoginPolicy

__all__ = ["WebConfig"]


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class WebConfig:
    """What the web application needs to know besides the database."""

    database_url: str | None = None
    public_statistics: bool = False
    tile_url: str | None = None
    tile_attribution: str = ""
    tile_dir: Path | None = None
    secure_cookies: bool = False
    page_size: int = 50
    policy: LoginPolicy = field(default_factory=LoginPolicy)

    @classmethod
    def from_env(cls, database_url: str | None = None) -> WebConfig:
        tile_dir = os.environ.get("HOMECOMING_TILE_DIR", "").strip()
        return cls(database_url=database_url or os.environ.get("HOMECOMING_DATABASE_URL")
                   or None,
                   public_statistics=_flag("HOMECOMING_PUBLIC_STATISTICS"),
                   tile_url=os.environ.get("HOMECOMING_TILE_URL", "").strip() or None,
                   tile_attribution=os.environ.get("HOMECOMING_TILE_ATTRIBUTION", "").strip(),
                   tile_dir=Path(tile_dir) if tile_dir else None,
                   secure_cookies=_flag("HOMECOMING_SECURE_COOKIES"))
