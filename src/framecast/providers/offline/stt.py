"""Offline speech to text with pocketsphinx and the US English model shipped inside its wheel.

A decoder takes a second to load its model and is not safe to share between threads, so each
provider keeps a small pool: a transcription borrows one, in a worker thread, and gives it back.
"""

from __future__ import annotations

import math
import queue
import threading
from typing import TYPE_CHECKING, Final

import anyio
import numpy as np

from framecast.core.errors import ConfigurationError, InvalidInputError
from framecast.providers.base import Transcript, WordTiming
from framecast.providers.offline.audio import STT_SAMPLE_RATE, decode_to_pcm

if TYPE_CHECKING:
    from pocketsphinx import Decoder  # type: ignore[import-untyped]

PROVIDER_NAME: Final = "offline"
FRAMES_PER_SECOND: Final = 100  # pocketsphinx's default -frate
# Segments that are not words: silence, sentence bounds, and the model's filler/noise units.
_NOT_WORDS: Final = frozenset({"<s>", "</s>", "<sil>"})


def _new_decoder() -> Decoder:
    try:
        from pocketsphinx import Decoder
    except ImportError as error:  # pragma: no cover - depends on the installation
        raise ConfigurationError(
            "offline speech to text needs pocketsphinx: pip install pocketsphinx"
        ) from error
    # The default configuration is the bundled en-us acoustic model, language model and dictionary.
    return Decoder(samprate=STT_SAMPLE_RATE, loglevel="FATAL")


def _spoken_word(segment_word: str) -> str | None:
    if segment_word in _NOT_WORDS or segment_word.startswith(("[", "+")):
        return None
    # Alternative pronunciations come back as "word(2)".
    return segment_word.split("(", 1)[0]


def transcribe_pcm(decoder: Decoder, pcm: bytes) -> Transcript:
    """Blocking: the words in 16 kHz mono 16-bit ``pcm`` with their timings."""
    decoder.start_utt()
    decoder.process_raw(pcm, full_utt=True)
    decoder.end_utt()
    words: list[WordTiming] = []
    for segment in decoder.seg() or ():  # None for audio too short to hold a frame
        word = _spoken_word(segment.word)
        if word is None:
            continue
        # The Python binding already turns the lattice log-posterior into a 0..1 probability.
        confidence = min(1.0, max(0.0, float(segment.prob)))
        words.append(
            WordTiming(
                word=word,
                start=segment.start_frame / FRAMES_PER_SECOND,
                end=(segment.end_frame + 1) / FRAMES_PER_SECOND,
                confidence=confidence if math.isfinite(confidence) else None,
            )
        )
    return Transcript(text=" ".join(word.word for word in words), words=tuple(words), language="en")


class OfflineSpeechToTextProvider:
    """``SpeechToText`` with pocketsphinx (English only)."""

    name = PROVIDER_NAME

    def __init__(self, *, max_decoders: int = 2) -> None:
        self._idle: queue.SimpleQueue[Decoder] = queue.SimpleQueue()
        self._slots = threading.BoundedSemaphore(max_decoders)

    async def transcribe(self, audio: bytes, *, mime: str | None = None, language: str = "en") -> Transcript:
        """Text and word timings of ``audio`` (webm/opus, ogg, mp4/aac, wav, mp3); ``mime`` is
        ignored because the container is recognised from the bytes.

        Raises ``InvalidInputError`` when the audio cannot be decoded or ``language`` is not English.
        """
        if not language.lower().startswith("en"):
            raise InvalidInputError(f"offline speech to text understands English only, not {language!r}")
        return await anyio.to_thread.run_sync(self._transcribe, audio)

    def _transcribe(self, audio: bytes) -> Transcript:
        pcm = decode_to_pcm(audio, sample_rate=STT_SAMPLE_RATE)
        if is_silent(pcm):  # pocketsphinx "hears" a word or two in digital silence
            return Transcript(text="", words=(), language="en")
        with self._slots:
            try:
                decoder = self._idle.get_nowait()
            except queue.Empty:
                decoder = _new_decoder()
            try:
                return transcribe_pcm(decoder, pcm)
            finally:
                self._idle.put(decoder)


# Loudness (RMS of 16-bit samples) below which a recording counts as silence: about -50 dBFS.
SILENCE_RMS: Final = 100.0


def is_silent(pcm: bytes) -> bool:
    """True when 16-bit mono ``pcm`` is too quiet to hold speech (or empty)."""
    samples = np.frombuffer(pcm[: len(pcm) // 2 * 2], dtype=np.int16)
    if samples.size == 0:
        return True
    return float(np.sqrt(np.mean(samples.astype(np.float64) ** 2))) < SILENCE_RMS


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Word-level edit distance from ``reference`` to ``hypothesis`` over the reference's length,
    ignoring case and punctuation (0 = word for word; an empty hypothesis scores 1.0).

    Raises ``ValueError`` when the reference has no words.
    """
    ref, hyp = _words(reference), _words(hypothesis)
    if not ref:
        raise ValueError("the reference has no words")
    previous = list(range(len(hyp) + 1))
    for i, ref_word in enumerate(ref, start=1):
        current = [i]
        for j, hyp_word in enumerate(hyp, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref_word != hyp_word)))
        previous = current
    return previous[-1] / len(ref)


def _words(text: str) -> list[str]:
    return [word for word in (token.strip('.,!?;:"()').lower() for token in text.split()) if word]
