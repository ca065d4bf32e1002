"""Tables of the web application: log-in sessions and failed log-ins (migration 0004).

Defined on the same ``metadata`` as :mod:`homecoming.storage.tables` (which imports this
module at its end, so Alembic and the schema tests see one schema).

- ``web_sessions``: one row per signed-in browser. The key is the SHA-256 of the random
  session token (the browser holds the token in a cookie; the database never holds it, so a
  copy of the database opens no session). Each session has an absolute and an idle expiry,
  its own CSRF token and the language the person chose.
- ``web_login_failures``: consecutive failed log-ins per account name (known or not, so that
  the answer never tells whether an account exists) and, after too many, until when the
  name is locked out.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Table

from homecoming.storage.tables import NAME, metadata

__all__ = ["web_sessions", "web_login_failures", "WEB_TABLES"]

web_sessions = Table(
    "web_sessions", metadata,
    Column("token_sha256", String(64), primary_key=True),
    Column("account_name", String(NAME), ForeignKey("accounts.name"), nullable=False,
           index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("language", String(8)),
)

web_login_failures = Table(
    "web_login_failures", metadata,
    Column("account_name", String(NAME), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("last_failed_at", DateTime(timezone=True), nullable=False),
    Column("locked_until", DateTime(timezone=True)),
)

#: the tables of this module (migration 0004)
WEB_TABLES = (web_sessions, web_login_failures)
