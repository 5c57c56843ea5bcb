"""Alembic environment for the directory. Run through services_db.database.create_schema (or
`python -m services_db migrate`), which passes the connection in: no alembic.ini, no URL in files."""
from __future__ import annotations

from alembic import context

from services_db.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
