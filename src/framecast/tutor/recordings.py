"""A learner's recording as the Tutor receives it (base64 over the socket or the practice API), and
what counts as having heard something. One place for both entry points, so they refuse the same way.
"""

from __future__ import annotations

import base64
import binascii

from framecast.core.errors import InvalidInputError
from framecast.providers.base import Transcript


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
