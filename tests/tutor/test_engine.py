"""Pieces of the conversation engine that the socket tests do not pin down one by one."""

from __future__ import annotations

import pytest

from framecast.providers.offline.audio import encode_pcm, pcm_to_wav
from framecast.tutor.engine import recording_extension


@pytest.mark.parametrize(
    ("codec", "container", "extension"),
    [
        ("libopus", "webm", "webm"),
        ("libopus", "ogg", "ogg"),
        ("aac", "mp4", "m4a"),
        ("libmp3lame", "mp3", "mp3"),
    ],
)
def test_recordings_are_named_by_what_they_are(codec: str, container: str, extension: str) -> None:
    import av

    if codec not in av.codecs_available:
        codec = {"libmp3lame": "mp3", "libopus": "opus"}.get(codec, codec)
    audio = encode_pcm(bytes(32000), 16000, codec=codec, container=container)
    assert recording_extension(audio) == extension


def test_wav_and_unknown_bytes() -> None:
    assert recording_extension(pcm_to_wav(bytes(3200), 16000)) == "wav"
    assert recording_extension(b"not audio at all") == "bin"
