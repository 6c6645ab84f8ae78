"""Reproducible speech: what a test hears does not depend on what was spoken before it."""

from __future__ import annotations

import pytest

from framecast.core.errors import InvalidInputError
from framecast.providers.offline.fresh_speech import speak_fresh_pcm
from framecast.providers.offline.tts import speak_pcm

SENTENCE = "I like to walk in the park with my dog."


def test_the_same_sentence_gives_the_same_samples_whatever_was_said_before() -> None:
    first, rate = speak_fresh_pcm(SENTENCE)
    speak_pcm("Something else entirely, said in this process.")
    speak_fresh_pcm("And something else by the speaker process.")
    speak_fresh_pcm.cache_clear()
    again, again_rate = speak_fresh_pcm(SENTENCE)
    assert (again, again_rate) == (first, rate)
    assert len(first) > rate  # more than half a second of 16-bit samples


def test_espeak_in_one_process_runs_on_from_its_last_utterance() -> None:
    """Why the speaker process exists: this process's espeak-ng says the same sentence differently
    the second time (the test fails, and fresh_speech can go, if a release ever resets it)."""
    once, _ = speak_pcm(SENTENCE)
    twice, _ = speak_pcm(SENTENCE)
    assert once != twice


def test_an_unknown_voice_is_refused_by_name() -> None:
    with pytest.raises(InvalidInputError, match="no voice 'xx-nowhere'"):
        speak_fresh_pcm("hello", voice="xx-nowhere")
