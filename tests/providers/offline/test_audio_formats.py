"""Only recordings are opened: each accepted container by its own demuxer, anything else refused by
what it looks like, no network protocol ever opened; lengths measured from packets, decoding capped."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import av
import numpy as np
import psutil
import pytest
from av.audio.resampler import AudioResampler
from tests.speech_audio import spoken_pcm

from framecast.core.errors import InvalidInputError
from framecast.providers.offline.audio import (
    CONTAINER_OPTIONS,
    STT_SAMPLE_RATE,
    decode_to_pcm,
    encode_pcm,
    pcm_to_wav,
    recording_seconds,
)

# What the security review sent: FFmpeg bound the UDP ports it names and waited ~20 s for RTP.
SDP = (
    b"v=0\no=- 0 0 IN IP4 127.0.0.1\ns=call\nc=IN IP4 127.0.0.1\nt=0 0\n"
    b"m=audio 45678 RTP/AVP 0\na=rtpmap:0 PCMU/8000\n"
)


@pytest.fixture(scope="module")
def speech() -> tuple[bytes, int]:
    """A short sentence by espeak-ng over a quiet room's noise floor (16-bit mono PCM, its rate)."""
    return spoken_pcm("I like to walk in the park.", before_s=0.0, after_s=0.0)


def live_webm(pcm: bytes, rate: int) -> bytes:
    """Opus in webm written as a browser's MediaRecorder writes it: no duration in the header."""
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="webm", options={"live": "1"}) as output:
        stream = output.add_stream("libopus", rate=48_000)
        stream.layout = "mono"
        resampler = AudioResampler(format="flt", layout="mono", rate=48_000)
        frame = av.AudioFrame.from_ndarray(
            np.frombuffer(pcm, dtype=np.int16).reshape(1, -1), format="s16", layout="mono"
        )
        frame.sample_rate = rate
        for chunk in [*resampler.resample(frame), *resampler.resample(None)]:
            for packet in stream.encode(chunk):
                output.mux(packet)
        for packet in stream.encode(None):
            output.mux(packet)
    return buffer.getvalue()


def without_id3(mp3: bytes) -> bytes:
    assert mp3[:3] == b"ID3"
    size = (mp3[6] << 21) | (mp3[7] << 14) | (mp3[8] << 7) | mp3[9]  # syncsafe, after a 10-byte head
    return mp3[10 + size :]


RECORDINGS: dict[str, Callable[[bytes, int], bytes]] = {
    "webm-opus": lambda pcm, rate: encode_pcm(pcm, rate, codec="libopus", container="webm"),
    "webm-opus-live": live_webm,
    "ogg-opus": lambda pcm, rate: encode_pcm(pcm, rate, codec="libopus", container="ogg"),
    "mp4-aac": lambda pcm, rate: encode_pcm(pcm, rate, codec="aac", container="mp4"),
    "m4a-aac": lambda pcm, rate: encode_pcm(pcm, rate, codec="aac", container="ipod"),
    "mov-aac": lambda pcm, rate: encode_pcm(pcm, rate, codec="aac", container="mov"),
    "wav": pcm_to_wav,
    "mp3-id3": lambda pcm, rate: encode_pcm(pcm, rate, codec="mp3", container="mp3"),
    "mp3-bare": lambda pcm, rate: without_id3(encode_pcm(pcm, rate, codec="mp3", container="mp3")),
}


@contextmanager
def udp_sockets_seen() -> Iterator[list[int]]:
    """The most UDP sockets this process held at once while inside (sampled every millisecond)."""
    process = psutil.Process()
    peak = [len(process.net_connections(kind="udp"))]
    stop = threading.Event()

    def watch() -> None:
        while not stop.wait(0.001):
            peak[0] = max(peak[0], len(process.net_connections(kind="udp")))

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        yield peak
    finally:
        stop.set()
        watcher.join()
        peak[0] = max(peak[0], len(process.net_connections(kind="udp")))


