"""The ``framecast`` command: one Typer app; each command group lives in its own module.

A :class:`FramecastError` anywhere becomes a one-line message on stderr and its exit code
(2 for bad input or configuration, 1 otherwise) instead of a traceback.
"""

from __future__ import annotations

import functools
import sys

import typer

from framecast.core.errors import FramecastError

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Framecast: AI video studio and tutor.")


@app.callback()
def check_settings() -> None:
    """Before any command: refuse settings that name a provider nothing registered (raises
    ``ConfigurationError`` naming the variable and the known names)."""
    from framecast.core.settings import get_settings
    from framecast.providers import registry

    registry.check_settings(get_settings())


@functools.cache
def mounted_app() -> typer.Typer:
    """``app`` with every command group mounted, once per process (``main`` and tests that walk or
    invoke the whole command tree)."""
    from framecast.cli import (
        batch,
        db,
        emulator,
        generate,
        jobs,
        provider_info,
        serve,
        storage,
        tutor,
        users,
        worker,
    )

    app.add_typer(generate.app, name="generate")
    app.add_typer(batch.app, name="batch")
    app.add_typer(jobs.app, name="jobs")
    app.add_typer(worker.app, name="worker")
    app.add_typer(db.app, name="db")
    app.add_typer(users.app, name="users")
    app.add_typer(emulator.app, name="emulator")
    app.add_typer(tutor.app, name="tutor")
    app.add_typer(storage.app, name="storage")
    app.command()(provider_info.quota)
    app.command()(provider_info.history)
    app.command()(serve.serve)
    return app


def main() -> None:
    mounted_app()
    try:
        # With standalone_mode=False click returns the code of typer.Exit instead of raising it.
        code = app(standalone_mode=False)
    except FramecastError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        typer.echo("stopped", err=True)
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(1)
    except Exception as exc:  # click's usage errors arrive here with standalone_mode=False
        from click import ClickException

        if isinstance(exc, ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise
    sys.exit(code if isinstance(code, int) else 0)
