"""The room's noise floor laid under synthetic speech: pink, at the asked ratio, the same every time."""

from __future__ import annotations

import numpy as np
import pytest

from framecast.providers.offline.room_noise import (
    NOISY_ROOM_DB,
    QUIET_ROOM_DB,
    active_power,
    over_noise_floor,
    pink_noise,
)

RATE = 16_000


def tone(seconds: float, *, amplitude: float = 8000.0) -> bytes:
    t = np.arange(round(seconds * RATE)) / RATE
    return (amplitude * np.sin(2 * np.pi * 440 * t)).astype("<i2").tobytes()


def samples(pcm: bytes) -> np.ndarray:
    return np.frombuffer(pcm, dtype="<i2").astype(np.float64)


def test_pink_noise_has_unit_power_and_loses_about_three_decibels_an_octave() -> None:
    noise = pink_noise(2**18, seed=3)
    spectrum = np.abs(np.fft.rfft(noise)) ** 2
    freqs = np.fft.rfftfreq(noise.size, d=1 / RATE)

    def band(low: float) -> float:
        return float(spectrum[(freqs >= low) & (freqs < 2 * low)].mean())

    assert np.mean(noise**2) == pytest.approx(1.0)
    for low in (250.0, 500.0, 1000.0, 2000.0):
        assert 10 * np.log10(band(low) / band(2 * low)) == pytest.approx(3.0, abs=0.6)


def test_the_same_seed_gives_the_same_noise_and_another_seed_other_noise() -> None:
    assert np.array_equal(pink_noise(1000, seed=7), pink_noise(1000, seed=7))
    assert not np.array_equal(pink_noise(1000, seed=7), pink_noise(1000, seed=8))
    assert pink_noise(0).size == 0


@pytest.mark.parametrize("snr_db", [QUIET_ROOM_DB, NOISY_ROOM_DB])
def test_the_noise_sits_the_asked_ratio_below_the_speech(snr_db: float) -> None:
    speech = tone(1.0)
    noisy = samples(over_noise_floor(speech, RATE, snr_db=snr_db, seed=1))
    noise = noisy - samples(speech)

    measured = 10 * np.log10(active_power(samples(speech), RATE) / np.mean(noise**2))
    assert measured == pytest.approx(snr_db, abs=0.2)


def test_pauses_do_not_lower_the_speech_level_the_ratio_is_taken_from() -> None:
    speech = samples(tone(0.5))
    with_pause = np.concatenate([speech, np.zeros(RATE), speech])

    assert active_power(with_pause, RATE) == pytest.approx(active_power(speech, RATE), rel=0.01)


def test_room_is_added_before_and_after_the_speech_and_none_adds_no_noise() -> None:
    speech = tone(0.5)
    padded = over_noise_floor(speech, RATE, snr_db=None, before_s=0.25, after_s=1.0)
    noisy = over_noise_floor(speech, RATE, snr_db=QUIET_ROOM_DB, before_s=0.25, after_s=1.0)

    assert len(padded) == len(noisy) == len(speech) + 2 * round(1.25 * RATE)
    assert padded[: 2 * RATE // 4] == bytes(2 * RATE // 4)
    assert padded[2 * RATE // 4 : 2 * RATE // 4 + len(speech)] == speech
    assert np.abs(samples(noisy)[: RATE // 4]).max() > 0  # the room is never digitally silent
    with pytest.raises(ValueError, match="even number of bytes"):
        over_noise_floor(b"\x00", RATE, snr_db=QUIET_ROOM_DB)
