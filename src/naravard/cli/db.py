"""``naravard db``: create and migrate the database."""

from __future__ import annotations

import typer

from naravard.cli.common import console
from naravard.config import load_settings
from naravard.storage.db import make_engine
from naravard.storage.migrate import current_revision, head_revision, upgrade

app = typer.Typer(help="Create, migrate and inspect the database.", no_args_is_help=True)


@app.command("upgrade")
def upgrade_cmd() -> None:
    """Create the database or migrate it to the newest schema (NARAVARD_DATABASE_URL)."""
    engine = make_engine(load_settings().database_url)
    before = current_revision(engine)
    upgrade(engine)
    after = current_revision(engine)
    console.print(f"Database {engine.url.render_as_string(hide_password=True)}: "
                  f"{before or 'empty'} → {after}")
    engine.dispose()


@app.command("status")
def status_cmd() -> None:
    """Print the database's schema revision and the newest shipped one."""
    engine = make_engine(load_settings().database_url)
    console.print(f"current: {current_revision(engine) or 'empty'}  head: {head_revision(engine)}")
    engine.dispose()


def register(root: typer.Typer) -> None:
    """Add ``db`` to the root command."""
    root.add_typer(app, name="db")
