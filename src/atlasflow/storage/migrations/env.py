"""Alembic environment: the connection comes from `atlasflow.storage.db.migrate`, never from a file."""

from __future__ import annotations

from alembic import context

from atlasflow.storage.tables import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through atlasflow.storage.db.migrate(), which passes a connection")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copy
)
with context.begin_transaction():
    context.run_migrations()
