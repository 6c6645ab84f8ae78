"""Decoding what browsers record (webm/opus, ogg, mp4/aac, wav, mp3) to 16 kHz mono PCM, and
encoding PCM back to WAV or MP3, over PyAV.

The container is sniffed by FFmpeg from the bytes themselves: a browser's ``mime`` is often vague
(``audio/webm;codecs=opus`` for a file that is really Matroska), so it is never trusted.
"""

from __future__ import annotations

import io
import wave

import av
import numpy as np
from av.audio.resampler import AudioResampler
from av.audio.stream import AudioStream

from framecast.core.errors import InvalidInputError

STT_SAMPLE_RATE = 16_000
# Browsers record at most a few minutes per turn; this bounds the PCM held in memory (~19 MiB).
MAX_DECODED_SECONDS = 600


def decode_to_pcm(audio: bytes, *, sample_rate: int = STT_SAMPLE_RATE) -> bytes:
    """``audio`` in any container FFmpeg knows, as mono signed 16-bit little-endian PCM.

    Raises ``InvalidInputError`` when the bytes are empty, are not a container with an audio
    stream, fail to decode, or run longer than ``MAX_DECODED_SECONDS``.
    """
    if not audio:
        raise InvalidInputError("the audio could not be decoded: it is empty")
    resampler = AudioResampler(format="s16", layout="mono", rate=sample_rate)
    chunks: list[bytes] = []
    size = 0
    limit = MAX_DECODED_SECONDS * sample_rate * 2
    try:
        with av.open(io.BytesIO(audio), mode="r") as container:
            if not container.streams.audio:
                raise InvalidInputError("the audio could not be decoded: it holds no audio stream")
            stream = container.streams.audio[0]
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    chunk = bytes(out.planes[0])[: out.samples * 2]
                    chunks.append(chunk)
                    size += len(chunk)
                if size > limit:
                    raise InvalidInputError(
                        f"the audio could not be decoded: it is longer than {MAX_DECODED_SECONDS} seconds"
                    )
            for out in resampler.resample(None):
                chunks.append(bytes(out.planes[0])[: out.samples * 2])
    except av.FFmpegError as error:
        raise InvalidInputError(f"the audio could not be decoded: {error}") from error
    pcm = b"".join(chunks)
    if not pcm:
        raise InvalidInputError("the audio could not be decoded: it holds no samples")
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
