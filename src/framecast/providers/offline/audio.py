"""Decoding what browsers record (webm/opus, ogg, mp4/aac, wav, mp3) to 16 kHz mono PCM, and
encoding PCM back to WAV or MP3, over PyAV.

Only recordings are opened. The container is recognised from its first bytes
(:func:`framecast.core.media_types.sniff_audio`; a browser's ``mime`` is often vague, e.g.
``audio/webm;codecs=opus`` for a file that is really Matroska, so it is never trusted) and FFmpeg is
told that one demuxer, with no protocol allowed for anything the file might point to. Left to guess,
FFmpeg opens whatever it knows: a 150-byte SDP text makes it bind the UDP ports the text names and
wait for RTP packets, and a playlist would make it fetch URLs. Anything else is refused with what it
looks like.
"""

from __future__ import annotations

import io
import string
import wave
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

import av
import numpy as np
from av.audio.resampler import AudioResampler
from av.audio.stream import AudioStream
from av.container import InputContainer

from framecast.core.errors import InvalidInputError
from framecast.core.media_types import MP3, MP4_AUDIO, OGG_AUDIO, WAV, WEBM_AUDIO, AudioType, sniff_audio

STT_SAMPLE_RATE = 16_000
# The most any caller may decode; the Tutor's own limits per turn are far lower (TutorSettings).
MAX_DECODED_SECONDS = 600

# The FFmpeg demuxer of each container accepted ("matroska" reads webm, "mov" the mp4/m4a family).
DEMUXERS: Final[dict[AudioType, str]] = {
    WEBM_AUDIO: "matroska",
    OGG_AUDIO: "ogg",
    MP4_AUDIO: "mov",
    WAV: "wav",
    MP3: "mp3",
}
# A recording is one self-contained file read from memory: nothing in it may open another input
# (no rtp/udp/http/file...). "none" names no protocol, so FFmpeg refuses every nested open.
CONTAINER_OPTIONS: Final = {"protocol_whitelist": "none"}
ACCEPTED: Final = "webm, ogg, mp4/m4a, wav or mp3"
# A recording may run this much over a limit (a browser stops a few milliseconds late).
_SLACK_S: Final = 0.5
# What refused bytes look like, by how they start (lowercased), for the error message.
_LOOKS_LIKE: Final = (
    (b"v=0", "SDP text (a network stream description)"),
    (b"<!doctype html", "an HTML page"),
    (b"<html", "an HTML page"),
    (b"<?xml", "an XML document"),
    (b"#extm3u", "an HLS playlist"),
    (b"flac", "FLAC audio"),
    (b"{", "JSON"),
)
_PRINTABLE: Final = frozenset(string.printable.encode())


def describe_bytes(head: bytes) -> str:
    """What ``head`` (the first bytes of something that is not a recording) looks like, in words."""
    lowered = head[:64].lstrip().lower()
    for start, looks in _LOOKS_LIKE:
        if lowered.startswith(start):
            return f"it looks like {looks}"
    if head[:64] and all(byte in _PRINTABLE for byte in head[:64]):
        return "it looks like plain text"
    return "it starts with " + " ".join(f"{byte:02x}" for byte in head[:8])


def demuxer_for(audio: bytes) -> str:
    """The FFmpeg demuxer for ``audio``, chosen from its first bytes.

    Raises ``InvalidInputError`` when it is empty or not one of the accepted containers, saying
    what it looks like (``... not a recording: it looks like SDP text ...``).
    """
    if not audio:
        raise InvalidInputError("the audio could not be decoded: it is empty", field="audio")
    kind = sniff_audio(audio[:16])
    if kind is None:
        raise InvalidInputError(
            f"the audio could not be decoded: not a recording: {describe_bytes(audio)}; "
            f"send {ACCEPTED} audio",
            field="audio",
        )
    return DEMUXERS[kind]


@contextmanager
def open_recording(audio: bytes) -> Iterator[tuple[InputContainer, AudioStream]]:
    """``audio`` opened by its own demuxer (see :func:`demuxer_for`), and its first audio stream.

    Raises ``InvalidInputError`` when it is not an accepted container, is broken, or holds no audio.
    """
    demuxer = demuxer_for(audio)
    try:
        with av.open(
            io.BytesIO(audio), mode="r", format=demuxer, container_options=CONTAINER_OPTIONS
        ) as container:
            if not container.streams.audio:
                raise InvalidInputError(
                    "the audio could not be decoded: it holds no audio stream", field="audio"
                )
            yield container, container.streams.audio[0]
    except av.FFmpegError as error:
        raise InvalidInputError(f"the audio could not be decoded: {error}", field="audio") from error


def too_long(limit_s: float, seconds: float | None = None) -> InvalidInputError:
    """The refusal of a recording over ``limit_s`` seconds (``seconds`` when its length is known)."""
    if seconds is None:
        return InvalidInputError(
            f"the recording is longer than the limit of {limit_s:g} seconds: record a shorter one",
            field="audio",
        )
    return InvalidInputError(
        f"the recording is {seconds:.0f} seconds long; the limit is {limit_s:g} seconds: "
        "record a shorter one",
        field="audio",
    )


