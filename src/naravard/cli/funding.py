"""Commands of the funding capability: ``allocate`` and ``agreement``."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import sys
from enum import StrEnum
from fractions import Fraction
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from naravard.funding.agreement_files import (
    dump_agreement_yaml,
    export_agreement_xlsx,
    find_agreement,
    load_agreement_file,
    shipped_agreements,
)
from naravard.funding.agreements import Agreement, MethodKind
from naravard.funding.allocation import AllocationError, AllocationTable, allocate
from naravard.funding.display import plain_share, plain_weight, sv_number, sv_share, sv_weight
from naravard.funding.keys import Level, county_names, parse_key_csv, population_key
from naravard.funding.line_allocation import (
    AgreementAllocation,
    KeyOverrides,
    LineAllocation,
    allocate_agreement,
    override_from_rows,
)
from naravard.funding.validation import AgreementError
from naravard.reference.population import closest_date, shipped_dates, shipped_population

AGREEMENTS_DIR_ENV = "NARAVARD_AGREEMENTS_DIR"

# Piped output keeps whole rows on one line; a terminal wraps to its width.
out = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 200)
err = Console(stderr=True, highlight=False, soft_wrap=True)

agreement_app = typer.Typer(
    name="agreement",
    help="Agreements between the state and SKR: list, show, allocate, export, import.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)


class OutputFormat(StrEnum):
    """Output formats of allocation tables."""

    TABLE = "table"
    CSV = "csv"
    JSON = "json"


class ExportFormat(StrEnum):
    """File formats of an agreement."""

    YAML = "yaml"
    XLSX = "xlsx"


def _fail(message: str) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", markup=True)
    return typer.Exit(code=1)


# --- allocate ----------------------------------------------------------------------------------


def _table_rows(table: AllocationTable, as_json: bool = False) -> list[dict[str, Any]]:
    """Rows for CSV (text) or JSON (numbers: whole weights as integers, shares as decimals)."""
    rows = []
    for r in table.rows:
        weight: Any = plain_weight(r.weight)
        share: Any = plain_share(r.share)
        if as_json:
            weight = int(weight) if r.weight.denominator == 1 else float(weight)
            share = float(share)
        rows.append({"code": r.code, "name": r.name, "weight": weight, "share": share,
                     "amount_sek": r.amount_sek})
    return rows


def _print_table(table: AllocationTable, title: str | None = None, weight_label: str = "weight",
                 extra: dict[str, dict[str, int]] | None = None) -> None:
    """A Rich table with a total row; ``extra`` adds per-code columns (e.g. key components)."""
    t = Table(title=title, title_justify="left", show_footer=True)
    extra = extra or {}
    extra_cols = list(dict.fromkeys(k for cols in extra.values() for k in cols))
    t.add_column("code", footer="")
    t.add_column("name", footer="Summa")
    for col in extra_cols:
        t.add_column(col, justify="right",
                     footer=sv_number(sum(v.get(col, 0) for v in extra.values())))
    t.add_column(weight_label, justify="right", footer=sv_weight(table.total_weight))
    t.add_column("share", justify="right", footer=sv_share(table.total_weight / table.total_weight))
    t.add_column("amount_sek", justify="right", footer=sv_number(table.allocated_sek))
    for r in table.rows:
        cells = [sv_number(extra[r.code][c]) if c in extra.get(r.code, {}) else ""
                 for c in extra_cols]
        t.add_row(r.code, r.name, *cells, sv_weight(r.weight), sv_share(r.share),
                  sv_number(r.amount_sek))
    out.print(t)


def _emit(table: AllocationTable, fmt: OutputFormat, title: str, weight_label: str,
          meta: dict[str, Any]) -> None:
    if fmt is OutputFormat.TABLE:
        _print_table(table, title, weight_label)
    elif fmt is OutputFormat.CSV:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, ["code", "name", "weight", "share", "amount_sek"],
                                lineterminator="\n")
        writer.writeheader()
        writer.writerows(_table_rows(table))
        typer.echo(buf.getvalue(), nl=False)
    else:
        doc = {**meta, "total_sek": table.total_sek, "rows": _table_rows(table, as_json=True)}
        typer.echo(json.dumps(doc, ensure_ascii=False, indent=2))


def allocate_command(
    total: int = typer.Option(..., "--total", min=0, help="Amount to allocate, whole kronor."),
    population_date: dt.datetime | None = typer.Option(
        None, "--population-date", formats=["%Y-%m-%d"],
        help="Allocate by population on this date (the closest shipped date if not shipped).",
    ),
    key: Path | None = typer.Option(
        None, "--key", exists=True, dir_okay=False, readable=True,
        help="Allocate by a key file with columns code,weight (name optional).",
    ),
    level: Level = typer.Option(
        Level.REGION, "--level", help="Population key paid to regions or to each county's RSS."
    ),
    fmt: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", help="Output format."),
) -> None:
    """Allocate a total in whole kronor by population share or by a key file.

    Largest-remainder method: every amount is within 1 kr of its exact share and the amounts sum
    exactly to the total; equal remainders go to the smaller code.
    """
    if (population_date is None) == (key is None):
        raise _fail("give exactly one of --population-date and --key")
    try:
        if key is not None:
            names = county_names(level)
            names |= {f"RSS{c}": n for c, n in county_names(Level.RSS).items()}
            rows = parse_key_csv(key.read_text(encoding="utf-8"), names)
            table = allocate(total, rows)
            _emit(table, fmt, f"Allocation of {sv_number(total)} kr by {key.name}", "weight",
                  {"key": key.name})
            return
        assert population_date is not None
        wanted = population_date.date()
        used = closest_date(shipped_dates(), wanted)
        if used != wanted:
            err.print(
                f"note: no population shipped for {wanted.isoformat()}; "
                f"using the closest date, {used.isoformat()}"
            )
        table = allocate(total, population_key(shipped_population(), used, level))
    except (AllocationError, LookupError, UnicodeDecodeError) as e:
        raise _fail(str(e)) from None
    _emit(
        table, fmt,
        f"Allocation of {sv_number(total)} kr by population on {used.isoformat()} ({level})",
        "population",
        {"population_date": used.isoformat(), "requested_date": wanted.isoformat(),
         "level": str(level)},
    )


# --- agreements --------------------------------------------------------------------------------


def _user_dir() -> Path | None:
    value = os.environ.get(AGREEMENTS_DIR_ENV, "").strip()
    return Path(value) if value else None


def _all_agreements() -> list[Agreement]:
    found = {a.id: a for a in shipped_agreements()}
    folder = _user_dir()
    if folder is not None and folder.is_dir():
        for path in sorted(folder.glob("*.yaml")):
            a = load_agreement_file(path.name, path.read_bytes())
            if a.id in found:
                err.print(f"note: {path} replaces the shipped agreement {a.id}")
            found[a.id] = a
    return sorted(found.values(), key=lambda a: (a.year, a.id))


def _get(agreement_id: str) -> Agreement:
    try:
        return find_agreement(_all_agreements(), agreement_id)
    except KeyError as e:
        raise _fail(str(e.args[0])) from None
    except AgreementError as e:
        raise _fail(str(e)) from None


@agreement_app.command("list")
def list_command() -> None:
    """List the agreements: id, year, total, lines, completeness."""
    t = Table("id", "year", "name", "total_sek", "lines", "complete")
    for a in _all_agreements():
        total = sv_number(a.total_sek) if a.total_sek is not None else "not known"
        complete = "yes" if a.complete else "no"
        t.add_row(a.id, str(a.year), a.name, total, str(len(a.lines)), complete)
    out.print(t)


@agreement_app.command("show")
def show_command(
    agreement_id: str = typer.Argument(..., help="Agreement id, e.g. gonv-2020."),
) -> None:
    """Show an agreement: case numbers, lines, keys, duties with deadlines, what is missing."""
    a = _get(agreement_id)
    out.print(f"[bold]{a.name}[/bold] ({a.id}, {a.year})", markup=True)
    out.print(f"Case number: {a.case_numbers.agreement or 'not known'}; payment decision: "
              f"{a.case_numbers.payment_decision or 'not known'}")
    for s in a.signatories:
        day = s.signed_on.isoformat() if s.signed_on else "date not known"
        out.print(f"Signed: {s.name}, {s.title}, {s.party}, {s.place} {day}")
    total = sv_number(a.total_sek) + " kr" if a.total_sek is not None else "not known"
    out.print(f"Total: {total}")
    lines = Table("id", "section", "label", "recipient", "method", "amount_sek", title="Lines",
                  title_justify="left", show_footer=True)
    lines.columns[2].footer = "Summa"
    lines.columns[5].footer = sv_number(sum(li.amount_sek or 0 for li in a.lines))
    for li in a.lines:
        method = str(li.method.kind) if li.method else "not known"
        lines.add_row(li.id, li.section, li.label, str(li.recipient or "not known"), method,
                      sv_number(li.amount_sek) if li.amount_sek is not None else "not known")
    lines.columns[5].justify = "right"
    out.print(lines)
    for sub in a.subtotals:
        out.print(f"Stated: {sub.label}: {sv_number(sub.amount_sek)} kr ({sub.source})")
    for k in a.keys:
        state = "available" if k.available else "NOT AVAILABLE: " + "; ".join(k.missing)
        out.print(f"Key {k.id} ({k.name}; {k.level}): {state}. Source: {k.source}")
    duties = Table("deadline", "duty", "who", "to", "consequence", title="Duties",
                   title_justify="left")
    for d in a.duties:
        when = d.deadline.isoformat() if d.deadline else "not stated"
        duties.add_row(when + (" (assumed)" if d.assumed else ""), f"{d.id} ({d.kind})",
                       ", ".join(d.who), d.to, str(d.consequence))
    out.print(duties)
    if a.missing:
        out.print("Not known from the sources:")
        for m in a.missing:
            out.print(f"  - {m}")


def _parse_overrides(items: list[str]) -> KeyOverrides:
    overrides = {}
    for item in items:
        key_id, sep, file = item.partition("=")
        if not sep or not key_id or not file:
            raise _fail(f"--key-file expects KEY_ID=FILE.csv, got {item!r}")
        path = Path(file)
        if not path.is_file():
            raise _fail(f"--key-file {key_id}: no file {file}")
        overrides[key_id] = override_from_rows(parse_key_csv(path.read_text(encoding="utf-8")))
    return overrides


def _line_title(la: LineAllocation) -> str:
    li = la.line
    method = li.method.kind if li.method else "method not known"
    amount = sv_number(li.amount_sek) + " kr" if li.amount_sek is not None else "amount not known"
    when = f", population {la.population_date.isoformat()}" if la.population_date else ""
    return f"{li.id} (§{li.section}) {li.label}: {amount}; {li.recipient}; {method}{when}"


def _print_agreement_allocation(result: AgreementAllocation) -> None:
    a = result.agreement
    for la in result.lines:
        if la.table is None:
            out.print(f"[bold]{_line_title(la)}[/bold]", markup=True)
            out.print(f"  not allocated: {la.unavailable}\n")
            continue
        extra = {
            m.code: {"care_recipients": m.care_recipients, "population": m.population}
            for m in la.municipal_rows
        }
        by_population = la.line.method is not None and (
            la.line.method.kind is MethodKind.POPULATION_SHARE
        )
        _print_table(la.table, _line_title(la), "population" if by_population else "weight",
                     extra=extra)
        out.print()
    summary = Table("line", "section", "recipient", "stated_sek", "allocated_sek", "status",
                    title=f"{a.name}: line totals", title_justify="left", show_footer=True)
    summary.columns[2].footer = "Summa"
    summary.columns[3].footer = sv_number(result.stated_sek)
    summary.columns[4].footer = sv_number(result.allocated_sek)
    for col in summary.columns[3:5]:
        col.justify = "right"
    for la in result.lines:
        li = la.line
        status = "allocated" if la.table else "not allocated (reason above)"
        summary.add_row(li.id, li.section, str(li.recipient or "not known"),
                        sv_number(li.amount_sek) if li.amount_sek is not None else "not known",
                        sv_number(la.table.allocated_sek) if la.table else "–", status)
    out.print(summary)
    if a.total_sek is not None:
        mark = "equals" if result.stated_sek == a.total_sek else "DIFFERS FROM"
        out.print(f"Lines total {sv_number(result.stated_sek)} kr: {mark} the stated total "
                  f"{sv_number(a.total_sek)} kr.")
    else:
        out.print(f"Known lines total {sv_number(result.stated_sek)} kr; the agreement's total is "
                  "not known.")
    for sub in a.subtotals:
        got = a.amount_to(sub.recipients)
        mark = "equals" if got == sub.amount_sek else "DIFFERS FROM"
        out.print(f"{sub.label}: lines {sv_number(got)} kr {mark} stated "
                  f"{sv_number(sub.amount_sek)} kr.")
    not_allocated = result.stated_sek - result.allocated_sek
    if not_allocated:
        out.print(f"Allocated to recipients: {sv_number(result.allocated_sek)} kr; not allocated "
                  f"for want of a key or method: {sv_number(not_allocated)} kr.")


def _agreement_json(result: AgreementAllocation) -> dict[str, Any]:
    a = result.agreement
    return {
        "agreement": a.id,
        "total_sek": a.total_sek,
        "lines_total_sek": result.stated_sek,
        "allocated_sek": result.allocated_sek,
        "subtotals": [
            {"label": s.label, "stated_sek": s.amount_sek, "lines_sek": a.amount_to(s.recipients)}
            for s in a.subtotals
        ],
        "lines": [
            {
                "id": la.line.id,
                "section": la.line.section,
                "recipient": la.line.recipient,
                "amount_sek": la.line.amount_sek,
                "population_date": la.population_date.isoformat() if la.population_date else None,
                "allocated": la.table is not None,
                "reason": la.unavailable,
                "rows": _table_rows(la.table, as_json=True) if la.table else [],
            }
            for la in result.lines
        ],
    }


@agreement_app.command("allocate")
def allocate_agreement_command(
    agreement_id: str = typer.Argument(..., help="Agreement id, e.g. gonv-2020."),
    key_file: list[str] = typer.Option(
        [], "--key-file", help="Supply a key's figures: KEY_ID=FILE.csv (code,weight; repeatable)."
    ),
    fmt: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", help="Output format."),
) -> None:
    """Allocate every line of an agreement by its method, with line totals and checks."""
    a = _get(agreement_id)
    try:
        overrides = _parse_overrides(key_file)
    except AllocationError as e:
        raise _fail(str(e)) from None
    result = allocate_agreement(a, shipped_population(), overrides)
    substituted: dict[tuple[dt.date, dt.date], list[str]] = {}
    for la in result.lines:
        if la.date_substituted:
            assert la.requested_population_date is not None and la.population_date is not None
            pair = (la.requested_population_date, la.population_date)
            substituted.setdefault(pair, []).append(la.line.id)
    for (wanted, used), ids in substituted.items():
        err.print(f"note: population on {wanted.isoformat()} is not shipped; using the closest "
                  f"date, {used.isoformat()}, for lines {', '.join(ids)}")
    if fmt is OutputFormat.TABLE:
        _print_agreement_allocation(result)
    elif fmt is OutputFormat.JSON:
        typer.echo(json.dumps(_agreement_json(result), ensure_ascii=False, indent=2))
    else:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, ["line_id", "code", "name", "weight", "share", "amount_sek"],
                                lineterminator="\n")
        writer.writeheader()
        for la in result.lines:
            if la.table is None:
                err.print(f"note: line {la.line.id} not allocated: {la.unavailable}")
                continue
            writer.writerows({"line_id": la.line.id, **r} for r in _table_rows(la.table))
        typer.echo(buf.getvalue(), nl=False)


@agreement_app.command("export")
def export_command(
    agreement_id: str = typer.Argument(..., help="Agreement id, e.g. gonv-2020."),
    fmt: ExportFormat = typer.Option(ExportFormat.YAML, "--format", help="yaml or xlsx."),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="File to write (default: stdout for yaml, ID.xlsx for xlsx)."
    ),
) -> None:
    """Export an agreement as YAML or as an Excel workbook."""
    a = _get(agreement_id)
    if fmt is ExportFormat.YAML:
        text = dump_agreement_yaml(a)
        if output is None:
            typer.echo(text, nl=False)
        else:
            output.write_text(text, encoding="utf-8")
            err.print(f"wrote {output}")
        return
    target = output or Path(f"{a.id}.xlsx")
    target.write_bytes(export_agreement_xlsx(a))
    err.print(f"wrote {target}")


@agreement_app.command("import")
def import_command(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="A .yaml or .xlsx file."),
    into: Path | None = typer.Option(
        None, "--into", envvar=AGREEMENTS_DIR_ENV,
        help=f"Directory to store the agreement in as ID.yaml (default: ${AGREEMENTS_DIR_ENV}); "
        "without it the file is only checked.",
    ),
) -> None:
    """Check an agreement file (every problem is listed) and store it as YAML."""
    try:
        a = load_agreement_file(file.name, file.read_bytes())
    except AgreementError as e:
        raise _fail(str(e)) from None
    total = sv_number(a.total_sek) + " kr" if a.total_sek is not None else "total not known"
    out.print(f"{a.id}: {a.name} ({a.year}); {len(a.lines)} lines; {total}; valid")
    if into is None:
        out.print(f"not stored: give --into DIR or set {AGREEMENTS_DIR_ENV}")
        return
    into.mkdir(parents=True, exist_ok=True)
    target = into / f"{a.id}.yaml"
    target.write_text(dump_agreement_yaml(a), encoding="utf-8")
    out.print(f"stored {target}")


# --- database ----------------------------------------------------------------------------------


@agreement_app.command("load")
def load_command(
    file: Path | None = typer.Argument(
        None, exists=True, dir_okay=False,
        help="A .yaml or .xlsx agreement to store; without it the shipped agreements are stored.",
    ),
) -> None:
    """Store agreements in the database: the shipped ones, or one file (unchanged ones stay).

    A line with a frozen allocation keeps its amount, recipient and method; a file that would
    change them is refused.
    """
    from naravard.cli.common import database
    from naravard.storage import funding_repo

    now = dt.datetime.now(dt.UTC)
    try:
        with database() as db:
            if file is None:
                results = funding_repo.load_shipped(db, "cli", now)
            else:
                a = load_agreement_file(file.name, file.read_bytes())
                results = [funding_repo.store_agreement(db, a, f"import: {file.name}", "cli",
                                                        now)]
    except (AgreementError, funding_repo.FundingError) as e:
        raise _fail(str(e)) from None
    for r in results:
        out.print(f"{r.code}: {r.outcome}")


@agreement_app.command("freeze")
def freeze_command(
    agreement_id: str = typer.Argument(..., help="Agreement id, e.g. gonv-2020."),
) -> None:
    """Allocate and freeze, in the database, every line of a stored agreement not yet frozen.

    Population comes from the database (the date closest to the one the agreement names). A frozen
    allocation never changes when population is loaded later.
    """
    from naravard.cli.common import database
    from naravard.storage import funding_repo

    try:
        with database() as db:
            outcomes = funding_repo.freeze_allocations(db, agreement_id, "cli",
                                                       dt.datetime.now(dt.UTC))
            rows = [(o.line_code, "frozen now" if o.newly_frozen else
                     ("already frozen" if o.run else "not allocated"),
                     o.run.basis if o.run else (o.reason or ""),
                     sv_number(o.run.total_sek) if o.run else "") for o in outcomes]
    except funding_repo.FundingError as e:
        raise _fail(str(e)) from None
    t = Table(title=f"{agreement_id}: allocations in the database", title_justify="left")
    for col in ("line", "status", "key or reason", "amount_sek"):
        t.add_column(col, justify="right" if col == "amount_sek" else "left")
    for row in rows:
        t.add_row(*row)
    out.print(t)


@agreement_app.command("key")
def key_command(
    agreement_id: str = typer.Argument(..., help="Agreement id, e.g. gonv-2020."),
    key_id: str = typer.Argument(..., help="Key id, e.g. khsv-2020."),
    file: Path = typer.Argument(..., exists=True, dir_okay=False,
                                help="CSV with columns code,weight (county codes; name optional)."),
    source: str = typer.Option(..., "--source", help="Where the figures come from."),
    period: str = typer.Option("", "--period", help="The period or date the figures refer to."),
) -> None:
    """Supply, in the database, the figures of a key the agreement text lacks (e.g. an annex).

    Every county needs a figure; a key that counts people (care recipients) needs whole
    numbers. Then freeze the lines that use the key: naravard agreement freeze ID.
    """
    from naravard.cli.common import database
    from naravard.funding.key_figures import as_figure
    from naravard.storage import funding_repo, key_figures_repo

    try:
        rows = override_from_rows(parse_key_csv(file.read_text(encoding="utf-8")))
        figures = {code: as_figure(weight) for code, weight in rows.items()}
    except (AllocationError, ValueError) as e:
        raise _fail(str(e)) from None
    try:
        with database() as db:
            key_figures_repo.supply_key_figures(db, agreement_id, key_id, figures, source,
                                                period, "cli", dt.datetime.now(dt.UTC))
    except key_figures_repo.KeyFiguresError as e:
        raise _fail("\n".join(f"{p.field}: {p.message}" for p in e.problems)) from None
    except funding_repo.FundingError as e:
        raise _fail(str(e)) from None
    out.print(f"{agreement_id}: key {key_id} stored with {len(figures)} figures "
              f"(sum {sv_weight(sum(rows.values(), Fraction(0)))}); freeze with "
              f"`naravard agreement freeze {agreement_id}`")


def register(root: typer.Typer) -> None:
    """Add this capability's commands to the root command."""
    root.command("allocate")(allocate_command)
    root.add_typer(agreement_app)
