"""Commands of the indicators capability: ``naravard indicators …`` and ``naravard synth``."""

from __future__ import annotations

import datetime as dt
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.markdown import Markdown
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from naravard.indicators.catalogue import shipped_catalogue
from naravard.indicators.engines.spark_env import CONF_ENV, MASTER_ENV

if TYPE_CHECKING:
    import pyarrow as pa

    from naravard.indicators.data import RegisterData
    from naravard.indicators.definition import Definition
    from naravard.storage.indicator_repo import StoreOutcome
    from naravard.storage.indicator_snapshot import CareUnit, SnapshotInfo

# The engines, PyArrow and the database load inside the commands that use them, so that
# `naravard indicators list` or `--help` start quickly.

out = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 200)
err = Console(stderr=True, highlight=False, soft_wrap=True)

app = typer.Typer(
    name="indicators",
    help="Indicators from register data: definitions, validation, computation, docs.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)


class EngineName(StrEnum):
    """Available engines."""

    DUCKDB = "duckdb"
    SPARK = "spark"
    REFERENCE = "reference"


class Language(StrEnum):
    """Languages of titles."""

    SV = "sv"
    EN = "en"


def _fail(message: str) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", markup=True)
    return typer.Exit(code=1)


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                    TimeElapsedColumn(), console=err, transient=False)


def _definitions(ids: list[str] | None) -> list[Definition]:
    cat = shipped_catalogue()
    if not ids:
        return list(cat.definitions)
    try:
        return [cat.definition(i) for i in ids]
    except KeyError as exc:
        raise _fail(str(exc.args[0])) from None


def _years(text: str) -> list[int]:
    from naravard.indicators.output import parse_years

    try:
        return parse_years(text)
    except ValueError as exc:
        raise _fail(str(exc)) from None


def _data(path: Path) -> RegisterData:
    from naravard.indicators.data import DataError, RegisterData

    try:
        return RegisterData.from_directory(path)
    except DataError as exc:
        raise _fail(str(exc)) from None


@app.command("list")
def list_indicators(
    lang: Language = typer.Option(Language.EN, "--lang", help="Language of the titles."),
) -> None:
    """List the shipped indicator definitions."""
    table = Table("id", "version", "kind", "variants", "better", "title")
    for d in shipped_catalogue().definitions:
        table.add_row(d.id, d.version, d.kind, str(len(d.variants)), str(d.direction.value),
                      d.title.get(lang.value))
    out.print(table)


@app.command("show")
def show(indicator: str = typer.Argument(..., help="Indicator id (see `list`).")) -> None:
    """Show one definition in full: fields, settings with evidence, variants."""
    from naravard.indicators.docgen import render_definition

    [d] = _definitions([indicator])
    out.print(Markdown(render_definition(d)))


@app.command("validate")
def validate_data(
    data: Path = typer.Option(..., "--data", help="Directory of register Parquet datasets."),
) -> None:
    """Check register data against the data model; list every problem."""
    from naravard.indicators.loader import validate

    register = _data(data)
    with err.status("validating"):
        problems = validate(register)
    present = register.names()
    out.print(f"tables: {', '.join(present) or '(none)'}")
    if not problems:
        out.print("no problems found")
        return
    table = Table("table", "column", "problem", "rows", "examples")
    for p in problems:
        table.add_row(p.table, p.column, p.problem, str(p.rows), ", ".join(p.examples))
    out.print(table)
    raise typer.Exit(code=1)


