"""Storage: database engine, tables, Alembic migrations and repositories."""
