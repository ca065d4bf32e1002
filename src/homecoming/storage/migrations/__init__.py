"""Alembic migrations of the Homecoming database (run by ``Database.upgrade()``)."""
