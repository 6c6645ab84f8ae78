"""Phone goodness on real decodes: espeak-ng speech over a room-noise floor, as a learner's
microphone hears it. Only relations are asserted (a swapped phone fits worse than the same phone
said right); what the recogniser makes of each phrase is measured by ``bench/practice_scoring.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.speech_audio import spoken_pcm

from framecast.providers.offline.audio import STT_SAMPLE_RATE, decode_to_pcm, pcm_to_wav
from framecast.providers.offline.phone_goodness import phone_goodness
from framecast.providers.offline.phrase_grammar import ExpectedWord, PhraseListener, grammar_decoder
from framecast.providers.offline.sound_alikes import Lexicon

PHRASE = ("i'll", "be", "late", "for", "class")


@pytest.fixture(scope="module")
def decoder() -> Any:
    return grammar_decoder(STT_SAMPLE_RATE)


def _speech(text: str) -> bytes:
    pcm, rate = spoken_pcm(text, voice="en-us")
    return decode_to_pcm(pcm_to_wav(pcm, rate), sample_rate=STT_SAMPLE_RATE, max_seconds=30)


def test_each_word_gets_its_own_phones_in_order_inside_the_recording(decoder: Any) -> None:
    pcm = _speech("I'll be late for class")
    frames = len(pcm) // 2 // (STT_SAMPLE_RATE // 100)

    found = phone_goodness(decoder, pcm, [*PHRASE, "minjiq"])

    assert found[-1] == ()  # not in the dictionary: not aligned
    at = 0
    for word, phones in zip(PHRASE, found, strict=False):
        spelled = str(decoder.lookup_word(word)).split()
        assert [phone.phone for phone in phones] == spelled
        for phone in phones:
            assert phone.start >= at
            assert phone.frames >= 1
            at = phone.start + phone.frames
    assert at <= frames


def test_a_swapped_phone_fits_worse_than_the_same_phone_said_right(decoder: Any) -> None:
    right = phone_goodness(decoder, _speech("I'll be late for class"), PHRASE)
    swapped = phone_goodness(decoder, _speech("I'll be rate for class"), PHRASE)

    late_l = right[2][0]
    rate_l = swapped[2][0]
    assert late_l.phone == rate_l.phone == "L"
    assert rate_l.goodness < late_l.goodness
    # The other words were said the same: their phones are not the ones that moved most.
    assert rate_l.goodness - late_l.goodness < min(
        b.goodness - a.goodness for a, b in zip(right[4], swapped[4], strict=True)
    )


def test_the_listener_gives_phones_to_scored_words_only_when_asked(decoder: Any) -> None:
    lexicon = Lexicon.read(Path(str(decoder.config["dict"])))
    listener = PhraseListener(decoder, lexicon, frequency=lambda word: 0.0)
    words = [ExpectedWord(word, scored=word in ("late", "class")) for word in PHRASE]
    pcm = _speech("I'll be late for class")

    with_phones = listener.listen(pcm, words, goodness=True)
    without = listener.listen(pcm, words)

    assert [bool(item.phones) for item in with_phones] == [w.scored for w in words]
    assert all(item.phones == () for item in without)
    assert [item.heard for item in with_phones] == [item.heard for item in without]
