"""Option types shared by several commands."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer


class AspectChoice(StrEnum):
    landscape = "landscape"
    portrait = "portrait"
    square = "square"


class ProviderChoice(StrEnum):
    offline = "offline"
    genaipro = "genaipro"


ProviderOpt = Annotated[
    ProviderChoice | None,
    typer.Option("--provider", help="Where to generate (default: FRAMECAST_DEFAULT_PROVIDER, else offline)."),
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
