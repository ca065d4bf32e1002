"""Tables of consent: withdrawals of a reference donor's consent (migration 0007).

Defined on the same ``metadata`` as :mod:`homecoming.storage.tables` (which imports this
module at its end, so Alembic and the schema tests see one schema).

- ``consent_withdrawals``: one row per donor who withdrew consent (the date it takes effect,
  the reason, who recorded it and when). From that date the donor's profiles are left out of
  screening and identification. Rows are inserted once and never changed; the insert is
  audited (hash chain).
"""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, ForeignKey, String, Table, Text

from homecoming.storage.tables import CODE, NAME, metadata

__all__ = ["consent_withdrawals", "CONSENT_TABLES"]

consent_withdrawals = Table(
    "consent_withdrawals", metadata,
    Column("donor_id", String(CODE), ForeignKey("donors.id"), primary_key=True),
    Column("withdrawn_on", Date, nullable=False),
    Column("reason", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("recorded_by", String(NAME), nullable=False),
)

CONSENT_TABLES = (consent_withdrawals,)
