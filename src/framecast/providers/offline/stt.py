"""Offline speech to text with pocketsphinx and the US English model shipped inside its wheel.

Recognition runs in worker processes, never in the server's own: pocketsphinx keeps the GIL for as
long as it recognises a recording (about a quarter of its length), which in a thread stops the event
loop — every socket and request of the server — for that long. A provider has ``max_decoders``
workers (shared by every provider of the same size in the process); each loads a decoder once (about
a second and 170 MB) and then decodes (FFmpeg) and recognises one recording at a time. Recordings
past that wait in the pool's queue holding no thread, so they cannot take the threads every
database call needs. A worker that dies (a crash on some input) takes only the recordings it had:
the pool is replaced and the callers are told to send them again. Workers end with the process that
started them.

Besides transcribing, a worker hears a recording against the phrase it should hold
(:meth:`OfflineSpeechToTextProvider.hear_phrase`): a grammar of the phrase whose words compete with
their sound-alikes (``phrase_grammar.py``), on a second, grammar-only decoder the worker loads the
first time (about 30 MB more, and the CMU dictionary's 126,000 words indexed by sound).
"""

from __future__ import annotations

import asyncio
import math
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final, TypeVar

import numpy as np

from framecast.core.errors import ConfigurationError, InvalidInputError, RefusedError
from framecast.providers.base import Transcript, WordTiming
from framecast.providers.offline.audio import MAX_DECODED_SECONDS, STT_SAMPLE_RATE, decode_to_pcm
from framecast.providers.offline.phrase_grammar import (
    ExpectedWord,
    HeardWord,
    PhraseListener,
    grammar_decoder,
)
from framecast.providers.offline.sound_alikes import Lexicon

if TYPE_CHECKING:
    from pocketsphinx import Decoder  # type: ignore[import-untyped]

PROVIDER_NAME: Final = "offline"
# Recordings heard at once by one provider: worker processes, each with a decoder and a CPU core.
DEFAULT_DECODERS: Final = 2
FRAMES_PER_SECOND: Final = 100  # pocketsphinx's default -frate
# Segments that are not words: silence, sentence bounds, and the model's filler/noise units.
_NOT_WORDS: Final = frozenset({"<s>", "</s>", "<sil>"})
# A worker's grammar decoder is replaced once it was taught this many pronunciations (its dictionary
# grows with the vocabulary it hears, a few entries per word).
MAX_TAUGHT_WORDS: Final = 50_000
_T = TypeVar("_T")


@dataclass(frozen=True)
class PhraseHearing:
    """A recording heard against a phrase: what was heard in each word's place, and (when asked
    for) the free transcript of the language model, which knows nothing of the phrase."""

    words: tuple[HeardWord, ...]
    transcript: Transcript | None = None


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
    """``SpeechToText`` with pocketsphinx (English only), in ``max_decoders`` worker processes;
    decoding a recording stops (and the recording is refused) past ``max_seconds``."""

    name = PROVIDER_NAME

    def __init__(
        self, *, max_decoders: int = DEFAULT_DECODERS, max_seconds: float = MAX_DECODED_SECONDS
    ) -> None:
        self.max_decoders = max_decoders
        self.max_seconds = max_seconds

    async def transcribe(self, audio: bytes, *, mime: str | None = None, language: str = "en") -> Transcript:
        """Text and word timings of ``audio`` (webm/opus, ogg, mp4/aac, wav, mp3); ``mime`` is
        ignored because the container is recognised from the bytes.

        Raises ``InvalidInputError`` when the audio is not one of those containers, cannot be
        decoded, runs over ``max_seconds``, or ``language`` is not English;
        ``RefusedError`` when the worker hearing it died (sending it again is safe).
        """
        if not language.lower().startswith("en"):
            raise InvalidInputError(f"offline speech to text understands English only, not {language!r}")
        return await self._in_worker(_hear, audio, self.max_seconds)

    async def hear_phrase(
        self,
        audio: bytes,
        words: Sequence[ExpectedWord],
        *,
        transcribe: bool = False,
        every_margin: bool = True,
        goodness: bool = False,
    ) -> PhraseHearing:
        """What was heard in the place of each of ``words`` (the phrase, as dictionary words) in
        ``audio``, with each scored word's margin over its sound-alikes (``phrase_grammar.py``;
        without ``every_margin``, only where a rival won); with ``goodness``, each scored word's
        phones and their goodness (``phone_goodness.py``); with ``transcribe``, the free
        transcript too.

        Raises ``InvalidInputError`` as :meth:`transcribe` does, and for an empty phrase;
        ``RefusedError`` when the worker hearing it died (sending it again is safe).
        """
        if not words:
            raise InvalidInputError("there is no phrase to hear the recording against")
        return await self._in_worker(
            _hear_phrase, audio, tuple(words), self.max_seconds, transcribe, every_margin, goodness
        )

    async def _in_worker(self, function: Callable[..., _T], *args: object) -> _T:
        pool = _workers(self.max_decoders)
        try:
            return await asyncio.wrap_future(pool.submit(function, *args))
        except BrokenProcessPool as exc:
            _replace(self.max_decoders, pool)
            raise RefusedError(
                "the speech recogniser stopped while hearing this recording; send it again",
                provider=PROVIDER_NAME,
            ) from exc


