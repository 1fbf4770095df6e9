"""Helpers shared by the commands: database access and output formats."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from typing import Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from naravard.config import load_settings
from naravard.storage.db import make_engine, session_factory
from naravard.storage.migrate import current_revision, head_revision

console = Console()
err_console = Console(stderr=True, soft_wrap=True)


class OutputFormat(StrEnum):
    """How a command prints a table."""

    table = "table"
    csv = "csv"
    json = "json"


@contextmanager
def database(check_migrated: bool = True) -> Iterator[Session]:
    """A session on ``NARAVARD_DATABASE_URL`` that commits on success."""
    settings = load_settings()
    engine = make_engine(settings.database_url)
    if check_migrated and current_revision(engine) != head_revision(engine):
        err_console.print("[red]The database is not migrated: run `naravard db upgrade`.[/red]")
        raise typer.Exit(2)
    factory = session_factory(engine)
    try:
        with factory() as session, session.begin():
            yield session
    finally:
        engine.dispose()


def emit(
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    fmt: OutputFormat,
    title: str | None = None,
    display: Sequence[Sequence[str]] | None = None,
    footer: Sequence[str] | None = None,
    numeric: Sequence[str] = (),
) -> None:
    """Print ``rows`` as a Rich table (``display`` strings if given), CSV or JSON (raw values)."""
    if fmt is OutputFormat.csv:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
        typer.echo(buf.getvalue(), nl=False)
        return
    if fmt is OutputFormat.json:
        typer.echo(json.dumps([dict(zip(columns, r, strict=True)) for r in rows],
                              ensure_ascii=False, indent=2, default=str))
        return
    table = Table(title=title, show_footer=footer is not None)
    for i, col in enumerate(columns):
        table.add_column(col, justify="right" if col in numeric else "left",
                         footer=footer[i] if footer else "")
    for r in display or [[("" if v is None else str(v)) for v in row] for row in rows]:
        table.add_row(*r)
    console.print(table)
