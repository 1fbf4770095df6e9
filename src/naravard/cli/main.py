"""Root of the ``naravard`` command: ``naravard --help`` lists every command group."""

from __future__ import annotations

import typer

from naravard import __version__
from naravard.cli import bench as bench_cli
from naravard.cli import db as db_cli
from naravard.cli import demo as demo_cli
from naravard.cli import funding as funding_cli
from naravard.cli import indicators as indicators_cli
from naravard.cli import reference as reference_cli
from naravard.cli import serve as serve_cli
from naravard.cli import surveys as surveys_cli
from naravard.cli import users as users_cli

app = typer.Typer(
    name="naravard",
    help="Nära: follow-up of the reform God och nära vård (agreements, questionnaires, "
    "indicators, reports).",
    no_args_is_help=True,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"naravard {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Nära command line."""


for module in (db_cli, reference_cli, users_cli, demo_cli, serve_cli, funding_cli, surveys_cli,
               indicators_cli, bench_cli):
    module.register(app)
