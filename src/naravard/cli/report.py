"""``naravard report``: the national report as PDF, as the web offers it to staff."""

from __future__ import annotations

from pathlib import Path

import typer

from naravard.cli.common import console, err_console


def report(
    path: Path = typer.Option(..., "--out", help="PDF file to write the report to."),
    year: int | None = typer.Option(None, "--year", help="The report's year: the indicators' "
                                    "years up to it (default: up to the latest stored)."),
    lang: str = typer.Option("sv", help="Language of the report: sv or en."),
    site: str = typer.Option("", help="Address the web pages are served at, for the links "
                             "in the report (e.g. https://nara.example.se)."),
) -> None:
    """Write the national report as PDF.

    Every indicator for Sweden and the regions (published figures, disclosure control
    applied), the questionnaire rounds, the regions' answers beside the register, the
    agreements' funds and each round's answers per question; with --year, the rounds,
    cross-checks and agreement of that year."""
    from naravard.cli.common import database
    from naravard.web import national_report

    if lang not in ("sv", "en"):
        err_console.print(f"[red]error:[/red] --lang must be sv or en, got {lang!r}")
        raise typer.Exit(code=1)
    with database() as db, err_console.status("rendering the national report …"):
        content = national_report.report_pdf(db, lang, site.rstrip("/"),
                                             until=None if year is None else str(year))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    console.print(f"national report written to {path} ({len(content) // 1024} kB)")


def register(root: typer.Typer) -> None:
    """Add ``report`` to the root command."""
    root.command("report")(report)
