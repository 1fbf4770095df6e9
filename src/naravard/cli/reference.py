"""``naravard reference``: organisations and population, from the database."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path

import typer
from sqlalchemy.orm import Session

from naravard.cli.common import OutputFormat, console, database, emit, err_console
from naravard.formatting import fmt_int
from naravard.reference.population import PopulationFileError, closest_date, parse_population_csv
from naravard.storage import audit, reference_repo

app = typer.Typer(help="Reference data: regions, municipalities, RSS and population.",
                  no_args_is_help=True)


class What(StrEnum):
    """What ``reference show`` prints."""

    regions = "regions"
    municipalities = "municipalities"
    rss = "rss"
    population = "population"


class Level(StrEnum):
    """Level of the population table."""

    region = "region"
    municipality = "municipality"
    rss = "rss"


def _parse_date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"not an ISO date (YYYY-MM-DD): {value}") from None


@app.command("load")
def load_cmd() -> None:
    """Load the shipped organisations, memberships and population (idempotent)."""
    with database() as db:
        result = reference_repo.load_reference(db)
        if result.organisations or result.memberships or result.population_rows:
            audit.record(db, "cli", "reference.load", "reference", "shipped",
                         organisations=result.organisations, memberships=result.memberships,
                         population_rows=result.population_rows)
    console.print(f"Reference data: {result.organisations} organisations, "
                  f"{result.memberships} memberships, {result.population_rows} population rows "
                  "added.")


@app.command("load-population")
def load_population_cmd(
    file: Path = typer.Argument(..., exists=True, dir_okay=False,
                                help="CSV with columns code,name,level,total,men,women."),
    date: str = typer.Option(..., help="Reference date of the counts, YYYY-MM-DD."),
    source: str = typer.Option(..., help="Where the counts come from (kept with every row)."),
) -> None:
    """Load population for another reference date (e.g. 1 November, used by agreements)."""
    day = _parse_date(date)
    assert day is not None
    try:
        counts = parse_population_csv(file.read_text(encoding="utf-8"), day)
    except PopulationFileError as exc:
        err_console.print(f"[red]{file}: {exc}[/red]")
        raise typer.Exit(1) from None
    with database() as db:
        if day in reference_repo.population_dates(db):
            err_console.print(
                f"[red]Population for {day} is already loaded; nothing changed.[/red]"
            )
            raise typer.Exit(1)
        try:
            added = reference_repo.store_population(db, counts, source)
        except LookupError as exc:
            err_console.print(f"[red]{file}: {exc}[/red]")
            raise typer.Exit(1) from None
        audit.record(db, "cli", "reference.load_population", "population", day.isoformat(),
                     rows=added, source=source)
    console.print(f"{added} population rows loaded for {day}.")


@app.command("show")
def show_cmd(
    what: What = typer.Argument(..., help="regions, municipalities, rss or population."),
    date: str | None = typer.Option(
        None, help="Population reference date YYYY-MM-DD (closest loaded date if not loaded)."
    ),
    level: Level = typer.Option(Level.region, help="Population table level."),
    region: str | None = typer.Option(None, help="Only municipalities of this county code."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table, csv or json."),
) -> None:
    """Print organisations or population as a table, CSV or JSON."""
    wanted = _parse_date(date)
    with database() as db:
        dates = reference_repo.population_dates(db)
        if not dates:
            err_console.print("[red]No population loaded: run `naravard reference load`.[/red]")
            raise typer.Exit(1)
        day = closest_date(dates, wanted) if wanted else dates[-1]
        if wanted and day != wanted:
            err_console.print(f"No population for {wanted}; showing the closest date, {day}.")
        if what is What.population:
            _show_population(db, day, level, fmt)
            return
        kind = {"regions": "region", "municipalities": "municipality", "rss": "rss"}[what.value]
        rows = (reference_repo.population_of_rss(db, day) if kind == "rss"
                else reference_repo.organisations(db, kind, day, county=region))
        middle: list[tuple[str, object]]
        data: list[list[object]] = []
        display: list[list[str]] = []
        for r in rows:
            if kind == "rss":
                middle = [("county_code", r.county_code),
                          ("municipalities", len(reference_repo.members(db, r.code, day)))]
            elif kind == "region":
                middle = [("short_name", r.short_name)]
            else:
                middle = [("county_code", r.county_code)]
            data.append([r.code, r.name, *(v for _, v in middle), r.total])
            display.append([r.code, r.name, *(str(v) for _, v in middle), fmt_int(r.total)])
        cols = ["code", "name", *(k for k, _ in middle), "population"] if rows else []
        emit(cols, data, fmt, title=f"{what.value} ({len(data)}), population {day}",
             display=display, numeric=("population", "municipalities"))


def _show_population(db: Session, day: dt.date, level: Level, fmt: OutputFormat) -> None:
    if level is Level.rss:
        rows = reference_repo.population_of_rss(db, day)
    else:
        rows = reference_repo.organisations(db, level.value, day)
    national = reference_repo.national_total(db, day)
    total = sum(r.total or 0 for r in rows)
    cols = ["code", "name", "total", "women", "men", "share_percent"]
    data: list[list[object]] = []
    display: list[list[str]] = []
    for r in rows:
        share = round(100 * (r.total or 0) / national, 4) if national else None
        data.append([r.code, r.name, r.total, r.women, r.men, share])
        display.append([r.code, r.name, fmt_int(r.total),
                        "" if r.women is None else fmt_int(r.women),
                        "" if r.men is None else fmt_int(r.men),
                        "" if share is None else f"{share:.4f}".replace(".", ",")])
    footer = [f"{len(rows)}", "Sum", fmt_int(total), "", "", ""]
    emit(cols, data, fmt, title=f"Population by {level.value}, {day}", display=display,
         footer=footer, numeric=("total", "women", "men", "share_percent"))
    if fmt is OutputFormat.table:
        check = "equals" if total == national else "DIFFERS FROM"
        console.print(f"Sum of {len(rows)} {level.value} rows: {fmt_int(total)} — {check} "
                      f"Riket {fmt_int(national)} ({day}).")


def register(root: typer.Typer) -> None:
    """Add ``reference`` to the root command."""
    root.add_typer(app, name="reference")
