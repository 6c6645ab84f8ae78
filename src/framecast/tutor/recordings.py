"""A learner's recording as the Tutor receives it (base64 over the socket or the practice API), and
what counts as having heard something. One place for both entry points, so they refuse the same way.

A recording is refused before the recogniser sees it when it is not one of the accepted containers
(an SDP text, an HTML page: the message says what it looks like) or plays longer than the caller's
limit (``TutorSettings.max_turn_seconds`` for a conversation turn, ``max_practice_seconds`` for a
practice attempt), measured from its packets without decoding it.
"""

from __future__ import annotations

import base64
import binascii

import anyio

from framecast.core.errors import InvalidInputError
from framecast.core.text import text_problem
from framecast.providers.base import Transcript

# What a socket message or a practice body carries besides the base64 of a recording.
JSON_OVERHEAD = 64 * 1024
# Base64 bigger than this is decoded in a worker thread, off the event loop.
_DECODE_OFF_LOOP_CHARS = 64 * 1024


def base64_size(raw_bytes: int) -> int:
    """Characters of the base64 of ``raw_bytes`` bytes."""
    return 4 * ((raw_bytes + 2) // 3)


def max_message_bytes(max_audio_bytes: int) -> int:
    """The largest message a Tutor client needs to send: a recording of ``max_audio_bytes`` in
    base64, inside its JSON. The server refuses bigger WebSocket messages (``framecast serve``)."""
    return base64_size(max_audio_bytes) + JSON_OVERHEAD


async def receive_audio(audio_b64: object, *, limit: int) -> bytes:
    """:func:`decode_audio`, in a worker thread when the base64 is large."""
    if isinstance(audio_b64, str) and len(audio_b64) > _DECODE_OFF_LOOP_CHARS:
        return await anyio.to_thread.run_sync(lambda: decode_audio(audio_b64, limit=limit))
    return decode_audio(audio_b64, limit=limit)


async def require_length(audio: bytes, *, limit_s: float) -> float:
    """The seconds ``audio`` plays, measured in a worker thread without decoding it.

    Raises ``InvalidInputError`` when it is not an accepted recording (saying what it looks like)
    or plays longer than ``limit_s`` (naming the limit).
    """
    from framecast.providers.offline.audio import recording_seconds  # PyAV, loaded when first needed

    return await anyio.to_thread.run_sync(lambda: recording_seconds(audio, limit_s=limit_s))


def check_mime(mime: object) -> str | None:
    """The ``mime`` a client sent with a recording (a hint only), or None.

    Raises ``InvalidInputError`` naming the field when it is not text that could be stored.
    """
    if mime is None:
        return None
    if not isinstance(mime, str):
        raise InvalidInputError("mime: send the recording's type as a string, or leave it out", field="mime")
    problem = text_problem(mime)
    if problem is not None:
        raise InvalidInputError(f"mime: {problem}", field="mime")
    return mime


def decode_audio(audio_b64: object, *, limit: int) -> bytes:
    """The bytes of a base64 recording (a ``data:`` URL prefix is accepted).

    Raises ``InvalidInputError`` when it is missing, over ``limit`` bytes, not base64, or empty.
    """
    if not isinstance(audio_b64, str) or not audio_b64:
        raise InvalidInputError("audio: send the recording as base64 (the message has no audio)")
    if audio_b64.startswith("data:"):
        audio_b64 = audio_b64.partition(",")[2]
    if len(audio_b64) * 3 // 4 > limit + 3:  # checked before decoding anything
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


def require_speech(transcript: Transcript) -> Transcript:
    """``transcript`` when it holds words; raises ``InvalidInputError`` when nothing was heard."""
    if not transcript.text.strip():
        raise InvalidInputError("no speech was heard in the audio; speak closer to the microphone")
    return transcript
