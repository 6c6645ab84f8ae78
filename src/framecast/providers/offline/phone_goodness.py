"""Goodness of pronunciation per phone: how well the phrase's own phones fit the sound they were
aligned to, against the best any phones do over the same frames.

The phrase grammar (``phrase_grammar.py``) weighs each word against its sound-alikes as whole
words; a swapped word that the acoustic model hears about as well as the word itself (*late* said
as *rate* by espeak-ng) wins there by a small margin spread over all of the word's frames. Here the
recording is looked at phone by phone, two decodes more per recording, not per word:

1. **forced alignment** of the expected words (``Decoder.set_align_text``, then a second pass with
   ``set_alignment`` for the phones): each phone's frames and its acoustic score;
2. a **phone loop** (pocketsphinx's ``allphone`` search, every phone equally likely after any
   other): the best free phone sequence and its acoustic scores over the same recording.

A phone's **goodness** is (its aligned score - the phone loop's score over the same frames) per
frame, in the decoder's log base (1.0001, after its senone shift): 0 when the expected phone is as
good as the best free phones, negative when other phones fit better. The loop's score of a range
of frames is the score of each loop phone shared out evenly over its frames.

Blocking, and run in the recogniser's worker on the grammar decoder, as ``phrase_grammar.py`` is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from pocketsphinx import Decoder  # type: ignore[import-untyped]

_LOOP_SEARCH: Final = "framecast_phone_loop"
_SILENCE: Final = frozenset({"<sil>", "<s>", "</s>", "SIL"})


@dataclass(frozen=True)
class PhoneGoodness:
    """One phone of an aligned word: its ARPAbet name, first frame, length in frames, goodness
    (per frame; 0 or above: as good as any phones), and the phone loop's phone over most of its
    frames."""

    phone: str
    start: int
    frames: int
    goodness: float
    loop_phone: str


def phone_goodness(
    decoder: Decoder, pcm: bytes, words: Sequence[str]
) -> tuple[tuple[PhoneGoodness, ...], ...]:
    """The phones of each of ``words`` (dictionary words, in order) as aligned to mono 16-bit
    ``pcm``, with their goodness; ``()`` for a word the decoder's dictionary lacks, and for every
    word when the recording cannot hold the phrase's alignment."""
    known = [index for index, word in enumerate(words) if decoder.lookup_word(word) is not None]
    found: list[tuple[PhoneGoodness, ...]] = [() for _ in words]
    if not known:
        return tuple(found)
    aligned = _align(decoder, pcm, [words[index] for index in known])
    if aligned is None:
        return tuple(found)
    loop, names = _phone_loop_frames(decoder, pcm)
    for index, phones in zip(known, aligned, strict=True):
        found[index] = tuple(
            PhoneGoodness(
                name,
                start,
                frames,
                (score - _loop_score(loop, start, frames)) / frames,
                _loop_phone(names, start, frames),
            )
            for name, start, frames, score in phones
        )
    return tuple(found)


def _align(
    decoder: Decoder, pcm: bytes, words: Sequence[str]
) -> list[list[tuple[str, int, int, int]]] | None:
    """(phone, start, frames, score) of each word's phones, or None when alignment fails."""
    try:
        decoder.set_align_text(" ".join(words))
        _decode(decoder, pcm)
        if decoder.hyp() is None:
            return None
        decoder.set_alignment()
        _decode(decoder, pcm)
        alignment = decoder.get_alignment()
    except RuntimeError:
        return None
    if alignment is None:
        return None
    phones: list[list[tuple[str, int, int, int]]] = []
    for word in alignment:
        if word.name in _SILENCE or word.name.startswith(("[", "+", "(")):
            continue
        phones.append([(phone.name, phone.start, max(1, phone.duration), phone.score) for phone in word])
    return phones if len(phones) == len(words) else None


def _phone_loop_frames(decoder: Decoder, pcm: bytes) -> tuple[list[float], list[str]]:
    """The phone loop's acoustic score of each frame (each phone's score shared over its frames),
    and its phone in each frame."""
    # Made again each time (a few ms): the grammar searches replace the active one in between.
    decoder.add_allphone_file(_LOOP_SEARCH, None)
    decoder.activate_search(_LOOP_SEARCH)
    _decode(decoder, pcm)
    per_frame: list[float] = []
    names: list[str] = []
    logmath = decoder.logmath
    for segment in decoder.seg() or ():
        frames = segment.end_frame - segment.start_frame + 1
        if frames <= 0:
            continue
        # The binding turns the segment's log score into a probability; back to the log base.
        probability = float(segment.ascore)
        score = float(logmath.log(probability)) if probability > 0 else -1e9
        while len(per_frame) < segment.start_frame:
            per_frame.append(0.0)
            names.append("SIL")
        per_frame[segment.start_frame :] = [score / frames] * frames
        names[segment.start_frame :] = [str(segment.word)] * frames
    return per_frame, names


def _loop_phone(names: Sequence[str], start: int, frames: int) -> str:
    covered = list(names[start : start + frames])
    return max(covered, key=covered.count) if covered else "SIL"


def _loop_score(per_frame: Sequence[float], start: int, frames: int) -> float:
    return sum(per_frame[start : start + frames])


def _decode(decoder: Decoder, pcm: bytes) -> None:
    decoder.start_utt()
    decoder.process_raw(pcm, full_utt=True)
    decoder.end_utt()
