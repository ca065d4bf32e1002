"""Accounts and permissions: who is acting, and may they?

``authorize(session, permission, actor=None)`` is the one permission check of the command line
and the web application. The permission table itself is
:data:`homecoming.casework.accounts.PERMISSIONS` (permission name -> roles).

Rules:

* the acting person is ``actor`` if given, else ``HOMECOMING_USER``, else the operating-system
  user (:func:`current_actor`);
* while the database holds **no** account, every request is allowed (the operator at the
  server, as before accounts existed) and the actor is returned unchanged;
* once an account exists, the actor must have an account, it must be active, and one of its
  roles must hold the permission; otherwise :class:`~homecoming.errors.PermissionDenied`
  (one line naming the person, the permission and the roles that hold it).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from typing import Any

from homecoming.casework.accounts import (
    PERMISSIONS,
    Role,
    allowed,
    parse_roles,
    roles_for,
    validate_account_name,
)
from homecoming.errors import InputError, PermissionDenied
from homecoming.settings import current_user
from homecoming.storage.repositories.accounts import Account, AccountRepository

__all__ = ["current_actor", "authorize", "add_user", "list_users", "disable_user",
           "enable_user", "get_user", "set_password_hash", "has_accounts", "PERMISSIONS",
           "Role", "Account", "may"]


def current_actor(session: Any = None, actor: str | None = None) -> str:
    """The acting person: ``actor`` if given, else ``HOMECOMING_USER``, else the OS user."""
    if actor is not None and str(actor).strip():
        return str(actor).strip()
    return current_user()


def has_accounts(session: Any) -> bool:
    """Whether any account is stored (before the first one, permissions are not checked)."""
    return AccountRepository(session).count() > 0


def authorize(session: Any, permission: str, actor: str | None = None) -> str:
    """Check that the acting person may do ``permission``; return their name.

    :raises PermissionDenied: an account exists in the database but the actor has none, it
        is disabled, or none of its roles holds the permission.
    :raises InputError: ``permission`` is not in the permission table.
    """
    wanted = roles_for(permission)
    who = current_actor(session, actor)
    repo = AccountRepository(session)
    if repo.count() == 0:
        return who
    account = repo.find(who)
    holders = ", ".join(r.value for r in Role if r in wanted)
    if account is None:
        raise PermissionDenied(f"{who!r} has no account; {permission} needs an active account "
                               f"with the role {holders} (homecoming users add)")
    if not account.active:
        raise PermissionDenied(f"account {who!r} is disabled; {permission} needs an active "
                               f"account with the role {holders}")
    if not allowed(account.roles, permission):
        raise PermissionDenied(f"{who!r} ({', '.join(account.roles) or 'no role'}) may not "
                               f"{permission}; it needs the role {holders}")
    return who


def may(session: Any, permission: str, actor: str | None = None) -> bool:
    """Whether :func:`authorize` would let ``actor`` do ``permission`` (no exception)."""
    try:
        authorize(session, permission, actor=actor)
    except PermissionDenied:
        return False
    return True


def add_user(session: Any, name: str, roles: Iterable[str | Role], *,
             display_name: str | None = None, password_hash: str | None = None,
             actor: str | None = None) -> Account:
    """Create an active account. The first account may be created by anyone and must hold
    the admin role (it starts the permission checks); later ones need ``users.manage``."""
    who = authorize(session, "users.manage", actor=actor)
    name = validate_account_name(name)
    parsed = parse_roles([r.value if isinstance(r, Role) else r for r in roles])
    if not has_accounts(session) and Role.ADMIN not in parsed:
        raise InputError(f"account {name!r}: the first account must hold the admin role (it "
                         "manages the others); expected --role admin", field="role",
                         value=",".join(r.value for r in parsed))
    account = Account(name=name, display_name=(display_name or name).strip()[:200] or name,
                      roles=tuple(r.value for r in parsed), active=True,
                      created_at=_dt.datetime.now(_dt.UTC), created_by=who,
                      password_hash=password_hash)
    return AccountRepository(session, user=who).add(account)


def list_users(session: Any, *, active: bool | None = None,
               actor: str | None = None) -> list[Account]:
    """Every account (name order); ``active`` filters."""
    authorize(session, "users.view", actor=actor)
    return AccountRepository(session).list(active=active)


def get_user(session: Any, name: str) -> Account:
    """One account (NotFoundError if none); no permission needed (used by log-in)."""
    return AccountRepository(session).get(name)


def disable_user(session: Any, name: str, *, actor: str | None = None) -> Account:
    """Mark an account inactive (never deleted: the audit trail names it)."""
    who = authorize(session, "users.manage", actor=actor)
    repo = AccountRepository(session, user=who)
    account = repo.get(name)
    if not account.active:
        return account
    if "admin" in account.roles:
        admins = [a for a in repo.list(active=True) if "admin" in a.roles]
        if len(admins) == 1:
            raise InputError(f"account {name!r} is the last active admin; expected another "
                             "active admin first", field="name", value=name)
    return repo.update(name, active=False)


def enable_user(session: Any, name: str, *, actor: str | None = None) -> Account:
    """Mark a disabled account active again."""
    who = authorize(session, "users.manage", actor=actor)
    return AccountRepository(session, user=who).update(name, active=True)


def set_password_hash(session: Any, name: str, password_hash: str | None, *,
                      actor: str | None = None) -> Account:
    """Store a password hash (made by the web layer, e.g. argon2) for an account. The owner of
    the account or an admin may do it."""
    who = current_actor(session, actor)
    if who != name:
        who = authorize(session, "users.manage", actor=actor)
    return AccountRepository(session, user=who).update(name, password_hash=password_hash)
