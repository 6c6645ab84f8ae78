"""The conversation engine: one learner turn from message to reply, over any transport.

A turn, for ``text`` or ``audio``::

    store the user message ─► transcription ─► correction ─► reply text ─► speech ─► response
         (first: never lost)                     (stored)       (stored)             (video_url null)
                                                                     └─► avatar video job ─► video_update

The WebSocket route and ``framecast tutor chat`` both drive it; it only talks to the client through
the ``send`` callback it is given. Each message the client sends may carry ``client_id``: a resend
with the same id (after a reconnect) replays the stored answer, or finishes a turn that a crash
interrupted, instead of running the turn twice. The history handed to the tutor is read from the
database, so it survives reconnects and restarts and holds each message exactly once.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
from sqlalchemy.exc import IntegrityError

from framecast.core.errors import FramecastError, InvalidInputError, ProviderError
from framecast.core.files import write_bytes_atomically
from framecast.core.settings import Settings
from framecast.db.session import Database
from framecast.providers.base import SpeechAudio, Transcript
from framecast.tutor import store
from framecast.tutor.brain import Analysis, Lesson
from framecast.tutor.pronunciation import WordScore, pronunciation_corrections, score_words
from framecast.tutor.services import TutorServices
from framecast.tutor.store import StoredMessage

log = logging.getLogger(__name__)

Send = Callable[[dict[str, Any]], Awaitable[None]]
MESSAGE_TYPES = ("audio", "text", "control")
_MIME_EXTENSIONS = {"audio/mpeg": "mp3", "audio/wav": "wav"}


def message(kind: str, **data: Any) -> dict[str, Any]:
    return {"type": kind, "data": data}


def error(text: str, **extra: Any) -> dict[str, Any]:
    return message("error", message=text, **extra)


class ConversationEngine:
    """Runs turns for any number of sessions; one instance per process."""

    def __init__(
        self,
        db: Database,
        services: TutorServices,
        settings: Settings,
        *,
        on_video_wanted: Callable[[], None] | None = None,
    ) -> None:
        self.db = db
        self.services = services
        self.settings = settings
        self._on_video_wanted = on_video_wanted
        self._locks: dict[str, asyncio.Lock] = {}

    @property
    def data_dir(self) -> Path:
        return Path(self.settings.data_dir)

    def _lock(self, session_id: str) -> asyncio.Lock:
        lock = self._locks.get(session_id)
        if lock is None:
            lock = self._locks[session_id] = asyncio.Lock()
        return lock

    # -- entry points ---------------------------------------------------------------------------

    async def open(self, lesson: Lesson, send: Send) -> None:
        """Greet a new session (a session with history is left as it is: the client reads it)."""
        async with self._lock(lesson.session_id):
            if await anyio.to_thread.run_sync(store.has_messages, self.db, lesson.session_id):
                return
            text = await self.services.brain.opening(lesson)
            reply = await self._run(
                store.save_reply,
                self.db,
                lesson.session_id,
                None,
                text,
                kind="opening",
                want_video=self.services.avatar is not None,
            )
            await self._speak_and_send(lesson, reply, send)

    async def handle(self, raw: str, lesson: Lesson, send: Send) -> bool:
        """Handle one client message; False when the client asked to stop.

        Every problem with the message is answered with an ``error`` message naming it.
        """
        try:
            payload = json.loads(raw)
        except json.JSONDecodeError as exc:
            await send(error(f"the message is not JSON ({exc.msg} at character {exc.pos})"))
            return True
        if not isinstance(payload, dict) or not isinstance(payload.get("type"), str):
            await send(
                error('a message must be a JSON object like {"type": "text", "data": {"text": "..."}}')
            )
            return True
        kind = payload["type"]
        data = payload.get("data", {})
        if not isinstance(data, dict):
            await send(error(f"the data of a {kind!r} message must be a JSON object"))
            return True
        if kind not in MESSAGE_TYPES:
            await send(error(f"unknown message type {kind!r}; expected one of: {', '.join(MESSAGE_TYPES)}"))
            return True
        client_id = data.get("client_id")
        if client_id is not None and (not isinstance(client_id, str) or not 0 < len(client_id) <= 64):
            await send(error("client_id must be a string of 1 to 64 characters"))
            return True
        try:
            if kind == "control":
                return await self._control(data, send)
            if kind == "text":
                await self.text_turn(lesson, data.get("text"), send, client_id=client_id)
            else:
                await self.audio_turn(
                    lesson, data.get("audio"), send, client_id=client_id, mime=data.get("mime")
                )
        except FramecastError as exc:
            await send(error(str(exc)))
        return True

    async def _control(self, data: dict[str, Any], send: Send) -> bool:
        command = data.get("command")
        if command == "stop":
            return False
        if command in ("start", "ping"):
            await send(message("control", command="pong" if command == "ping" else "started"))
            return True
        await send(error(f"unknown control command {command!r}; expected 'stop'"))
        return True

    async def text_turn(
        self, lesson: Lesson, text: object, send: Send, *, client_id: str | None = None
    ) -> None:
        if not isinstance(text, str) or not text.strip():
            raise InvalidInputError("the text message is empty: write a sentence first")
        text = text.strip()
        limit = self.settings.tutor.max_text_chars
        if len(text) > limit:
            raise InvalidInputError(f"the text is {len(text)} characters long; the limit is {limit}")
        async with self._lock(lesson.session_id):
            try:
                stored = await self._record(lesson, text, kind="text", client_id=client_id)
            except _ResendError as resend:
                await self._resume(lesson, resend.existing, send)
                return
            await self._answer(lesson, stored, send, extra=())

    async def audio_turn(
        self,
        lesson: Lesson,
        audio_b64: object,
        send: Send,
        *,
        client_id: str | None = None,
        mime: object = None,
    ) -> None:
        audio = self._decode_audio(audio_b64)
        async with self._lock(lesson.session_id):
            if client_id is not None:
                existing = await self._run(store.find_by_client_id, self.db, lesson.session_id, client_id)
                if existing is not None:
                    await self._resume(lesson, existing, send)
                    return
            transcript = await self.services.stt.transcribe(
                audio, mime=mime if isinstance(mime, str) else None
            )
            if not transcript.text.strip():
                raise InvalidInputError("no speech was heard in the audio; speak closer to the microphone")
            scores = await self._pronunciation(audio, transcript)
            try:
                stored = await self._record(
                    lesson,
                    transcript.text,
                    kind="audio",
                    client_id=client_id,
                    word_scores=[
                        {"word": s.word, "score": round(s.score, 3), "heard": s.heard} for s in scores
                    ],
                )
            except _ResendError as resend:
                await self._resume(lesson, resend.existing, send)
                return
            await self._run(self._save_input_audio, lesson, stored.id, audio)
            extra = pronunciation_corrections(
                scores, threshold=self.settings.tutor.pronunciation_threshold, language=lesson.language
            )
            await self._answer(lesson, stored, send, extra=extra)

    # -- the turn -------------------------------------------------------------------------------

    async def _record(
        self,
        lesson: Lesson,
        text: str,
        *,
        kind: str,
        client_id: str | None,
        word_scores: list[dict[str, Any]] | None = None,
    ) -> StoredMessage:
        """Store the user message first; raises ``_ResendError`` when the client sent it before."""
        if client_id is not None:
            existing = await self._run(store.find_by_client_id, self.db, lesson.session_id, client_id)
            if existing is not None:
                raise _ResendError(existing)
        try:
            stored: StoredMessage = await self._run(
                store.append_message,
                self.db,
                lesson.session_id,
                role="user",
                content=text,
                kind=kind,
                client_id=client_id,
                word_scores=word_scores,
            )
        except IntegrityError:
            existing = await self._run(store.find_by_client_id, self.db, lesson.session_id, client_id)
            if existing is None:
                raise
            raise _ResendError(existing) from None
        return stored

    async def _answer(
        self, lesson: Lesson, stored: StoredMessage, send: Send, *, extra: tuple[Any, ...]
    ) -> None:
        await send(
            message("transcription", text=stored.content, message_id=stored.id, client_id=stored.client_id)
        )
        analysis = await self.services.brain.analyse(stored.content, lesson)
        if extra:
            analysis = Analysis(
                has_errors=True,
                corrections=analysis.corrections + tuple(extra),
                better_expression=analysis.better_expression,
                feedback=analysis.feedback,
            )
        await self._run(store.save_analysis, self.db, stored.id, analysis)
        await send(self._correction_message(analysis, stored.id))
        await self._reply(lesson, stored.id, analysis, send)

    async def _reply(self, lesson: Lesson, user_message_id: str, analysis: Analysis, send: Send) -> None:
        chat = await self._run(store.history, self.db, lesson.session_id)
        text = await self.services.brain.reply(chat, analysis, lesson)
        reply = await self._run(
            store.save_reply,
            self.db,
            lesson.session_id,
            user_message_id,
            text,
            kind="reply",
            want_video=self.services.avatar is not None,
        )
        await self._speak_and_send(lesson, reply, send)

    async def _speak_and_send(self, lesson: Lesson, reply: StoredMessage, send: Send) -> None:
        audio_b64: str | None = None
        audio_url: str | None = None
        problem: str | None = None
        try:
            speech = await self.services.tts.synthesize(
                reply.content, voice=self.services.voice, audio_format="mp3"
            )
        except (ProviderError, InvalidInputError) as exc:
            problem = f"the reply could not be spoken: {exc}"
        else:
            audio_url = await self._run(self._save_reply_audio, lesson, reply.id, speech)
            audio_b64 = base64.b64encode(speech.data).decode("ascii")
        await send(
            message(
                "response",
                text=reply.content,
                audio=audio_b64,
                video_url=None,
                message_id=reply.id,
                audio_url=audio_url,
            )
        )
        if problem is not None:
            await self._run(self._drop_video, reply.id)
            await send(error(problem, message_id=reply.id))
        elif reply.video_state == "pending" and self._on_video_wanted is not None:
            self._on_video_wanted()

    async def _resume(self, lesson: Lesson, existing: StoredMessage, send: Send) -> None:
        """A message the client sent before: replay what was answered, finish what was not."""
        await send(
            message(
                "transcription", text=existing.content, message_id=existing.id, client_id=existing.client_id
            )
        )
        if existing.feedback is None:  # stored, but the turn stopped before its analysis
            await self._answer_again(lesson, existing, send)
            return
        await send(self._correction_message(existing.analysis(), existing.id))
        if existing.reply_id is None:
            await self._reply(lesson, existing.id, existing.analysis(), send)
            return
        reply = await self._run(store.get_message, self.db, existing.reply_id)
        if reply is None:
            await self._reply(lesson, existing.id, existing.analysis(), send)
            return
        audio_b64 = await self._run(self._read_audio, reply)
        await send(
            message(
                "response",
                text=reply.content,
                audio=audio_b64,
                video_url=reply.video_url,
                message_id=reply.id,
                audio_url=reply.audio_url,
            )
        )
        if reply.video_state == "ready" and reply.video_url:
            await send(
                message("video_update", text=reply.content, video_url=reply.video_url, message_id=reply.id)
            )

    async def _answer_again(self, lesson: Lesson, existing: StoredMessage, send: Send) -> None:
        analysis = await self.services.brain.analyse(existing.content, lesson)
        await self._run(store.save_analysis, self.db, existing.id, analysis)
        await send(self._correction_message(analysis, existing.id))
        await self._reply(lesson, existing.id, analysis, send)

    # -- helpers --------------------------------------------------------------------------------

    @staticmethod
    def _correction_message(analysis: Analysis, message_id: str) -> dict[str, Any]:
        return message(
            "correction",
            has_errors=analysis.has_errors,
            corrections=[
                {
                    "type": c.type,
                    "original": c.original,
                    "corrected": c.corrected,
                    "explanation": c.explanation,
                    "severity": c.severity,
                }
                for c in analysis.corrections
            ],
            better_expression=analysis.better_expression,
            feedback=analysis.feedback,
            message_id=message_id,
        )

    def _decode_audio(self, audio_b64: object) -> bytes:
        if not isinstance(audio_b64, str) or not audio_b64:
            raise InvalidInputError("the audio message has no audio: send base64 in data.audio")
        if audio_b64.startswith("data:"):
            audio_b64 = audio_b64.partition(",")[2]
        limit = self.settings.tutor.max_audio_bytes
        if len(audio_b64) * 3 // 4 > limit + 3:
            raise InvalidInputError(
                f"the audio is about {len(audio_b64) * 3 // 4} bytes; the limit is {limit} bytes"
            )
        try:
            audio = base64.b64decode(audio_b64, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInputError("the audio is not valid base64") from None
        if not audio:
            raise InvalidInputError("the audio is empty")
        return audio

    async def _pronunciation(self, audio: bytes, transcript: Transcript) -> tuple[WordScore, ...]:
        heard = transcript
        if self.services.scorer is not self.services.stt:
            try:
                heard = await self.services.scorer.transcribe(audio)
            except InvalidInputError:
                return ()
        return score_words(transcript.text, heard)

    def _media_dir(self, lesson: Lesson) -> Path:
        folder = self.data_dir / "tutor" / lesson.session_id
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def _save_reply_audio(self, lesson: Lesson, message_id: str, speech: SpeechAudio) -> str:
        extension = _MIME_EXTENSIONS.get(speech.mime, "mp3")
        path = self._media_dir(lesson) / f"{message_id}.{extension}"
        write_bytes_atomically(path, speech.data)
        url = f"/api/tutor/messages/{message_id}/audio"
        store.set_audio(self.db, message_id, str(path.relative_to(self.data_dir)), url)
        return url

    def _save_input_audio(self, lesson: Lesson, message_id: str, audio: bytes) -> None:
        path = self._media_dir(lesson) / f"{message_id}-input.{recording_extension(audio)}"
        write_bytes_atomically(path, audio)
        store.set_audio(
            self.db,
            message_id,
            str(path.relative_to(self.data_dir)),
            f"/api/tutor/messages/{message_id}/audio",
        )

    def _read_audio(self, reply: StoredMessage) -> str | None:
        if reply.audio_path is None:
            return None
        try:
            return base64.b64encode((self.data_dir / reply.audio_path).read_bytes()).decode("ascii")
        except OSError:
            return None

    def _drop_video(self, message_id: str) -> None:
        from framecast.db.tutor import Conversation

        with self.db.session() as session:
            row = session.get(Conversation, message_id)
            if row is not None and row.video_state == "pending":
                row.video_state = None

    async def _run(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return await anyio.to_thread.run_sync(lambda: function(*args, **kwargs))


def recording_extension(audio: bytes) -> str:
    """The file extension of a recording, recognised from its first bytes (``bin`` if unknown)."""
    if audio.startswith(b"\x1aE\xdf\xa3"):
        return "webm"
    if audio.startswith(b"OggS"):
        return "ogg"
    if audio.startswith(b"RIFF") and audio[8:12] == b"WAVE":
        return "wav"
    if audio[4:8] == b"ftyp":
        return "m4a"
    if audio.startswith(b"ID3") or audio[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "mp3"
    return "bin"


class _ResendError(Exception):
    def __init__(self, existing: StoredMessage) -> None:
        self.existing = existing
