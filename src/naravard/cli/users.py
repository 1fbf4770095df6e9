"""``naravard user``: add, list, disable and enable users, set passwords."""

from __future__ import annotations

import typer

from naravard.accounts.passwords import WeakPasswordError, generate_password
from naravard.accounts.roles import Role, RoleError
from naravard.cli.common import OutputFormat, console, database, emit, err_console
from naravard.storage import users_repo

app = typer.Typer(help="User accounts.", no_args_is_help=True)


@app.command("add")
def add_cmd(
    username: str = typer.Argument(..., help="Sign-in name (stored in lower case)."),
    role: Role = typer.Option(..., help="admin, analyst, grant_officer or respondent."),
    organisation: str | None = typer.Option(
        None, "--org", help="Organisation code of a respondent (13, RSS13, 1384 ...)."
    ),
    name: str | None = typer.Option(None, help="Display name."),
    email: str | None = typer.Option(None, help="E-mail address for receipts."),
    password: str | None = typer.Option(
        None, help="Password (at least 12 characters); generated and printed once if omitted.",
    ),
) -> None:
    """Add a user."""
    secret = password or generate_password()
    try:
        with database() as db:
            users_repo.create_user(db, username, secret, role, organisation, name, email,
                                   actor="cli")
    except (users_repo.UserError, RoleError, WeakPasswordError) as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    console.print(f"User {username.lower()} added as {role.value}.")
    if password is None:
        console.print(f"Password (shown once): {secret}")


@app.command("list")
def list_cmd(
    organisation: str | None = typer.Option(None, "--org", help="Only this organisation."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table, csv or json."),
) -> None:
    """List users."""
    with database() as db:
        rows = [
            [u.username, u.display_name, u.role,
             u.organisation.code if u.organisation else "", u.email or "",
             "yes" if u.is_active else "no",
             u.last_login_at.isoformat(timespec="seconds") if u.last_login_at else ""]
            for u in users_repo.list_users(db, organisation)
        ]
    emit(["username", "name", "role", "organisation", "email", "active", "last_login"], rows, fmt,
         title="Users")


def _set_active(username: str, active: bool) -> None:
    try:
        with database() as db:
            users_repo.set_active(db, username, active, actor="cli")
    except users_repo.UserError as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    console.print(f"User {username} {'enabled' if active else 'disabled'}.")


@app.command("disable")
def disable_cmd(username: str = typer.Argument(..., help="User to disable.")) -> None:
    """Disable a user and end their sessions."""
    _set_active(username, False)


@app.command("enable")
def enable_cmd(username: str = typer.Argument(..., help="User to enable.")) -> None:
    """Enable a disabled user."""
    _set_active(username, True)


@app.command("set-password")
def set_password_cmd(
    username: str = typer.Argument(..., help="User whose password to set."),
    password: str | None = typer.Option(
        None, help="New password; generated and printed once if omitted."
    ),
) -> None:
    """Set a new password (ends the user's sessions)."""
    secret = password or generate_password()
    try:
        with database() as db:
            users_repo.set_password(db, username, secret, actor="cli")
    except (users_repo.UserError, WeakPasswordError) as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    console.print(f"Password of {username} set.")
    if password is None:
        console.print(f"Password (shown once): {secret}")


@app.command("set-email")
def set_email_cmd(
    username: str = typer.Argument(..., help="User whose e-mail address to set."),
    email: str = typer.Argument(..., help="The address receipts and reminders go to; \"\" "
                                "removes it."),
) -> None:
    """Set or remove a user's e-mail address (audited without the address)."""
    try:
        with database() as db:
            users_repo.set_email(db, username, email, actor="cli")
    except users_repo.UserError as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    console.print(f"E-mail address of {username} {'set' if email.strip() else 'removed'}.")


def register(root: typer.Typer) -> None:
    """Add ``user`` to the root command."""
    root.add_typer(app, name="user")
