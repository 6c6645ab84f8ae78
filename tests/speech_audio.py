"""Synthetic speech as a microphone in a room hears it: espeak-ng over a pink-noise floor.

Every test that feeds espeak-ng's voice to the recogniser makes its audio here. Clean synthetic
speech (digital silence between the words) is an artefact pocketsphinx hears about three times
worse than a real room (``providers/offline/room_noise.py``), so the default is a quiet room, 30 dB
below the speech; pass ``snr_db=NOISY_ROOM_DB`` for a noisy one. Both the voice and the noise are
reproducible (``providers/offline/fresh_speech.py``): the same arguments give the same bytes in any
test, whatever was spoken before it.
"""

from __future__ import annotations

import base64
from typing import Any

from framecast.providers.offline.audio import pcm_to_wav
from framecast.providers.offline.fresh_speech import speak_fresh_pcm
from framecast.providers.offline.room_noise import NOISY_ROOM_DB, QUIET_ROOM_DB, over_noise_floor

__all__ = [
    "NOISY_ROOM_DB",
    "QUIET_ROOM_DB",
    "in_a_room",
    "room_wav",
    "spoken_b64",
    "spoken_pcm",
    "spoken_wav",
]


def in_a_room(
    pcm: bytes,
    rate: int,
    *,
    snr_db: float | None = QUIET_ROOM_DB,
    seed: int = 1,
    before_s: float = 0.25,
    after_s: float = 0.25,
) -> bytes:
    """Synthetic 16-bit mono ``pcm`` as a microphone in a room hears it: room before and after it,
    over the noise floor."""
    return over_noise_floor(pcm, rate, snr_db=snr_db, seed=seed, before_s=before_s, after_s=after_s)


def spoken_pcm(
    text: str,
    *,
    voice: str = "en-us+f2",
    rate_wpm: int = 160,
    snr_db: float | None = QUIET_ROOM_DB,
    seed: int = 1,
    before_s: float = 0.25,
    after_s: float = 0.25,
) -> tuple[bytes, int]:
    """``text`` said by espeak-ng with room before and after it, over the noise floor, as 16-bit
    mono PCM with its sample rate."""
    pcm, rate = speak_fresh_pcm(text, voice=voice, rate_wpm=rate_wpm)
    return in_a_room(pcm, rate, snr_db=snr_db, seed=seed, before_s=before_s, after_s=after_s), rate


def spoken_wav(text: str, **options: Any) -> bytes:
    """:func:`spoken_pcm` as a WAV (the same keyword options)."""
    pcm, rate = spoken_pcm(text, **options)
    return pcm_to_wav(pcm, rate)


def spoken_b64(text: str, **options: Any) -> str:
    """:func:`spoken_wav` in base64, as the Tutor's clients send recordings."""
    return base64.b64encode(spoken_wav(text, **options)).decode("ascii")


def room_wav(seconds: float, *, level: int = 50, seed: int = 1, sample_rate: int = 16_000) -> bytes:
    """``seconds`` of a room with nobody speaking: pink noise of RMS ``level`` (16-bit), as a WAV."""
    from framecast.providers.offline.room_noise import pink_noise

    noise = pink_noise(round(seconds * sample_rate), seed=seed) * level
    return pcm_to_wav(noise.round().clip(-32768, 32767).astype("<i2").tobytes(), sample_rate)
