"""Root of the ``naravard`` command: ``naravard --help`` lists every command group."""

from __future__ import annotations

import importlib
from functools import cache

import typer
from typer import _click  # Typer's own copy of Click, whose types its groups use
from typer.core import TyperGroup

from naravard import __version__

COMMANDS = {
    "db": "db", "reference": "reference", "user": "users", "demo": "demo", "serve": "serve",
    "allocate": "funding", "agreement": "funding", "questionnaire": "surveys", "round": "surveys",
    "indicators": "indicators", "synth": "indicators", "report": "report", "bench": "bench",
}
"""Each top-level command and the module of :mod:`naravard.cli` that registers it."""


class LazyGroup(TyperGroup):
    """The root group: a command's module is imported only when that command is used.

    The modules import heavy libraries (PyArrow, SQLAlchemy, PDF rendering); loading only the
    one a command needs lets every command start in a fraction of a second. ``--help`` loads
    them all to list them.
    """

    def list_commands(self, ctx: _click.Context) -> list[str]:
        """Every command, in the order of :data:`COMMANDS`."""
        return list(COMMANDS)

    def get_command(self, ctx: _click.Context, cmd_name: str) -> _click.Command | None:
        """The command ``cmd_name``, from its module."""
        if cmd_name not in COMMANDS:
            return None
        return _commands_of(COMMANDS[cmd_name]).get_command(ctx, cmd_name)


@cache
def _commands_of(module_name: str) -> TyperGroup:
    """The commands module ``naravard.cli.<module_name>`` registers, as one group."""
    holder = typer.Typer()
    importlib.import_module(f"naravard.cli.{module_name}").register(holder)
    return typer.main.get_group(holder)


app = typer.Typer(
    name="naravard",
    help="Nära: follow-up of the reform God och nära vård (agreements, questionnaires, "
    "indicators, reports).",
    no_args_is_help=True,
    rich_markup_mode="rich",
    cls=LazyGroup,
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
