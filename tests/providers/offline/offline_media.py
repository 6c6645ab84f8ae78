"""Test helpers for the offline renderer: probing MP4s with PyAV, making images, comparing frames."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from numpy.typing import NDArray
from PIL import Image

Frame = NDArray[np.uint8]


@dataclass(frozen=True)
class VideoInfo:
    codec: str
    pix_fmt: str
    width: int
    height: int
    frame_rate: Fraction
    duration_s: float
    frames: list[Frame]


def probe(path: Path, *, decode: bool = True) -> VideoInfo:
    """What a player sees in ``path``: codec, pixel format, size, rate, duration and frames.

    Without ``decode`` the frames list is empty (quick for long clips); see :func:`count_frames`.
    """
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        context = stream.codec_context
        assert stream.duration is not None
        assert stream.time_base is not None
        assert stream.average_rate is not None
        frames: list[Frame] = []
        if decode:
            frames = [
                np.asarray(frame.to_ndarray(format="rgb24"), np.uint8) for frame in container.decode(stream)
            ]
        return VideoInfo(
            codec=context.name,
            pix_fmt=str(context.pix_fmt),
            width=stream.width,
            height=stream.height,
            frame_rate=Fraction(stream.average_rate),
            duration_s=float(stream.duration * stream.time_base),
            frames=frames,
        )


def count_frames(path: Path) -> int:
    """Encoded frames in ``path``, counted from its packets without decoding them."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return sum(1 for packet in container.demux(stream) if packet.size)


def top_level_boxes(path: Path) -> list[str]:
    """The names of the MP4's top-level boxes, in file order."""
    data = path.read_bytes()
    names: list[str] = []
    offset = 0
    while offset + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        if size == 1:
            size = struct.unpack(">Q", data[offset + 8 : offset + 16])[0]
        names.append(kind.decode("latin-1"))
        if size < 8:
            break
        offset += size
    return names


def mad(a: Frame, b: Frame) -> float:
    """Mean absolute difference of two same-size images, in grey levels."""
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


def save(array: Frame, path: Path, *, quality: int = 95) -> Path:
    Image.fromarray(array).save(path, quality=quality)
    return path


def structured(width: int, height: int, seed: int) -> Frame:
    """A picture with smooth gradients and shapes: something optical flow can follow."""
    rng = np.random.default_rng(seed)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    image = np.zeros((height, width, 3), np.float32)
    image[..., 0] = 40 + 160 * xs / width
    image[..., 1] = 60 + 120 * ys / height
    image[..., 2] = 90 + 60 * np.sin(xs / 9.0) * np.cos(ys / 11.0)
    for _ in range(14):
        cx, cy = rng.uniform(0, width), rng.uniform(0, height)
        radius = rng.uniform(0.04, 0.12) * width
        colour = rng.uniform(0, 255, 3)
        inside = (xs - cx) ** 2 + (ys - cy) ** 2 < radius**2
        image[inside] = colour
    return np.clip(image, 0, 255).astype(np.uint8)


def png_header_only(path: Path, width: int, height: int) -> Path:
    """A PNG that declares ``width`` x ``height`` but holds (almost) no pixel data: a cheap bomb."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
    path.write_bytes(data + chunk(b"IEND", b""))
    return path
