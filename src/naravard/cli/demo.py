"""``naravard demo``: load the demo data set (idempotent)."""

from __future__ import annotations

import typer

from naravard.cli.common import console, database
from naravard.config import load_settings


def demo(
    show_logins: bool = typer.Option(
        False, help="Also print every demo login saved earlier in the data directory."
    ),
) -> None:
    """Create the demo users and data; new passwords are printed once (and kept in var/)."""
    from naravard.demo import LOGINS_FILE, create_demo  # heavy (PDF, web): only when run

    settings = load_settings()
    with database() as db:
        created, summaries = create_demo(db, settings.data_dir)
    for line in summaries:
        console.print(line)
    if created and not show_logins:
        console.print("New demo logins (user name, password):")
        for name, password in created:
            console.print(f"  {name:<12} {password}")
    if not created:
        console.print("Demo users already present; none added.")
    path = settings.data_dir / LOGINS_FILE
    if show_logins and path.exists():
        console.print(f"Demo logins ({path}):")
        console.print(path.read_text(encoding="utf-8"), markup=False, end="")


def register(root: typer.Typer) -> None:
    """Add ``demo`` to the root command."""
    root.command("demo")(demo)
