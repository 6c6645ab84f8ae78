"""``framecast users create|list|set-password|set-role``: accounts of the web Studio, from the server's
shell.

Nothing is asked interactively unless a terminal is there to answer, so the commands work in
scripts, containers and CI. ``set-password`` without ``--password`` asks twice, hidden, in a terminal,
and otherwise reads the password from the first line of standard input (so it stays out of the
process list and the shell history). ``set-role EMAIL teacher`` lets an account create classes and
see their learners' progress (``learner`` takes that away again). A bad email, a weak password, an
unknown account or an email already used exits with code 2 and one line saying what to change.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from framecast.cli.context import open_database
from framecast.core.errors import InvalidInputError, NotFoundError
from framecast.db.accounts import Role, User
from framecast.web.security.accounts import NewUser, create_user, set_password, set_role
from framecast.web.security.passwords import MIN_LENGTH

app = typer.Typer(no_args_is_help=True, help="Accounts of the web Studio.")
console = Console()


@app.command()
def create(
    email: Annotated[str, typer.Option("--email", help="Login email (stored lower-cased).")],
    password: Annotated[
        str,
        typer.Option(
            "--password",
            help=f"At least {MIN_LENGTH} characters; not a common password.",
            show_default=False,
        ),
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


@app.command("set-password")
def set_password_command(
    email: Annotated[str, typer.Option("--email", help="The account's login email.")],
    password: Annotated[
        str | None,
        typer.Option(
            "--password",
            help="The new password; without it, asked in a terminal or read from standard input.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Give an account a new password; every session and API token of it ends."""
    new_password = password if password is not None else _read_password()
    db = open_database()
    try:
        user = set_password(db, email, new_password)
    except (InvalidInputError, NotFoundError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    finally:
        db.dispose()
    note = " (the account is disabled: enable it on the Users page to log in)" if user.disabled else ""
    typer.echo(f"new password set for {user.email}; its sessions and API tokens were ended{note}")


@app.command("set-role")
def set_role_command(
    email: Annotated[str, typer.Argument(help="The account's login email.", show_default=False)],
    role: Annotated[
        Role,
        typer.Argument(
            help="teacher: creates classes and sees their learners' progress; learner: practises.",
            show_default=False,
        ),
    ],
) -> None:
    """Make an account a teacher or a learner (administrators stay administrators either way)."""
    db = open_database()
    try:
        user = set_role(db, email, role)
    except (InvalidInputError, NotFoundError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    finally:
        db.dispose()
    typer.echo(f"{user.email} is now a {user.role}")


def _read_password() -> str:
    if sys.stdin.isatty():
        value: str = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
        return value
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        typer.echo("error: no password given: pass --password, or one line on standard input", err=True)
        raise typer.Exit(2)
    return line


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
    table = Table("id", "email", "name", "role", "admin", "disabled", "created")
    for user in users:
        table.add_row(
            str(user.id),
            user.email,
            user.name,
            user.role,
            "yes" if user.is_admin else "",
            "yes" if user.disabled else "",
            user.created_at.strftime("%Y-%m-%d %H:%M"),
        )
    console.print(table)