@app.command("compute")
def compute_command(
    data: Path = typer.Option(..., "--data", help="Directory of register Parquet datasets."),
    years: str = typer.Option(..., "--years", help="Years: 2019-2023, 2023 or 2021,2023."),
    indicator: list[str] | None = typer.Option(
        None, "--indicator", "-i", help="Indicator id; repeat for several (default: all)."),
    output: Path | None = typer.Option(None, "--out", help="Result file: .parquet or .csv."),
    store: bool = typer.Option(
        False, "--store", help="Store the results in the database (for the web and the API), "
        "replacing earlier results of these indicators for the same data."),
    label: str | None = typer.Option(None, "--label",
                                     help="Name of the data snapshot (default: the directory)."),
    engine: EngineName = typer.Option(EngineName.DUCKDB, "--engine", help="Engine to use."),
    threads: int | None = typer.Option(None, "--threads", help="DuckDB threads."),
    memory_limit: str | None = typer.Option(
        None, "--memory-limit",
        help="DuckDB memory limit, e.g. 4GB. It bounds DuckDB's own memory; the continuity "
        "visit statistics' arrays come on top (a national year peaks at about 6 GB either way)."),
    disclosure: bool = typer.Option(
        True, "--disclosure/--no-disclosure",
        help="Apply disclosure control to --out (default) or write unprotected internal "
        "figures. The database always holds internal figures; every published view applies "
        "disclosure control when it reads them."),
    spark_master: str | None = typer.Option(
        None, "--spark-master", envvar=MASTER_ENV,
        help="Spark master for --engine spark: local[*] (default), spark://host:7077, yarn, "
        f"k8s://… Further Spark settings: {CONF_ENV}='key=value;key=value'."),
) -> None:
    """Compute indicators for the given years; write a result file and/or store the results."""
    from naravard.indicators.compute import compute, progress_steps, required_tables
    from naravard.indicators.disclosure import shipped_rule
    from naravard.indicators.engines.base import Engine
    from naravard.indicators.engines.duckdb_engine import DuckDBEngine
    from naravard.indicators.engines.reference import ReferenceEngine
    from naravard.indicators.engines.spark_engine import SparkEngine, SparkUnavailable
    from naravard.indicators.finalise import sort_results
    from naravard.indicators.loader import ValidationError, validate
    from naravard.indicators.output import write_results
    from naravard.indicators.publish import base_year, publish, with_sources
    from naravard.storage.indicator_snapshot import (
        SnapshotInfo,
        care_units_of,
        combined_checksum,
        input_files,
    )

    if output is None and not store:
        raise _fail("give --out FILE, --store, or both")
    if output is not None and output.suffix.lower() not in (".parquet", ".csv"):
        raise _fail(f"--out must end in .parquet or .csv, got {output.name}")
    chosen = _definitions(indicator)
    year_list = _years(years)
    requested = set(year_list)
    cat = shipped_catalogue()
    if store:
        chosen = [cat.definition(i) for i in with_sources([d.id for d in chosen], cat)]
        year_list = sorted(set(year_list) | {y for d in chosen if (y := base_year(d))})
    register = _data(data)
    runner: Engine = (ReferenceEngine() if engine is EngineName.REFERENCE
                      else SparkEngine(master=spark_master) if engine is EngineName.SPARK
                      else DuckDBEngine(threads=threads, memory_limit=memory_limit))
    n_steps = progress_steps(chosen, cat)
    rule = shipped_rule() if disclosure else None
    with _progress() as bar:
        task = bar.add_task("validating", total=n_steps + 2 + int(store))
        problems = validate(register, required_tables(chosen, cat))
        if problems:
            bar.stop()
            raise _fail(str(ValidationError(problems)))
        bar.advance(task)

        def step(label: str) -> None:
            bar.update(task, advance=1, description=label)

        try:
            results = compute(register, year_list, chosen, engine=runner, progress=step,
                              validate=False, disclosure=None if store else rule)
        except (ValueError, SparkUnavailable) as exc:
            bar.stop()
            raise _fail(str(exc)) from None
        if set(year_list) != requested:
            results = _base_years_of_sources(results, requested, chosen)
        units = care_units_of(register)
        written = results  # what the file holds: published figures unless --no-disclosure
        info = None
        if store:
            bar.update(task, description="checksums")
            files = input_files(data, register.names())
            info = SnapshotInfo(combined_checksum(files), label or data.resolve().name,
                                str(data), runner.name, tuple(year_list), files)
        if output is not None:
            bar.update(task, description="writing")
            table = results
            if store and rule is not None:
                table = sort_results(publish(
                    results.to_pylist(), {d.id: d for d in chosen}, rule,
                    {u.care_unit_id: u.municipality_code for u in units}))
            metadata: dict[str, object] = {
                "computed_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "data": str(data), "years": year_list, "engine": runner.name,
                "definitions": {d.id: d.version for d in chosen},
            }
            if info is not None:
                metadata["snapshot"] = {"checksum": info.checksum, "label": info.label}
            write_results(table, output, metadata, rule)
            written = table
        if info is not None:
            bar.update(task, description="storing")
            outcome = _store(results, info, units)
            bar.advance(task)
        bar.update(task, advance=1, description="done")
    counts: dict[str, int] = {}
    for status in written.column("status").to_pylist():
        counts[status] = counts.get(status, 0) + 1
    summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    if output is not None:
        out.print(f"wrote {written.num_rows} rows to {output} ({summary})")
        if rule is not None:
            out.print(rule.footnote_text("en"))
    if store:
        out.print(_stored_message(outcome))


