"""A recording as the Tutor receives it: decoded the same way by the socket and the practice API."""

from __future__ import annotations

import base64

import pytest

from framecast.core.errors import InvalidInputError
from framecast.providers.base import Transcript
from framecast.tutor.recordings import decode_audio, require_speech


def test_audio_is_decoded_with_or_without_a_data_url_prefix() -> None:
    encoded = base64.b64encode(b"RIFF1234").decode()

    assert decode_audio(encoded, limit=100) == b"RIFF1234"
    assert decode_audio(f"data:audio/webm;codecs=opus;base64,{encoded}", limit=100) == b"RIFF1234"


@pytest.mark.parametrize(
    ("audio", "problem"),
    [
        ("###", "the audio is not valid base64"),
        ("", "audio: send the recording as base64"),
        (None, "audio: send the recording as base64"),
        ("data:audio/wav;base64,", "the audio is empty"),
        (base64.b64encode(b"\0" * 200).decode(), "the limit is 100 bytes"),
    ],
)
def test_bad_audio_is_refused_naming_the_problem(audio: object, problem: str) -> None:
    with pytest.raises(InvalidInputError, match=problem):
        decode_audio(audio, limit=100)


def test_a_transcript_without_words_means_nothing_was_heard() -> None:
    heard = Transcript(text="hello there")
    assert require_speech(heard) is heard
    with pytest.raises(InvalidInputError, match="no speech was heard"):
        require_speech(Transcript(text="  "))
