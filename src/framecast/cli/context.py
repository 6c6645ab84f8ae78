"""What every command needs: settings, a migrated database, and a clean way to run async work."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

from framecast.core.files import private_data_dir
from framecast.core.settings import Settings, get_settings
from framecast.db.migrate import upgrade
from framecast.db.session import Database

T = TypeVar("T")


def open_database(settings: Settings | None = None) -> Database:
    """The configured database, migrated to the newest schema."""
    settings = settings or get_settings()
    private_data_dir(Path(settings.data_dir))
    url = settings.database_url_resolved
    upgrade(url)
    return Database(url)


def run_async(main: Callable[[asyncio.Event], Coroutine[Any, Any, T]]) -> T:
    """Run ``main(stop)``; the first Ctrl-C (or SIGTERM) sets ``stop``, a second one aborts."""

    async def runner() -> T:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        current = asyncio.current_task()

        def on_signal() -> None:
            if stop.is_set() and current is not None:
                current.cancel()
            stop.set()

        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, on_signal)
        try:
            return await main(stop)
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)

    return asyncio.run(runner())


async def first_of(work: Awaitable[T], stop: asyncio.Event) -> T | None:
    """Await ``work`` unless ``stop`` is set first (then cancel it and return None)."""
    task = asyncio.ensure_future(work)
    stopper = asyncio.ensure_future(stop.wait())
    done, _ = await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        stopper.cancel()
        return task.result()
    task.cancel()
    return None
