"""The running emulator's parts in one place: settings, account state, fault picker, media, tasks.

``POST /_emulator/reset`` swaps the state for a fresh one, under the settings the emulator started
with plus the changes the reset asks for. Generations already running keep the state
they were accepted under, so they finish without touching the new history.
"""

from __future__ import annotations

import asyncio
import logging
import random
import shutil
import tempfile
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from framecast.emulators.genaipro.config import EmulatorConfig
from framecast.emulators.genaipro.faults import FaultPicker
from framecast.emulators.genaipro.media import MediaLibrary
from framecast.emulators.genaipro.state import EmulatorState, Order
from framecast.emulators.genaipro.wire import CANONICAL, WireStyle

logger = logging.getLogger(__name__)


class Emulator:
    """Owns the state of one emulated account and the tasks working for it."""

    def __init__(self, config: EmulatorConfig) -> None:
        self._scratch: Path | None = None  # our own temporary media folder, made when first needed
        self._tasks: set[asyncio.Task[None]] = set()
        self._media_failure_logged = False
        self.initial_config = config
        self.closing = asyncio.Event()  # set when the server starts shutting down: streams are cut
        self.reset(config)

    def reset(self, config: EmulatorConfig) -> None:
        """Start over with ``config``: empty history and statistics, no quota used, no forced faults."""
        self.config = config
        self.state = EmulatorState(
            quota=config.quota,
            rate_per_minute=config.rate_per_minute,
            concurrency=config.concurrency,
            v2_rate_per_minute=config.v2_rate_per_minute,
            v2_window_s=config.v2_window_s,
        )
        self.faults = FaultPicker(config.fault_rate, config.seed, config.fault_kinds)
        self._style_rng = random.Random(f"wire-{config.seed}")
        root = config.media_dir
        if root is None:
            if self._scratch is None:
                self._scratch = Path(tempfile.mkdtemp(prefix="framecast-genaipro-"))
            root = self._scratch
        self.media = MediaLibrary(
            root, seconds=config.media_seconds, short_side=config.media_size, seed=config.seed
        )

    def next_style(self) -> WireStyle:
        """The wire style of the next response (canonical when variants are off)."""
        return WireStyle.draw(self._style_rng) if self.config.wire_variants else CANONICAL

    @property
    def rng(self) -> random.Random:
        """Seeded randomness for per-response choices (such as where a stream is dropped)."""
        return self._style_rng

    def spawn(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        """Run ``work`` independently of any request; it is cancelled only by :meth:`close`."""
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def warm_media(self, order: Order) -> None:
        """Render the file this order will be served, in the background, so downloads find it ready."""
        self.spawn(self._warm(order))

    async def _warm(self, order: Order) -> None:
        try:
            if order.mode.is_video:
                await self.media.video(order.mode, order.aspect)
            else:
                await self.media.image(order.aspect)
        except Exception:
            # Downloads retry the render and report the error; log it here only once.
            if not self._media_failure_logged:
                self._media_failure_logged = True
                logger.exception("the emulator could not render its media files")

    async def close(self) -> None:
        """Cancel running generations and renders, and remove the temporary media folder."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None
