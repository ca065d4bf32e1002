"""Storage: casework records in a SQL database (SQLite by default, PostgreSQL for teams).

``Database(url)`` manages the schema (Alembic migrations shipped in the package) and gives
one-transaction sessions; ``homecoming.storage.repositories`` maps casework records to rows
and back and writes an append-only audit record for every insert, update and delete.
"""

from homecoming.storage.database import (
    Database,
    DatabaseBusyError,
    DatabaseError,
    DatabaseNotReadyError,
    mask_url,
)

__all__ = ["Database", "DatabaseNotReadyError", "DatabaseError", "DatabaseBusyError",
           "mask_url"]
