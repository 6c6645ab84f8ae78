"""Everything a process needs to run Tutor conversations: providers, engine, hub, avatar queue."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import httpx

from framecast.core.settings import Settings
from framecast.db.session import Database
from framecast.tutor.avatar_jobs import AvatarQueue
from framecast.tutor.engine import ConversationEngine
from framecast.tutor.hub import SessionHub
from framecast.tutor.quotas import RecognitionQueue
from framecast.tutor.services import TutorServices, build_services

log = logging.getLogger(__name__)


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
        self.queue: AvatarQueue | None = None
        if self.services.avatar is not None:
            self.queue = AvatarQueue(
                db, self.services.avatar, settings, self.hub.publish, http=self.services.http
            )
        self.engine = ConversationEngine(
            db, self.services, settings, on_video_wanted=self.queue.wake if self.queue else None
        )
        self._users = 0

    @property
    def recognition(self) -> RecognitionQueue:
        """The fair queue in front of the recogniser, shared by conversation turns and practice."""
        return self.engine.recognition

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """While inside: the avatar queue runs in this event loop (picking up renders left pending)
        and the offline models load in the background. The providers are closed when the last
        user leaves (an application may be served by more than one loop, as tests do)."""
        stop = asyncio.Event()
        tasks: list[asyncio.Task[None]] = []
        if self.settings.tutor.warm_up:
            tasks.append(asyncio.create_task(self.warm_up()))
        if self.queue is not None:
            tasks.append(asyncio.create_task(self.queue.run(stop)))
        self._users += 1
        try:
            yield
        finally:
            self._users -= 1
            stop.set()
            for task in tasks:  # a render cut short is taken again when its lease runs out
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
