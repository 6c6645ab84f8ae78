"""Audio told apart by its first bytes: what browsers record and the speech Framecast makes."""

from __future__ import annotations

import av
import pytest

from framecast.core.media_types import MP3, WAV, audio_type_of, sniff_audio
from framecast.providers.offline.audio import encode_pcm, pcm_to_wav


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
    if codec not in av.codecs_available:
        codec = {"libmp3lame": "mp3", "libopus": "opus"}.get(codec, codec)
    audio = encode_pcm(bytes(32000), 16000, codec=codec, container=container)
    found = sniff_audio(audio)
    assert found is not None
    assert found.extension == f".{extension}"


def test_wav_and_unknown_bytes() -> None:
    assert sniff_audio(pcm_to_wav(bytes(3200), 16000)) == WAV
    assert sniff_audio(b"not audio at all") is None


def test_a_file_name_or_a_mime_type_gives_the_audio_type() -> None:
    assert audio_type_of("reply.MP3") == MP3
    assert audio_type_of("audio/wav") == WAV
    assert audio_type_of("notes.txt") is None
