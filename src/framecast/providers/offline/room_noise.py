"""A room's noise floor under synthetic speech: pink noise at a chosen signal-to-noise ratio.

espeak-ng writes digital silence between and around its words, which no microphone ever records.
pocketsphinx normalises its features by the utterance's mean and models silence as room noise, so
on clean synthetic speech it does about three times worse than in a real room (en-us voice: word
error rate 0.85 clean, 0.24 over a 30 dB floor). Tests and benches that feed synthetic speech to the
recogniser therefore lay it over a floor of pink noise (power falling 3 dB an octave, like the hum
and rustle of a room): 30 dB below the speech is a quiet room (:data:`QUIET_ROOM_DB`), 10 dB a noisy
one (:data:`NOISY_ROOM_DB`).

The speech's level is its *active* level: the mean power of its 10 ms frames that are within 40 dB
of the loudest frame, so the pauses between words do not lower it. Everything is deterministic for
a given ``seed``.
"""

from __future__ import annotations

from typing import Final

import numpy as np
from numpy.typing import NDArray

QUIET_ROOM_DB: Final = 30.0
NOISY_ROOM_DB: Final = 10.0
# Frames quieter than this far below the loudest one are pauses, not speech.
_ACTIVE_RANGE_DB: Final = 40.0
_FRAME_S: Final = 0.010


def pink_noise(samples: int, *, seed: int = 0) -> NDArray[np.float64]:
    """``samples`` of pink noise with unit power (mean square 1.0): white Gaussian noise whose
    spectrum is shaped by 1/sqrt(f); the same ``seed`` gives the same noise."""
    if samples <= 0:
        return np.zeros(0)
    white = np.random.default_rng(seed).standard_normal(samples)
    spectrum = np.fft.rfft(white)
    bins = np.arange(spectrum.size, dtype=np.float64)
    bins[0] = 1.0
    spectrum /= np.sqrt(bins)
    spectrum[0] = 0.0  # no DC offset
    noise = np.fft.irfft(spectrum, n=samples)
    power = float(np.mean(noise**2))
    return noise / np.sqrt(power) if power > 0 else noise


def active_power(samples: NDArray[np.float64], sample_rate: int) -> float:
    """The mean power of the 10 ms frames of ``samples`` within 40 dB of the loudest (0.0 for silence)."""
    frame = max(1, int(sample_rate * _FRAME_S))
    usable = samples[: samples.size // frame * frame]
    if usable.size == 0:
        return float(np.mean(samples**2)) if samples.size else 0.0
    powers = np.mean(usable.reshape(-1, frame) ** 2, axis=1)
    loudest = float(powers.max())
    if loudest <= 0:
        return 0.0
    active = powers[powers >= loudest * 10 ** (-_ACTIVE_RANGE_DB / 10)]
    return float(active.mean())


def over_noise_floor(
    pcm: bytes,
    sample_rate: int,
    *,
    snr_db: float | None,
    seed: int = 0,
    before_s: float = 0.0,
    after_s: float = 0.0,
) -> bytes:
    """16-bit mono ``pcm`` with ``before_s`` / ``after_s`` seconds of room around it, over pink
    noise ``snr_db`` below the speech's active level (``None``: the padded speech, no noise).

    Raises ``ValueError`` for PCM of an odd number of bytes.
    """
    if len(pcm) % 2:
        raise ValueError("16-bit PCM has an even number of bytes")
    speech = np.frombuffer(pcm, dtype=np.int16).astype(np.float64)
    padded = np.concatenate(
        [np.zeros(round(before_s * sample_rate)), speech, np.zeros(round(after_s * sample_rate))]
    )
    if snr_db is not None:
        level = active_power(speech, sample_rate)
        if level > 0:
            noise = pink_noise(padded.size, seed=seed) * np.sqrt(level / 10 ** (snr_db / 10))
            padded = padded + noise
    return bytes(np.clip(np.round(padded), -32768, 32767).astype("<i2").tobytes())