# -- the worker processes ----------------------------------------------------------------------

_pools: dict[int, ProcessPoolExecutor] = {}
_pools_lock = threading.Lock()
# The decoder of this process, when it is a worker, and its phrase listener (made on first use).
_decoder: Decoder | None = None
_listener: PhraseListener | None = None


def _workers(size: int) -> ProcessPoolExecutor:
    with _pools_lock:
        pool = _pools.get(size)
        if pool is None:
            # Spawned, not forked: the server has threads (and their locks) a fork would copy.
            pool = _pools[size] = ProcessPoolExecutor(
                size, mp_context=multiprocessing.get_context("spawn"), initializer=_start_worker
            )
        return pool


def _replace(size: int, broken: ProcessPoolExecutor) -> None:
    with _pools_lock:
        if _pools.get(size) is broken:
            del _pools[size]
    broken.shutdown(wait=False, cancel_futures=True)


def _start_worker() -> None:
    # Ctrl-C reaches the whole process group: stopping us is the server's business.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A pool's workers never see their parent go (each holds the write end of the task queue), and
    # a server does not always leave through its atexit hooks (uvicorn re-raises SIGTERM; a kill):
    # end with the parent, however it ended.
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent.sentinel,), daemon=True).start()
    global _decoder
    _decoder = _new_decoder()


def _exit_with(sentinel: int) -> None:
    multiprocessing.connection.wait([sentinel])
    os._exit(0)


def _hear(audio: bytes, max_seconds: float) -> Transcript:
    """In a worker: decode ``audio`` (at most ``max_seconds`` of it) and recognise it."""
    pcm = decode_to_pcm(audio, sample_rate=STT_SAMPLE_RATE, max_seconds=max_seconds)
    if is_silent(pcm):  # pocketsphinx "hears" a word or two in digital silence
        return Transcript(text="", words=(), language="en")
    if _decoder is None:  # pragma: no cover - the pool's initializer loads it
        raise ConfigurationError("the speech recognition worker has no decoder")
    return transcribe_pcm(_decoder, pcm)


def _hear_phrase(
    audio: bytes,
    words: tuple[ExpectedWord, ...],
    max_seconds: float,
    transcribe: bool,
    every_margin: bool,
    goodness: bool = False,
) -> PhraseHearing:
    """In a worker: decode ``audio`` and hear it against ``words`` (and transcribe it)."""
    pcm = decode_to_pcm(audio, sample_rate=STT_SAMPLE_RATE, max_seconds=max_seconds)
    if is_silent(pcm):
        nothing = tuple(HeardWord(w.text, None, float("-inf") if w.scored else None) for w in words)
        return PhraseHearing(nothing, Transcript(text="", words=(), language="en") if transcribe else None)
    if _decoder is None:  # pragma: no cover - the pool's initializer loads it
        raise ConfigurationError("the speech recognition worker has no decoder")
    transcript = transcribe_pcm(_decoder, pcm) if transcribe else None
    heard = phrase_listener(_decoder).listen(pcm, words, every_margin=every_margin, goodness=goodness)
    return PhraseHearing(heard, transcript)


def phrase_listener(decoder: Decoder) -> PhraseListener:
    """This process's phrase listener, made on first use (and again once it has been taught
    ``MAX_TAUGHT_WORDS``); ``decoder``'s language model ranks the sound-alikes."""
    global _listener
    if _listener is None or _listener.added_words > MAX_TAUGHT_WORDS:
        lm = decoder.get_lm()
        _listener = PhraseListener(
            grammar_decoder(STT_SAMPLE_RATE),
            _lexicon(decoder),
            frequency=(lambda word: float(lm.prob([word]))) if lm is not None else (lambda word: 0.0),
        )
    return _listener


def _lexicon(decoder: Decoder) -> Lexicon:
    return Lexicon.read(Path(str(decoder.config["dict"])))


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
