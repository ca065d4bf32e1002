"""Passwords, log-in with lock-out, and server-side sessions of the web application.

Passwords are stored only as argon2id hashes (``argon2-cffi``, its default parameters, which
follow RFC 9106's recommendations) in ``accounts.password_hash`` through
:func:`homecoming.services.accounts.set_password_hash`. There are no default credentials: an
account without a password hash cannot log in.

Log-in (:func:`log_in`) counts consecutive failures per account name (known or not, so the
answer never tells whether an account exists); after ``policy.max_failures`` the name is locked
for ``policy.lockout`` and even the right password is refused until then. A success clears the
count.

A session (:func:`open_session`) is a random token (32 bytes, URL-safe) held by the browser in
a cookie; the database keeps only its SHA-256, the account, an absolute expiry
(``policy.session_lifetime``), an idle expiry (``policy.idle_timeout``, renewed on use and
written at most once a minute, :data:`RENEW_AFTER`), the session's CSRF token and its
language. :func:`resume_session` returns ``None`` for an unknown, expired or disabled-account
session.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
import secrets
import threading
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, insert, select, update

from homecoming.errors import HomecomingError, InputError
from homecoming.services.accounts import Account, get_user, set_password_hash
from homecoming.storage.repositories.accounts import AccountRepository
from homecoming.storage.tables_web import web_login_failures, web_sessions

__all__ = ["LoginPolicy", "LoginRefused", "AccountLocked", "WebSession", "MIN_PASSWORD_LENGTH",
           "hash_password", "set_password", "verify_password", "log_in", "open_session",
           "resume_session", "close_session", "set_session_language", "new_password",
           "RENEW_AFTER"]

#: a session's idle expiry is renewed (written) at most this often; pages in between only
#: read it, so that pages that only read take no write lock
RENEW_AFTER = _dt.timedelta(seconds=60)

#: the shortest password accepted (NIST SP 800-63B §5.1.1.2 asks for at least 8; we ask 10)
MIN_PASSWORD_LENGTH = 10
_MAX_PASSWORD_LENGTH = 1024

_hasher = PasswordHasher()
#: verified against when the account is unknown, so both answers take the same time
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
#: at most one argon2 verification per CPU at a time (each uses 64 MiB and several threads):
#: a burst of log-ins queues here instead of slowing every page of the server down
_VERIFYING = threading.BoundedSemaphore(max(1, os.cpu_count() or 1))


class LoginRefused(HomecomingError):
    """Wrong name or password, no password set, or a disabled account (one message for all)."""


class AccountLocked(LoginRefused):
    """Too many failed log-ins: the name is locked until ``until`` (UTC)."""

    def __init__(self, message: str, until: _dt.datetime) -> None:
        super().__init__(message)
        self.until = until


@dataclass(frozen=True)
class LoginPolicy:
    """Lock-out and session lifetimes."""

    max_failures: int = 5
    lockout: _dt.timedelta = _dt.timedelta(minutes=15)
    session_lifetime: _dt.timedelta = _dt.timedelta(hours=12)
    idle_timeout: _dt.timedelta = _dt.timedelta(hours=1)


@dataclass(frozen=True)
class WebSession:
    """A live session: who, the CSRF token of its forms, its language and when it ends."""

    account: Account
    csrf_token: str
    language: str | None
    expires_at: _dt.datetime


def _now() -> _dt.datetime:
    return _dt.datetime.now(_dt.UTC)


def _utc(value: _dt.datetime | None) -> _dt.datetime | None:
    if value is not None and value.tzinfo is None:  # SQLite keeps no zone
        return value.replace(tzinfo=_dt.UTC)
    return value


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_password() -> str:
    """A random password (16 URL-safe characters, about 96 bits)."""
    return secrets.token_urlsafe(12)


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (InputError if too short or too long)."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(f"password: too short; expected at least {MIN_PASSWORD_LENGTH} "
                         "characters", field="password")
    if len(password) > _MAX_PASSWORD_LENGTH:
        raise InputError(f"password: too long; expected at most {_MAX_PASSWORD_LENGTH} "
                         "characters", field="password")
    return _hasher.hash(password)


def set_password(session: Any, name: str, password: str, *,
                 actor: str | None = None) -> Account:
    """Hash ``password`` and store it for account ``name`` (the owner or an admin may)."""
    return set_password_hash(session, name, hash_password(password), actor=actor)


def verify_password(session: Any, name: str, password: str) -> Account | None:
    """The active account ``name`` if ``password`` is its password, else None.

    Takes the same time whether or not the account exists. Rehashes (and stores) a hash made
    with older argon2 parameters.
    """
    account = AccountRepository(session).find(name) if name else None
    stored = account.password_hash if account is not None else None
    try:
        with _VERIFYING:
            _hasher.verify(stored or _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if account is None or stored is None or not account.active:
        return None
    if _hasher.check_needs_rehash(stored):
        account = set_password_hash(session, name, _hasher.hash(password), actor=name)
    return account


def log_in(session: Any, name: str, password: str, *, policy: LoginPolicy = LoginPolicy(),
           now: _dt.datetime | None = None) -> Account:
    """Check a log-in, counting failures; return the account.

    :raises AccountLocked: the name is locked out (also on the failure that locks it).
    :raises LoginRefused: wrong name or password (one message, whatever the reason).
    """
    now = now or _now()
    name = str(name or "").strip()[:200]
    failures = web_login_failures.c
    row = session.execute(select(web_login_failures)
                          .where(failures.account_name == name)).first()
    locked_until = _utc(row.locked_until) if row is not None else None
    if locked_until is not None and locked_until > now:
        raise AccountLocked(f"too many failed log-ins: locked until {locked_until:%H:%M} UTC",
                            locked_until)
    account = verify_password(session, name, password)
    if account is not None:
        if row is not None:
            session.execute(delete(web_login_failures).where(failures.account_name == name))
        return account
    count = 1 if row is None or locked_until is not None else int(row.failures) + 1
    lock = now + policy.lockout if count >= policy.max_failures else None
    if row is None:
        session.execute(insert(web_login_failures).values(
            account_name=name, failures=count, last_failed_at=now, locked_until=lock))
    else:
        session.execute(update(web_login_failures).where(failures.account_name == name)
                        .values(failures=count, last_failed_at=now, locked_until=lock))
    if lock is not None:
        raise AccountLocked(f"too many failed log-ins: locked until {lock:%H:%M} UTC", lock)
    raise LoginRefused("wrong account name or password")


def open_session(session: Any, account_name: str, *, language: str | None = None,
                 policy: LoginPolicy = LoginPolicy(),
                 now: _dt.datetime | None = None) -> tuple[str, WebSession]:
    """Start a session for ``account_name``: (token for the cookie, the session)."""
    now = now or _now()
    account = get_user(session, account_name)
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    expires = min(now + policy.idle_timeout, now + policy.session_lifetime)
    session.execute(insert(web_sessions).values(
        token_sha256=_digest(token), account_name=account.name, created_at=now,
        last_seen_at=now, expires_at=expires, csrf_token=csrf, language=language))
    # forget this account's expired sessions
    session.execute(delete(web_sessions).where(web_sessions.c.account_name == account.name,
                                               web_sessions.c.expires_at < now))
    return token, WebSession(account, csrf, language, expires)


def resume_session(session: Any, token: str | None, *, policy: LoginPolicy = LoginPolicy(),
                   now: _dt.datetime | None = None) -> WebSession | None:
    """The live session of ``token`` (its idle expiry renewed), or None."""
    if not token or len(token) > 200:
        return None
    now = now or _now()
    key = _digest(token)
    row = session.execute(select(web_sessions).where(web_sessions.c.token_sha256 == key)).first()
    if row is None:
        return None
    expires = _utc(row.expires_at)
    created = _utc(row.created_at)
    assert expires is not None and created is not None
    account = AccountRepository(session).find(row.account_name)
    if expires <= now or account is None or not account.active:
        session.execute(delete(web_sessions).where(web_sessions.c.token_sha256 == key))
        return None
    renewed = min(now + policy.idle_timeout, created + policy.session_lifetime)
    if renewed > expires + RENEW_AFTER:  # a page that only reads writes nothing else
        session.execute(update(web_sessions).where(web_sessions.c.token_sha256 == key)
                        .values(last_seen_at=now, expires_at=renewed))
        expires = renewed
    return WebSession(account, row.csrf_token, row.language, expires)


def close_session(session: Any, token: str | None) -> None:
    """End the session of ``token`` (log-out); nothing happens for an unknown token."""
    if token:
        session.execute(delete(web_sessions).where(web_sessions.c.token_sha256 == _digest(token)))


def set_session_language(session: Any, token: str, language: str) -> None:
    """Remember the language chosen in this session."""
    session.execute(update(web_sessions).where(web_sessions.c.token_sha256 == _digest(token))
                    .values(language=language))
