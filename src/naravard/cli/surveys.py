"""Commands of the surveys capability: ``naravard questionnaire list|validate|import|export``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from naravard.surveys.aggregation import check_aggregation
from naravard.surveys.catalog import (
    FormEntry,
    all_forms,
    find_form,
    import_form,
    imported_forms,
    read_form_file,
)
from naravard.surveys.definition import DefinitionError
from naravard.surveys.model import Group, Questionnaire
from naravard.surveys.model import Table as FormTable
from naravard.surveys.xlsform import write_xlsform
from naravard.surveys.yamlform import yaml_form_text

DATA_DIR_ENV = "NARAVARD_DATA_DIR"

out = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 200)
err = Console(stderr=True, highlight=False, soft_wrap=True)

questionnaire_app = typer.Typer(
    name="questionnaire",
    help="Questionnaire definitions (XLSForm workbooks or YAML): list, validate, import, export.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)


def forms_dir() -> Path:
    """Where imported definitions are kept: ``$NARAVARD_DATA_DIR/forms`` (default ``var/forms``)."""
    return Path(os.environ.get(DATA_DIR_ENV, "var")) / "forms"


def _fail(message: str) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", markup=True)
    return typer.Exit(code=1)


def _report_definition_error(exc: DefinitionError) -> typer.Exit:
    err.print(f"[red]error:[/red] {exc.source}: {len(exc.issues)} problem(s)", markup=True)
    for issue in exc.issues:
        err.print(f"  - {issue}", markup=False)
    return typer.Exit(code=1)


def _rounds(form: Questionnaire) -> str:
    parts = []
    if form.settings.interim_deadline:
        parts.append(f"interim {form.settings.interim_deadline.isoformat()}")
    if form.settings.final_deadline:
        parts.append(f"final {form.settings.final_deadline.isoformat()}")
    return ", ".join(parts)


def _numbered(form: Questionnaire) -> int:
    return sum(1 for item in form.items() if item.number)


def _count(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


def _summary(form: Questionnaire) -> str:
    sections = sum(1 for node in form.body if isinstance(node, Group))
    tables = sum(1 for node, _ in form.walk() if isinstance(node, FormTable))
    return (
        f"{form.form_id} version {form.version}: {form.settings.title.sv}; "
        f"respondent {form.settings.respondent.value}; "
        f"{_count(_numbered(form), 'numbered question') if _numbered(form) else 'unnumbered'}, "
        f"{_count(form.question_count(), 'answer field')} ({_count(tables, 'table')}) in "
        f"{_count(sections, 'section')}; {_count(len(form.choice_lists), 'choice list')}; "
        f"deadlines: {_rounds(form) or 'none'}"
    )


@questionnaire_app.command("list")
def list_command() -> None:
    """List shipped and imported questionnaires with version, respondent type and size.

    "questions" counts the numbered questions ("–" for templates without numbers), "fields" every
    answer field (including "other" texts, comments and tables).
    """
    directory = forms_dir()
    entries = all_forms(directory)
    table = Table(title="Questionnaires")
    columns = ("id", "version", "respondent", "questions", "fields", "deadlines", "origin", "title")
    for column in columns:
        table.add_column(column, justify="right" if column in ("questions", "fields") else "left")
    for entry in entries:
        form = entry.form
        table.add_row(form.form_id, form.version, form.settings.respondent.value,
                      str(_numbered(form) or "–"), str(form.question_count()), _rounds(form),
                      entry.origin,
                      form.settings.title.sv)  # fmt: skip
    out.print(table)
    broken = imported_forms(directory)[1]
    for exc in broken:
        err.print(f"[yellow]warning:[/yellow] {exc.source} no longer loads "
                  f"({len(exc.issues)} problem(s)); run validate on it", markup=True)


@questionnaire_app.command("validate")
def validate_command(
    file: Path = typer.Argument(..., help="Definition to check: .xlsx (XLSForm) or .yaml."),
) -> None:
    """Check a definition and report every problem with sheet, row and column."""
    if not file.is_file():
        raise _fail(f"no such file: {file}")
    try:
        form = read_form_file(file)
    except DefinitionError as exc:
        raise _report_definition_error(exc) from exc
    target = form.settings.aggregates_form
    if target:
        try:
            aggregated = find_form(all_forms(forms_dir()), target).form
        except KeyError:
            err.print(f"[yellow]warning:[/yellow] aggregated form {target!r} is not known, "
                      "so its references were not checked", markup=True)
        else:
            problems = check_aggregation(form, aggregated)
            if problems:
                err.print("[red]error:[/red] aggregation references do not fit:", markup=True)
                for problem in problems:
                    err.print(f"  - {problem}", markup=False)
                raise typer.Exit(code=1)
    out.print(f"OK {file}: {_summary(form)}")


@questionnaire_app.command("import")
def import_command(
    file: Path = typer.Argument(..., help="Definition to import: .xlsx (XLSForm) or .yaml."),
) -> None:
    """Validate a definition and copy it into $NARAVARD_DATA_DIR/forms (default var/forms).

    For now imported definitions are kept as files next to the shipped ones; storing them in the
    database, with rounds that use them, comes with the storage integration.
    """
    if not file.is_file():
        raise _fail(f"no such file: {file}")
    try:
        entry = import_form(file, forms_dir())
    except DefinitionError as exc:
        raise _report_definition_error(exc) from exc
    except FileExistsError as exc:
        raise _fail(str(exc)) from exc
    out.print(f"Imported {entry.location}: {_summary(entry.form)}")


@questionnaire_app.command("export")
def export_command(
    form_id: str = typer.Argument(
        ..., metavar="ID", help="Questionnaire id, e.g. gonv-2023-region."
    ),
    out_file: Path = typer.Option(..., "--out", help="Target file: .xlsx (XLSForm) or .yaml."),
    version: str | None = typer.Option(None, help="Version to export (default: the highest)."),
) -> None:
    """Write a shipped or imported questionnaire as an XLSForm workbook (or YAML)."""
    try:
        entry: FormEntry = find_form(all_forms(forms_dir()), form_id, version)
    except KeyError as exc:
        raise _fail(str(exc.args[0])) from exc
    suffix = out_file.suffix.lower()
    if suffix == ".xlsx":
        write_xlsform(entry.form, out_file)
    elif suffix in (".yaml", ".yml"):
        out_file.write_text(yaml_form_text(entry.form), encoding="utf-8")
    else:
        raise _fail(f"unknown file type {suffix or '(none)'}: use .xlsx or .yaml")
    out.print(f"Wrote {out_file}: {entry.form.form_id} version {entry.form.version}")


def register(root: typer.Typer) -> None:
    """Add this capability's commands to the root command."""
    root.add_typer(questionnaire_app, name="questionnaire")
