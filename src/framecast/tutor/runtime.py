"""Everything a process needs to run Tutor conversations: providers, engine, hub, avatar worker."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import httpx

from framecast.core.settings import Settings
from framecast.db.session import Database
from framecast.jobs.worker import Worker
from framecast.tutor.avatar_kind import avatar_worker
from framecast.tutor.engine import ConversationEngine
from framecast.tutor.hub import SessionHub
from framecast.tutor.quotas import RecognitionQueue
from framecast.tutor.services import TutorServices, build_services

log = logging.getLogger(__name__)

# How long leaving waits for the avatar worker to stop on its own before cancelling it.
STOP_WAIT_S = 10.0


class TutorRuntime:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        services: TutorServices | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.db = db
        self.settings = settings
        self.services = services or build_services(settings, transport=transport)
        self.hub = SessionHub()
        # The workers of the avatar-render kind running now, one per event loop serving the Tutor.
        self.avatar_workers: list[Worker] = []
        self.engine = ConversationEngine(
            db,
            self.services,
            settings,
            on_video_wanted=self.wake_avatar_workers if self.services.avatar is not None else None,
        )
        self._users = 0

    def wake_avatar_workers(self) -> None:
        """An avatar render was queued: the workers look now instead of at their next poll."""
        for worker in list(self.avatar_workers):
            worker.wake()

    @property
    def recognition(self) -> RecognitionQueue:
        """The fair queue in front of the recogniser, shared by conversation turns and practice."""
        return self.engine.recognition

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """While inside: a worker of the avatar-render job kind runs in this event loop (picking up
        renders left queued or held by a stopped worker) and the offline models load in the
        background. The providers are closed when the last user leaves (an application may be
        served by more than one loop, as tests do)."""
        stop = asyncio.Event()
        tasks: list[asyncio.Task[None]] = []
        if self.settings.tutor.warm_up:
            tasks.append(asyncio.create_task(self.warm_up()))
        worker: Worker | None = None
        working: asyncio.Task[None] | None = None
        if self.services.avatar is not None:
            # Every video_update leaves through the hub's publish, handed over here only.
            worker = avatar_worker(
                self.db, self.settings, self.services.avatar, self.hub.publish, http=self.services.http
            )
            self.avatar_workers.append(worker)
            working = asyncio.create_task(worker.run(stop=stop))
        self._users += 1
        try:
            yield
        finally:
            self._users -= 1
            stop.set()
            if worker is not None and working is not None:
                self.avatar_workers.remove(worker)
                # Stopped, not cancelled: the worker finishes its database call, hands back a render
                # cut short (any worker takes it again) and only then is the database closed.
                worker.wake()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(working), timeout=STOP_WAIT_S)
                tasks.append(working)
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            if self._users == 0:
                await self.services.aclose()

    async def warm_up(self) -> None:
        """Load the checker's word list, the speech recogniser and the speech synthesiser once."""
        from framecast.providers.offline.audio import pcm_to_wav
        from framecast.tutor.checker import check_english

        try:
            await asyncio.to_thread(check_english, "Warm up.")
            # As many at once as there are recognition workers: each starts and loads its model now.
            silence = pcm_to_wav(bytes(3200), 16000)
            await asyncio.gather(
                *(self.services.scorer.transcribe(silence) for _ in range(self.recognition.slots))
            )
            if self.services.tts.name == "offline":  # a remote voice would be billed for it
                await self.services.tts.synthesize("Hello.", voice=self.services.voice, audio_format="mp3")
        except Exception as exc:  # only a head start: a real problem shows in the first real turn
            log.warning("warming up the Tutor providers failed: %s", exc)
