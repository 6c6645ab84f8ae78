"""Avatar videos as durable jobs: the state lives on the assistant message, not in a task.

An assistant message that wants a video is stored with ``video_state = "pending"``. A queue (one per
process that serves the Tutor) claims pending messages with a compare-and-set on the row and a
lease, renders the speech with the configured ``AvatarRenderer``, and stores the URL on the message
— whether or not anyone is still connected — then tells the session's subscribers
(``video_update``). A crash leaves the row ``rendering`` with a lease that runs out, so the next
queue to look (after a restart, or in another process) takes it again. A render that keeps failing
is marked ``failed`` after ``tutor.avatar_attempts`` tries, and the learner is told.

A paid remote renderer (``RemoteAvatarRenderer``, e.g. D-ID) is driven in two steps: the remote id is
stored on the message as soon as the render is submitted, so a retry or a restart waits for that
render instead of paying for another; a submission whose fate is unknown (``AmbiguousError``) is not
sent again. Remote results are downloaded into the data dir, because their URLs expire.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import anyio
import httpx
from sqlalchemy import and_, or_, select, update

from framecast.core.errors import AmbiguousError, PermanentError
from framecast.core.http import build_http_client
from framecast.core.media_types import MP3, audio_type_of
from framecast.core.settings import Settings
from framecast.db.base import utcnow
from framecast.db.session import Database
from framecast.db.tutor import Conversation
from framecast.providers.base import AvatarRenderer, MediaItem, RemoteAvatarRenderer, SpeechAudio
from framecast.providers.downloads import download_file

log = logging.getLogger(__name__)

Publish = Callable[[str, dict[str, Any]], Awaitable[None]]
_RETRY_S = 5.0


def _mime_of(path: Path) -> str:
    return (audio_type_of(path.name) or MP3).mime


def video_url(message_id: str) -> str:
    return f"/api/tutor/messages/{message_id}/video"


class AvatarQueue:
    """Claims pending avatar renders and runs them one at a time."""

    def __init__(
        self,
        db: Database,
        renderer: AvatarRenderer,
        settings: Settings,
        publish: Publish,
        *,
        poll_s: float = 2.0,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self.db = db
        self.renderer = renderer
        self.settings = settings
        self.publish = publish
        self.poll_s = poll_s
        # One wake-up event per event loop running this queue (tests serve one app from two loops).
        self._wakers: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = []
        self._http = http

    def wake(self) -> None:
        """A render was queued: look now instead of at the next poll."""
        for loop, event in list(self._wakers):
            loop.call_soon_threadsafe(event.set)

    async def run(self, stop: asyncio.Event) -> None:
        waker = (asyncio.get_running_loop(), asyncio.Event())
        self._wakers.append(waker)
        try:
            await self._loop(stop, waker[1])
        finally:
            self._wakers.remove(waker)

    async def _loop(self, stop: asyncio.Event, wake: asyncio.Event) -> None:
        while not stop.is_set():
            wake.clear()  # before looking, so a wake-up during the look is not lost
            try:
                worked = await self.run_once()
            except Exception:  # keep the queue alive; the row's lease makes it retry
                log.exception("avatar queue step failed")
                worked = False
            if worked:
                continue
            waiter = asyncio.create_task(wake.wait())
            stopper = asyncio.create_task(stop.wait())
            await asyncio.wait({waiter, stopper}, timeout=self.poll_s, return_when=asyncio.FIRST_COMPLETED)
            for task in (waiter, stopper):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def run_once(self) -> bool:
        """Render the next claimable video; False when there was none."""
        claimed = await anyio.to_thread.run_sync(self._claim)
        if claimed is None:
            return False
        message_id, session_id, text, audio_path, attempts, remote_id = claimed
        try:
            item = await self._render(message_id, session_id, audio_path, remote_id)
        except Exception as exc:
            log.warning("avatar video for message %s failed (attempt %d): %s", message_id, attempts, exc)
            # Never submit a paid render again when the last submission may have been accepted.
            final = attempts >= self.settings.tutor.avatar_attempts or isinstance(
                exc, (AmbiguousError, PermanentError)
            )
            await anyio.to_thread.run_sync(self._failed, message_id, str(exc), final)
            if final:
                await self.publish(
                    session_id,
                    {
                        "type": "error",
                        "data": {
                            "message": f"the avatar video could not be made: {exc}",
                            "message_id": message_id,
                        },
                    },
                )
            return True
        url = await anyio.to_thread.run_sync(self._ready, message_id, item)
        await self.publish(
            session_id,
            {"type": "video_update", "data": {"text": text, "video_url": url, "message_id": message_id}},
        )
        return True

    async def _render(
        self, message_id: str, session_id: str, audio_path: str | None, remote_id: str | None
    ) -> MediaItem:
        if audio_path is None:
            raise FileNotFoundError("the reply has no stored speech")
        path = Path(self.settings.data_dir) / audio_path
        dest = Path(self.settings.data_dir) / "tutor" / session_id
        renderer = self.renderer
        if not isinstance(renderer, RemoteAvatarRenderer):
            data = await anyio.Path(path).read_bytes()
            audio = SpeechAudio(data=data, mime=_mime_of(path))
            return await renderer.render(audio, portrait=None, dest_dir=dest)
        if remote_id is None:
            data = await anyio.Path(path).read_bytes()
            remote_id = await renderer.start_render(SpeechAudio(data=data, mime=_mime_of(path)))
            await anyio.to_thread.run_sync(self._remember, message_id, remote_id)
        item = await renderer.wait(remote_id)
        if item.path is None and item.url:
            local = await download_file(
                self._client(),
                item.url,
                dest / f"{message_id}.mp4",
                kind="video",
                max_bytes=self.settings.max_download_bytes,
            )
            return MediaItem(provider_id=item.provider_id, path=local)
        return item

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = build_http_client(read_timeout_s=60.0)
        return self._http

    def _remember(self, message_id: str, remote_id: str) -> None:
        with self.db.session() as session:
            row = session.get(Conversation, message_id)
            if row is not None:
                row.video_remote_id = remote_id

    def _claim(self) -> tuple[str, str, str, str | None, int, str | None] | None:
        now = utcnow()
        claimable = and_(
            Conversation.video_state.in_(("pending", "rendering")),
            or_(Conversation.video_lease_until.is_(None), Conversation.video_lease_until < now),
            Conversation.audio_path.is_not(None),
        )
        with self.db.session() as session:
            rows = session.execute(
                select(Conversation.id).where(claimable).order_by(Conversation.timestamp).limit(5)
            ).all()
        for (message_id,) in rows:
            with self.db.session() as session:
                result = session.execute(
                    update(Conversation)
                    .where(Conversation.id == message_id, claimable)
                    .values(
                        video_state="rendering",
                        video_lease_until=now + timedelta(seconds=self.settings.tutor.avatar_lease_s),
                        video_attempts=Conversation.video_attempts + 1,
                    )
                    .execution_options(synchronize_session=False)
                )
                if result.rowcount != 1:  # type: ignore[attr-defined]
                    continue
                row = session.get(Conversation, message_id)
                assert row is not None
                return (
                    row.id,
                    row.session_id,
                    row.content,
                    row.audio_path,
                    row.video_attempts,
                    row.video_remote_id,
                )
        return None

    def _ready(self, message_id: str, item: MediaItem) -> str:
        with self.db.session() as session:
            row = session.get(Conversation, message_id)
            assert row is not None
            if item.path is not None:
                row.video_path = str(item.path)
                row.video_url = video_url(message_id)
            else:
                row.video_url = item.url
            row.video_state = "ready"
            row.video_error = None
            row.video_lease_until = None
            return row.video_url or ""

    def _failed(self, message_id: str, problem: str, final: bool) -> None:
        with self.db.session() as session:
            row = session.get(Conversation, message_id)
            if row is None:
                return
            row.video_error = problem[:2000]
            if final:
                row.video_state = "failed"
                row.video_lease_until = None
            else:
                row.video_state = "pending"
                row.video_lease_until = utcnow() + timedelta(seconds=_RETRY_S * row.video_attempts)
