"""Avatar videos as the job kind ``tutor.avatar_render`` of the one durable queue.

An assistant message that wants a video is stored with ``video_state = "pending"`` and, in the same
transaction, a job of this kind whose ``request`` names the session and the message. A worker that
runs this kind (the Tutor's, one per event loop serving the Tutor) claims it like every job — one
compare-and-set under a lease, renewed by the worker's heartbeat while a render runs (a D-ID wait
may take minutes), with the state machine's transition checks — renders the stored speech with the
configured ``AvatarRenderer``, and on success stores the video on the message (in the transaction
that marks the job SUCCEEDED) whether or not anyone is still connected, then tells the session's
subscribers (``video_update``) through the news (``db/news.py``), which reaches the session's sockets
on every server process. Any worker runs this kind: the Tutor's own in a server process, or
``framecast worker``, which builds the configured renderer from settings. A crash leaves the job
held by a dead worker; its lease runs out and any worker takes it again. A render that keeps
failing fails after ``tutor.avatar_attempts`` tries, and the learner is told.

A paid remote renderer (``RemoteAvatarRenderer``, e.g. D-ID) is driven in two steps: the write-ahead
mark is committed before the render is started, and the remote id is bound to the job (and stored on
the message) as soon as it is known, so a retry or a recovery waits for that render instead of paying
for another. A submission whose fate is unknown (``AmbiguousError``, or a crash between the mark and
the id) is never sent again. Remote results are downloaded into the data dir: their URLs expire.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import httpx
from sqlalchemy.orm import Session

from framecast.core.errors import AmbiguousError, PermanentError
from framecast.core.http import build_http_client
from framecast.core.media_types import MP3, audio_type_of
from framecast.core.settings import Settings
from framecast.db.models import Job
from framecast.db.news import MAX_PAYLOAD, TUTOR, News
from framecast.db.session import Database
from framecast.db.tutor import Conversation
from framecast.jobs.journal import backoff_delay
from framecast.jobs.kinds import KindContext, register_kind
from framecast.jobs.repository import ClaimedJob
from framecast.jobs.states import JobState
from framecast.jobs.worker import Worker
from framecast.providers.base import AvatarRenderer, MediaItem, RemoteAvatarRenderer, SpeechAudio
from framecast.providers.downloads import download_file

log = logging.getLogger(__name__)

KIND = "tutor.avatar_render"
# The ``mode`` column of this kind's jobs.
MODE = "avatar"

Publish = Callable[[str, dict[str, Any]], Awaitable[None]]


def _mime_of(path: Path) -> str:
    return (audio_type_of(path.name) or MP3).mime


def video_url(message_id: str) -> str:
    return f"/api/tutor/messages/{message_id}/video"


def queue_render(session: Session, session_id: str, message_id: str, *, renderer: str, attempts: int) -> int:
    """Enqueue the avatar video of ``message_id`` inside the caller's transaction (the one that
    stores the message), so a message never waits for a video nobody will make."""
    job = Job(
        kind=KIND,
        provider=renderer[:32],
        mode=MODE,
        request={"session_id": session_id, "message_id": message_id},
        state=JobState.QUEUED.value,
        max_attempts=max(1, attempts),
        provider_ids=[],
        outputs=[],
    )
    session.add(job)
    session.flush()
    return job.id


@dataclass(frozen=True)
class _Reply:
    session_id: str
    message_id: str
    text: str
    audio_path: str | None
    remote_id: str | None


class _AmbiguousRenderError(AmbiguousError):
    """The render may have been started (and paid for) but its id was never stored."""


class AvatarRender:
    """The handler of ``tutor.avatar_render``: the renderer and the session hub's ``publish``."""

    # The queue's lease and heartbeat (``settings.jobs``); one render at a time per worker.
    lease_s: float | None = None
    heartbeat_s: float | None = None
    concurrency: int | None = 1

    def __init__(
        self,
        renderer: AvatarRenderer,
        settings: Settings,
        publish: Publish,
        *,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self.renderer = renderer
        self.settings = settings
        self.publish = publish
        self._http = http

    # -- the kind's steps ---------------------------------------------------------------------

    async def run(self, claimed: ClaimedJob, context: KindContext) -> None:
        await self._render_and_settle(claimed, context)

    async def reconcile(self, claimed: ClaimedJob, context: KindContext) -> None:
        """A worker stopped while this render ran. With the remote id known the render is awaited;
        after the write-ahead mark without an id, it may have been bought: it is not started again."""
        await self._render_and_settle(claimed, context, recovering=True)

    def on_success(self, session: Session, job: Job) -> None:
        self.store_video(session, job)

    @staticmethod
    def store_video(session: Session, job: Job) -> None:
        """The rendered video on its message, in the transaction that marks the job SUCCEEDED."""
        message_id = str(job.request["message_id"])
        row = session.get(Conversation, message_id)
        if row is None:
            return
        output = (job.outputs or [{}])[0]
        if output.get("path"):
            row.video_path = str(output["path"])
            row.video_url = video_url(message_id)
        else:
            row.video_url = output.get("url")
        row.video_state = "ready"
        row.video_error = None
        row.video_lease_until = None

    # -- rendering ----------------------------------------------------------------------------

    async def _render_and_settle(
        self, claimed: ClaimedJob, context: KindContext, *, recovering: bool = False
    ) -> None:
        reply = await anyio.to_thread.run_sync(self._started, context, claimed)
        if reply is None:
            # The message is gone (its session was deleted): nothing to render.
            await _call(
                context.repo.fail, claimed.id, context.worker_id, category="gone", message="no message"
            )
            return
        try:
            remote_id = claimed.provider_ids[0] if claimed.provider_ids else reply.remote_id
            if recovering and remote_id is None and claimed.submitted_at is not None:
                raise _AmbiguousRenderError(
                    "the render may have been started before a worker stopped; it is not bought again",
                    provider=self.renderer.name,
                )
            item = await self._render(claimed, context, reply, remote_id)
        except Exception as exc:
            await self._failed(claimed, context, reply, exc)
            return
        output = {"path": str(item.path)} if item.path is not None else {"url": item.url}
        if item.provider_id:
            output["provider_id"] = item.provider_id
        await _call(context.succeed, claimed.id, [output])
        url = video_url(reply.message_id) if item.path is not None else (item.url or "")
        await self._announce(
            reply.session_id,
            {
                "type": "video_update",
                "data": {"text": reply.text, "video_url": url, "message_id": reply.message_id},
            },
        )

    async def _render(
        self, claimed: ClaimedJob, context: KindContext, reply: _Reply, remote_id: str | None
    ) -> MediaItem:
        if reply.audio_path is None:
            raise FileNotFoundError("the reply has no stored speech")
        path = Path(self.settings.data_dir) / reply.audio_path
        dest = Path(self.settings.data_dir) / "tutor" / reply.session_id
        renderer = self.renderer
        if not isinstance(renderer, RemoteAvatarRenderer):
            data = await anyio.Path(path).read_bytes()
            return await renderer.render(
                SpeechAudio(data=data, mime=_mime_of(path)), portrait=None, dest_dir=dest
            )
        if remote_id is None:
            data = await anyio.Path(path).read_bytes()
            # Write-ahead: committed before anything that may be charged leaves.
            if not await _call(context.repo.mark_submitting, claimed.id, context.worker_id):
                raise PermanentError("the avatar render was cancelled", provider=renderer.name)
            remote_id = await renderer.start_render(SpeechAudio(data=data, mime=_mime_of(path)))
            await anyio.to_thread.run_sync(self._remember, context, claimed, reply.message_id, remote_id)
        # The worker's heartbeat keeps the lease alive for as long as this wait takes.
        item = await renderer.wait(remote_id)
        if item.path is None and item.url:
            local = await download_file(
                self._client(),
                item.url,
                dest / f"{reply.message_id}.mp4",
                kind="video",
                max_bytes=self.settings.max_download_bytes,
            )
            return MediaItem(provider_id=item.provider_id, path=local)
        return item

    async def _failed(self, claimed: ClaimedJob, context: KindContext, reply: _Reply, exc: Exception) -> None:
        attempts = claimed.attempts + 1
        log.warning("avatar video for message %s failed (attempt %d): %s", reply.message_id, attempts, exc)
        problem = str(exc)
        # Never start a paid render again when the last start may have been accepted.
        if isinstance(exc, (AmbiguousError, PermanentError)):
            await _call(
                context.repo.fail,
                claimed.id,
                context.worker_id,
                category="ambiguous" if isinstance(exc, AmbiguousError) else "permanent",
                message=problem,
            )
            state = JobState.FAILED
        else:
            jobs = self.settings.jobs
            state = await _call(
                context.repo.requeue,
                claimed.id,
                context.worker_id,
                delay_s=backoff_delay(attempts, jobs.backoff_base_s, jobs.backoff_max_s),
                category="avatar",
                message=problem,
            )
        final = state is not JobState.QUEUED
        await anyio.to_thread.run_sync(self._record_failure, context, reply.message_id, problem, final)
        if final:
            await self._announce(
                reply.session_id,
                {
                    "type": "error",
                    "data": {
                        "message": f"the avatar video could not be made: {exc}",
                        "message_id": reply.message_id,
                    },
                },
            )

    async def _announce(self, session_id: str, message: dict[str, Any]) -> None:
        """The one place this kind tells a session's listeners (through the Tutor's hub)."""
        await self.publish(session_id, message)

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = build_http_client(read_timeout_s=60.0)
        return self._http

    # -- the message row ----------------------------------------------------------------------

    @staticmethod
    def _started(context: KindContext, claimed: ClaimedJob) -> _Reply | None:
        with context.repo.db.session() as session:
            row = session.get(Conversation, str(claimed.request["message_id"]))
            if row is None:
                return None
            row.video_state = "rendering"
            row.video_attempts = claimed.attempts + 1
            return _Reply(row.session_id, row.id, row.content, row.audio_path, row.video_remote_id)

    def _remember(self, context: KindContext, claimed: ClaimedJob, message_id: str, remote_id: str) -> None:
        context.repo.record_provider_ids(claimed.id, claimed.provider, [remote_id])
        with context.repo.db.session() as session:
            row = session.get(Conversation, message_id)
            if row is not None:
                row.video_remote_id = remote_id

    @staticmethod
    def _record_failure(context: KindContext, message_id: str, problem: str, final: bool) -> None:
        with context.repo.db.session() as session:
            row = session.get(Conversation, message_id)
            if row is None:
                return
            row.video_error = problem[:2000]
            row.video_state = "failed" if final else "pending"


def announcer(news: News) -> Publish:
    """``publish`` for this kind that reaches the session's sockets on every server process."""

    async def publish(session_id: str, message: dict[str, Any]) -> None:
        payload = {"session_id": session_id, "message": message}
        if len(json.dumps(payload, ensure_ascii=False).encode()) > MAX_PAYLOAD // 2:
            # The page has the reply's text already; the notice only needs to say which message.
            data = {key: value for key, value in message.get("data", {}).items() if key != "text"}
            payload = {"session_id": session_id, "message": {**message, "data": data}}
        await news.publish_async(TUTOR, payload)

    return publish


class AvatarRenderFromSettings:
    """The registered handler of this kind, for a worker process that runs no Tutor (``framecast
    worker``): it builds the configured renderer on its first job and announces through the news."""

    lease_s: float | None = None
    heartbeat_s: float | None = None
    concurrency: int | None = 1

    def __init__(self) -> None:
        self._handler: AvatarRender | None = None

    def _built(self, context: KindContext) -> AvatarRender:
        if self._handler is None:
            from framecast.tutor.services import build_avatar

            renderer = build_avatar(context.settings)
            if renderer is None:
                raise PermanentError("the avatar is switched off (tutor.avatar = none)", provider="avatar")
            self._handler = AvatarRender(renderer, context.settings, announcer(News(context.repo.db)))
        return self._handler

    async def run(self, claimed: ClaimedJob, context: KindContext) -> None:
        await self._built(context).run(claimed, context)

    async def reconcile(self, claimed: ClaimedJob, context: KindContext) -> None:
        await self._built(context).reconcile(claimed, context)

    def on_success(self, session: Session, job: Job) -> None:
        AvatarRender.store_video(session, job)


def avatar_worker(
    db: Database,
    settings: Settings,
    renderer: AvatarRenderer,
    publish: Publish,
    *,
    http: httpx.AsyncClient | None = None,
    job_ids: list[int] | None = None,
    news: News | None = None,
) -> Worker:
    """A worker of the queue that runs this kind only (the Tutor runs one per event loop)."""
    handler = AvatarRender(renderer, settings, publish, http=http)
    return Worker(db, settings, kinds=[KIND], handlers={KIND: handler}, job_ids=job_ids, news=news)


register_kind(KIND, AvatarRenderFromSettings())


async def _call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs))