def recording_seconds(audio: bytes, *, limit_s: float) -> float:
    """How long ``audio`` plays, in seconds, measured from its packets without decoding them (a
    header could lie; the packets are what a decoder decodes): the longer of their timestamps' span
    and the sum of their durations (timestamps could lie too). Counting stops past ``limit_s``.

    Raises ``InvalidInputError`` when the recording is longer than ``limit_s`` (naming the limit),
    or is not a recording that opens (see :func:`open_recording`).
    """
    with open_recording(audio) as (container, stream):
        declared = container.duration  # microseconds, from the header; None for a live webm
        if declared is not None and declared / 1_000_000 > limit_s + _SLACK_S:
            raise too_long(limit_s, declared / 1_000_000)
        time_base = stream.time_base
        if time_base is None:  # pragma: no cover - every accepted demuxer sets one
            return 0.0
        first: int | None = None
        end = total = last_duration = 0
        for packet in container.demux(stream):
            if packet.size == 0:  # the demuxer's flush packet
                continue
            # A packet without a duration plays about as long as the one before it.
            last_duration = packet.duration or last_duration
            total += last_duration
            if packet.pts is not None:
                first = packet.pts if first is None else min(first, packet.pts)
                end = max(end, packet.pts + last_duration)
            seconds = float(max(total, end - (first or 0)) * time_base)
            if seconds > limit_s + _SLACK_S:
                raise too_long(limit_s)
        return float(max(total, end - (first or 0)) * time_base)


def decode_to_pcm(
    audio: bytes, *, sample_rate: int = STT_SAMPLE_RATE, max_seconds: float = MAX_DECODED_SECONDS
) -> bytes:
    """``audio`` (one of the accepted containers) as mono signed 16-bit little-endian PCM.

    Decoding stops as soon as more than ``max_seconds`` came out. Raises ``InvalidInputError`` when
    the bytes are empty, are not an accepted recording with an audio stream (saying what they look
    like), fail to decode, or run longer than ``max_seconds``.
    """
    resampler = AudioResampler(format="s16", layout="mono", rate=sample_rate)
    chunks: list[bytes] = []
    size = 0
    limit = int(max_seconds * sample_rate) * 2
    with open_recording(audio) as (container, stream):
        for frame in container.decode(stream):
            for out in resampler.resample(frame):
                chunk = bytes(out.planes[0])[: out.samples * 2]
                chunks.append(chunk)
                size += len(chunk)
            if size > limit:
                raise too_long(max_seconds)
        for out in resampler.resample(None):
            chunks.append(bytes(out.planes[0])[: out.samples * 2])
    pcm = b"".join(chunks)
    if not pcm:
        raise InvalidInputError("the audio could not be decoded: it holds no samples", field="audio")
    return pcm


def pcm_to_wav(pcm: bytes, sample_rate: int) -> bytes:
    """Mono 16-bit PCM wrapped in a RIFF/WAVE header."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(sample_rate)
        writer.writeframes(pcm)
    return buffer.getvalue()


def encode_pcm(pcm: bytes, sample_rate: int, *, codec: str, container: str, bit_rate: int = 64_000) -> bytes:
    """Mono 16-bit PCM encoded with an FFmpeg ``codec`` into a ``container`` (e.g. ``mp3``/``mp3``,
    ``libopus``/``webm``, ``aac``/``mp4``); the encoder resamples when it needs another rate or format.

    Raises ``ValueError`` when this FFmpeg build lacks the codec.
    """
    if codec not in av.codecs_available:
        raise ValueError(f"this FFmpeg build has no {codec!r} encoder")
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format=container) as output:
        stream = output.add_stream(codec, rate=_encoder_rate(codec, sample_rate))
        if not isinstance(stream, AudioStream):  # pragma: no cover - an audio codec gives an audio stream
            raise ValueError(f"{codec!r} is not an audio encoder")
        stream.layout = "mono"
        stream.bit_rate = bit_rate
        formats = stream.codec_context.codec.audio_formats or []
        encoder_format = formats[0].name if formats else "s16"
        resampler = AudioResampler(format=encoder_format, layout="mono", rate=int(stream.rate))
        samples = np.frombuffer(pcm, dtype=np.int16).reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(samples, format="s16", layout="mono")
        frame.sample_rate = sample_rate
        for chunk in [*resampler.resample(frame), *resampler.resample(None)]:
            for packet in stream.encode(chunk):
                output.mux(packet)
        for packet in stream.encode(None):
            output.mux(packet)
    return buffer.getvalue()


def _encoder_rate(codec: str, sample_rate: int) -> int:
    # Opus only runs at 8/12/16/24/48 kHz; MP3 and AAC take espeak's 22050 Hz as it is.
    if codec in {"libopus", "opus"}:
        return 48_000
    return sample_rate
