"""``framecast quota`` and ``framecast history``: what the provider says."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from framecast.cli.context import run_async
from framecast.cli.options import ApiKeyOpt, ProviderOpt
from framecast.core.errors import ConfigurationError
from framecast.core.settings import Settings, get_settings
from framecast.providers import registry
from framecast.providers.base import HistoryPage, Quota
from framecast.providers.registry import BuildContext, ProviderBundle

console = Console()


def remote_default(settings: Settings) -> str:
    """The provider ``quota`` and ``history`` ask when none is named: the default one when it is
    paid (it has an account to read), else the first paid provider, else the default one."""
    default = settings.default_provider
    if registry.may_charge(default, settings):
        return default
    paid = registry.paid_provider_names(settings)
    return paid[0] if paid else default


def _bundle(provider: str | None, api_key: str | None) -> ProviderBundle:
    settings = get_settings()
    name = provider or remote_default(settings)
    return registry.build(
        name, BuildContext(settings=settings, work_dir=Path(settings.data_dir) / "work", api_key=api_key)
    )


def quota(provider: ProviderOpt = None, api_key: ApiKeyOpt = None) -> None:
    """Credits available at the provider (default: the default provider if paid, else the first paid one)."""

    async def main(_: asyncio.Event) -> Quota:
        bundle = _bundle(provider, api_key)
        try:
            if bundle.quota is None:
                raise ConfigurationError(f"{bundle.name} has no quota")
            return await bundle.quota.read_quota()
        finally:
            await bundle.aclose()

    result = run_async(main)
    if result.available is None:
        typer.echo("unlimited (offline provider)")
        return
    typer.echo(f"available {result.available}  used {result.used}  total {result.total}")


def history(
    page: Annotated[int, typer.Option("--page", min=1)] = 1,
    page_size: Annotated[int, typer.Option("--page-size", min=1, max=100)] = 20,
    provider: ProviderOpt = None,
    api_key: ApiKeyOpt = None,
) -> None:
    """The provider's generation history, newest first."""

    async def main(_: asyncio.Event) -> HistoryPage:
        bundle = _bundle(provider, api_key)
        try:
            if bundle.history is None:
                raise ConfigurationError(
                    f"{bundle.name} keeps no history; its files are in your output folders"
                )
            return await bundle.history.list_history(page=page, page_size=page_size)
        finally:
            await bundle.aclose()

    result = run_async(main)
    table = Table(
        "id", "status", "created", "prompt", "files", title=f"page {result.page}/{result.total_pages}"
    )
    for item in result.items:
        created = item.created_at.isoformat(timespec="seconds") if item.created_at else "-"
        table.add_row(
            item.provider_id, item.status.value, created, item.prompt[:50], "\n".join(item.file_urls)
        )
    console.print(table)
    console.print(f"{result.total} items in all")


__all__ = ["history", "quota"]
