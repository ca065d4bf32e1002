"""Passwords, log-in with lock-out and server-side sessions (services/web_auth.py), on SQLite
and PostgreSQL."""

from __future__ import annotations

import datetime as _dt

import pytest
from sqlalchemy import select

from homecoming.errors import InputError
from homecoming.services import accounts, web_auth
from homecoming.services.web_auth import AccountLocked, LoginPolicy, LoginRefused
from homecoming.storage import Database
from homecoming.storage.tables_web import web_sessions

T0 = _dt.datetime(2026, 12, 7, 9, 0, tzinfo=_dt.UTC)
POLICY = LoginPolicy(max_failures=3, lockout=_dt.timedelta(minutes=10),
                     session_lifetime=_dt.timedelta(hours=2),
                     idle_timeout=_dt.timedelta(minutes=30))
PASSWORD = "correct horse battery"


@pytest.fixture()
def db(database_url):
    database = Database(database_url)
    database.upgrade()
    with database.session() as session:
        accounts.add_user(session, "admin", ["admin"], actor="admin")
        accounts.add_user(session, "olena", ["analyst"], actor="admin")
        web_auth.set_password(session, "olena", PASSWORD, actor="admin")
    yield database
    database.dispose()


def test_password_is_stored_as_argon2id_hash_only(db):
    with db.session() as session:
        stored = accounts.get_user(session, "olena").password_hash
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    with db.session() as session:
        assert web_auth.verify_password(session, "olena", PASSWORD).name == "olena"
        assert web_auth.verify_password(session, "olena", PASSWORD + "x") is None
        assert web_auth.verify_password(session, "nobody", PASSWORD) is None
        # an account without a password cannot log in (no default credentials)
        assert web_auth.verify_password(session, "admin", "") is None


def test_short_password_refused():
    with pytest.raises(InputError, match="at least 10 characters"):
        web_auth.hash_password("short")


def test_lockout_after_repeated_failures_then_expiry(db):
    for minute in range(2):
        with db.session() as session, pytest.raises(LoginRefused) as info:
            web_auth.log_in(session, "olena", "wrong password!", policy=POLICY,
                            now=T0 + _dt.timedelta(minutes=minute))
        assert not isinstance(info.value, AccountLocked)
    with db.session() as session, pytest.raises(AccountLocked) as locked:
        web_auth.log_in(session, "olena", "wrong password!", policy=POLICY,
                        now=T0 + _dt.timedelta(minutes=2))
    assert locked.value.until == T0 + _dt.timedelta(minutes=12)
    # while locked even the right password is refused
    with db.session() as session, pytest.raises(AccountLocked):
        web_auth.log_in(session, "olena", PASSWORD, policy=POLICY,
                        now=T0 + _dt.timedelta(minutes=11, seconds=59))
    # after the lock-out the right password works and clears the count
    with db.session() as session:
        account = web_auth.log_in(session, "olena", PASSWORD, policy=POLICY,
                                  now=T0 + _dt.timedelta(minutes=12, seconds=1))
    assert account.name == "olena"
    for minute in range(2):  # a fresh count: two more failures do not lock
        with db.session() as session, pytest.raises(LoginRefused) as info:
            web_auth.log_in(session, "olena", "wrong password!", policy=POLICY,
                            now=T0 + _dt.timedelta(minutes=13 + minute))
        assert not isinstance(info.value, AccountLocked)


def test_unknown_names_are_counted_the_same(db):
    for minute in range(2):
        with db.session() as session, pytest.raises(LoginRefused, match="wrong account name"):
            web_auth.log_in(session, "nobody", "x" * 12, policy=POLICY,
                            now=T0 + _dt.timedelta(minutes=minute))
    with db.session() as session, pytest.raises(AccountLocked):
        web_auth.log_in(session, "nobody", "x" * 12, policy=POLICY,
                        now=T0 + _dt.timedelta(minutes=2))


def test_session_token_idle_and_absolute_expiry(db):
    with db.session() as session:
        token, opened = web_auth.open_session(session, "olena", language="en", policy=POLICY,
                                              now=T0)
    with db.session() as session:  # only the token's SHA-256 is stored
        keys = list(session.execute(select(web_sessions.c.token_sha256)).scalars())
    assert token not in keys and len(keys) == 1 and len(keys[0]) == 64
    with db.session() as session:
        live = web_auth.resume_session(session, token, policy=POLICY,
                                       now=T0 + _dt.timedelta(minutes=29))
    assert live.account.name == "olena" and live.language == "en"
    assert live.csrf_token == opened.csrf_token
    assert live.expires_at == T0 + _dt.timedelta(minutes=59)  # idle expiry renewed
    # used every 25 minutes, the session still ends at its absolute lifetime (2 h)
    now = T0 + _dt.timedelta(minutes=29)
    while now < T0 + _dt.timedelta(hours=2) - _dt.timedelta(minutes=25):
        now += _dt.timedelta(minutes=25)
        with db.session() as session:
            assert web_auth.resume_session(session, token, policy=POLICY, now=now)
    with db.session() as session:
        assert web_auth.resume_session(session, token, policy=POLICY,
                                       now=T0 + _dt.timedelta(hours=2, seconds=1)) is None
    with db.session() as session:  # and it is gone
        assert web_auth.resume_session(session, token, policy=POLICY, now=T0) is None


def test_idle_session_expires_and_logout_and_disabled_account(db):
    with db.session() as session:
        token, _ = web_auth.open_session(session, "olena", policy=POLICY, now=T0)
        other, _ = web_auth.open_session(session, "olena", policy=POLICY, now=T0)
        third, _ = web_auth.open_session(session, "olena", policy=POLICY, now=T0)
    with db.session() as session:
        assert web_auth.resume_session(session, token, policy=POLICY,
                                       now=T0 + _dt.timedelta(minutes=31)) is None
        web_auth.close_session(session, other)
        assert web_auth.resume_session(session, other, policy=POLICY, now=T0) is None
        assert web_auth.resume_session(session, third, policy=POLICY, now=T0) is not None
        accounts.disable_user(session, "olena", actor="admin")
        assert web_auth.resume_session(session, third, policy=POLICY, now=T0) is None
        assert web_auth.resume_session(session, "not-a-token", policy=POLICY, now=T0) is None