def _base_years_of_sources(results: pa.Table, requested: set[int],
                           chosen: list[Definition]) -> pa.Table:
    """``results`` in the ``requested`` years, and in the others (base years added for a derived
    change) only for the indicators derived ones are formed from: years nobody asked for are
    neither stored nor shown as years of "missing" values for every indicator."""
    import pyarrow
    import pyarrow.compute as pc

    from naravard.indicators.publish import source_of

    sources = sorted({s for d in chosen if (s := source_of(d)) is not None})
    year = pc.cast(pc.utf8_slice_codeunits(results.column("period"), 0, 4), "int64")
    keep = pc.or_(pc.is_in(year, value_set=pyarrow.array(sorted(requested), "int64")),
                  pc.is_in(results.column("indicator"), value_set=pyarrow.array(sources, "string")))
    return results.filter(keep)


def _store(results: pa.Table, info: SnapshotInfo, units: list[CareUnit]) -> StoreOutcome:
    from naravard.cli.common import database
    from naravard.storage.indicator_repo import ResultsError, store_results

    try:
        with database() as db:
            return store_results(db, results, info, units, shipped_catalogue(), actor="cli")
    except ResultsError as exc:
        raise _fail(str(exc)) from None


def _stored_message(outcome: StoreOutcome) -> str:
    verb = "new snapshot" if outcome.created else "snapshot"
    return (f"stored {outcome.stored} rows of {len(outcome.indicators)} indicators in {verb} "
            f"{outcome.snapshot_id} (replaced {outcome.replaced} rows; disclosure decided for "
            f"{outcome.decided} tables)")