@pytest.mark.parametrize("kind", list(RECORDINGS))
def test_every_accepted_container_decodes_and_is_measured(speech: tuple[bytes, int], kind: str) -> None:
    pcm, rate = speech
    seconds = len(pcm) / 2 / rate
    recording = RECORDINGS[kind](pcm, rate)

    decoded = decode_to_pcm(recording)
    measured = recording_seconds(recording, limit_s=60)

    assert abs(len(decoded) / 2 / STT_SAMPLE_RATE - seconds) < 0.1
    assert abs(measured - seconds) < 0.1


def test_sdp_text_is_refused_by_what_it_looks_like_and_binds_no_udp_socket() -> None:
    with udp_sockets_seen() as peak, pytest.raises(InvalidInputError) as refused:
        decode_to_pcm(SDP)

    assert "not a recording: it looks like SDP text" in str(refused.value)
    assert peak[0] == 0


def test_no_protocol_opens_even_for_a_demuxer_that_would_open_one() -> None:
    # The allow-list never picks the SDP demuxer; if it ever did, the options would still stop it.
    with udp_sockets_seen() as peak, pytest.raises(av.FFmpegError):
        av.open(io.BytesIO(SDP), format="sdp", container_options=CONTAINER_OPTIONS, timeout=5)

    assert peak[0] == 0


@pytest.mark.parametrize(
    ("data", "looks"),
    [
        (b"<!DOCTYPE html><html><body>hi</body></html>", "it looks like an HTML page"),
        (b"#EXTM3U\n#EXTINF:10,\nhttp://127.0.0.1/a.ts\n", "it looks like an HLS playlist"),
        (b"fLaC\x00\x00\x00\x22", "it looks like FLAC audio"),
        (b"just some words", "it looks like plain text"),
        (b"\x00\x01\x02\x03\xfe\xff\x10\x20\x30", "it starts with 00 01 02 03 fe ff 10 20"),
    ],
)
def test_other_bytes_are_refused_saying_what_they_look_like(data: bytes, looks: str) -> None:
    with pytest.raises(InvalidInputError, match="not a recording") as refused:
        recording_seconds(data, limit_s=60)

    assert looks in str(refused.value)
    assert "webm, ogg, mp4/m4a, wav or mp3" in str(refused.value)


def test_a_recording_longer_than_the_limit_is_refused_naming_the_limit(speech: tuple[bytes, int]) -> None:
    pcm, rate = speech
    long_wav = pcm_to_wav(pcm * 20, rate)  # its header says how long it is

    with pytest.raises(InvalidInputError, match=r"seconds long; the limit is 15 seconds"):
        recording_seconds(long_wav, limit_s=15)


def test_a_recording_without_a_declared_length_is_counted_from_its_packets(
    speech: tuple[bytes, int],
) -> None:
    pcm, rate = speech
    live = live_webm(pcm * 20, rate)
    with av.open(io.BytesIO(live), format="matroska") as container:
        assert container.duration is None  # as a browser writes it

    with pytest.raises(InvalidInputError, match="longer than the limit of 15 seconds"):
        recording_seconds(live, limit_s=15)


def test_decoding_stops_at_its_limit(speech: tuple[bytes, int]) -> None:
    pcm, rate = speech

    with pytest.raises(InvalidInputError, match="longer than the limit of 3 seconds"):
        decode_to_pcm(live_webm(pcm * 5, rate), max_seconds=3)


def test_a_recording_whose_timestamps_lie_is_measured_by_its_packets_durations(
    speech: tuple[bytes, int],
) -> None:
    pcm, rate = speech
    honest = live_webm(pcm * 20, rate)
    lying = io.BytesIO()
    with (
        av.open(io.BytesIO(honest), format="matroska") as source,
        av.open(lying, "w", format="webm", options={"live": "1"}) as output,
    ):
        stream = output.add_stream_from_template(source.streams.audio[0])
        for number, packet in enumerate(p for p in source.demux(source.streams.audio[0]) if p.size):
            packet.stream = stream
            packet.pts = packet.dts = number  # a millisecond apart, though each plays 20 ms
            output.mux(packet)

    with pytest.raises(InvalidInputError, match="longer than the limit of 15 seconds"):
        recording_seconds(lying.getvalue(), limit_s=15)
