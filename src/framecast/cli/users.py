"""``framecast users create|list``: accounts of the web Studio, from the server's shell.

Nothing is asked interactively, so the commands work in scripts, containers and CI (no standard
input). A bad email, a weak password or an email already used exits with code 2 and one line saying
what to change.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from framecast.cli.context import open_database
from framecast.core.errors import InvalidInputError
from framecast.db.accounts import User
from framecast.web.security.accounts import NewUser, create_user
from framecast.web.security.passwords import MIN_LENGTH

app = typer.Typer(no_args_is_help=True, help="Accounts of the web Studio.")
console = Console()


@app.command()
def create(
    email: Annotated[str, typer.Option("--email", help="Login email (stored lower-cased).")],
    password: Annotated[
        str, typer.Option("--password", help=f"At least {MIN_LENGTH} characters.", show_default=False)
    ],
    name: Annotated[str, typer.Option("--name", help="Shown in the Studio.")],
    admin: Annotated[bool, typer.Option("--admin", help="May create, invite and disable users.")] = False,
) -> None:
    """Create an account (the first one should be an --admin)."""
    db = open_database()
    try:
        user = create_user(db, NewUser(email, name, password, is_admin=admin))
    except InvalidInputError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    finally:
        db.dispose()
    role = "administrator" if user.is_admin else "user"
    typer.echo(f"created {role} {user.email} (id {user.id})")


@app.command("list")
def list_users() -> None:
    """Every account, oldest first."""
    db = open_database()
    try:
        with db.session() as session:
            users = list(session.scalars(select(User).order_by(User.id)))
    finally:
        db.dispose()
    if not users:
        typer.echo("no users yet: run `framecast users create --admin ...` or open /setup in the Studio")
        return
    table = Table("id", "email", "name", "admin", "disabled", "created")
    for user in users:
        table.add_row(
            str(user.id),
            user.email,
            user.name,
            "yes" if user.is_admin else "",
            "yes" if user.disabled else "",
            user.created_at.strftime("%Y-%m-%d %H:%M"),
        )
    console.print(table)
