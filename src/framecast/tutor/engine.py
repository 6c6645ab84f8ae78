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

Every turn first checks that its session is still open (a socket may outlive the session's end) and
counts against the learner's turns per minute; a spoken turn is measured (``max_turn_seconds``)
before it waits for its fair turn at the recogniser (``tutor/quotas.py``). A reply is queued for an
avatar video only while the learner has fewer than ``max_pending_videos`` videos to come; past that
it is stored and sent without one, and the learner is told.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import anyio
from sqlalchemy.orm import Session

from framecast.core import metrics
from framecast.core.errors import FramecastError, InvalidInputError, ProviderError, TooManyAttemptsError
from framecast.core.files import write_bytes_atomically
from framecast.core.media_types import MP3, audio_type_of, sniff_audio
from framecast.core.settings import Settings
from framecast.core.text import text_problem
from framecast.db.session import Database
from framecast.db.tutor import new_id
from framecast.providers.base import Transcript
from framecast.tutor import client_messages, store
from framecast.tutor.avatar_kind import queue_render
from framecast.tutor.brain import Analysis, Lesson
from framecast.tutor.client_messages import shown
from framecast.tutor.phrase_scoring import FREE, PHRASE, PhraseHearer, hear_and_score
from framecast.tutor.pronunciation import WordScore, pronunciation_corrections, score_words
from framecast.tutor.quotas import RecognitionQueue, TurnRate
from framecast.tutor.recordings import check_mime, receive_audio, require_length, require_speech
from framecast.tutor.repetition import last_tutor_message, repeated_phrase
from framecast.tutor.services import TutorServices
from framecast.tutor.store import StoredMessage

log = logging.getLogger(__name__)

Send = Callable[[dict[str, Any]], Awaitable[None]]


def message(kind: str, **data: Any) -> dict[str, Any]:
    return {"type": kind, "data": data}


def error(text: str, **extra: Any) -> dict[str, Any]:
    return message("error", message=text, **extra)


def refusal_of(exc: FramecastError) -> dict[str, Any]:
    """The ``error`` message for a refused turn (with ``retry_after`` seconds when waiting helps)."""
    if isinstance(exc, TooManyAttemptsError):
        return error(str(exc), retry_after=max(1, round(exc.retry_after)))
    return error(str(exc))


class ConversationEngine:
    """Runs turns for any number of sessions; one instance per process."""

    def __init__(
        self,
        db: Database,
        services: TutorServices,
        settings: Settings,
        *,
        on_video_wanted: Callable[[], None] | None = None,
        recognition: RecognitionQueue | None = None,
    ) -> None:
        self.db = db
        self.services = services
        self.settings = settings
        self._on_video_wanted = on_video_wanted
        tutor = settings.tutor
        if recognition is None:
            # As many at once as the offline recogniser has decoders (it always scores pronunciation).
            from framecast.providers.offline.stt import DEFAULT_DECODERS

            recognition = RecognitionQueue(slots=DEFAULT_DECODERS, per_user=tutor.recognitions_per_user)
        self.recognition = recognition
        self.turns = TurnRate(tutor.turns_per_minute)
        # One turn at a time per session; a lock lives while a turn holds it (no growth per session).
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

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
            await self._say(lesson, await self.services.brain.opening(lesson), send, answering=None)

    async def handle(self, raw: str, lesson: Lesson, send: Send, *, refusal: str | None = None) -> bool:
        """Handle one client message; False when the client asked to stop.

        Every problem with the message is answered with an ``error`` message naming it (with
        ``retry_after`` when the learner is over a limit and only has to wait). With ``refusal``
        (the session is not the caller's, or has ended) control messages still work and every turn
        is answered with that refusal.
        """
        try:
            received = await client_messages.parse(raw)
        except InvalidInputError as exc:
            await send(error(str(exc)))
            return True
        data, client_id = received.data, received.client_id
        try:
            if received.kind == "control":
                return await self._control(data, send)
            if refusal is not None:
                await send(error(refusal))
                return True
            with metrics.TUTOR_TURN_SECONDS.time(kind=received.kind):
                if received.kind == "text":
                    await self.text_turn(lesson, data.get("text"), send, client_id=client_id)
                else:
                    await self.audio_turn(
                        lesson, data.get("audio"), send, client_id=client_id, mime=data.get("mime")
                    )
        except FramecastError as exc:
            await send(refusal_of(exc))
        return True

    async def _control(self, data: dict[str, Any], send: Send) -> bool:
        command = data.get("command")
        if command == "stop":
            return False
        if command in ("start", "ping"):
            await send(message("control", command="pong" if command == "ping" else "started"))
            return True
        await send(error(f"unknown control command {shown(command)}; expected 'stop'"))
        return True

    async def text_turn(
        self, lesson: Lesson, text: object, send: Send, *, client_id: str | None = None
    ) -> None:
        """A typed sentence. Raises ``InvalidInputError`` when it is empty, too long or holds what
        text cannot (a NUL, a lone surrogate), or the session has ended; ``NotFoundError`` when the
        session is gone; ``TooManyAttemptsError`` over the turns per minute."""
        if not isinstance(text, str) or not text.strip():
            raise InvalidInputError("the text message is empty: write a sentence first")
        problem = text_problem(text)
        if problem is not None:
            raise InvalidInputError(f"text: {problem}", field="text")
        text = text.strip()
        limit = self.settings.tutor.max_text_chars
        if len(text) > limit:
            raise InvalidInputError(f"the text is {len(text)} characters long; the limit is {limit}")
        await self._admit(lesson)
        async with self._lock(lesson.session_id):
            await self._turn(lesson, send, content=text, kind="text", client_id=client_id)

    async def audio_turn(
        self,
        lesson: Lesson,
        audio_b64: object,
        send: Send,
        *,
        client_id: str | None = None,
        mime: object = None,
    ) -> None:
        """A spoken sentence (base64 of a recording). Raises ``InvalidInputError`` for audio that is
        missing, too big, not a recording, longer than ``max_turn_seconds`` or without speech, and
        as :meth:`text_turn` for the session and the turns per minute; ``TooManyAttemptsError``
        when the learner already holds ``recognitions_per_user`` recordings at the recogniser."""
        tutor = self.settings.tutor
        audio = await receive_audio(audio_b64, limit=tutor.max_audio_bytes)
        hint = check_mime(mime)
        learner = await self._admit(lesson)
        async with self._lock(lesson.session_id):
            if client_id is not None:  # a resend: answer from the database, skip the recogniser
                existing = await self._run(store.find_by_client_id, self.db, lesson.session_id, client_id)
                if existing is not None:
                    await self._resume(lesson, existing, send)
                    return
            await require_length(audio, limit_s=tutor.max_turn_seconds)
            async with self.recognition.turn(learner):
                transcript = require_speech(await self.services.stt.transcribe(audio, mime=hint))
                scores = await self._pronunciation(lesson, audio, transcript)
            await self._turn(
                lesson,
                send,
                content=transcript.text,
                kind="audio",
                client_id=client_id,
                word_scores=[s.to_json() for s in scores],
                recording=audio,
            )

    async def _admit(self, lesson: Lesson) -> int:
        """The learner of a turn about to run: the session must still be open, and the turn counts
        against their turns per minute."""
        learner: int = await self._run(store.open_session_owner, self.db, lesson.session_id)
        self.turns.take(learner)
        return learner

    # -- the turn -------------------------------------------------------------------------------

    async def _turn(
        self,
        lesson: Lesson,
        send: Send,
        *,
        content: str,
        kind: str,
        client_id: str | None,
        word_scores: list[dict[str, Any]] | None = None,
        recording: bytes | None = None,
    ) -> None:
        """Store the user message first, then answer it (or, for a resend, replay the answer)."""
        message_id = new_id()
        saved: dict[str, str] = {}
        if recording is not None:
            kind_of = sniff_audio(recording)
            name = f"{message_id}-input{kind_of.extension if kind_of else '.bin'}"
            saved = await self._run(self._save_audio, lesson, message_id, name, recording)
        try:
            stored: StoredMessage = await self._run(
                store.append_message,
                self.db,
                lesson.session_id,
                id=message_id,
                role="user",
                content=content,
                kind=kind,
                client_id=client_id,
                word_scores=word_scores,
                **saved,
            )
        except store.AlreadyStoredError as resend:
            if saved:  # the first copy of this recording is the one on file
                (self.data_dir / saved["audio_path"]).unlink(missing_ok=True)
            await self._resume(lesson, resend.existing, send)
            return
        await send(self._transcription_message(stored))
        await self._analyse_and_reply(lesson, stored, send)

    async def _analyse_and_reply(self, lesson: Lesson, stored: StoredMessage, send: Send) -> None:
        analysis = await self.services.brain.analyse(stored.content, lesson)
        unclear = pronunciation_corrections(
            tuple(WordScore(**score) for score in stored.word_scores or ()),
            threshold=self.settings.tutor.pronunciation_threshold,
            language=lesson.language,
        )
        if unclear:
            analysis = replace(analysis, has_errors=True, corrections=analysis.corrections + unclear)
        await self._run(store.save_analysis, self.db, stored.id, analysis)
        await send(self._correction_message(analysis, stored.id))
        chat = await self._run(store.history, self.db, lesson.session_id)
        await self._say(
            lesson, await self.services.brain.reply(chat, analysis, lesson), send, answering=stored.id
        )

    async def _say(self, lesson: Lesson, text: str, send: Send, *, answering: str | None) -> None:
        """Speak the tutor's words (answering a user message, or the greeting), store them with
        their speech in one write, send them, and queue their avatar video."""
        message_id = new_id()
        audio_b64: str | None = None
        saved: dict[str, str] = {}
        problem: str | None = None
        try:
            speech = await self.services.tts.synthesize(text, voice=self.services.voice, audio_format="mp3")
        except (ProviderError, InvalidInputError) as exc:
            problem = f"the reply could not be spoken: {exc}"
        else:
            name = f"{message_id}{(audio_type_of(speech.mime) or MP3).extension}"
            saved = await self._run(self._save_audio, lesson, message_id, name, speech.data)
            audio_b64 = base64.b64encode(speech.data).decode("ascii")
        # The avatar speaks the stored speech: no speech, no video.
        want_video = self.services.avatar is not None and bool(saved)
        skipped: str | None = None
        if want_video:
            skipped = await self._video_refusal(lesson)
            want_video = skipped is None
        reply: StoredMessage = await self._run(
            store.save_reply,
            self.db,
            lesson.session_id,
            answering,
            text,
            message_id=message_id,
            kind="reply" if answering else "opening",
            want_video=want_video,
            queue_video=self._queue_video,
            **saved,
        )
        await send(self._response_message(reply, audio=audio_b64, audio_url=reply.audio_url))
        if problem is not None:
            await send(error(problem, message_id=reply.id))
        elif skipped is not None:
            await send(error(skipped, message_id=reply.id))
        elif reply.video_state == "pending" and self._on_video_wanted is not None:
            self._on_video_wanted()

    def _queue_video(self, session: Session, session_id: str, message_id: str) -> None:
        avatar = self.services.avatar
        name = avatar.name if avatar is not None else "avatar"
        queue_render(
            session, session_id, message_id, renderer=name, attempts=self.settings.tutor.avatar_attempts
        )

    async def _video_refusal(self, lesson: Lesson) -> str | None:
        """Why a reply gets no avatar video (the learner has too many to come), or None."""
        limit = self.settings.tutor.max_pending_videos
        unfinished: int = await self._run(store.unfinished_videos, self.db, lesson.session_id)
        if unfinished < limit:
            return None
        return (
            f"this reply comes without an avatar video: {unfinished} of your videos are still being "
            f"made (at most {limit} at once); its text and speech are here, and replies get videos "
            "again once those are done"
        )

    async def _resume(self, lesson: Lesson, existing: StoredMessage, send: Send) -> None:
        """A message the client sent before: replay what was answered, finish what was not."""
        await send(self._transcription_message(existing))
        if existing.feedback is None:  # stored, but the turn stopped before its analysis
            await self._analyse_and_reply(lesson, existing, send)
            return
        await send(self._correction_message(existing.analysis(), existing.id))
        reply = await self._run(store.get_message, self.db, existing.reply_id) if existing.reply_id else None
        if reply is None:  # analysed, but the turn stopped before the reply was stored
            chat = await self._run(store.history, self.db, lesson.session_id)
            text = await self.services.brain.reply(chat, existing.analysis(), lesson)
            await self._say(lesson, text, send, answering=existing.id)
            return
        audio_b64 = await self._run(self._read_audio, reply)
        await send(self._response_message(reply, audio=audio_b64, audio_url=reply.audio_url))
        if reply.video_state == "ready" and reply.video_url:
            await send(
                message("video_update", text=reply.content, video_url=reply.video_url, message_id=reply.id)
            )

    # -- helpers --------------------------------------------------------------------------------

    @staticmethod
    def _transcription_message(stored: StoredMessage) -> dict[str, Any]:
        return message("transcription", text=stored.content, message_id=stored.id, client_id=stored.client_id)

    @staticmethod
    def _response_message(
        reply: StoredMessage, *, audio: str | None, audio_url: str | None
    ) -> dict[str, Any]:
        return message(
            "response",
            text=reply.content,
            audio=audio,
            video_url=reply.video_url,
            message_id=reply.id,
            audio_url=audio_url,
        )

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

    async def _pronunciation(
        self, lesson: Lesson, audio: bytes, transcript: Transcript
    ) -> tuple[WordScore, ...]:
        """Per-word scores of a spoken turn. With a scorer that hears phrases (the offline one), a
        turn repeating a phrase the tutor quoted in its last message is scored against that phrase;
        any other turn against its own transcript, where only a rival winning by far is flagged
        (``phrase_scoring.FREE``: the transcript may be the recogniser's own mistake). A scorer that
        only transcribes is compared with the transcript (``pronunciation.score_words``)."""
        scorer = self.services.scorer
        if isinstance(scorer, PhraseHearer):
            history = await self._run(store.history, self.db, lesson.session_id)
            asked = repeated_phrase(transcript.text, last_tutor_message(history))
            reference, calibration = (asked, PHRASE) if asked else (transcript.text, FREE)
            try:
                scores, _ = await hear_and_score(scorer, audio, reference, calibration=calibration)
            except InvalidInputError:
                return ()
            return scores
        heard = transcript
        if scorer is not self.services.stt:
            try:
                heard = await scorer.transcribe(audio)
            except InvalidInputError:
                return ()
        return score_words(transcript.text, heard)

    def _save_audio(self, lesson: Lesson, message_id: str, name: str, data: bytes) -> dict[str, str]:
        """Write a message's audio under the data dir; the fields that point the message at it."""
        path = self.data_dir / "tutor" / lesson.session_id / name
        write_bytes_atomically(path, data)
        return {
            "audio_path": str(path.relative_to(self.data_dir)),
            "audio_url": f"/api/tutor/messages/{message_id}/audio",
        }

    def _read_audio(self, reply: StoredMessage) -> str | None:
        if reply.audio_path is None:
            return None
        try:
            return base64.b64encode((self.data_dir / reply.audio_path).read_bytes()).decode("ascii")
        except OSError:
            return None

    async def _run(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return await anyio.to_thread.run_sync(lambda: function(*args, **kwargs))
