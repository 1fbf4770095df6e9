"""Commands of the indicators capability."""

from __future__ import annotations

import typer


def register(root: typer.Typer) -> None:
    """Add this capability's commands to the root command."""
