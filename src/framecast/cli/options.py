"""Option types shared by several commands."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from framecast.providers import registry


class AspectChoice(StrEnum):
    landscape = "landscape"
    portrait = "portrait"
    square = "square"


def check_provider(value: str | None) -> str | None:
    """``--provider``'s value when it names a registered provider; else ``typer.BadParameter``
    listing the names (the registry's at the time of the call, so a plugin's or a test's count)."""
    if value is not None and value not in registry.provider_names():
        raise typer.BadParameter(
            f"no provider {value!r}; choose one of: {', '.join(registry.provider_names())}"
        )
    return value


def check_providers(values: list[str] | None) -> list[str] | None:
    """Each of a repeated ``--provider``'s values, checked like :func:`check_provider`."""
    for value in values or ():
        check_provider(value)
    return values


ProviderOpt = Annotated[
    str | None,
    typer.Option(
        "--provider",
        callback=check_provider,
        help=(
            f"Where to generate: {', '.join(registry.provider_names())} "
            "(default: FRAMECAST_DEFAULT_PROVIDER, else offline)."
        ),
        show_default=False,
    ),
]
AspectOpt = Annotated[
    AspectChoice, typer.Option("--aspect", help="landscape (16:9), portrait (9:16), square (images).")
]
OutOpt = Annotated[Path, typer.Option("--out", help="Folder for the results.", file_okay=False)]
ConcurrencyOpt = Annotated[
    int | None, typer.Option("--concurrency", min=1, max=100, help="Generations in flight at once.")
]
ApiKeyOpt = Annotated[
    str | None,
    typer.Option(
        "--api-key", envvar="FRAMECAST_API_KEY", help="Provider key (else from settings).", show_default=False
    ),
]
