"""Alembic environment: the engine comes from :func:`naravard.storage.migrate.alembic_config`."""

from __future__ import annotations

from alembic import context

from naravard.storage.models import Base

config = context.config
engine = config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
