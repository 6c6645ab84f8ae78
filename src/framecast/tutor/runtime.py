"""Everything a process needs to run Tutor conversations: providers, engine, hub, avatar worker.

The hub holds this process's sockets; news for a session from any process (``db/news.py``) is
handed to it here, so a video rendered by a worker on another host reaches the learner's page."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx

from framecast.core.settings import Settings
from framecast.db.news import TUTOR, News
from framecast.db.session import Database
from framecast.jobs.worker import Worker
from framecast.tutor.avatar_kind import announcer, avatar_worker
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
        news: News | None = None,
        run_renders: bool = True,
    ) -> None:
        """``news``: the process's listener; with it, what a worker in any process announces for a
        session reaches this process's sockets (without it, only this process's own renders do).
        ``run_renders``: False leaves the avatar renders to ``framecast worker`` processes."""
        self.db = db
        self.settings = settings
        self.news = news
        self.run_renders = run_renders
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
        self._deliveries: set[asyncio.Task[None]] = set()

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
        stop_hearing = self.news.subscribe(TUTOR, self._heard) if self.news is not None else None
        if self.services.avatar is not None and self.run_renders:
            # Every video_update leaves through the news (or, with none, this process's hub).
            publish = announcer(self.news) if self.news is not None else self.hub.publish
            worker = avatar_worker(
                self.db,
                self.settings,
                self.services.avatar,
                publish,
                http=self.services.http,
                news=self.news,
            )
            self.avatar_workers.append(worker)
            working = asyncio.create_task(worker.run(stop=stop))
        self._users += 1
        try:
            yield
        finally:
            self._users -= 1
            stop.set()
            if stop_hearing is not None:
                stop_hearing()
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

    def _heard(self, payload: dict[str, Any]) -> None:
        """News for a session (from a worker in any process): to its sockets in this process."""
        session_id, message = payload.get("session_id"), payload.get("message")
        if not isinstance(session_id, str) or not isinstance(message, dict):
            return
        if self.hub.listeners(session_id):
            task = asyncio.get_running_loop().create_task(self.hub.publish(session_id, message))
            self._deliveries.add(task)
            task.add_done_callback(self._deliveries.discard)

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
            if "tts" not in self.services.billed:  # a billed voice would charge for the warm-up
                await self.services.tts.synthesize("Hello.", voice=self.services.voice, audio_format="mp3")
        except Exception as exc:  # only a head start: a real problem shows in the first real turn
            log.warning("warming up the Tutor providers failed: %s", exc)