@app.command("load")
def load_command(
    file: Path = typer.Argument(..., help="A result file written by `compute --out X.parquet`."),
    label: str | None = typer.Option(None, "--label", help="Name of the data snapshot."),
) -> None:
    """Store a Parquet result file in the database (replacing earlier results of its indicators
    for the same data snapshot)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from naravard.indicators.data import RegisterData
    from naravard.storage.indicator_snapshot import SnapshotInfo, care_units_of, file_sha256

    if file.suffix.lower() != ".parquet" or not file.is_file():
        raise _fail(f"{file}: give an existing .parquet file written by `indicators compute`")
    try:
        table = pq.read_table(file)
    except (OSError, pa.ArrowInvalid) as exc:
        raise _fail(f"{file}: not a readable Parquet file: {exc}") from None
    raw = (table.schema.metadata or {}).get(b"naravard")
    meta: dict[str, Any] = json.loads(raw) if raw else {}
    sha = file_sha256(file)
    snap = meta.get("snapshot") or {}
    years = sorted({int(p[:4]) for p in table.column("period").to_pylist()}) if (
        "period" in table.column_names) else []
    info = SnapshotInfo(
        checksum=str(snap.get("checksum") or sha),
        label=label or str(snap.get("label") or file.stem),
        source=str(meta.get("data") or file), engine=str(meta.get("engine") or "file"),
        years=tuple(years), files={file.name: sha}, disclosed_input="disclosure" in meta)
    units: list[CareUnit] = []
    data_dir = Path(str(meta["data"])) if meta.get("data") else None
    if data_dir is not None and (data_dir / "care_units").is_dir():
        units = care_units_of(RegisterData.from_directory(data_dir).subset("care_units"))
    with err.status("storing"):
        outcome = _store(table, info, units)
    out.print(_stored_message(outcome))
    if info.disclosed_input:
        out.print("note: the file was written with disclosure control; masked cells stay masked")


@app.command("disclose")
def disclose_command() -> None:
    """Decide disclosure control under the current rule for every stored table that has no
    decisions yet (results stored before a rule change or by an earlier version), so that
    no request has to."""
    from naravard.cli.common import database
    from naravard.indicators.disclosure import shipped_rule
    from naravard.storage.indicator_repo import current_snapshots, decide_stored

    rule = shipped_rule()
    with database() as db:
        current = current_snapshots(db)
        with _progress() as progress:
            task = progress.add_task("deciding", total=len(current))
            decided = decide_stored(db, shipped_catalogue(), rule, "cli",
                                    lambda indicator: progress.update(
                                        task, advance=1, description=indicator))
    out.print(f"disclosure decided for {decided} tables of {len(current)} indicators "
              f"(rule {rule.version})")


def _regions_asked(region: list[str] | None, lang: str) -> list[str]:
    """The region codes named by ``--region`` (all 21 when none is), refusing an unknown code
    or a language other than sv and en."""
    from naravard.web import indicators_figures as figures

    if lang not in ("sv", "en"):
        raise _fail(f"--lang must be sv or en, got {lang!r}")
    known = figures.region_codes()
    unknown = [c for c in region or [] if c not in known]
    if unknown:
        raise _fail(f"not a region code: {', '.join(unknown)} (known: {', '.join(known)})")
    return list(region) if region else known


@app.command("workbooks")
def workbooks_command(
    directory: Path = typer.Option(..., "--out", help="Directory to write the workbooks to."),
    region: list[str] | None = typer.Option(
        None, "--region", "-r", help="Region code (01–25); repeat for several (default: "
        "Sweden's and the regions' workbook and one for each of the 21 regions)."),
    lang: str = typer.Option("sv", help="Language of the sheets: sv or en."),
    site: str = typer.Option("", help="Address the web pages are served at, for the links "
                             "in the workbooks (e.g. https://nara.example.se)."),
) -> None:
    """Write the published yearly figures of every indicator as Excel workbooks, as the web
    offers them: `indicators.xlsx` (Sweden and the regions) and `indicators-CODE.xlsx` (a
    region with its municipalities and care units), disclosure control applied."""
    from naravard.cli.common import database
    from naravard.web import indicators_figures as figures
    from naravard.web.indicators_workbook import TooManyRows

    named = _regions_asked(region, lang)
    wanted: list[str | None] = list(named) if region else [None, *named]
    directory.mkdir(parents=True, exist_ok=True)
    site = site.rstrip("/")
    written = []
    with database() as db, _progress() as bar:
        task = bar.add_task("workbooks", total=len(wanted))
        for code in wanted:
            name = "indicators.xlsx" if code is None else f"indicators-{code}.xlsx"
            bar.update(task, description=name)
            try:
                content = (figures.national_figures(db, lang, site) if code is None
                           else figures.region_figures(db, code, lang, site))
            except TooManyRows as exc:
                raise _fail(f"{name}: {exc}") from None
            (directory / name).write_bytes(content)
            written.append(name)
            bar.update(task, advance=1)
    out.print(f"{len(written)} workbooks written to {directory}: {', '.join(written)}")


@app.command("profiles")
def profiles_command(
    directory: Path = typer.Option(..., "--out", help="Directory to write the profiles to."),
    region: list[str] | None = typer.Option(
        None, "--region", "-r", help="Region code (01–25); repeat for several (default: each "
        "of the 21 regions)."),
    lang: str = typer.Option("sv", help="Language of the profiles: sv or en."),
    site: str = typer.Option("", help="Address the web pages are served at, for the links "
                             "in the profiles (e.g. https://nara.example.se)."),
) -> None:
    """Write each region's profile as PDF, as the region view offers it
    (`indicators-CODE.pdf`): every indicator's latest value beside Sweden's, its years beside
    Sweden's and the region's questionnaire answers beside the register, disclosure control
    applied."""
    from naravard.cli.common import database
    from naravard.web import indicators_region

    wanted = _regions_asked(region, lang)
    directory.mkdir(parents=True, exist_ok=True)
    site = site.rstrip("/")
    with database() as db, _progress() as bar:
        task = bar.add_task("profiles", total=len(wanted))
        for code in wanted:
            name = f"indicators-{code}.pdf"
            bar.update(task, description=name)
            (directory / name).write_bytes(indicators_region.profile_pdf(db, code, lang, site))
            bar.update(task, advance=1)
    out.print(f"{len(wanted)} profiles written to {directory}")


@app.command("snapshots")
def snapshots_command() -> None:
    """List the data snapshots stored in the database, newest first, with how many of their
    tables have disclosure decisions stored under the current rule."""
    from naravard.cli.common import database
    from naravard.indicators.disclosure import shipped_rule
    from naravard.storage import indicator_repo

    table = Table("id", "label", "stored", "years", "indicators", "rows", "decided",
                  "checksum")
    with database() as db:
        for s in indicator_repo.snapshots(db):
            decided, tables = indicator_repo.decided_tables(db, s.id, shipped_catalogue(),
                                                            shipped_rule())
            table.add_row(str(s.id), s.label, indicator_repo.aware(s.stored_at).isoformat(
                timespec="seconds"), ", ".join(str(y) for y in s.years),
                str(len(s.definitions)), str(indicator_repo.result_count(db, s.id)),
                f"{decided}/{tables}", s.checksum[:12])
    out.print(table)
    out.print("decided: tables whose disclosure decisions under the current rule are stored "
              "(`naravard indicators disclose` decides the rest)")


@app.command("docs")
def docs(
    folder: Path = typer.Option(Path("docs"), "--docs", help="The docs folder to update."),
    check: bool = typer.Option(False, "--check", help="Only check that the docs are current."),
) -> None:
    """Regenerate the catalogue in indicators.md and the tables in data-model.md."""
    from naravard.indicators.docgen import render_data_model, render_indicators, replace_block

    blocks = [(folder / "indicators.md", "indicators", render_indicators(shipped_catalogue())),
              (folder / "data-model.md", "data-model", render_data_model())]
    stale = []
    for path, name, block in blocks:
        if not path.is_file():
            raise _fail(f"{path} not found")
        old = path.read_text(encoding="utf-8")
        try:
            new = replace_block(old, name, block)
        except ValueError as exc:
            raise _fail(f"{path}: {exc}") from None
        if new != old:
            stale.append(path)
            if not check:
                path.write_text(new, encoding="utf-8")
    if check and stale:
        raise _fail("out of date: " + ", ".join(str(p) for p in stale))
    out.print("updated: " + ", ".join(str(p) for p in stale) if stale else "docs are current")


def synth(
    scale: float = typer.Option(..., "--scale", help="Share of Sweden's population (0–1]."),
    years: str = typer.Option("2019-2023", "--years", help="Consecutive years, e.g. 2019-2023."),
    seed: int = typer.Option(..., "--seed", help="Random seed; the same seed gives the same data."),
    output: Path = typer.Option(..., "--out", help="Directory to write the registers to."),
    overwrite: bool = typer.Option(False, "--overwrite",
                                   help="Replace register tables already in --out."),
) -> None:
    """Generate synthetic registers in the layout of the data model (docs/synthetic-data.md)."""
    from naravard.indicators.synth.generate import synthesise

    year_list = _years(years)
    with _progress() as bar:
        task = bar.add_task("starting", total=1.0)

        def step(label: str, fraction: float) -> None:
            bar.update(task, completed=fraction, description=label)

        try:
            summary = synthesise(scale, year_list, seed, output, progress=step,
                                 overwrite=overwrite)
        except (ValueError, FileExistsError) as exc:
            bar.stop()
            raise _fail(str(exc)) from None
    table = Table("table", "rows")
    for name, rows in summary.rows.items():
        table.add_row(name, f"{rows:,}".replace(",", "\u202f"))
    out.print(table)
    out.print(f"{summary.out}: {summary.bytes / 1e6:.1f} MB in {summary.seconds:.1f} s")


def register(root: typer.Typer) -> None:
    """Add this capability's commands to the root command."""
    root.add_typer(app, name="indicators")
    root.command("synth")(synth)
