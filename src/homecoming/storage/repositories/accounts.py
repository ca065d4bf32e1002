"""Accounts: who uses Homecoming and with which roles (table ``accounts``, migration 0003).

Every insert and update is audited (``write_audit``); the audit trail never keeps a password
hash, only whether one is set.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from homecoming.errors import IntegrityError, NotFoundError
from homecoming.storage.repositories._base import write_audit
from homecoming.storage.tables_identifications import accounts

__all__ = ["Account", "AccountRepository"]


@dataclass(frozen=True)
class Account:
    """A stored account (roles as their text values)."""

    name: str
    display_name: str
    roles: tuple[str, ...]
    active: bool
    created_at: _dt.datetime
    created_by: str | None = None
    password_hash: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain values (no password hash: ``has_password`` instead)."""
        return {"name": self.name, "display_name": self.display_name, "roles": list(self.roles),
                "active": self.active, "has_password": self.password_hash is not None,
                "created_at": self.created_at.isoformat(), "created_by": self.created_by}


def _account(row: Mapping[str, Any]) -> Account:
    at = row["created_at"]
    if at is not None and at.tzinfo is None:  # SQLite keeps no zone
        at = at.replace(tzinfo=_dt.UTC)
    return Account(name=row["name"], display_name=row["display_name"],
                   roles=tuple(row["roles"] or ()), active=bool(row["active"]), created_at=at,
                   created_by=row["created_by"], password_hash=row["password_hash"])


class AccountRepository:
    """Add, read and change accounts (audited)."""

    def __init__(self, session: Session, *, user: str | None = None) -> None:
        self.session = session
        self.user = user

    def count(self, *, active: bool | None = None) -> int:
        query = select(func.count()).select_from(accounts)
        if active is not None:
            query = query.where(accounts.c.active == active)
        return int(self.session.execute(query).scalar_one())

    def find(self, name: str) -> Account | None:
        row = self.session.execute(select(accounts).where(accounts.c.name == name)).first()
        return None if row is None else _account(row._mapping)

    def get(self, name: str) -> Account:
        found = self.find(name)
        if found is None:
            raise NotFoundError(f"account {name!r} not found")
        return found

    def list(self, *, active: bool | None = None) -> list[Account]:
        query = select(accounts).order_by(accounts.c.name)
        if active is not None:
            query = query.where(accounts.c.active == active)
        return [_account(r._mapping) for r in self.session.execute(query)]

    def add(self, account: Account) -> Account:
        if self.find(account.name) is not None:
            raise IntegrityError(f"account {account.name!r} already exists; expected a new "
                                 "name", field="name", value=account.name)
        self.session.execute(insert(accounts).values(
            name=account.name, display_name=account.display_name, roles=list(account.roles),
            active=account.active, password_hash=account.password_hash,
            created_at=account.created_at, created_by=account.created_by))
        write_audit(self.session, [{"table_name": "accounts", "record_key": account.name,
                                    "action": "insert", "before": None,
                                    "after": account.to_dict()}], user=self.user)
        return account

    def update(self, name: str, **changes: Any) -> Account:
        """Change ``display_name``, ``roles``, ``active`` or ``password_hash``."""
        allowed = {"display_name", "roles", "active", "password_hash"}
        unknown = set(changes) - allowed
        if unknown:
            raise IntegrityError(f"account {name!r}: field {sorted(unknown)[0]!r} cannot be "
                                 f"changed; expected one of {', '.join(sorted(allowed))}",
                                 field=sorted(unknown)[0])
        current = self.get(name)
        values = dict(changes)
        if "roles" in values:
            values["roles"] = list(values["roles"])
        self.session.execute(update(accounts).where(accounts.c.name == name).values(**values))
        new = self.get(name)
        write_audit(self.session, [{"table_name": "accounts", "record_key": name,
                                    "action": "update", "before": current.to_dict(),
                                    "after": new.to_dict()}], user=self.user)
        return new
